"""Committees at three levels, meetings with follow-ups on the deadline engine, the three lists
with matching nearest first, and the two-ways as records, through the services."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Community, District, Street, TimelineEvent
from community import cogovern, dual
from community.models import FollowUp, Project
from config.errors import Conflict
from dispatch import deadlines

pytestmark = pytest.mark.django_db


OFFICIALS = {
    "龙潭街道": "street_longtan",
    "金海湖镇": "street_jinhaihu",
    "曙光街道": "street_shuguang",
}


def _unit(demo, street, name, contact=None):
    registration = dual.register_unit(
        demo[OFFICIALS[street.name]],
        street=street, name=name, party_organisation=name + "党支部", kind="private_enterprise",
        contact_name="联系人", contact_phone="010-1",
    )  # fmt: skip
    dual.confirm_unit(demo[OFFICIALS[street.name]], registration)
    unit = registration.unit
    if contact is not None:
        type(unit).objects.filter(pk=unit.pk).update(contact_user=contact)
        unit.refresh_from_db()
    return unit


@pytest.fixture
def shuguang(demo):
    return Street.objects.get(name="曙光街道")


@pytest.fixture
def committee(demo, shuguang):
    """曙光街道's committee: an area the demo leaves empty."""
    return cogovern.create_committee(
        demo["street_shuguang"], level="street", street=shuguang, name="曙光街道党建协调委员会",
        director_name="陈书记", director_title="海淀区委常委",
    )  # fmt: skip


def test_committees_at_three_levels_one_each(demo, longtan, committee):
    pinggu = District.objects.get(name="平谷区")
    district = cogovern.create_committee(
        demo["district_pinggu"], level="district", district=pinggu, name="平谷区委员会",
        director_name="区委书记", director_title="市委委员",
    )  # fmt: skip
    community = cogovern.create_committee(
        demo["street_longtan"], level="community", community=Community.objects.get(name="光明社区"),
        name="光明社区委员会", director_name="x", director_title="社区书记",
        director_from_above=False,
    )  # fmt: skip
    assert (district.level, committee.level, community.level) == ("district", "street", "community")
    assert community.street == longtan and not community.director_from_above
    with pytest.raises(ValidationError) as exc:
        cogovern.create_committee(
            demo["street_longtan"], level="street", street=longtan, name="again",
            director_name="x", director_title="y",
        )  # fmt: skip
    assert "level" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        cogovern.create_committee(
            demo["street_jinhaihu"], level="street", street=longtan, name="x",
            director_name="x", director_title="y",
        )  # fmt: skip


def test_a_meeting_with_follow_ups_on_the_deadline_engine(demo, shuguang, committee):
    unit = _unit(demo, shuguang, "某科技公司")
    member = cogovern.add_member(
        demo["street_shuguang"], committee, organisation="", representative="王经理", unit=unit
    )
    other = cogovern.add_member(
        demo["street_shuguang"], committee, organisation="曙光街道党工委", representative="赵书记"
    )
    with time_machine.travel(timezone.now(), tick=False) as clock:
        due = timezone.now() + timedelta(days=7)
        meeting = cogovern.hold_meeting(
            demo["street_shuguang"], committee, held_at=timezone.now(), agenda="共建议题",
            present=[member], follow_ups=[("落实活动场地", member, due), ("汇总需求", other, due)],
        )  # fmt: skip
        assert dict(meeting.attendance.values_list("member_id", "present")) == {
            member.pk: True,
            other.pk: False,
        }
        first, second = meeting.follow_ups.order_by("id")
        cogovern.complete_follow_up(demo["street_shuguang"], first, note="已落实")
        clock.shift(timedelta(days=7, seconds=1))
        assert deadlines.mark_all_due(FollowUp) == [second.pk]
        assert deadlines.mark_all_due(FollowUp) == []
    assert TimelineEvent.objects.filter(type="follow_up_overdue", subject_id=second.pk).count() == 1
    with pytest.raises(Conflict):
        cogovern.complete_follow_up(demo["street_shuguang"], first)
    with pytest.raises(ValidationError) as exc:  # an owner from outside the committee
        cogovern.hold_meeting(
            demo["street_shuguang"], committee, held_at=timezone.now(), agenda="x",
            follow_ups=[("x", None, timezone.now() + timedelta(days=1))],
        )  # fmt: skip
    assert "follow_ups.0.owner" in exc.value.message_dict


