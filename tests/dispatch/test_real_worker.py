"""The deadline engine with a real Celery worker and beat, on a redis-server of the test's own.

Each test starts a redis-server on a free port (no persistence, so a restart starts empty), a
worker (prefork, 2) and beat as subprocesses, on the test database (committed rows: transactional
tests), with a deadline of DEADLINE s and a sweep every SWEEP s. This process sends its ETA timers
to that redis-server too. Check-ins come from the real `blow_whistle`. Then:

- healthy: every mark arrives once, the ETA timer making it within SWEEP + MARGIN of the deadline;
- the worker's process group gets SIGKILL while it holds the ETA timers, and starts again after
  the deadlines: its timers stay unacknowledged in Redis (visibility timeout 1 h), the sweep marks
  every check-in once, within one interval of the worker being back;
- redis-server gets SIGKILL while the worker holds the timers and starts again empty: the timers
  are gone, the sweep marks every check-in once.

Celery 5.7.0's worker exits ("Unrecoverable error: AttributeError: 'NoneType' object has no
attribute 'hostname'") when the broker connection drops while it holds unacknowledged messages,
which it always does here (the ETA timers): see docs/benchmarks.md. The Redis test then restarts
the worker as `restart: unless-stopped` in docker-compose.yml does, and fails on any other exit.
"""

from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import celery
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Department
from bench.deadlines import Stack, wait_until
from dispatch import deadlines
from dispatch.models import CheckIn, SweepHeartbeat
from tests.services import require_executable
from whistle.choices import EventType
from whistle.models import Event

SWEEP = 2  # DISPATCH_SWEEP_SECONDS, here and in the worker and beat
DEADLINE = 5  # WHISTLE_CHECKIN_DEADLINE_SECONDS
MARGIN = 1.5  # s: a task's or a sweep's own run time, and the polling
TIMER = "dispatch.deadline_reached"
CELERY_57_CRASH = "AttributeError(\"'NoneType' object has no attribute 'hostname'\")"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The test database (not the one DATABASE_URL names) as a URL for the subprocesses."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(s["NAME"])
        assert path.is_absolute() or path.exists(), f"a file-backed SQLite test database: {path}"
        return f"sqlite:///{path.resolve()}"
    assert connection.vendor == "postgresql", connection.vendor
    credentials = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        credentials += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(s['NAME'], safe='')}"


def _drop_broker_connections(app, close: bool) -> None:
    """Forget the app's cached broker connection and producer pools (and close ours)."""
    amqp = app.__dict__.get("amqp")
    if close:
        for pool in (amqp and amqp._producer_pool, app._pool):
            if pool is not None:
                pool.force_close_all()
    app._pool = None
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def sending_to(url: str, monkeypatch):
    """This process's Celery app sends to `url` (the ETA timers of `schedule()`), then back."""
    from config.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery's conf reads this before its own value
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    _drop_broker_connections(app, close=False)  # the suite's pools stay usable for later
    try:
        yield
    finally:
        _drop_broker_connections(app, close=True)
        app.conf.broker_url, app.conf.broker_transport_options = saved


@pytest.fixture
def stack(demo, tmp_path, settings, monkeypatch):
    """redis-server, worker and beat of this test; every one killed at the end."""
    require_executable("redis-server", "the deadline tests restart a Redis server of their own")
    settings.WHISTLE_CHECKIN_DEADLINE_SECONDS = DEADLINE
    settings.DISPATCH_SWEEP_SECONDS = SWEEP
    env = {
        "DATABASE_URL": database_url(),
        "DISPATCH_SWEEP_SECONDS": str(SWEEP),
        "WHISTLE_CHECKIN_DEADLINE_SECONDS": str(DEADLINE),
    }
    services = Stack(tmp_path / "stack", env)
    try:
        services.start_redis()
        with sending_to(services.broker_url, monkeypatch):
            services.start_worker()
            services.start_beat()
            yield services
    finally:
        services.close()


@pytest.fixture
def summon_all(blow, jinhaihu):
    """Blow a whistle summoning the 9 departments stationed in 金海湖镇; the check-in ids."""

    def _summon(stack) -> list[int]:
        whistle = blow(departments=list(Department.objects.stationed_in(jinhaihu)))
        ids = list(whistle.check_ins.values_list("pk", flat=True))
        assert len(ids) == 9
        # the worker holds every ETA timer: they went to this test's redis-server, whose queue
        # is empty again (other timers, e.g. reminders, may have come along)
        wait_until(
            lambda: (
                stack.received(TIMER, all_starts=True) >= len(ids)
                and stack.redis_command("LLEN", "celery").strip() == b":0"
            ),
            10,
            "the worker receiving the ETA timers",
            stack.log_of("worker"),
        )
        return ids

    return _summon


def rows(ids) -> list[CheckIn]:
    return list(CheckIn.objects.filter(pk__in=ids).order_by("pk"))


