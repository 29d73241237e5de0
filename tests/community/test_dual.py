"""双报到 through its services, with frozen time: units and members register and are
confirmed, move and leave with history kept; the community publishes needs and activities;
members sign up (never past the places), are checked in, and their hours make their record;
those who served nothing in a period are marked."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Community, TimelineEvent
from community import dual
from community.models import MemberRegistration, ServiceActivity, SignUp
from config.errors import Conflict

pytestmark = pytest.mark.django_db

PHONE = "13700001234"
ADDRESS = "夕照寺中街12号院3单元"


@pytest.fixture
def xizhao(demo):
    return Community.objects.get(name="夕照寺社区")


@pytest.fixture
def unit(demo, longtan):
    registration = dual.register_unit(
        demo["street_longtan"],
        street=longtan,
        name="北京市某国有公司",
        party_organisation="北京市某国有公司党委",
        kind="state_enterprise",
        contact_name="联系人",
        contact_phone="010-66660000",
    )
    return registration.unit


def _member(username, community, employer, phone=PHONE):
    user = get_user_model().objects.create_user(username, full_name=username)
    return dual.register_member(
        user, community=community, employer=employer, name="党员" + username, phone=phone,
        address=ADDRESS,
    )  # fmt: skip


def test_a_unit_registers_with_the_street_which_confirms(demo, longtan, unit):
    registration = unit.registrations.get()
    assert registration.status == "pending" and registration.street == longtan
    with pytest.raises(PermissionDenied):
        dual.confirm_unit(demo["street_jinhaihu"], registration)
    registration = dual.confirm_unit(demo["street_longtan"], registration)
    assert registration.status == "confirmed"
    with pytest.raises(Conflict):
        dual.confirm_unit(demo["street_longtan"], registration)
    with pytest.raises(ValidationError) as exc:  # registered with this street already
        dual.register_unit(
            demo["street_longtan"], street=longtan, name=unit.name, party_organisation="x",
            kind="school", contact_name="x", contact_phone="1",
        )  # fmt: skip
    assert "name" in exc.value.message_dict


def test_a_member_registers_moves_and_leaves_with_history(demo, xizhao, unit):
    registration = _member("member_a", xizhao, unit)
    assert registration.status == "pending" and registration.street_id == xizhao.street_id
    with pytest.raises(PermissionDenied):  # a worker of another community
        dual.confirm_member(demo["street_jinhaihu"], registration)
    registration = dual.confirm_member(demo["worker_longtan"], registration)
    assert registration.status == "confirmed"
    before = MemberRegistration.objects.count()
    with pytest.raises(ValidationError) as exc:  # twice with one community
        _member_again = dual.register_member(
            registration.member.user, community=xizhao, employer=unit, name="x", phone=PHONE
        )
    assert "community" in exc.value.message_dict
    assert MemberRegistration.objects.count() == before
    guangming = Community.objects.get(name="光明社区")
    moved = dual.move_member(registration.member.user, registration, community=guangming)
    registration.refresh_from_db()
    assert (registration.status, registration.end_reason) == ("ended", "moved")
    assert moved.community == guangming and moved.status == "pending"
    assert registration.member.registrations.count() == 2  # the history
    dual.end_member(registration.member.user, moved)
    assert (
        not MemberRegistration.objects.filter(member=registration.member)
        .exclude(status="ended")
        .exists()
    )
    data = " ".join(str(d) for d in TimelineEvent.objects.values_list("data", flat=True))
    assert PHONE not in data and ADDRESS not in data


def test_activities_sign_up_places_and_check_in(demo, xizhao, unit):
    worker = demo["worker_longtan"]
    space = dual.add_space(worker, xizhao, name="夕照寺测试客厅", kind="living_room", capacity=40)
    need = dual.publish_need(worker, xizhao, title="独居老人陪伴", category="elderly")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start = timezone.now() + timedelta(days=1)
        before = ServiceActivity.objects.count()
        with pytest.raises(ValidationError) as exc:
            dual.publish_activity(
                worker, xizhao, title="陪伴", starts_at=start, ends_at=start - timedelta(hours=1),
                capacity=1, space=space,
            )  # fmt: skip
        assert "ends_at" in exc.value.message_dict
        other_space = dual.add_space(
            demo["street_longtan"], Community.objects.get(name="光明社区"), name="光明测试空间",
            kind="reading",
        )  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            dual.publish_activity(
                worker, xizhao, title="陪伴", starts_at=start, ends_at=start + timedelta(hours=2),
                capacity=1, space=other_space,
            )  # fmt: skip
        assert "space" in exc.value.message_dict
        assert ServiceActivity.objects.count() == before
        activity = dual.publish_activity(
            worker, xizhao, title="陪伴独居老人", starts_at=start,
            ends_at=start + timedelta(hours=2, minutes=30), capacity=1, space=space, need=need,
        )  # fmt: skip
        first = _member("member_b", xizhao, unit, phone="13700002222")
        second = _member("member_c", xizhao, unit, phone="13700003333")
        with pytest.raises(ValidationError):  # not confirmed yet
            dual.sign_up(first.member.user, activity)
        for registration in (first, second):
            dual.confirm_member(worker, registration)
        place = dual.sign_up(first.member.user, activity)
        with pytest.raises(ValidationError) as exc:
            dual.sign_up(first.member.user, activity)
        assert "activity" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:  # full: one place
            dual.sign_up(second.member.user, activity)
        assert "activity" in exc.value.message_dict
        assert SignUp.objects.filter(activity=activity).count() == 1
        with pytest.raises(Conflict):  # check-in opens an hour before
            dual.check_in(worker, place)
        clock.move_to(start + timedelta(minutes=10))
        place = dual.check_in(worker, place)
        assert place.hours == Decimal("2.5") and place.checked_in_by == worker
        with pytest.raises(Conflict):
            dual.check_in(worker, place)
        with pytest.raises(Conflict):  # a used place is not given up
            dual.cancel_sign_up(first.member.user, place)
        # the record and the idle, from the raw rows
        period = (start - timedelta(days=1), start + timedelta(days=1))
        record = dual.service_record(first.member, *period)
        assert record == {"activities": 1, "hours": Decimal("2.5")}
        idle = {r.member_id for r in dual.idle_members([xizhao], *period)}
        assert second.member_id in idle and first.member_id not in idle
