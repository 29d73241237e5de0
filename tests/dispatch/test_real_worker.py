"""The deadline engine with real Celery processes, on a redis-server of the test's own.

Each test starts a redis-server on a free port (no persistence, so a restart starts empty) and
the Celery processes of one documented layout as subprocesses, on the test database (committed
rows: transactional tests), with a deadline of DEADLINE s and a sweep every SWEEP s:

- the contract's two commands, `celery -A config worker` and `celery -A config beat` (with
  `-l info`, which only sets what they log): the worker, started without -Q, consumes every
  queue the platform routes to, the sweep's included;
- docker-compose.yml's worker, sweeper and beat, with the commands read from that file.

This process sends its ETA timers to that redis-server too. Check-ins come from the real
`blow_whistle`. Then:

- healthy: every mark arrives once, the ETA timer making it within SWEEP + MARGIN of the deadline
  (on a machine too loaded for that, no later than the first sweep that started after it);
- the worker's process group gets SIGKILL while it holds the ETA timer: /healthz turns 503 and
  names the cause; started again after the deadlines, its timer stays unacknowledged in Redis
  (visibility timeout 1 h), the sweep marks every check-in once, within one interval of the
  worker being back. Under compose's layout the sweeper marks them meanwhile, on time;
- redis-server gets SIGKILL while the worker holds the timers and starts again empty: the timers
  are gone, the sweep marks every check-in once.

Celery 5.7.0's worker exits ("Unrecoverable error: AttributeError: 'NoneType' object has no
attribute 'hostname'") when the broker connection drops while it holds unacknowledged messages,
which it always does here (the ETA timers): see docs/benchmarks.md. The Redis test then restarts
the worker as `restart: unless-stopped` in docker-compose.yml does, and fails on any other exit.
"""

import re
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import celery
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Department
from bench.deadlines import CONTRACT, Stack, compose_layout, wait_until
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


def start_stack(tmp_path, settings, monkeypatch, layout):
    require_executable("redis-server", "the deadline tests restart a Redis server of their own")
    settings.WHISTLE_CHECKIN_DEADLINE_SECONDS = DEADLINE
    settings.DISPATCH_SWEEP_SECONDS = SWEEP
    env = {
        "DATABASE_URL": database_url(),
        "DISPATCH_SWEEP_SECONDS": str(SWEEP),
        "WHISTLE_CHECKIN_DEADLINE_SECONDS": str(DEADLINE),
    }
    services = Stack(tmp_path / "stack", env, layout)
    services.start_redis()
    settings.CELERY_BROKER_URL = services.broker_url  # /healthz looks at this test's broker
    return services


@contextmanager
def running(services, monkeypatch):
    try:
        with sending_to(services.broker_url, monkeypatch):
            services.start_all()
            yield services
    finally:
        services.close()


@pytest.fixture
def stack(demo, tmp_path, settings, monkeypatch):
    """redis-server and the contract's two processes, `celery -A config worker` and `celery -A
    config beat`; every one killed at the end."""
    with running(start_stack(tmp_path, settings, monkeypatch, CONTRACT), monkeypatch) as s:
        yield s


@pytest.fixture
def compose_stack(demo, tmp_path, settings, monkeypatch):
    """redis-server and the Celery processes that docker-compose.yml runs, with the commands
    read from it: worker, sweeper and beat."""
    layout = compose_layout()
    assert set(layout) == {"worker", "sweeper", "beat"}, layout
    with running(start_stack(tmp_path, settings, monkeypatch, layout), monkeypatch) as s:
        yield s


