"""Each power, end to end through its services: the objects, the deadline engine, the
timeline and the notifications."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.choices import Power, TimelineEventType
from accounts.models import District, PowerGrant, Station, StationedOfficer, TimelineEvent
from accounts.services import grant_power, revoke_power, timeline
from config.errors import Conflict
from notifications.models import Notification
from powers import services
from powers.models import (
    OfficerAssessment,
    OfficerRecord,
    Opinion,
    PersonnelRecommendation,
    SupervisionOrder,
)
from tests.services import swept

pytestmark = pytest.mark.django_db


def _types(obj):
    return [e.type for e in timeline(obj)]


def _told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# --- supervision orders --------------------------------------------------------------------


def test_an_order_runs_on_the_deadline_engine_and_escalates_once(demo, station, settings):
    settings.POWERS_ORDER_DEFAULT_HOURS = 2
    order = services.issue_order(
        demo["street_jinhaihu"], station=station, title="清理违建渣土", content="三日内清运完毕"
    )
    assert order.deadline - order.issued_at == timedelta(hours=2)
    assert (order.department, order.street) == (station.department, station.street)
    assert _told(services.ORDER_ISSUED) == {"dept_pg_chengguan"}
    assert swept(SupervisionOrder) == 0  # not yet due
    with time_machine.travel(order.deadline + timedelta(seconds=1)):
        assert swept(SupervisionOrder) == 1
        assert swept(SupervisionOrder) == 0
        order.refresh_from_db()
        assert order.overdue_at is not None and order.status == "overdue"
        assert _types(order) == [TimelineEventType.ORDER_ISSUED, TimelineEventType.ORDER_OVERDUE]
        assert _told(services.ORDER_OVERDUE) == {
            "dept_pg_chengguan",
            "street_jinhaihu",
            "district_pinggu",
        }
        # answered late: the mark stays, the answer is recorded
        services.answer_order(demo["dept_pg_chengguan"], order, reply="已清运")
        order.refresh_from_db()
        assert order.status == "answered" and order.overdue_at is not None
        events = list(timeline(order))
        assert events[-1].type == TimelineEventType.ORDER_ANSWERED and events[-1].data["late"]
        assert _told(services.ORDER_ANSWERED) == {"street_jinhaihu"}
        with pytest.raises(Conflict):
            services.answer_order(demo["dept_pg_chengguan"], order, reply="again")


def test_an_answer_in_time_stops_the_clock(demo, station):
    order = services.issue_order(
        demo["street_jinhaihu"], station=station, title="t", content="c",
        deadline=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    services.answer_order(demo["dept_pg_chengguan"], order, reply="done")
    with time_machine.travel(order.deadline + timedelta(hours=1)):
        assert swept(SupervisionOrder) == 0
    order.refresh_from_db()
    assert order.overdue_at is None


def test_only_the_holder_of_the_power_orders_and_only_the_department_answers(
    demo, station, streets
):
    for username in ("street_jinhaihu_clerk", "street_longtan", "district_pinggu", "admin"):
        with pytest.raises(ValidationError) as exc:
            services.issue_order(demo[username], station=station, title="t", content="c")
        assert "station" in exc.value.message_dict
    binhe = Station.objects.get(street=streets["滨河街道"], department=station.department)
    with pytest.raises(ValidationError):
        services.issue_order(demo["street_jinhaihu"], station=binhe, title="t", content="c")
    order = services.issue_order(demo["street_jinhaihu"], station=station, title="t", content="c")
    for username in ("dept_pg_police", "street_jinhaihu", "district_pinggu"):
        with pytest.raises(PermissionDenied):
            services.answer_order(demo[username], order, reply="x")
    assert SupervisionOrder.objects.count() == 1


def test_order_input_is_checked(demo, station):
    with pytest.raises(ValidationError) as exc:
        services.issue_order(
            demo["street_jinhaihu"], station=station, title=" ", content="",
            deadline=timezone.now() - timedelta(minutes=1),
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"title", "content", "deadline"}
    assert not SupervisionOrder.objects.exists()


# --- major matters -------------------------------------------------------------------------


def _publish(demo, streets, names=("金海湖镇", "滨河街道"), **kw):
    return services.publish_matter(
        demo["district_pinggu"],
        district=District.objects.get(name="平谷区"),
        title=kw.get("title", "金海湖景区提升规划"),
        description="征求沿线街乡意见",
        streets=[streets[n] for n in names],
        opinions_until=kw.get("until", timezone.now() + timedelta(days=7)),
    )


def test_a_major_matter_collects_opinions_and_the_publisher_answers_each(demo, streets):
    matter = _publish(demo, streets)
    # only the named street holding the power may advise: 滨河街道 holds no grant
    assert services.may_use(demo["street_jinhaihu"], Power.ADVISE_MAJOR_MATTER)
    assert _told(services.MATTER_PUBLISHED) == {"street_jinhaihu"}
    opinion = services.submit_opinion(demo["street_jinhaihu"], matter, content="建议增设停车场")
    assert opinion.street == streets["金海湖镇"]
    assert _told(services.OPINION_SUBMITTED) == {"district_pinggu"}
    with pytest.raises(PermissionDenied):
        services.answer_opinion(demo["district_dongcheng"], opinion, answer="x")
    services.answer_opinion(demo["district_pinggu"], opinion, answer="已采纳，纳入二期")
    opinion.refresh_from_db()
    assert opinion.answer == "已采纳，纳入二期"
    assert _told(services.OPINION_ANSWERED) == {"street_jinhaihu"}
    with pytest.raises(Conflict):
        services.answer_opinion(demo["district_pinggu"], opinion, answer="again")
    assert _types(opinion) == [
        TimelineEventType.OPINION_SUBMITTED,
        TimelineEventType.OPINION_ANSWERED,
    ]


def test_a_grant_made_later_covers_matters_already_published(demo, streets):
    matter = _publish(demo, streets)
    with pytest.raises(PermissionDenied):
        services.submit_opinion(demo["street_shuguang"], matter, content="x")
    binhe = streets["滨河街道"]
    grant_power(demo["district_pinggu"], binhe, Power.ADVISE_MAJOR_MATTER)
    assert binhe.committee.majormattergroupobjectpermission_set.filter(
        content_object=matter
    ).exists()


def test_opinions_close_at_their_time_and_need_the_power(demo, streets):
    matter = _publish(demo, streets, until=timezone.now() + timedelta(hours=1))
    for username in ("street_jinhaihu_clerk", "street_longtan", "district_pinggu"):
        with pytest.raises(PermissionDenied):
            services.submit_opinion(demo[username], matter, content="x")
    with time_machine.travel(timezone.now() + timedelta(hours=2)), pytest.raises(Conflict):
        services.submit_opinion(demo["street_jinhaihu"], matter, content="x")
    assert not Opinion.objects.exists()


def test_a_matter_names_only_streets_of_its_district(demo, streets):
    with pytest.raises(ValidationError) as exc:
        _publish(demo, streets, names=("金海湖镇", "龙潭街道"))
    assert "streets" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.publish_matter(
            demo["district_dongcheng"],
            district=District.objects.get(name="平谷区"),
            title="t",
            description="d",
            streets=[streets["金海湖镇"]],
            opinions_until=timezone.now() + timedelta(days=1),
        )


# --- personnel recommendations ---------------------------------------------------------------


def test_a_recommendation_must_be_answered_in_the_configured_time(demo, agency, settings):
    settings.POWERS_PERSONNEL_ANSWER_DAYS = 10
    rec = services.recommend_personnel(
        demo["street_jinhaihu"], agency=agency, action="reward", subject="", reason="盗采整治有功"
    )
    assert rec.subject == agency.leader_name
    assert rec.deadline - rec.recommended_at == timedelta(days=10)
    assert rec.department == agency.department
    assert _told(services.PERSONNEL_RECOMMENDED) == {"dept_pg_police"}
    with time_machine.travel(rec.deadline + timedelta(minutes=1)):
        assert swept(PersonnelRecommendation) == 1
        rec.refresh_from_db()
        assert rec.status == "overdue"
        with pytest.raises(PermissionDenied):
            services.answer_recommendation(
                demo["dept_pg_chengguan"], rec, decision="adopted", reply="x"
            )
        services.answer_recommendation(
            demo["dept_pg_police"], rec, decision="adopted", reply="已嘉奖"
        )
        rec.refresh_from_db()
        assert (rec.decision, rec.status) == ("adopted", "answered")
        assert _types(rec) == [
            TimelineEventType.PERSONNEL_RECOMMENDED,
            TimelineEventType.PERSONNEL_OVERDUE,
            TimelineEventType.PERSONNEL_ANSWERED,
        ]


def test_recommendation_input_and_power_are_checked(demo, agency, streets):
    with pytest.raises(ValidationError) as exc:
        services.recommend_personnel(
            demo["street_jinhaihu"], agency=agency, action="fire", subject="", reason=""
        )
    assert set(exc.value.message_dict) == {"action", "reason"}
    with pytest.raises(ValidationError) as exc:
        services.recommend_personnel(
            demo["street_longtan"], agency=agency, action="reward", subject="", reason="r"
        )
    assert "agency" in exc.value.message_dict
    assert not PersonnelRecommendation.objects.exists()


# --- the stationed-staff assessment ----------------------------------------------------------


def test_daily_records_and_assessments_of_a_stationed_officer(demo, officer):
    user = demo["street_jinhaihu"]
    entry = services.record_officer(
        user, officer=officer, date=timezone.localdate(), kind="task", note="夜查"
    )
    assert (entry.street, entry.department) == (officer.street, officer.department)
    with pytest.raises(ValidationError) as exc:
        services.record_officer(
            user, officer=officer, date=timezone.localdate() + timedelta(days=1), kind="x"
        )
    assert set(exc.value.message_dict) == {"date", "kind"}
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assessment = services.assess_officer(
        user, officer=officer, period=last_month, score="92.5", grade="excellent", comment="好"
    )
    assert str(assessment.score) == "92.5"
    with pytest.raises(Conflict):
        services.assess_officer(
            user, officer=officer, period=last_month, score=80, grade="competent"
        )
    for period, score in (("2026-13", 80), ("2026-Q5", 80), ("26", 80), (last_month[:4], 101)):
        with pytest.raises(ValidationError):
            services.assess_officer(
                user, officer=officer, period=period, score=score, grade="competent"
            )
    with pytest.raises(ValidationError) as exc:
        services.assess_officer(user, officer=officer, period="2099", score=80, grade="competent")
    assert "period" in exc.value.message_dict
    assert _types(officer) == [
        TimelineEventType.OFFICER_RECORDED,
        TimelineEventType.OFFICER_ASSESSED,
    ]
    assert OfficerRecord.objects.count() == 1 and OfficerAssessment.objects.count() == 1


def test_assessing_needs_the_power_on_the_officer(demo, officer, streets):
    other = StationedOfficer.objects.filter(street=streets["滨河街道"]).first()
    for username, target in (
        ("street_jinhaihu", other),
        ("street_jinhaihu_clerk", officer),
        ("dept_pg_police", officer),
        ("street_shuguang", StationedOfficer.objects.filter(street=streets["曙光街道"]).first()),
    ):
        with pytest.raises(ValidationError):
            services.record_officer(
                demo[username], officer=target, date=timezone.localdate(), kind="task"
            )
    grant = PowerGrant.objects.get(
        street=streets["金海湖镇"], power=Power.ASSESS_STATIONED_STAFF, revoked_at=None
    )
    revoke_power(demo["district_pinggu"], grant, "")
    with pytest.raises(ValidationError):
        services.record_officer(
            demo["street_jinhaihu"], officer=officer, date=timezone.localdate(), kind="task"
        )
    assert not OfficerRecord.objects.exists()
    assert TimelineEvent.objects.filter(type=TimelineEventType.OFFICER_RECORDED).count() == 0
