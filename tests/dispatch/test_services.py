"""The loop's services with frozen time: numbering, the 30-minute clock, overdue exactly once,
acknowledge/arrive/leave, resolve, cancel, close."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from config.errors import Conflict
from dispatch import deadlines, hooks, services
from dispatch.choices import CheckInStatus
from dispatch.models import CheckIn
from dispatch.tasks import deadline_reached
from whistle.choices import EventType, WhistleStatus
from whistle.models import Event

T0 = timezone.datetime(2026, 11, 27, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def events(whistle, type=None):
    qs = Event.objects.filter(whistle=whistle)
    return list(qs.filter(type=type) if type else qs)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_blowing_numbers_the_whistle_per_street_and_year_and_opens_a_check_in_each(
    clock, blow, departments, settings
):
    first = blow()
    second = blow("planning")
    assert (first.number, second.number) == ("金海湖-2026-0001", "金海湖-2026-0002")
    assert first.status == WhistleStatus.OPEN
    check_ins = list(first.check_ins.order_by("department_id"))
    assert [c.department for c in check_ins] == sorted(
        [departments["chengguan"], departments["police"]], key=lambda d: d.pk
    )
    deadline = T0 + timedelta(seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS)
    assert all(c.deadline == deadline and c.status == CheckInStatus.PENDING for c in check_ins)
    assert [e.type for e in events(first)] == [
        EventType.WHISTLE_BLOWN,
        EventType.CHECK_IN_SUMMONED,
        EventType.CHECK_IN_SUMMONED,
    ]
    assert {e.check_in for e in events(first, EventType.CHECK_IN_SUMMONED)} == {
        c.pk for c in check_ins
    }


@pytest.mark.django_db
def test_the_number_restarts_each_year_in_beijing_time(blow):
    with time_machine.travel("2026-12-31T15:59:00+00:00", tick=False):  # 23:59 in Beijing
        assert blow().number == "金海湖-2026-0001"
    with time_machine.travel("2026-12-31T16:01:00+00:00", tick=False):  # 00:01 on 1 January
        assert blow().number == "金海湖-2027-0001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("kind", {"kind": "party"}),
        ("category", {"category": "fire"}),  # fire is an emergency category
        ("title", {"title": "  "}),
        ("location", {"location": ""}),
        ("latitude", {"latitude": 91, "longitude": 117}),
        ("longitude", {"latitude": 40, "longitude": "east"}),
        ("departments", {"departments": []}),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(blow, field, overrides):
    with pytest.raises(ValidationError) as error:
        blow(**overrides)
    assert field in error.value.message_dict
    assert not Event.objects.exists() and not CheckIn.objects.exists()


@pytest.mark.django_db
def test_a_department_not_stationed_in_the_street_cannot_be_summoned(blow, departments):
    with pytest.raises(ValidationError) as error:
        blow("chengguan", "dc_chengguan")
    assert str(departments["dc_chengguan"].pk) in error.value.message_dict["departments"][0]
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_only_the_streets_officials_may_blow(demo, jinhaihu, departments):
    with pytest.raises(ValidationError) as error:
        services.blow_whistle(
            demo["street_longtan"],
            street=jinhaihu,
            kind="enforcement",
            category="other",
            title="x",
            location="y",
            departments=[departments["police"]],
        )
    assert "street" in error.value.message_dict


@pytest.mark.django_db
def test_arriving_in_time_stops_the_clock_and_no_mark_follows(clock, blow, demo):
    whistle = blow("police")
    check_in = whistle.check_ins.get()
    clock.shift(timedelta(minutes=12))
    check_in = services.arrive(
        demo["dept_pg_police"], check_in, latitude=40.1712, longitude=117.3456
    )
    assert check_in.status == CheckInStatus.ON_SITE
    assert check_in.on_time is True
    assert check_in.checked_in_at == T0 + timedelta(minutes=12)
    clock.shift(timedelta(hours=1))
    assert deadlines.sweep() == 0
    assert deadline_reached("dispatch.checkin", check_in.pk) is False
    check_in.refresh_from_db()
    assert check_in.overdue_at is None and check_in.on_time is True
    arrived = events(whistle, EventType.CHECK_IN_ARRIVED)
    assert (
        len(arrived) == 1
        and arrived[0].data["on_time"] is True
        and arrived[0].data["seconds"] == 720
    )


@pytest.mark.django_db
def test_overdue_is_marked_exactly_once_by_the_timer_the_sweep_and_a_late_arrival(
    clock, blow, demo, settings
):
    settings.DISPATCH_REMINDER_MINUTES = []  # this test counts overdue marks only
    whistle = blow("police")
    check_in = whistle.check_ins.get()
    clock.shift(timedelta(seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS - 1))
    assert deadline_reached("dispatch.checkin", check_in.pk) is False  # an early timer does nothing
    assert deadlines.sweep() == 0
    clock.shift(timedelta(seconds=2))
    marks = [
        deadline_reached("dispatch.checkin", check_in.pk),
        deadlines.sweep(),
        deadline_reached("dispatch.checkin", check_in.pk),
    ]
    assert marks == [True, 0, False]
    check_in.refresh_from_db()
    assert check_in.overdue_at == T0 + timedelta(
        seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS + 1
    )
    clock.shift(timedelta(minutes=5))
    check_in = services.arrive(demo["dept_pg_police"], check_in)  # late: the mark stays, made once
    assert check_in.on_time is False and check_in.status == CheckInStatus.ON_SITE
    assert len(events(whistle, EventType.CHECK_IN_OVERDUE)) == 1
    assert events(whistle, EventType.CHECK_IN_ARRIVED)[0].data["on_time"] is False


@pytest.mark.django_db
def test_a_late_arrival_before_any_timer_makes_the_mark_itself(clock, blow, demo, settings):
    whistle = blow("police")
    check_in = whistle.check_ins.get()
    clock.shift(timedelta(seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS + 90))
    check_in = services.arrive(demo["dept_pg_police"], check_in)
    assert check_in.overdue_at == check_in.checked_in_at
    assert check_in.on_time is False
    assert [e.type for e in events(whistle)][-2:] == [
        EventType.CHECK_IN_OVERDUE,
        EventType.CHECK_IN_ARRIVED,
    ]
    assert deadlines.sweep() == 0
    assert deadline_reached("dispatch.checkin", check_in.pk) is False
    assert len(events(whistle, EventType.CHECK_IN_OVERDUE)) == 1


@pytest.mark.django_db
def test_an_arrival_exactly_at_the_deadline_is_on_time(clock, blow, demo, settings):
    check_in = blow("police").check_ins.get()
    clock.shift(timedelta(seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS))
    check_in = services.arrive(demo["dept_pg_police"], check_in)
    assert check_in.on_time is True and check_in.overdue_at is None


@pytest.mark.django_db
def test_acknowledging_names_who_goes_and_does_not_stop_the_clock(clock, blow, demo, settings):
    whistle = blow("police")
    check_in = whistle.check_ins.get()
    dispatcher = demo["dept_pg_police"]
    clock.shift(timedelta(minutes=2))
    first = services.acknowledge(
        dispatcher, check_in, responder_name="张警官", responder_phone="13800000000"
    )
    again = services.acknowledge(dispatcher, check_in, responder_name="李警官")
    assert first.status == again.status == CheckInStatus.ACKNOWLEDGED
    assert again.responder_name == "张警官" and again.acknowledged_at == T0 + timedelta(minutes=2)
    assert len(events(whistle, EventType.CHECK_IN_ACKNOWLEDGED)) == 1
    clock.shift(timedelta(seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS))
    assert deadlines.sweep() == 1  # acknowledged is not on site: the clock ran on
    with pytest.raises(ValidationError) as error:
        services.acknowledge(dispatcher, check_in, responder_name=" ")
    assert "responder_name" in error.value.message_dict


@pytest.mark.django_db
def test_arriving_twice_gives_one_event(clock, blow, demo):
    whistle = blow("police")
    check_in = whistle.check_ins.get()
    first = services.arrive(demo["dept_pg_police"], check_in)
    clock.shift(timedelta(minutes=3))
    second = services.arrive(demo["dept_pg_police"], check_in)
    assert first.checked_in_at == second.checked_in_at == T0
    assert len(events(whistle, EventType.CHECK_IN_ARRIVED)) == 1


@pytest.mark.django_db
def test_only_the_summoned_departments_dispatchers_act_on_its_check_in(blow, demo):
    check_in = blow("police").check_ins.get()
    for username in ("dept_pg_chengguan", "street_jinhaihu", "district_pinggu", "admin"):
        with pytest.raises(PermissionDenied):
            services.arrive(demo[username], check_in)
        with pytest.raises(PermissionDenied):
            services.acknowledge(demo[username], check_in, responder_name="x")
    assert CheckIn.objects.get(pk=check_in.pk).status == CheckInStatus.PENDING


@pytest.mark.django_db
def test_nobody_leaves_until_the_matter_is_done(clock, blow, demo):
    whistle = blow("police", "chengguan")
    police = whistle.check_ins.get(department__name="平谷公安分局")
    services.arrive(demo["dept_pg_police"], police)
    with pytest.raises(Conflict):
        services.leave(demo["dept_pg_police"], police)
    services.resolve(demo["street_jinhaihu"], whistle, summary="盗采点已查封")
    police = services.leave(demo["dept_pg_police"], police)
    assert police.status == CheckInStatus.RELEASED
    services.leave(demo["dept_pg_police"], police)  # leaving twice changes nothing
    assert (
        len([e for e in events(whistle, EventType.CHECK_IN_RELEASED) if e.check_in == police.pk])
        == 1
    )


@pytest.mark.django_db
def test_resolving_marks_what_is_due_releases_those_not_on_site_and_keeps_their_marks(
    clock, blow, demo, settings
):
    whistle = blow("police", "chengguan", "planning")
    by_name = {c.department.name: c for c in whistle.check_ins.select_related("department")}
    services.acknowledge(
        demo["dept_pg_chengguan"], by_name["平谷区城管执法局"], responder_name="王队长"
    )
    services.arrive(demo["dept_pg_police"], by_name["平谷公安分局"])
    clock.shift(timedelta(seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS + 60))
    # no timer and no sweep ran: resolving makes the due marks first
    whistle = services.resolve(demo["street_jinhaihu"], whistle, summary="已处置")
    assert whistle.status == WhistleStatus.RESOLVED and whistle.resolution == "已处置"
    states = {c.department.name: c for c in whistle.check_ins.select_related("department")}
    assert states["平谷公安分局"].status == CheckInStatus.ON_SITE
    for name in ("平谷区城管执法局", "平谷区规划国土"):
        assert states[name].status == CheckInStatus.RELEASED
        assert states[name].overdue_at is not None and states[name].on_time is False
    assert len(events(whistle, EventType.CHECK_IN_OVERDUE)) == 2
    assert deadlines.sweep() == 0
    with pytest.raises(Conflict):
        services.resolve(demo["street_jinhaihu"], whistle, summary="again")
    with pytest.raises(Conflict):
        services.arrive(demo["dept_pg_chengguan"], states["平谷区城管执法局"])


@pytest.mark.django_db
def test_summoning_again_opens_a_new_round_and_only_while_open(clock, blow, demo, departments):
    whistle = blow("police")
    services.arrive(demo["dept_pg_police"], whistle.check_ins.get())
    clock.shift(timedelta(days=3))
    (again,) = services.summon(demo["street_jinhaihu"], whistle, [departments["police"].pk])
    assert again.round == 2 and again.deadline > timezone.now()
    assert whistle.check_ins.count() == 2
    with pytest.raises(ValidationError):
        services.summon(demo["street_jinhaihu"], whistle, [departments["dc_chengguan"].pk])
    with pytest.raises(PermissionDenied):
        services.summon(demo["street_longtan"], whistle, [departments["police"].pk])
    services.resolve(demo["street_jinhaihu"], whistle, summary="done")
    with pytest.raises(Conflict):
        services.summon(demo["street_jinhaihu"], whistle, [departments["police"].pk])


@pytest.mark.django_db
def test_cancelling_needs_a_reason_and_releases_everyone(clock, blow, demo):
    whistle = blow("police", "chengguan")
    services.arrive(demo["dept_pg_police"], whistle.check_ins.get(department__name="平谷公安分局"))
    with pytest.raises(ValidationError) as error:
        services.cancel(demo["street_jinhaihu"], whistle, reason="")
    assert "reason" in error.value.message_dict
    whistle = services.cancel(demo["street_jinhaihu"], whistle, reason="误报")
    assert whistle.status == WhistleStatus.CANCELLED
    assert set(whistle.check_ins.values_list("status", flat=True)) == {CheckInStatus.RELEASED}
    with pytest.raises(Conflict):
        services.cancel(demo["street_jinhaihu"], whistle, reason="again")
    with pytest.raises(Conflict):
        services.close(demo["street_jinhaihu"], whistle)


@pytest.mark.django_db
def test_closing_waits_for_resolve_and_for_the_hooks(clock, blow, demo, monkeypatch):
    whistle = blow("police")
    services.arrive(demo["dept_pg_police"], whistle.check_ins.get())
    with pytest.raises(Conflict):
        services.close(demo["street_jinhaihu"], whistle)
    services.resolve(demo["street_jinhaihu"], whistle, summary="done")
    monkeypatch.setattr(hooks, "close_guards", [lambda w: "两个部门尚待评价"])
    monkeypatch.setattr(services, "close_guards", hooks.close_guards)
    with pytest.raises(Conflict) as held:
        services.close(demo["street_jinhaihu"], whistle)
    assert held.value.message == "两个部门尚待评价"
    monkeypatch.setattr(services, "close_guards", [lambda w: None])
    whistle = services.close(demo["street_jinhaihu"], whistle)
    assert whistle.status == WhistleStatus.CLOSED
    assert whistle.check_ins.get().status == CheckInStatus.RELEASED  # those on site too
    assert events(whistle)[-1].type == EventType.WHISTLE_CLOSED


@pytest.mark.django_db
def test_only_the_committee_holding_the_power_blows_but_the_clerk_may_resolve(
    blow, demo, jinhaihu, departments
):
    fields = {
        "street": jinhaihu,
        "kind": "key_work",
        "category": "group_rental",
        "title": "群租房",
        "location": "金海湖社区",
        "departments": [departments["police"]],
    }
    with pytest.raises(ValidationError) as exc:
        services.blow_whistle(demo["street_jinhaihu_clerk"], **fields)
    assert "street" in exc.value.message_dict
    whistle = services.blow_whistle(demo["street_jinhaihu"], **fields)
    with pytest.raises(PermissionDenied):
        services.summon(demo["street_jinhaihu_clerk"], whistle, [departments["chengguan"]])
    with pytest.raises(PermissionDenied):
        services.resolve(demo["street_longtan"], whistle, summary="x")
    with pytest.raises(PermissionDenied):
        services.resolve(demo["dept_pg_police"], whistle, summary="x")
    services.resolve(demo["street_jinhaihu_clerk"], whistle, summary="已处理")
    whistle.refresh_from_db()
    assert whistle.status == "resolved" and whistle.check_ins.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_events(blow):
    whistle = blow()
    event = Event.objects.filter(whistle=whistle).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(type="whistle_closed")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.type == EventType.WHISTLE_BLOWN


@pytest.mark.django_db
def test_a_whistle_blown_with_photos_is_all_or_nothing(blow, settings, tmp_path, monkeypatch):
    """A bad second photo blows nothing; so does a second photo failing to be stored after
    every photo passed the check (a full disk): one transaction for the whistle, its
    summonses and its photos."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from whistle.models import Whistle, WhistlePhoto

    def png():
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
        return SimpleUploadedFile("p.png", buffer.getvalue(), "image/png")

    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("x.png", b"not an image", "image/png")
    with pytest.raises(ValidationError) as error:
        blow(photos=[png(), bad])
    assert set(error.value.message_dict) == {"photos"}
    real, calls = services.add_photo, []

    def add_photo(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real(*args)

    monkeypatch.setattr(services, "add_photo", add_photo)
    with pytest.raises(OSError):
        blow(photos=[png(), png()])
    assert len(calls) == 2
    assert not Whistle.objects.exists() and not CheckIn.objects.exists()
    assert not Event.objects.exists() and not WhistlePhoto.objects.exists()
    monkeypatch.undo()
    whistle = blow(photos=[png(), png()])
    assert whistle.photos.count() == 2 and whistle.check_ins.count() == 2
    assert len(events(whistle, EventType.WHISTLE_BLOWN)) == 1
    assert len(events(whistle, EventType.PHOTO_ADDED)) == 2