def overdue_events(ids) -> Counter:
    return Counter(
        Event.objects.filter(type=EventType.CHECK_IN_OVERDUE, check_in__in=ids).values_list(
            "check_in", flat=True
        )
    )


def heartbeat():
    return SweepHeartbeat.objects.filter(name=deadlines.SWEEP).values_list("at", flat=True).first()


def wait_all_marked(stack, ids, timeout: float, supervise=lambda: None) -> list[CheckIn]:
    def marked():
        supervise()
        return all(c.overdue_at is not None for c in rows(ids))

    explain = lambda: (  # noqa: E731
        f"{[(c.pk, c.deadline, c.overdue_at) for c in rows(ids)]}\n"
        f"{stack.log_of('worker')()}\n{stack.log_of('beat')()}"
    )
    wait_until(marked, timeout, "every check-in marked overdue", explain, step=0.2)
    return rows(ids)


def assert_marked_once_even_after_another_sweep(stack, ids, check_ins) -> None:
    """One check_in_overdue event each, also once a sweep has run after the last mark."""
    last = max(c.overdue_at for c in check_ins)
    wait_until(
        lambda: (heartbeat() or last) > last,
        3 * SWEEP + 5,
        "a sweep after the last mark",
        stack.log_of("beat"),
    )
    assert overdue_events(ids) == dict.fromkeys(ids, 1)
    assert [c.overdue_at for c in rows(ids)] == [c.overdue_at for c in check_ins]


def test_a_short_deadline_is_marked_once_and_within_one_sweep_interval(stack, summon_all):
    ids = summon_all(stack)

    check_ins = wait_all_marked(stack, ids, DEADLINE + 3 * SWEEP + 10)

    for c in check_ins:
        assert timedelta(0) < c.overdue_at - c.deadline <= timedelta(seconds=SWEEP + MARGIN)
    assert_marked_once_even_after_another_sweep(stack, ids, check_ins)
    age = deadlines.sweep_age_seconds()
    assert age is not None and age <= SWEEP + MARGIN


def test_a_worker_killed_while_deadlines_are_pending_loses_no_mark_and_doubles_none(
    stack, summon_all
):
    ids = summon_all(stack)
    stack.kill_worker()  # SIGKILL to its process group: the pool children die with it
    last_deadline = max(c.deadline for c in rows(ids))

    # past every deadline, and a sweep sent meanwhile: nobody consumes, nothing is marked
    wait_until(
        lambda: timezone.now() > last_deadline + timedelta(seconds=SWEEP),
        DEADLINE + SWEEP + 5,
        "the deadlines passing",
    )
    assert all(c.overdue_at is None for c in rows(ids))
    restarted = timezone.now()
    stack.start_worker()
    ready = timezone.now()

    check_ins = wait_all_marked(stack, ids, 3 * SWEEP + 10)

    for c in check_ins:
        assert restarted < c.overdue_at <= ready + timedelta(seconds=SWEEP + MARGIN)
    assert_marked_once_even_after_another_sweep(stack, ids, check_ins)
    # the dead worker's timers wait, unacknowledged, for Redis's visibility timeout (1 h): the
    # sweep, not a redelivery, made the marks; a redelivery later finds them made
    unacked = stack.redis_command("HLEN", "unacked")
    assert int(unacked.strip()[1:]) >= len(ids), unacked
    assert stack.received(TIMER) == 0  # the new worker was handed none of them


def test_redis_restarted_empty_while_deadlines_are_pending_loses_no_mark(stack, summon_all):
    ids = summon_all(stack)
    stack.kill_redis()
    stack.start_redis()
    # the ETA timers (held unacknowledged) are gone with it; only the bindings come back
    assert stack.redis_command("HLEN", "unacked").strip() == b":0"
    back = {}

    def supervise():
        """Note when the worker consumes again: reconnected, or restarted after the known
        Celery 5.7 exit (as docker compose's `restart: unless-stopped` restarts it)."""
        if back:
            return
        if stack.worker.poll() is not None:
            log = stack.worker_log()
            assert celery.VERSION[:2] == (5, 7) and CELERY_57_CRASH in log, (
                f"the worker exited:\n{log[-6000:]}"
            )
            stack.start_worker()
            back["at"], back["how"] = timezone.now(), "restarted"
        elif stack.worker_log().count("Connected to redis://") >= 2:
            back["at"], back["how"] = timezone.now(), "reconnected"

    wait_until(lambda: supervise() or back, 30, "the worker back on Redis", stack.log_of("worker"))
    check_ins = wait_all_marked(stack, ids, DEADLINE + 3 * SWEEP + 10, supervise)

    for c in check_ins:
        assert (
            timedelta(0)
            < c.overdue_at - c.deadline
            <= max(timedelta(0), back["at"] - c.deadline) + timedelta(seconds=SWEEP + MARGIN)
        ), back
    assert_marked_once_even_after_another_sweep(stack, ids, check_ins)
