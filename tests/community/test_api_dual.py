"""双报到's API: a unit registers with the street, which confirms it; a member registers with
the community where they live, is confirmed by its worker, signs up for an activity and is
checked in, and their record shows the hours. Bad input is refused naming the field with
nothing saved; what the caller may not see is 404; lists take as many queries for 2 rows as
for 6. A member's phone and address stay with their community and street."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Community, Street, TimelineEvent
from accounts.services import upsert
from community import dual, feedback
from community.models import (
    EmployerReport,
    MemberRegistration,
    PartyUnit,
    ServiceActivity,
    SignUp,
    UnitRegistration,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/"
PHONE = "13700001234"
ADDRESS = "夕照寺中街12号院3单元"


def client(user):
    c = APIClient()
    c.force_login(user)
    return c


def _user(username):
    return get_user_model().objects.create_user(username, full_name=username)


@pytest.fixture
def longtan(demo):
    return Street.objects.get(name="龙潭街道")


@pytest.fixture
def xizhao(demo):
    return Community.objects.get(name="夕照寺社区")


@pytest.fixture
def haizi(demo):
    return Community.objects.get(name="海子村")


def _unit(demo, street, name, contact=None):
    registration = dual.register_unit(
        demo["street_longtan"] if street.name == "龙潭街道" else demo["street_jinhaihu"],
        street=street,
        name=name,
        party_organisation=name + "党委",
        kind="state_enterprise",
        contact_name="联系人",
        contact_phone="010-66660000",
    )
    if contact is not None:
        PartyUnit.objects.filter(pk=registration.unit_id).update(contact_user=contact)
    return registration.unit


def _member(username, community, employer, confirmer, phone=PHONE):
    registration = dual.register_member(
        _user(username),
        community=community,
        employer=employer,
        name="党员" + username,
        phone=phone,
        address=ADDRESS,
    )
    return dual.confirm_member(confirmer, registration)


def _activity_body(community, start, **extra):
    return {
        "community": community.pk,
        "title": "陪伴独居老人",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 1,
        "place": "夕照寺社区活动室",
        **extra,
    }


def test_the_whole_path_through_the_api(demo, longtan, xizhao):
    worker, street = demo["worker_longtan"], demo["street_longtan"]
    contact = _user("unit_contact")
    # the unit registers (its contact enters it); the street confirms
    answer = client(contact).post(
        f"{API}party-units/",
        {
            "street": longtan.pk,
            "name": "北京市某国有公司",
            "party_organisation": "北京市某国有公司党委",
            "kind": "state_enterprise",
            "contact_name": "联系人",
            "contact_phone": "010-66660000",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    unit_registration = answer.json()
    assert unit_registration["status"] == "pending"
    confirm = f"{API}unit-registrations/{unit_registration['id']}/confirm/"
    assert client(worker).post(confirm).status_code == 404  # not the community's business
    assert client(demo["street_jinhaihu"]).post(confirm).status_code == 404
    assert client(demo["district_dongcheng"]).post(confirm).status_code == 403
    answer = client(street).post(confirm)
    assert answer.status_code == 200 and answer.json()["status"] == "confirmed"
    assert client(street).post(confirm).status_code == 409
    unit = unit_registration["unit"]
    assert client(contact).get(f"{API}party-units/{unit}/").status_code == 200

    # a member registers (retried with the same key: one registration); the worker confirms
    member = _user("member_a")
    body = {
        "community": xizhao.pk,
        "employer": unit,
        "name": "张党员",
        "phone": PHONE,
        "address": ADDRESS,
    }
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    first = client(member).post(f"{API}member-registrations/", body, format="json", **key)
    again = client(member).post(f"{API}member-registrations/", body, format="json", **key)
    assert first.status_code == 201, first.content
    assert again.json()["id"] == first.json()["id"]
    assert MemberRegistration.objects.filter(member__user=member).count() == 1
    registration = first.json()
    assert registration["member_phone"] == PHONE  # themselves
    url = f"{API}member-registrations/{registration['id']}/"
    assert client(worker).get(url).json()["member_phone"] == PHONE
    masked = client(demo["district_dongcheng"]).get(url).json()
    assert masked["member_phone"] != PHONE and masked["member_address"] != ADDRESS
    assert client(demo["street_jinhaihu"]).get(url).status_code == 404
    answer = client(worker).post(f"{url}confirm/")
    assert answer.status_code == 200 and answer.json()["status"] == "confirmed"

    # the worker publishes an activity; the member sees it, signs up, is checked in
    start = timezone.now() + timedelta(minutes=30)
    answer = client(worker).post(
        f"{API}service-activities/", _activity_body(xizhao, start), format="json"
    )
    assert answer.status_code == 201, answer.content
    activity = answer.json()
    listed = client(member).get(f"{API}service-activities/?community={xizhao.pk}&upcoming=true")
    results = listed.json()["results"]
    assert activity["id"] in [a["id"] for a in results]
    assert all(a["community"] == xizhao.pk and a["cancelled_at"] is None for a in results)
    answer = client(member).post(f"{API}service-activities/{activity['id']}/sign-up/")
    assert answer.status_code == 201, answer.content
    place = answer.json()
    assert "phone" not in str(place) and PHONE not in str(place)
    check_in = f"{API}sign-ups/{place['id']}/check-in/"
    assert client(member).post(check_in, {"hours": "2.5"}, format="json").status_code == 403
    answer = client(worker).post(check_in, {"hours": "2.5"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["hours"] == "2.5"

    me = client(member).get(f"{API}party-members/me/")
    assert me.status_code == 200, me.content
    record = me.json()
    assert record["service_total"] == {"activities": 1, "hours": "2.5"}
    assert record["service"]["hours"] == "2.5" and record["service"]["activities"] == 1
    assert [r["status"] for r in record["registrations"]] == ["confirmed"]
    assert client(worker).get(f"{API}party-members/me/").status_code == 404

    data = " ".join(str(d) for d in TimelineEvent.objects.values_list("data", flat=True))
    assert PHONE not in data and ADDRESS not in data


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(demo, longtan, xizhao, haizi):
    worker = demo["worker_longtan"]
    unit = _unit(demo, longtan, "某单位")
    registration = _member("member_b", xizhao, unit, worker)
    user = registration.member.user
    before = MemberRegistration.objects.count()
    # twice with one community
    answer = client(user).post(
        f"{API}member-registrations/",
        {"community": xizhao.pk, "employer": unit.pk, "name": "x", "phone": PHONE},
        format="json",
    )
    assert answer.status_code == 400 and "community" in answer.json()
    assert MemberRegistration.objects.count() == before
    # an activity that ends before it starts; one of another street's community
    start = timezone.now() + timedelta(days=1)
    activities = ServiceActivity.objects.count()
    body = _activity_body(xizhao, start, ends_at=(start - timedelta(hours=1)).isoformat())
    answer = client(worker).post(f"{API}service-activities/", body, format="json")
    assert answer.status_code == 400 and "ends_at" in answer.json()
    answer = client(worker).post(
        f"{API}service-activities/", _activity_body(haizi, start), format="json"
    )
    assert answer.status_code == 400 and "community" in answer.json()
    assert ServiceActivity.objects.count() == activities
    # a full activity
    activity = dual.publish_activity(
        worker, xizhao, title="满员", starts_at=start, ends_at=start + timedelta(hours=1),
        capacity=1, place="活动室",
    )  # fmt: skip
    dual.sign_up(user, activity)
    other = _member("member_c", xizhao, unit, worker, phone="13700003333")
    answer = client(other.member.user).post(f"{API}service-activities/{activity.pk}/sign-up/")
    assert answer.status_code == 400 and "activity" in answer.json()
    assert SignUp.objects.filter(activity=activity).count() == 1
    # hours out of range
    place = SignUp.objects.get(activity=activity)
    answer = client(worker).post(
        f"{API}sign-ups/{place.pk}/check-in/", {"hours": "99"}, format="json"
    )
    assert answer.status_code == 400 and "hours" in answer.json()


def test_what_the_caller_may_not_see_is_404(demo, longtan, xizhao, haizi):
    jinhaihu = haizi.street
    unit = _unit(demo, longtan, "龙潭单位")
    registration = _member("member_d", xizhao, unit, demo["worker_longtan"])
    far = _member("member_e", haizi, _unit(demo, jinhaihu, "金海湖单位"), demo["street_jinhaihu"])
    # another community's member, registration, activity
    for user in (demo["worker_longtan"], demo["street_longtan"], registration.member.user):
        c = client(user)
        assert c.get(f"{API}member-registrations/{far.pk}/").status_code == 404
        assert c.get(f"{API}party-members/{far.member_id}/").status_code == 404
        assert c.post(f"{API}member-registrations/{far.pk}/confirm/").status_code == 404
    start = timezone.now() + timedelta(days=1)
    activity = dual.publish_activity(
        demo["street_jinhaihu"], haizi, title="村里活动", starts_at=start,
        ends_at=start + timedelta(hours=1), capacity=5, place="村委会",
    )  # fmt: skip
    c = client(registration.member.user)
    assert c.get(f"{API}service-activities/{activity.pk}/").status_code == 404
    assert c.post(f"{API}service-activities/{activity.pk}/sign-up/").status_code == 404
    # another employer's report
    contact_a, contact_b = _user("contact_a"), _user("contact_b")
    PartyUnit.objects.filter(pk=unit.pk).update(contact_user=contact_a)
    other = _unit(demo, longtan, "另一单位", contact=contact_b)
    _member("member_f", xizhao, other, demo["worker_longtan"], phone="13700005555")
    feedback.ensure_reports(feedback.period_of())
    report = EmployerReport.objects.get(unit=unit)
    assert client(contact_b).get(f"{API}employer-reports/{report.pk}/").status_code == 404
    assert client(contact_b).get(f"{API}employer-reports/{report.pk}/xlsx/").status_code == 404
    answer = client(contact_a).get(f"{API}employer-reports/{report.pk}/")
    assert answer.status_code == 200 and answer.json()["figures"]["totals"]["members"] == 1
    assert PHONE not in answer.content.decode()
    answer = client(contact_a).get(f"{API}employer-reports/{report.pk}/xlsx/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    listed = client(contact_a).get(f"{API}employer-reports/").json()["results"]
    assert [r["unit"] for r in listed] == [unit.pk]
    # the contact sees their unit and its registrations, not its members
    assert client(contact_a).get(f"{API}party-units/{other.pk}/").status_code == 404
    assert client(contact_a).get(f"{API}member-registrations/{registration.pk}/").status_code == 404
    assert UnitRegistration.objects.filter(unit=unit).exists()


def _count(user, url):
    c = client(user)
    with CaptureQueriesContext(connection) as captured:
        answer = c.get(url)
    assert answer.status_code == 200, answer.content
    return len(captured), answer.json()["count"]


def test_list_queries_do_not_grow_with_the_rows(demo, longtan):
    street = demo["street_longtan"]
    community, _made = upsert(Community, {"street": longtan, "name": "测试双报到社区"}, {})
    start = timezone.now() + timedelta(days=2)
    activity = dual.publish_activity(
        street, community, title="量", starts_at=start, ends_at=start + timedelta(hours=1),
        capacity=100, place="活动室",
    )  # fmt: skip

    def grow(n):
        for _i in range(n):
            tag = PartyUnit.objects.count()
            unit = _unit(demo, longtan, f"量单位{tag}")
            dual.confirm_unit(street, UnitRegistration.objects.get(unit=unit))
            registration = _member(f"qm{tag}", community, unit, street, phone=f"1370000{tag:04d}")
            dual.sign_up(registration.member.user, activity)
            dual.add_space(street, community, name=f"空间{tag}", kind="hall")
            dual.publish_need(street, community, title=f"需求{tag}", category="elderly")
            dual.publish_activity(
                street, community, title=f"活动{tag}", starts_at=start,
                ends_at=start + timedelta(hours=1), capacity=5, place="活动室",
            )  # fmt: skip
        feedback.ensure_reports(feedback.period_of())

    lists = [
        f"member-registrations/?community={community.pk}",
        "party-members/",
        f"unit-registrations/?street={longtan.pk}",
        "party-units/",
        f"culture-spaces/?community={community.pk}",
        f"community-needs/?community={community.pk}",
        f"service-activities/?community={community.pk}",
        f"sign-ups/?activity={activity.pk}",
        "employer-reports/",
    ]
    grow(2)
    before = {url: _count(street, API + url) for url in lists}
    grow(4)
    for url in lists:
        queries, count = _count(street, API + url)
        assert count >= before[url][1] + 4, url
        assert queries == before[url][0], f"{url}: {before[url][0]} → {queries} queries"
