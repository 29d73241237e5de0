import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import demo as demo_module
from accounts.choices import Role, StationMode
from accounts.models import (
    Community,
    Department,
    DispatchedAgency,
    District,
    Membership,
    Station,
    StationedOfficer,
    Street,
    User,
)

CONTRACT_ACCOUNTS = {
    "admin",
    "street_jinhaihu",
    "street_jinhaihu_clerk",
    "street_longtan",
    "street_shuguang",
    "dept_pg_chengguan",
    "dept_pg_police",
    "dept_pg_planning",
    "dept_dc_chengguan",
    "district_pinggu",
    "district_dongcheng",
    "hotline_operator",
}


def snapshot():
    """Every row the seed writes, with every field, to compare two runs."""
    models = [District, Street, Community, Department, Station, DispatchedAgency, StationedOfficer]
    rows = {m.__name__: sorted(m.objects.values_list(), key=str) for m in models}
    rows["User"] = sorted(
        User.objects.values_list("username", "password", "full_name", "is_superuser")
    )
    rows["Membership"] = sorted(Membership.objects.values_list(), key=str)
    return rows


@pytest.mark.django_db
def test_it_loads_the_sixteen_districts_and_the_real_streets():
    call_command("seed_demo", verbosity=0)
    assert District.objects.count() == 16
    csv_rows = demo_module.read_streets()
    assert Street.objects.count() == len(csv_rows) == 64
    jinhaihu = Street.objects.get(name="金海湖镇")
    assert (jinhaihu.district.name, jinhaihu.kind, jinhaihu.short_name) == (
        "平谷区",
        "town",
        "金海湖",
    )
    assert jinhaihu.committee.name == "平谷区金海湖镇党工委"


@pytest.mark.django_db
def test_every_demo_street_has_a_full_one_four_n_with_duty_contacts():
    call_command("seed_demo", verbosity=0)
    for street in Street.objects.prefetch_related("stations"):
        modes = [s.mode for s in street.stations.all()]
        assert modes.count(StationMode.RESIDENT) == 1, street
        assert modes.count(StationMode.STATIONED) == 4, street
        assert modes.count(StationMode.ON_CALL) >= 1, street
        assert all(s.duty_contact and s.duty_phone for s in street.stations.all())
        # a street's stations are its own district's departments
        assert {s.department.district_id for s in street.stations.all()} == {street.district_id}


@pytest.mark.django_db
def test_pilot_streets_have_agencies_and_stationed_officers():
    call_command("seed_demo", verbosity=0)
    for name in ("金海湖镇", "龙潭街道"):
        street = Street.objects.get(name=name)
        assert DispatchedAgency.objects.filter(street=street).count() >= 2
        assert StationedOfficer.objects.filter(street=street).count() >= 3
    assert Street.objects.get(name="金海湖镇").agencies.filter(name="金海湖派出所").exists()
    assert Community.objects.filter(street__name="金海湖镇", kind="village").exists()


@pytest.mark.django_db
def test_it_creates_exactly_the_demo_accounts_with_their_roles(settings):
    call_command("seed_demo", verbosity=0)
    usernames = set(User.objects.values_list("username", flat=True))
    assert usernames >= CONTRACT_ACCOUNTS
    # the others are the front line's people (community/demo.py): stewards with their own
    # accounts, cadres who lead alleys, a community worker; none holds a contract role
    front_line = usernames - CONTRACT_ACCOUNTS
    named = {"steward_longtan", "chief_longtan", "worker_longtan", "member_longtan", "unit_longtan"}
    assert named <= front_line
    pattern = re.compile(r"^(longtan|jinhaihu)_(steward_[0-9]{3}|cadre_[0-9]{2}|member_[0-9]{2})$")
    assert all(pattern.match(u) for u in front_line - named)
    assert set(
        Membership.objects.filter(user__username__in=front_line).values_list("role", flat=True)
    ) == {Role.ALLEY_CHIEF}
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and not admin.memberships.exists()
    assert admin.check_password(settings.DEMO_PASSWORD)

    def roles(username):
        return {(m.role, str(m.unit)) for m in Membership.objects.filter(user__username=username)}

    assert roles("street_jinhaihu") == {
        (Role.STREET_OFFICIAL, "金海湖镇"),
        (Role.COMMITTEE_MEMBER, "金海湖镇"),
    }
    assert roles("street_jinhaihu_clerk") == {(Role.STREET_OFFICIAL, "金海湖镇")}
    assert roles("dept_pg_chengguan") == {(Role.DEPARTMENT_DISPATCHER, "平谷区城管执法局")}
    assert roles("dept_pg_police") == {(Role.DEPARTMENT_DISPATCHER, "平谷公安分局")}
    assert roles("district_pinggu") == {
        (Role.DISTRICT_REVIEWER, "平谷区"),
        (Role.DISTRICT_ADMIN, "平谷区"),
    }
    assert roles("hotline_operator") == {(Role.HOTLINE_OPERATOR, "北京市")}
    # committee members are in their street's party-committee group, the clerk is not
    jinhaihu = Street.objects.get(name="金海湖镇")
    assert set(jinhaihu.committee.user_set.values_list("username", flat=True)) == {
        "street_jinhaihu"
    }
    # the police dispatcher's department is one of the "4" in 金海湖镇
    police = Department.objects.get(name="平谷公安分局")
    assert Station.objects.get(street=jinhaihu, department=police).mode == StationMode.STATIONED
    planning = Department.objects.get(name="平谷区规划国土")
    assert Station.objects.get(street=jinhaihu, department=planning).mode == StationMode.ON_CALL


@pytest.mark.django_db
def test_running_it_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    with CaptureQueriesContext(connection) as queries:
        call_command("seed_demo", verbosity=0)
    assert snapshot() == first
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


@pytest.mark.django_db
def test_it_repairs_a_changed_field_on_the_second_run():
    call_command("seed_demo", verbosity=0)
    station = Station.objects.filter(street__name="龙潭街道").first()
    original = station.duty_phone
    Station.objects.filter(pk=station.pk).update(duty_phone="000")
    call_command("seed_demo", verbosity=0)
    station.refresh_from_db()
    assert station.duty_phone == original


@pytest.mark.django_db(transaction=True)
@pytest.mark.empty_db
def test_a_failure_half_way_leaves_nothing(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_module, "_seed_accounts", broken)
    with pytest.raises(RuntimeError):
        call_command("seed_demo", verbosity=0)
    assert District.objects.count() == 0
    assert Street.objects.count() == 0
    assert Station.objects.count() == 0
