"""The front line through its services, with frozen time: reports on the deadline engine,
the chief's actions and escalations, stewards, chiefs' terms, patrols, visits and rates."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Community, Station, Street, TimelineEvent
from accounts.services import add_membership
from community import figures, services
from community.choices import ReportStatus, StaffKind, StewardKind
from community.models import (
    Adoption,
    AlleyChief,
    FrontlineReport,
    Household,
    Patrol,
    ReportPhoto,
    Steward,
    Visit,
)
from config.errors import Conflict
from core.roles import Role
from dispatch import deadlines
from dispatch import services as dispatch_services
from notifications.models import Notification

from .conftest import not_an_image, png

pytestmark = pytest.mark.django_db


def _file(demo, alley, **fields):
    values = {"category": "parking", "text": "机动车占用消防通道"}
    values.update(fields)
    return services.file_report(demo["steward_longtan"], alley=alley, **values)


def test_a_report_lands_in_the_chiefs_queue_with_a_notification(demo, officials_alley, steward):
    report = _file(demo, officials_alley, photos=[png()], latitude="39.88", longitude="116.44")
    assert report.number.startswith("JX") and report.steward == steward
    assert report.status == ReportStatus.NEW and report.community == officials_alley.community
    assert report.deadline == report.reported_at + timedelta(hours=24)
    assert ReportPhoto.objects.filter(report=report).count() == 1
    told = Notification.objects.filter(kind="frontline.filed", link__contains=str(report.pk))
    assert list(told.values_list("recipient__username", flat=True)) == ["street_longtan"]
    assert TimelineEvent.objects.filter(type="report_filed", subject_id=report.pk).count() == 1


def test_untouched_for_a_day_it_is_overdue_once(demo, officials_alley, settings):
    settings.FRONTLINE_REPORT_UNTOUCHED_HOURS = 6
    with time_machine.travel(timezone.now(), tick=False) as clock:
        report = _file(demo, officials_alley)
        untouched = _file(demo, officials_alley, text="垃圾桶满溢")
        assert report.deadline == report.reported_at + timedelta(hours=6)
        services.accept(demo["street_longtan"], report)
        clock.shift(timedelta(hours=6, seconds=1))
        marked = deadlines.mark_all_due(FrontlineReport)
        assert marked == [untouched.pk]  # the accepted one's clock stopped
        assert deadlines.mark_all_due(FrontlineReport) == []
    untouched.refresh_from_db()
    assert untouched.overdue_at is not None
    events = TimelineEvent.objects.filter(type="report_overdue", subject_id=untouched.pk)
    assert events.count() == 1
    told = set(
        Notification.objects.filter(kind="frontline.overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert "street_longtan" in told  # the alley's chief and the street's officials


def test_touched_late_it_stays_overdue(demo, officials_alley):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        report = _file(demo, officials_alley)
        clock.shift(timedelta(hours=25))
        report = services.resolve(demo["street_longtan"], report, outcome="已清理")
    assert report.status == ReportStatus.RESOLVED and report.overdue_at is not None
    assert report.accepted_at == report.handled_at  # fixed at once counts as taken then


def test_the_chief_accepts_then_fixes_and_the_steward_is_told(demo, chiefs_alley):
    report = _file(demo, chiefs_alley)
    chief = demo["chief_longtan"]
    report = services.accept(chief, report)
    assert report.status == ReportStatus.ACCEPTED and report.accepted_by == chief
    with pytest.raises(Conflict):
        services.accept(chief, report)
    report = services.resolve(chief, report, outcome="已协调物业挪车")
    assert report.status == ReportStatus.RESOLVED and report.outcome == "已协调物业挪车"
    with pytest.raises(Conflict):
        services.resolve(chief, report, outcome="again")
    told = Notification.objects.filter(recipient=demo["steward_longtan"], kind="frontline.outcome")
    assert told.count() == 2  # accepted, then fixed
    with pytest.raises(ValidationError) as exc:
        services.resolve(chief, _file(demo, chiefs_alley), outcome=" ")
    assert "outcome" in exc.value.message_dict


def test_only_the_alleys_chief_and_the_street_handle_a_report(demo, officials_alley):
    report = _file(demo, officials_alley)
    for username in ("chief_longtan", "steward_longtan", "street_jinhaihu", "district_dongcheng"):
        with pytest.raises(PermissionDenied):
            services.accept(demo[username], report)


def test_a_report_becomes_a_whistle_linked_both_ways(demo, officials_alley, longtan):
    report = _file(demo, officials_alley, latitude="39.880000", longitude="116.440000")
    department = Station.objects.filter(street=longtan).first().department
    whistle = services.blow_from_report(
        demo["street_longtan"],
        report,
        kind="enforcement",
        category="urban_rural_order",
        title="消防通道被占",
        departments=[department],
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.WHISTLE and report.whistle == whistle
    assert whistle.frontline_report == report and whistle.location == officials_alley.name
    assert whistle.latitude == report.latitude
    with pytest.raises(Conflict):
        services.blow_from_report(
            demo["street_longtan"], report, kind="enforcement", category="urban_rural_order",
            title="x", departments=[department],
        )  # fmt: skip
    # the whistle resolved: the steward hears the outcome
    dispatch_services.resolve(demo["street_longtan"], whistle, summary="车辆已拖离")
    report.refresh_from_db()
    assert report.outcome == "车辆已拖离"
    assert TimelineEvent.objects.filter(type="report_outcome", subject_id=report.pk).exists()
    bodies = Notification.objects.filter(recipient=demo["steward_longtan"]).values_list(
        "body", flat=True
    )
    assert "车辆已拖离" in list(bodies)


def test_a_chief_without_the_power_cannot_blow_and_nothing_changes(demo, chiefs_alley):
    report = _file(demo, chiefs_alley)
    with pytest.raises(ValidationError) as exc:
        services.blow_from_report(
            demo["chief_longtan"], report, kind="enforcement", category="urban_rural_order",
            title="x", departments=[],
        )  # fmt: skip
    assert "street" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW and report.whistle is None


def test_a_report_becomes_a_supervision_order(demo, officials_alley, longtan, jinhaihu):
    report = _file(demo, officials_alley)
    other = Station.objects.filter(street=jinhaihu).first()
    with pytest.raises(ValidationError) as exc:
        services.order_from_report(
            demo["street_longtan"], report, station=other, title="t", content="c"
        )
    assert "station" in exc.value.message_dict
    station = Station.objects.filter(street=longtan).first()
    order = services.order_from_report(
        demo["street_longtan"], report, station=station, title="清理占道", content="三日内清理"
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.ORDERED and report.order == order
    assert order.frontline_report == report


def test_bad_reports_save_nothing(demo, officials_alley, longtan, jinhaihu):
    from community.models import Alley

    other_street = Alley.objects.filter(street=jinhaihu).first()
    not_adopted = (
        Alley.objects.filter(street=longtan)
        .exclude(adoptions__steward__user__username="steward_longtan")
        .first()
    )
    before = FrontlineReport.objects.count()
    cases = [
        ({"category": ""}, "category"),
        ({"photos": [png(), not_an_image()]}, "photos"),
        ({"text": "  "}, "text"),
        ({"latitude": "north", "longitude": "1"}, "latitude"),
        ({"alley": other_street}, "alley"),
        ({"alley": not_adopted}, "alley"),
    ]
    for fields, field in cases:
        values = {"alley": officials_alley, **fields}
        with pytest.raises(ValidationError) as exc:
            _file(demo, **values)
        assert field in exc.value.message_dict, fields
    assert FrontlineReport.objects.count() == before
    assert not ReportPhoto.objects.filter(report__number__startswith="tmp").exists()


def test_chiefs_one_at_a_time_with_their_history(demo, officials_alley, longtan):
    official = demo["street_longtan"]
    first = AlleyChief.objects.get(alley=officials_alley, until=None)
    term = services.assign_chief(official, officials_alley, demo["chief_longtan"])
    assert AlleyChief.objects.filter(alley=officials_alley, until=None).get() == term
    first.refresh_from_db()
    assert first.until == term.since  # the history is kept
    assert services.assign_chief(official, officials_alley, demo["chief_longtan"]) == term
    with pytest.raises(ValidationError) as exc:  # not a cadre of the street
        services.assign_chief(official, officials_alley, demo["street_jinhaihu"])
    assert "chief" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.assign_chief(demo["chief_longtan"], officials_alley, demo["chief_longtan"])


def test_a_recruited_steward_signs_in_and_their_contact_stays_out_of_events(demo, longtan):
    steward, password = services.recruit_steward(
        demo["street_longtan"],
        street=longtan,
        name="王小巷",
        phone="13900001234",
        address="龙潭路8号院2单元",
        kind=StewardKind.UNIT_EMPLOYEE,
        employer="北京市某单位",
    )
    assert steward.user.check_password(password) and steward.user.username.startswith("steward-")
    assert steward.masked_phone == "139****1234"
    data = " ".join(str(d) for d in TimelineEvent.objects.values_list("data", flat=True))
    assert "13900001234" not in data and "龙潭路8号院" not in data
    with pytest.raises(ValidationError) as exc:
        services.recruit_steward(
            demo["street_longtan"], street=longtan, name="x", phone="12", kind="unit_employee"
        )
    assert {"phone", "employer"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.recruit_steward(
            demo["street_jinhaihu"], street=longtan, name="x", phone="13900001234", kind="resident"
        )
    assert "street" in exc.value.message_dict


def test_adoptions_and_leaving(demo, steward, longtan, jinhaihu):
    from community.models import Alley

    official = demo["street_longtan"]
    with pytest.raises(ValidationError) as exc:
        services.adopt(official, steward, Alley.objects.filter(street=jinhaihu).first())
    assert "alley" in exc.value.message_dict
    with pytest.raises(ValidationError):  # already looks after it
        services.adopt(official, steward, steward.adoptions.first().alley)
    services.steward_leaves(official, steward)
    steward.refresh_from_db()
    assert steward.left_on is not None and not steward.user.is_active
    assert not Adoption.objects.filter(steward=steward, end=None).exists()
    with pytest.raises(Conflict):
        services.steward_leaves(official, steward)


def test_patrols(demo, officials_alley):
    user = demo["steward_longtan"]
    now = timezone.now()
    patrol = services.record_patrol(
        user,
        alley=officials_alley,
        started_at=now - timedelta(minutes=40),
        ended_at=now - timedelta(minutes=5),
        found="共享单车乱停",
        dissuaded="劝阻占道摆卖",
        dissuaded_count=2,
    )
    assert patrol.steward.user == user and patrol.street_id == officials_alley.street_id
    before = Patrol.objects.count()
    for start, end, field in [
        (now - timedelta(minutes=5), now - timedelta(minutes=40), "ended_at"),
        (now, now + timedelta(hours=1), "ended_at"),
        (None, now, "started_at"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.record_patrol(user, alley=officials_alley, started_at=start, ended_at=end)
        assert field in exc.value.message_dict
    assert Patrol.objects.count() == before


def test_visits_and_the_yearly_rate(demo, longtan):
    xizhao = Community.objects.get(name="夕照寺社区")
    guangming = Community.objects.get(name="光明社区")
    worker = demo["worker_longtan"]  # a community worker of 夕照寺社区
    with time_machine.travel(timezone.now(), tick=False):
        today = timezone.localdate()
        visit = services.record_visit(
            worker, community=xizhao, household_ref="99号楼1单元101", purpose="elderly"
        )
        assert visit.household.community == xizhao and visit.street == longtan
        before = Visit.objects.count()
        other = Household.objects.filter(community=guangming).first()
        with pytest.raises(ValidationError) as exc:
            services.record_visit(worker, community=xizhao, household=other)
        assert "household" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:  # not the worker's community
            services.record_visit(worker, community=guangming, household_ref="1")
        assert "community" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.record_visit(
                worker, community=xizhao, household_ref="1", visited_on=today + timedelta(days=1)
            )
        assert "visited_on" in exc.value.message_dict
        assert Visit.objects.count() == before
        # the rate from raw rows: distinct households visited this year over the count
        rates = {
            r.name: r
            for r in figures.visit_rates(Community.objects.filter(street=longtan), today.year)
        }
        year = Visit.objects.filter(community=guangming, visited_on__year=today.year)
        visited = year.values("household").distinct().count()
        households = guangming.household_counts.get(year=today.year).households
        assert rates["光明社区"].visited == visited
        assert rates["光明社区"].rate == visited / households < 0.9
        assert next(iter(rates)) == "光明社区"  # below the bar: first


def test_staff_and_tasks(demo, longtan):
    community = Community.objects.get(name="龙潭北里社区")
    official = demo["street_longtan"]
    with pytest.raises(ValidationError) as exc:  # a commissioner is a street cadre
        services.assign_staff(official, community, demo["street_jinhaihu"], kind="commissioner")
    assert "user" in exc.value.message_dict
    add_membership(demo["hotline_operator"], Role.ALLEY_CHIEF, longtan)
    staff = services.assign_staff(
        official, community, demo["hotline_operator"], kind=StaffKind.COMMISSIONER
    )
    task = services.add_task(official, community, title="走访独居老人", assignee=staff)
    task = services.complete_task(demo["hotline_operator"], task)
    assert task.done_at is not None
    with pytest.raises(Conflict):
        services.complete_task(official, task)
    services.end_staff(official, staff)
    with pytest.raises(Conflict):
        services.end_staff(official, staff)


def test_households_entered_by_the_street(demo, longtan):
    community = Community.objects.get(name="光明社区")
    year = timezone.localdate().year
    count = services.set_households(demo["street_longtan"], community, year=year, households=700)
    assert count.households == 700 and count.source == "entered"
    for bad in ({"year": 1990, "households": 10}, {"year": year, "households": 0}):
        with pytest.raises(ValidationError):
            services.set_households(demo["street_longtan"], community, **bad)
    with pytest.raises(PermissionDenied):
        services.set_households(demo["chief_longtan"], community, year=year, households=1)


def test_the_street_overview_and_the_district_comparison_from_raw_rows(demo, longtan):
    overview = figures.street_overview(longtan)
    stewards = Steward.objects.filter(street=longtan, left_on=None)
    assert overview.stewards_active == stewards.count() == 147
    assert overview.stewards_by_kind["resident"] == stewards.filter(kind="resident").count() == 118
    lonely = {row.alley.name for row in overview.alleys_without_steward}
    assert lonely and all(
        not Adoption.objects.filter(alley__name=name, end=None).exists() for name in lonely
    )
    reports = FrontlineReport.objects.filter(street=longtan)
    assert sum(overview.reports_by_status.values()) == reports.count()
    assert overview.overdue_open == reports.filter(status="new", overdue_at__isnull=False).count()
    row = next(r for r in overview.alleys if r.alley.name == "夕照寺街")
    month_start = overview.months[-1]
    assert (
        row.patrols[-1]
        == Patrol.objects.filter(alley=row.alley, started_at__date__gte=month_start).count()
    )
    comparison = figures.district_comparison(longtan.district)
    mine = next(r for r in comparison.streets if r.street == longtan)
    assert mine.stewards == 147 and mine.alleys == len(overview.alleys)
    assert mine.communities_below == 1
    assert [c.name for c in comparison.communities][:1] == ["光明社区"]
    assert Street.objects.filter(district=longtan.district).count() == len(comparison.streets)


def test_dates_in_the_future_or_too_far_back_are_refused(demo, longtan, steward, chiefs_alley):
    official = demo["street_longtan"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.recruit_steward(
            official, street=longtan, name="x", phone="13900001111", kind="resident",
            recruited_on=tomorrow,
        )  # fmt: skip
    assert "recruited_on" in exc.value.message_dict
    from community.models import Alley

    lonely = Alley.objects.get(street=longtan, name="夕照寺东巷")
    with pytest.raises(ValidationError) as exc:
        services.adopt(official, steward, lonely, start=tomorrow)
    assert "start" in exc.value.message_dict
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:  # a patrol of long ago, or of year 1
        services.record_patrol(
            demo["steward_longtan"], alley=chiefs_alley,
            started_at=now.replace(year=1), ended_at=now.replace(year=1) + timedelta(hours=1),
        )  # fmt: skip
    assert "started_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.steward_leaves(official, steward, on=tomorrow)
    assert "on" in exc.value.message_dict