@pytest.fixture
def summon_all(blow, jinhaihu):
    """Blow a whistle summoning the 9 departments stationed in 金海湖镇; the check-in ids."""

    def _summon(stack) -> list[int]:
        whistle = blow(departments=list(Department.objects.stationed_in(jinhaihu)))
        ids = list(whistle.check_ins.values_list("pk", flat=True))
        assert len(ids) == 9
        # the worker holds the ETA timer (one for the nine: they fall due together), sent to
        # this test's redis-server, whose queue is empty again
        wait_until(
            lambda: (
                stack.received(TIMER, all_starts=True) >= 1
                and stack.redis_command("LLEN", "celery").strip() == b":0"
            ),
            10,
            "the worker receiving the ETA timer",
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


def queue_heartbeat(queue: str):
    return SweepHeartbeat.objects.filter(name=f"queue:{queue}").values_list("at", flat=True).first()


def healthz() -> tuple[int, dict]:
    answer = Client().get("/healthz")
    return answer.status_code, answer.json()


def wait_all_marked(stack, ids, timeout: float, supervise=lambda: None) -> list[CheckIn]:
    def marked():
        supervise()
        return all(c.overdue_at is not None for c in rows(ids))

    explain = lambda: (  # noqa: E731
        f"{[(c.pk, c.deadline, c.overdue_at) for c in rows(ids)]}\n"
        + "\n".join(stack.log_of(name)() for name in stack.layout)
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


SWEEP_DONE = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/[^\]]+\] "
    r"Task dispatch\.sweep_overdue\[[^\]]+\] succeeded in ([0-9.]+)s",
    re.M,
)