def test_the_three_lists_match_nearest_first_within_the_area(demo, shuguang, jinhaihu, committee):
    near = _unit(demo, shuguang, "近处单位")
    far = _unit(demo, shuguang, "远处单位")
    runner = demo["street_shuguang"]
    r_far = cogovern.list_resource(
        runner,
        committee,
        unit=far,
        category="venue",
        title="礼堂",
        latitude="39.95",
        longitude="116.50",
    )
    r_near = cogovern.list_resource(
        runner,
        committee,
        unit=near,
        category="venue",
        title="会议室",
        latitude="39.881",
        longitude="116.441",
    )
    cogovern.list_resource(runner, committee, unit=near, category="funds", title="资金")
    unplaced = cogovern.list_resource(runner, committee, unit=far, category="venue", title="活动室")
    need = cogovern.list_need(
        runner, committee, source="community", category="venue", title="老年活动场地",
        latitude="39.880", longitude="116.440",
    )  # fmt: skip
    assert cogovern.suggest_resources(need) == [r_near, r_far, unplaced]
    owner = cogovern.add_member(runner, committee, organisation="", representative="x", unit=near)
    project = cogovern.match_project(
        runner, committee, need=need, resources=[r_near], title="共享会议室", owner=owner
    )
    assert list(project.resources.all()) == [r_near]
    # another street's resource: 400, nothing saved
    from community.models import Committee

    other_committee = Committee.objects.get(level="street", street=jinhaihu)
    theirs = cogovern.list_resource(
        demo["street_jinhaihu"], other_committee, unit=_unit(demo, jinhaihu, "镇上单位"),
        category="venue", title="镇礼堂",
    )  # fmt: skip
    before = Project.objects.count()
    with pytest.raises(ValidationError) as exc:
        cogovern.match_project(
            runner, committee, need=need, resources=[theirs], title="x", owner=owner
        )
    assert "resources" in exc.value.message_dict
    assert Project.objects.count() == before
    with pytest.raises(ValidationError):  # a unit of another street is no resource here
        cogovern.list_resource(runner, committee, unit=theirs.unit, category="venue", title="x")
    project = cogovern.update_project(runner, project, status="running")
    with pytest.raises(ValidationError):
        cogovern.update_project(runner, project, status="done")  # says no result
    project = cogovern.update_project(runner, project, status="done", result="每周开放两次")
    with pytest.raises(Conflict):
        cogovern.update_project(runner, project, status="running")


def test_the_two_ways_are_records_and_both_sides_rate(demo, shuguang, committee):
    contact = get_user_model().objects.create_user("unit_contact", full_name="单位联系人")
    unit = _unit(demo, shuguang, "某学校", contact=contact)
    runner = demo["street_shuguang"]
    need = cogovern.list_need(
        contact, committee, source="unit", unit=unit, category="volunteers", title="学生实践岗位"
    )
    assert need.source == "unit"
    today = timezone.localdate()
    cogovern.record_exchange(
        runner, committee, unit=unit, direction="to_unit", is_service=True, held_on=today,
        subject="社区为学校提供实践基地",
    )  # fmt: skip
    cogovern.record_exchange(
        contact, committee, unit=unit, direction="from_unit", is_service=False, held_on=today,
        subject="联席会沟通",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # the unit does not rate itself
        cogovern.evaluate(
            contact, committee, unit=unit, period="2026-Q4", direction="to_unit", score=5
        )
    cogovern.evaluate(runner, committee, unit=unit, period="2026-Q4", direction="to_unit", score=4)
    with pytest.raises(Conflict):
        cogovern.publish_evaluations(runner, committee, "2026-Q3")
    report = cogovern.publish_evaluations(runner, committee, "2026-Q4")
    assert report == [{"unit": "某学校", "to_unit": 4, "from_unit": None}]
    cogovern.evaluate(
        contact, committee, unit=unit, period="2026-Q4", direction="from_unit", score=5
    )
    with pytest.raises(ValidationError):  # once per side and period
        cogovern.evaluate(
            contact, committee, unit=unit, period="2026-Q4", direction="from_unit", score=3
        )
    assert cogovern.evaluation_report(committee, "2026-Q4")[0]["from_unit"] == 5
    for bad in ({"score": 6}, {"period": "Q4"}):
        with pytest.raises(ValidationError):
            cogovern.evaluate(
                runner,
                committee,
                unit=unit,
                **{"period": "2026-Q3", "direction": "to_unit", "score": 3, **bad},
            )
    assert Street.objects.filter(pk=committee.street_id).exists()
