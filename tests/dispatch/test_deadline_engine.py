"""The deadline engine marks in sets: one conditional UPDATE … RETURNING per batch, the events
and in-app notifications of the batch in bulk in the same transaction, outside deliveries
enqueued after commit; timers of deadlines that fall due together are one timer."""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Department, Street, User
from dispatch import deadlines
from dispatch.models import CheckIn
from dispatch.services import blow_whistle
from dispatch.tasks import deadline_reached
from notifications import services as notifications
from notifications.choices import DeliveryStatus
from notifications.models import Delivery, Notification
from notifications.tasks import deliver, deliver_many
from whistle.choices import EventType
from whistle.models import Event

T0 = timezone.datetime(2026, 11, 27, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
CLAIM = re.compile(
    r"^UPDATE \"dispatch_checkin\" SET \"overdue_at\" = .* RETURNING",
    re.S,
)


@pytest.fixture
def clock(settings):
    settings.DISPATCH_REMINDER_MINUTES = []  # these tests count overdue marks only
    # every run freezes the same instant, so the timer keys of a run half an hour ago
    # (they live until their deadline plus a minute, in real time) would still be taken
    cache.clear()
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def email_on(settings, demo):
    """Email on, and every account with an address: each overdue mark has deliveries too."""
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "email"]
    for user in User.objects.all():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


@pytest.fixture
def enqueued(monkeypatch):
    """The delivery tasks sent (ids), instead of sending them."""
    sent = []
    monkeypatch.setattr(deliver, "apply_async", lambda args, **kw: sent.append(args[0]))
    monkeypatch.setattr(deliver_many, "apply_async", lambda args, **kw: sent.extend(args[0]))
    return sent


@pytest.fixture
def blow_many(demo):
    """Blow `n` whistles, alternating between 金海湖镇 and 龙潭街道, each summoning every
    department stationed there; the check-in ids."""
    streets = [
        (demo["street_jinhaihu"], Street.objects.get(name="金海湖镇")),
        (demo["street_longtan"], Street.objects.get(name="龙潭街道")),
    ]

    def _blow(n: int) -> list[int]:
        ids = []
        for i in range(n):
            user, street = streets[i % 2]
            whistle = blow_whistle(
                user,
                street=street,
                kind="emergency",
                category="flood_control",
                title=f"防汛 {i}",
                location="立交桥下",
                departments=list(Department.objects.stationed_in(street)),
            )
            ids += whistle.check_ins.values_list("pk", flat=True)
        return ids

    return _blow


def statements(queries) -> list[str]:
    """The statements' kinds in order; SQLite splits a bulk INSERT by its limit of 999
    variables (PostgreSQL by 1000 rows), so there an INSERT may repeat."""
    kinds = [q["sql"].split(" ", 1)[0] for q in queries]
    if connection.vendor == "sqlite":
        kinds = [k for i, k in enumerate(kinds) if not (k == "INSERT" and kinds[i - 1] == "INSERT")]
    return kinds


def claims(queries) -> int:
    return sum(1 for q in queries if CLAIM.match(q["sql"]))


def overdue_events(ids) -> dict:
    found = {}
    for check_in in Event.objects.filter(
        type=EventType.CHECK_IN_OVERDUE, check_in__in=ids
    ).values_list("check_in", flat=True):
        found[check_in] = found.get(check_in, 0) + 1
    return found


def past_due(clock, settings):
    clock.shift(timedelta(seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS + 1))


@pytest.mark.django_db
def test_the_sweep_marks_many_rows_with_the_queries_of_a_few(
    clock, settings, email_on, enqueued, blow_many
):
    deadlines.sweep()  # the heartbeat's row exists from now on
    few = blow_many(2)
    past_due(clock, settings)
    with CaptureQueriesContext(connection) as first:
        assert deadlines.sweep() == len(few)
    many = blow_many(8)
    past_due(clock, settings)
    with CaptureQueriesContext(connection) as second:
        assert deadlines.sweep() == len(many)

    assert len(many) >= 4 * len(few)
    assert statements(second) == statements(first), [q["sql"][:120] for q in second]
    assert claims(first.captured_queries) == claims(second.captured_queries) == 1
    assert overdue_events(few + many) == dict.fromkeys(few + many, 1)
    # the escalation: the street's officials and the district's reviewers among those told
    told = set(
        Notification.objects.filter(dedupe_key=f"overdue:{many[0]}").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"street_jinhaihu", "district_pinggu", "dept_pg_chengguan"} <= told
    assert Delivery.objects.filter(notification__dedupe_key=f"overdue:{many[0]}").count() == len(
        told
    )


@pytest.mark.django_db
def test_the_sweep_marks_in_batches_each_one_update_returning(
    clock, settings, blow_many, monkeypatch
):
    monkeypatch.setattr(deadlines, "BATCH", 4)
    ids = blow_many(2)
    assert len(ids) == 18
    past_due(clock, settings)
    with CaptureQueriesContext(connection) as queries:
        assert deadlines.sweep() == 18
    assert claims(queries.captured_queries) == 5  # 4 + 4 + 4 + 4 + 2
    assert overdue_events(ids) == dict.fromkeys(ids, 1)
    assert set(CheckIn.objects.filter(pk__in=ids).values_list("overdue_at", flat=True)) == {
        timezone.now()
    }
    assert deadlines.sweep() == 0


