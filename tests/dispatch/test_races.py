"""Real concurrency: several threads, each with its own database connection, race the overdue
mark (ETA task, sweeps, a late arrival, an acknowledgement) on committed rows."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from config.errors import Conflict
from dispatch import deadlines, services
from dispatch.choices import CheckInStatus
from dispatch.models import CheckIn
from dispatch.tasks import deadline_reached
from whistle.choices import EventType
from whistle.models import Event


def race(*actions):
    """Run the actions at once, one thread each; re-raise the first error."""
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as exc:  # collected and re-raised in the test's thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    if errors:
        raise errors[0]


def overdue_events(check_in):
    return Event.objects.filter(type=EventType.CHECK_IN_OVERDUE, check_in=check_in.pk).count()


def past_due(blow, keys=("police",)):
    whistle = blow(*keys)
    CheckIn.objects.filter(whistle=whistle).update(deadline=timezone.now() - timedelta(seconds=5))
    return whistle


@pytest.mark.django_db(transaction=True)
def test_the_timer_two_sweeps_and_a_late_arrival_mark_overdue_exactly_once(blow, demo):
    for _ in range(5):
        whistle = past_due(blow)
        check_in = whistle.check_ins.get()
        race(
            lambda c=check_in: deadline_reached("dispatch.checkin", c.pk),
            deadlines.sweep,
            deadlines.sweep,
            lambda c=check_in: services.arrive(demo["dept_pg_police"], c),
        )
        check_in.refresh_from_db()
        assert overdue_events(check_in) == 1
        assert check_in.overdue_at is not None and check_in.on_time is False
        assert check_in.status == CheckInStatus.ON_SITE
        arrived = Event.objects.filter(type=EventType.CHECK_IN_ARRIVED, check_in=check_in.pk)
        assert arrived.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_arrival_in_time_racing_the_timer_is_never_marked(blow, demo):
    """The timer fires while the responder reports on site just before the deadline: whichever
    commits first, the check-in ends either on time without a mark, or late with one mark."""
    for _ in range(5):
        whistle = blow("police")
        check_in = whistle.check_ins.get()
        CheckIn.objects.filter(pk=check_in.pk).update(
            deadline=timezone.now() + timedelta(milliseconds=30)
        )
        race(
            lambda c=check_in: services.arrive(demo["dept_pg_police"], c),
            lambda c=check_in: deadline_reached("dispatch.checkin", c.pk),
            deadlines.sweep,
        )
        check_in.refresh_from_db()
        marks = overdue_events(check_in)
        if check_in.on_time:
            assert marks == 0 and check_in.overdue_at is None
        else:
            assert marks == 1 and check_in.overdue_at <= check_in.checked_in_at


@pytest.mark.django_db(transaction=True)
def test_acknowledge_racing_the_mark_keeps_both(blow, demo):
    whistle = past_due(blow)
    check_in = whistle.check_ins.get()
    race(
        lambda: services.acknowledge(demo["dept_pg_police"], check_in, responder_name="张警官"),
        deadlines.sweep,
        lambda: deadline_reached("dispatch.checkin", check_in.pk),
    )
    check_in.refresh_from_db()
    assert check_in.status == CheckInStatus.ACKNOWLEDGED
    assert check_in.responder_name == "张警官"
    assert overdue_events(check_in) == 1


@pytest.mark.django_db(transaction=True)
def test_resolving_while_the_sweep_runs_marks_once_and_releases(blow, demo):
    whistle = past_due(blow, ("police", "chengguan", "planning"))
    race(
        lambda: services.resolve(demo["street_jinhaihu"], whistle, summary="已处置"),
        deadlines.sweep,
        deadlines.sweep,
    )
    for check_in in CheckIn.objects.filter(whistle=whistle):
        assert overdue_events(check_in) == 1
        assert check_in.status == CheckInStatus.RELEASED


@pytest.mark.django_db(transaction=True)
def test_two_whistles_blown_at_once_get_different_numbers(blow):
    numbers = []
    race(lambda: numbers.append(blow().number), lambda: numbers.append(blow().number))
    assert len(set(numbers)) == 2


@pytest.mark.django_db(transaction=True)
def test_timers_two_sweeps_and_late_arrivals_racing_on_many_rows_mark_each_once(
    blow, demo, departments, settings, monkeypatch
):
    """Small batches, so the racers interleave batch by batch: 24 check-ins past due, two
    timers (each marks every due row), two sweeps and three late arrivals at once."""
    settings.DISPATCH_REMINDER_MINUTES = []
    monkeypatch.setattr(deadlines, "BATCH", 5)
    keys = ("chengguan", "police", "planning")
    dispatcher = {departments[k].pk: demo[f"dept_pg_{k}"] for k in keys}
    for _ in range(3):
        whistles = [past_due(blow, keys) for _ in range(8)]
        check_ins = list(CheckIn.objects.filter(whistle__in=whistles).order_by("pk"))
        late = [c for c in check_ins if c.whistle_id == whistles[3].pk]
        race(
            lambda first=check_ins[0].pk: deadline_reached("dispatch.checkin", first),
            deadlines.sweep,
            deadlines.sweep,
            lambda last=check_ins[-1].pk: deadline_reached("dispatch.checkin", last),
            *(lambda c=c: services.arrive(dispatcher[c.department_id], c) for c in late),
        )
        ids = [c.pk for c in check_ins]
        marks = Event.objects.filter(type=EventType.CHECK_IN_OVERDUE, check_in__in=ids)
        assert sorted(marks.values_list("check_in", flat=True)) == ids
        assert not CheckIn.objects.filter(pk__in=ids, overdue_at=None).exists()
        for c in CheckIn.objects.filter(pk__in=[c.pk for c in late]):
            assert c.status == CheckInStatus.ON_SITE and c.on_time is False
            assert c.overdue_at <= c.checked_in_at


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and SKIP LOCKED: PostgreSQL only"
)
@pytest.mark.django_db(transaction=True)
def test_a_timer_that_finds_its_row_held_comes_again(blow, monkeypatch, caplog):
    """A change holds the row across the deadline: the timer skips it, says so, and sends
    itself again a second later; then it marks it."""
    whistle = past_due(blow)
    check_in = whistle.check_ins.get()
    sent = []
    monkeypatch.setattr(deadline_reached, "apply_async", lambda args, **kw: sent.append(args))
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                CheckIn.objects.select_for_update(no_key=True).get(pk=check_in.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        with caplog.at_level(logging.INFO, "dispatch.deadlines"):
            assert deadline_reached("dispatch.checkin", check_in.pk) is False
    finally:
        release.set()
        holder.join(10)
    assert "another transaction held it; again in a second" in caplog.text
    assert sent == [("dispatch.checkin", check_in.pk, 1)]
    assert deadline_reached(*sent[0]) is True
    assert overdue_events(check_in) == 1


@pytest.mark.django_db(transaction=True)
def test_resolving_and_arriving_at_once_never_leave_a_check_in_inconsistent(
    blow, demo, departments
):
    """Each check-in ends either on site (arrived before the resolution, not released by it)
    or released by the resolution without an arrival (the arrival refused): never both."""
    keys = ("chengguan", "police", "planning")
    dispatcher = {departments[k].pk: demo[f"dept_pg_{k}"] for k in keys}
    for _ in range(15):
        whistle = blow(*keys)
        check_ins = list(whistle.check_ins.all())
        refused = []

        def arrive(c, refused=refused):
            try:
                services.arrive(dispatcher[c.department_id], c)
            except Conflict:
                refused.append(c.pk)

        race(
            lambda w=whistle: services.resolve(demo["street_jinhaihu"], w, summary="已处置"),
            *(lambda c=c: arrive(c) for c in check_ins),
        )
        for c in CheckIn.objects.filter(whistle=whistle):
            arrived = Event.objects.filter(type=EventType.CHECK_IN_ARRIVED, check_in=c.pk)
            released = Event.objects.filter(type=EventType.CHECK_IN_RELEASED, check_in=c.pk)
            if c.checked_in_at is not None:
                assert c.status == CheckInStatus.ON_SITE and c.released_at is None, c.pk
                assert arrived.count() == 1 and not released.exists() and c.pk not in refused
            else:
                assert c.status == CheckInStatus.RELEASED and c.released_at is not None, c.pk
                assert not arrived.exists() and c.pk in refused
                assert [e.data["reason"] for e in released] == ["resolved"]


@pytest.mark.django_db(transaction=True)
def test_two_identical_blow_forms_posted_at_once_blow_one_whistle(demo, departments):
    from django.test import Client

    from whistle.models import Whistle

    data = {
        "kind": "emergency",
        "category": "flood_control",
        "title": "桥下积水",
        "location": "海子村桥洞",
        "departments": [departments["chengguan"].pk, departments["planning"].pk],
        "idempotency_key": "a" * 32,
    }
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(demo["street_jinhaihu"])
    answers = []
    race(*(lambda c=c: answers.append(c.post("/whistles/new/", data)) for c in clients))
    whistle = Whistle.objects.get()
    assert [a["Location"] for a in answers] == [f"/whistles/{whistle.pk}/"] * 2
    assert CheckIn.objects.filter(whistle=whistle).count() == 2