def sweeps_run(stack) -> list[tuple[datetime, datetime]]:
    """(start, end) of every overdue sweep the stack's workers ran, read off their logs
    (Celery writes local time: the platform's TIME_ZONE)."""
    zone = ZoneInfo(django_settings.TIME_ZONE)
    found = []
    for name in stack.workers():
        for at, took in SWEEP_DONE.findall(stack.log(name, all_starts=True)):
            end = datetime.strptime(at, "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=zone)
            found.append((end - timedelta(seconds=float(took)), end))
    return sorted(found)


def assert_marked_in_time(stack, check_ins, since=None) -> None:
    """Each mark within SWEEP + MARGIN of the later of its deadline and `since` (the timer or
    the sweep on a machine that keeps up), or else no later than the end of the first sweep
    that started after that moment: on a loaded machine tasks start late, but no sweep may pass
    a due row by. A mark later than both fails."""
    sweeps = sweeps_run(stack)
    for c in check_ins:
        due = max(c.deadline, since) if since else c.deadline
        assert c.overdue_at > c.deadline
        if c.overdue_at - due <= timedelta(seconds=SWEEP + MARGIN):
            continue
        first = next(((start, end) for start, end in sweeps if start >= due), None)
        # beat sends a sweep every SWEEP s: the first one after the deadline may start late on
        # a loaded machine, but not later than one more interval
        assert first is not None and first[0] - due <= timedelta(seconds=2 * SWEEP + MARGIN), (
            f"no sweep started within {2 * SWEEP + MARGIN} s of {due:%H:%M:%S.%f}: {sweeps}"
        )
        assert c.overdue_at <= first[1], (
            f"check-in {c.pk} due {due:%H:%M:%S.%f} marked {c.overdue_at:%H:%M:%S.%f}, after "
            f"the first sweep that started later ended: {[(f'{a:%H:%M:%S.%f}', f'{b:%H:%M:%S.%f}') for a, b in sweeps]}"
        )


def test_a_short_deadline_is_marked_once_and_within_one_sweep_interval(stack, summon_all):
    ids = summon_all(stack)

    check_ins = wait_all_marked(stack, ids, DEADLINE + 3 * SWEEP + 10)

    assert_marked_in_time(stack, check_ins)
    assert_marked_once_even_after_another_sweep(stack, ids, check_ins)
    age = deadlines.sweep_age_seconds()
    assert age is not None and age <= SWEEP + MARGIN
    assert healthz()[0] == 200


def test_the_contracts_two_commands_lose_no_mark_when_the_worker_is_killed(stack, summon_all):
    """`celery -A config worker` with no -Q consumes the sweep's queue too: killed with
    SIGKILL while deadlines are pending, /healthz says why it is unhealthy; started again,
    it marks every check-in exactly once within one interval."""
    ids = summon_all(stack)
    wait_until(
        lambda: heartbeat() and queue_heartbeat("notifications"),
        3 * SWEEP,
        "the worker's first sweep and notifications heartbeat",
        stack.log_of("worker"),
    )
    stack.kill("worker")  # SIGKILL to its process group: the pool children die with it
    last_deadline = max(c.deadline for c in rows(ids))

    # past every deadline and two sweep intervals: nobody consumes, nothing is marked, and
    # /healthz names the cause
    wait_until(
        lambda: healthz()[0] == 503,
        DEADLINE + 3 * SWEEP + 5,
        "/healthz answering 503",
        lambda: f"{healthz()} {stack.log_of('beat')()}",
    )
    wait_until(
        lambda: timezone.now() > last_deadline + timedelta(seconds=SWEEP),
        DEADLINE + 3 * SWEEP,
        "two intervals past the last deadline",
    )
    assert all(c.overdue_at is None for c in rows(ids))
    problems = healthz()[1]["problems"]
    assert any("wait in the 'sweep' queue and no worker takes them" in p for p in problems)
    assert any(p.startswith("worker: no worker has taken the 'notifications'") for p in problems), (
        problems
    )
    restarted = timezone.now()
    stack.start("worker")
    ready = timezone.now()
    # the bare command waits for no neighbours before its start-up sweep (config/celery.py)
    assert "mingle" not in stack.log("worker")

    check_ins = wait_all_marked(stack, ids, 3 * SWEEP + 10)

    for c in check_ins:
        assert c.overdue_at > restarted
    assert_marked_in_time(stack, check_ins, since=ready)
    assert_marked_once_even_after_another_sweep(stack, ids, check_ins)
    # healthy again once the worker has taken a heartbeat from each of its queues
    wait_until(
        lambda: healthz()[0] == 200, 3 * SWEEP + 5, "/healthz answering 200", lambda: str(healthz())
    )
    # the dead worker's timer waits, unacknowledged, for Redis's visibility timeout (1 h): the
    # sweep, not a redelivery, made the marks; a redelivery later finds them made
    assert stack.redis_integer("HLEN", "unacked") >= 1


def test_composes_layout_keeps_every_deadline_while_the_worker_is_dead(compose_stack, summon_all):
    """docker-compose.yml's worker, sweeper and beat, with its own commands: the worker
    killed with SIGKILL while deadlines are pending, its sweeper marks them on time; the
    worker started again doubles none."""
    stack = compose_stack
    ids = summon_all(stack)
    stack.kill("worker")

    check_ins = wait_all_marked(stack, ids, DEADLINE + 3 * SWEEP + 10)

    assert_marked_in_time(stack, check_ins)
    wait_until(  # the sweeper made the marks (its log line follows its commit)
        lambda: "dispatch.checkin overdue in" in stack.log("sweeper"),
        5,
        "the sweeper's mark in its log",
        stack.log_of("sweeper"),
    )
    stack.start("worker")
    assert_marked_once_even_after_another_sweep(stack, ids, check_ins)
    # healthy again once the worker has taken a heartbeat from each of its queues
    wait_until(
        lambda: healthz()[0] == 200, 3 * SWEEP + 5, "/healthz answering 200", lambda: str(healthz())
    )


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
        if stack.exited("worker"):
            log = stack.log("worker")
            assert celery.VERSION[:2] == (5, 7) and CELERY_57_CRASH in log, (
                f"the worker exited:\n{log[-6000:]}"
            )
            stack.start("worker")
            back["at"], back["how"] = timezone.now(), "restarted"
        elif stack.log("worker").count("Connected to redis://") >= 2:
            back["at"], back["how"] = timezone.now(), "reconnected"

    wait_until(lambda: supervise() or back, 30, "the worker back on Redis", stack.log_of("worker"))
    check_ins = wait_all_marked(stack, ids, DEADLINE + 3 * SWEEP + 10, supervise)

    assert_marked_in_time(stack, check_ins, since=back["at"])
    assert_marked_once_even_after_another_sweep(stack, ids, check_ins)