@pytest.mark.django_db
def test_a_mark_whose_side_effects_fail_is_not_made(clock, settings, blow_many, monkeypatch):
    ids = blow_many(1)
    past_due(clock, settings)

    def fail(messages):
        raise RuntimeError("the notifications could not be written")

    monkeypatch.setattr("dispatch.notify.notify_many", fail)
    with pytest.raises(RuntimeError):
        deadlines.sweep()
    assert not CheckIn.objects.filter(pk__in=ids, overdue_at__isnull=False).exists()
    assert overdue_events(ids) == {}
    monkeypatch.undo()
    assert deadlines.sweep() == len(ids)
    assert overdue_events(ids) == dict.fromkeys(ids, 1)


@pytest.mark.django_db
def test_outside_deliveries_are_written_with_the_mark_and_enqueued_after_commit(
    clock, settings, email_on, enqueued, blow_many, django_capture_on_commit_callbacks
):
    ids = blow_many(6)  # 54 check-ins: hundreds of deliveries
    past_due(clock, settings)
    del enqueued[:]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deadlines.sweep()
        pending = set(
            Delivery.objects.filter(
                notification__dedupe_key__startswith="overdue:", status=DeliveryStatus.PENDING
            ).values_list("pk", flat=True)
        )
        assert len(pending) > notifications.DELIVER_CHUNK
        assert enqueued == []  # nothing leaves before the marks commit
    for callback in callbacks:
        callback()
    assert set(enqueued) == pending and len(enqueued) == len(pending)
    assert overdue_events(ids) == dict.fromkeys(ids, 1)


@pytest.mark.django_db
def test_deadlines_that_fall_due_together_share_one_timer(
    clock, blow_many, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(deadline_reached, "apply_async", lambda args, **kw: sent.append(kw["eta"]))
    with django_capture_on_commit_callbacks(execute=True):
        ids = blow_many(1)  # 9 check-ins, one deadline
    assert len(sent) == 1
    deadline = CheckIn.objects.get(pk=ids[0]).deadline
    assert deadline < sent[0] <= deadline + timedelta(milliseconds=deadlines.TIMER_BUCKET_MS)

    clock.shift(timedelta(milliseconds=deadlines.TIMER_BUCKET_MS))  # the next slice
    with django_capture_on_commit_callbacks(execute=True):
        blow_many(1)
    assert len(sent) == 2 and sent[1] > sent[0]


@pytest.mark.django_db
def test_without_the_cache_every_deadline_gets_its_own_timer(
    clock, blow_many, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(deadline_reached, "apply_async", lambda args, **kw: sent.append(args))

    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(deadlines.cache, "add", down)
    with django_capture_on_commit_callbacks(execute=True):
        ids = blow_many(1)
    assert sorted(pk for _label, pk in sent) == sorted(ids)


@pytest.mark.django_db
def test_a_late_timer_marks_every_due_row_and_says_why_it_did_not_mark_its_own(
    clock, settings, blow_many, caplog
):
    ids = blow_many(3)
    past_due(clock, settings)
    assert deadline_reached("dispatch.checkin", ids[5]) is True
    assert overdue_events(ids) == dict.fromkeys(ids, 1)

    with caplog.at_level(logging.INFO, logger="dispatch.deadlines"):
        assert deadline_reached("dispatch.checkin", ids[0]) is False
        assert deadline_reached("dispatch.checkin", 10**12) is False
        assert deadline_reached("nowhere.nothing", 1) is False
    said = caplog.text
    assert f"dispatch.checkin {ids[0]} marked 0 row(s), not that one: it was already marked" in said
    assert "the row no longer exists" in said
    assert "no such deadline model" in said
    assert overdue_events(ids) == dict.fromkeys(ids, 1)


@pytest.mark.django_db
def test_an_old_sqlite_is_refused_by_a_system_check():
    from django.core import checks

    from dispatch.checks import sqlite_error

    error = sqlite_error((3, 31, 1), "3.31.1")
    assert error.id == "dispatch.E001" and "3.31.1" in error.msg
    assert sqlite_error((3, 35, 0), "3.35.0") is None
    assert "dispatch.E001" not in [e.id for e in checks.run_checks(databases=["default"])]


@pytest.mark.django_db
def test_a_row_whose_side_effects_fail_does_not_hold_back_the_others(
    clock, settings, blow_many, monkeypatch, caplog
):
    ids = blow_many(2)
    bad = ids[4]
    past_due(clock, settings)
    from dispatch import notify

    overdue = notify.overdue

    def fails_for_one(check_ins):
        if any(c.pk == bad for c in check_ins):
            raise RuntimeError("a broken row")
        overdue(check_ins)

    monkeypatch.setattr(notify, "overdue", fails_for_one)
    with pytest.raises(RuntimeError), caplog.at_level(logging.ERROR, "dispatch.deadlines"):
        deadlines.sweep()  # the error is raised, after the others were marked and the beat
    assert f"dispatch.checkin {bad} could not be marked overdue" in caplog.text
    assert overdue_events(ids) == {pk: 1 for pk in ids if pk != bad}
    assert deadlines.sweep_age_seconds() == 0
    monkeypatch.undo()
    assert deadlines.sweep() == 1  # tried again next time
