"""Power grants are records, and guardian's object permissions follow them at once."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_perms

from accounts.choices import Power, StationMode, TimelineEventType
from accounts.grants import holds_power, with_power
from accounts.models import (
    Department,
    DispatchedAgency,
    PowerGrant,
    Station,
    StationedOfficer,
    StationGroupObjectPermission,
    TimelineEvent,
)
from accounts.services import grant_power, revoke_power, sync_powers
from config.errors import Conflict

pytestmark = pytest.mark.django_db


def _held(street):
    return set(
        PowerGrant.objects.filter(street=street, revoked_at=None).values_list("power", flat=True)
    )


def test_the_pilot_streets_hold_all_five_powers_and_shuguang_none(streets):
    assert _held(streets["金海湖镇"]) == set(Power.values)
    assert _held(streets["龙潭街道"]) == set(Power.values)
    assert _held(streets["曙光街道"]) == set()
    assert _held(streets["滨河街道"]) == set()


def test_the_committee_group_holds_each_power_on_every_object_it_governs(streets):
    jinhaihu, shuguang = streets["金海湖镇"], streets["曙光街道"]
    for station in Station.objects.filter(street=jinhaihu):
        assert set(get_perms(jinhaihu.committee, station)) == {
            "coordinate_departments",
            "veto_department",
        }
    for agency in DispatchedAgency.objects.filter(street=jinhaihu):
        assert get_perms(jinhaihu.committee, agency) == ["recommend_personnel"]
    for officer in StationedOfficer.objects.filter(street=jinhaihu):
        assert get_perms(jinhaihu.committee, officer) == ["assess_stationed_staff"]
    # nothing for a street without a grant, nor on another street's objects
    assert not get_perms(shuguang.committee, Station.objects.filter(street=shuguang).first())
    assert not get_perms(jinhaihu.committee, Station.objects.filter(street=shuguang).first())


def test_powers_follow_committee_membership_not_street_roles(demo, streets, station):
    assert holds_power(demo["street_jinhaihu"], Power.COORDINATE_DEPARTMENTS, station)
    assert not holds_power(demo["street_jinhaihu_clerk"], Power.COORDINATE_DEPARTMENTS, station)
    assert not holds_power(demo["street_longtan"], Power.COORDINATE_DEPARTMENTS, station)
    # a superuser holds no power by being one
    assert not holds_power(demo["admin"], Power.COORDINATE_DEPARTMENTS, station)


def test_a_station_agency_or_officer_added_later_is_covered_at_once(demo, streets):
    jinhaihu, binhe = streets["金海湖镇"], streets["滨河街道"]
    new_department = Department.objects.create(
        district=jinhaihu.district, name="平谷区水务局", kind="functional"
    )
    station = Station.objects.create(
        street=jinhaihu,
        department=new_department,
        mode=StationMode.ON_CALL,
        duty_contact="张三",
        duty_phone="13800000000",
    )
    elsewhere = Station.objects.create(
        street=binhe,
        department=new_department,
        mode=StationMode.ON_CALL,
        duty_contact="李四",
        duty_phone="13800000001",
    )
    user = demo["street_jinhaihu"]
    assert holds_power(user, Power.COORDINATE_DEPARTMENTS, station)
    assert not get_perms(binhe.committee, elsewhere)
    assert new_department in Department.objects.summonable_by(user, jinhaihu)
    agency = DispatchedAgency.objects.create(
        street=jinhaihu, department=new_department, name="金海湖水务站", leader_name="王五"
    )
    assert holds_power(user, Power.RECOMMEND_PERSONNEL, agency)
    officer = StationedOfficer.objects.create(
        street=jinhaihu, department=new_department, name="赵六"
    )
    assert holds_power(user, Power.ASSESS_STATIONED_STAFF, officer)
    # moved to another street: the old committee loses it at once
    officer.street = binhe
    officer.save()
    assert not holds_power(user, Power.ASSESS_STATIONED_STAFF, officer)


def test_revoking_and_granting_again_changes_who_may_summon(demo, streets):
    jinhaihu, pinggu = streets["金海湖镇"], demo["district_pinggu"]
    user = demo["street_jinhaihu"]
    assert Department.objects.summonable_by(user, jinhaihu).count() == 9
    grant = PowerGrant.objects.get(
        street=jinhaihu, power=Power.COORDINATE_DEPARTMENTS, revoked_at=None
    )
    revoke_power(pinggu, grant, "试点结束")
    assert Department.objects.summonable_by(user, jinhaihu).count() == 0
    # the veto, granted separately on the same stations, stays
    assert (
        with_power(user, Power.VETO_DEPARTMENT, Station.objects.filter(street=jinhaihu)).count()
        == 9
    )
    grant.refresh_from_db()
    assert (grant.revoked_by, grant.revoke_reason) == (pinggu, "试点结束")
    again = grant_power(pinggu, jinhaihu, Power.COORDINATE_DEPARTMENTS, "重新授权")
    assert Department.objects.summonable_by(user, jinhaihu).count() == 9
    assert again.pk != grant.pk  # the history keeps both records
    types = list(
        TimelineEvent.objects.filter(street=jinhaihu, type__startswith="power_")
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert types[-2:] == [TimelineEventType.POWER_REVOKED, TimelineEventType.POWER_GRANTED]


def test_granting_is_for_the_district_administrators_of_the_street(demo, streets):
    shuguang = streets["曙光街道"]
    for username in ("district_pinggu", "district_dongcheng", "street_shuguang"):
        with pytest.raises(PermissionDenied):
            grant_power(demo[username], shuguang, Power.COORDINATE_DEPARTMENTS)
    assert _held(shuguang) == set()
    grant_power(demo["admin"], shuguang, Power.COORDINATE_DEPARTMENTS)
    assert _held(shuguang) == {Power.COORDINATE_DEPARTMENTS}


def test_a_power_is_granted_once_and_revoked_once(demo, streets):
    jinhaihu, pinggu = streets["金海湖镇"], demo["district_pinggu"]
    before = StationGroupObjectPermission.objects.count()
    with pytest.raises(Conflict):
        grant_power(pinggu, jinhaihu, Power.VETO_DEPARTMENT)
    grant = PowerGrant.objects.get(street=jinhaihu, power=Power.VETO_DEPARTMENT, revoked_at=None)
    revoke_power(pinggu, grant, "")
    with pytest.raises(Conflict):
        revoke_power(pinggu, grant, "")
    assert StationGroupObjectPermission.objects.count() == before - 9


def test_sync_is_idempotent_and_repairs_hand_edits(streets):
    assert sync_powers() == 0
    jinhaihu = streets["金海湖镇"]
    StationGroupObjectPermission.objects.filter(group=jinhaihu.committee).delete()
    stray = Station.objects.filter(street=streets["曙光街道"]).first()
    StationGroupObjectPermission.objects.create(
        group=streets["曙光街道"].committee,
        content_object=stray,
        permission=Permission.objects.get(codename="coordinate_departments"),
    )
    assert sync_powers() == 18 + 1
    assert sync_powers() == 0
