"""双报到's pages: a person registers as a member from the phone, the community confirms,
publishes an activity, the member signs up and is checked in; the street confirms a unit; the
employer's contact opens the printable report and its XLSX. Bad input is a form error with
nothing saved; another community's member and another employer's report answer 404; the
pages cost the same number of queries however much data there is."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Community
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

PHONE = "13700004321"
LOCAL = "%Y-%m-%dT%H:%M"


def browser(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def xizhao(demo):
    return Community.objects.get(name="夕照寺社区")


@pytest.fixture
def unit(demo):
    return PartyUnit.objects.get(contact_user__username="unit_longtan")


def _user(username):
    return get_user_model().objects.create_user(username, full_name=username)


def _confirmed_member(username, community, employer, confirmer):
    registration = dual.register_member(
        _user(username), community=community, employer=employer, name="党员" + username,
        phone=PHONE,
    )  # fmt: skip
    return dual.confirm_member(confirmer, registration).member


def _activity(community, who, *, capacity=5, start=None):
    start = start or timezone.now() + timedelta(minutes=30)
    return dual.publish_activity(
        who, community, title="读书会", starts_at=start, ends_at=start + timedelta(hours=2),
        capacity=capacity, place="活动室",
    )  # fmt: skip


def test_a_member_registers_signs_up_and_is_checked_in_through_the_pages(demo, xizhao, unit):
    worker = demo["worker_longtan"]
    person = _user("new_member")
    phone = browser(person)
    # no registration yet: the form, with the communities of the street chosen
    page = phone.get(reverse("community:party"), {"street": xizhao.street_id})
    assert page.status_code == 200 and xizhao.name in page.content.decode()
    body = {
        "street": xizhao.street_id,
        "community": xizhao.pk,
        "employer": unit.name,
        "name": "新党员",
        "phone": PHONE,
    }
    answer = phone.post(reverse("community:party"), body)
    assert answer.status_code == 302
    registration = MemberRegistration.objects.get(member__user=person)
    assert registration.status == "pending"
    # twice with one community: a form error, nothing saved
    again = phone.post(reverse("community:party"), body)
    assert again.status_code == 302  # the home now shows the pending registration
    assert MemberRegistration.objects.filter(member__user=person).count() == 1

    # the community's worker confirms from the community's page
    desk = browser(worker)
    url = reverse("community:party-community", args=[xizhao.pk])
    page = desk.get(url)
    assert page.status_code == 200 and "新党员" in page.content.decode()
    assert desk.post(url, {"action": "confirm", "registration": registration.pk}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed"

    # the worker publishes an activity; one that ends before it starts is a form error
    start = timezone.localtime(timezone.now() + timedelta(minutes=20))
    bad = {
        "action": "activity",
        "title": "义诊",
        "starts_at": start.strftime(LOCAL),
        "ends_at": (start - timedelta(hours=1)).strftime(LOCAL),
        "capacity": 1,
        "place": "社区客厅",
    }
    before = ServiceActivity.objects.count()
    page = desk.post(url, bad)
    assert page.status_code == 200
    assert page.context["forms"]["activity"].errors["ends_at"]
    assert ServiceActivity.objects.count() == before
    good = {**bad, "ends_at": (start + timedelta(hours=2)).strftime(LOCAL)}
    assert desk.post(url, good).status_code == 302
    activity = ServiceActivity.objects.get(community=xizhao, title="义诊")

    # the member sees it at home and signs up; the one place is then full for another member
    home = phone.get(reverse("community:party"))
    assert home.status_code == 200 and "义诊" in home.content.decode()
    activity_url = reverse("community:activity", args=[activity.pk])
    assert phone.post(activity_url, {"action": "sign-up"}).status_code == 302
    place = SignUp.objects.get(activity=activity, member__user=person)
    other = _confirmed_member("other_member", xizhao, unit, worker)
    answer = browser(other.user).post(activity_url, {"action": "sign-up"}, follow=True)
    refused = [m for m in answer.context["messages"] if m.level_tag == "error"]
    assert len(refused) == 1
    assert not SignUp.objects.filter(activity=activity, member=other).exists()

    # the worker checks the member in with the hours; the record shows them
    page = desk.get(activity_url)
    assert page.status_code == 200 and "新党员" in page.content.decode()
    bad_hours = desk.post(
        activity_url, {"action": "check-in", "place": place.pk, "hours": "99"}, follow=True
    )
    place.refresh_from_db()
    assert place.checked_in_at is None and bad_hours.status_code == 200
    desk.post(activity_url, {"action": "check-in", "place": place.pk, "hours": "1.5"})
    place.refresh_from_db()
    assert place.checked_in_at is not None and str(place.hours) == "1.5"
    record = phone.get(reverse("community:my-record"), follow=True)
    assert record.status_code == 200 and record.context["totals"]["activities"] == 1
    assert "义诊" in record.content.decode() and PHONE in record.content.decode()


def test_the_register_form_names_a_wrong_employer_and_saves_nothing(demo, xizhao):
    person = _user("typo_member")
    page = browser(person).post(
        reverse("community:party"),
        {
            "street": xizhao.street_id,
            "community": xizhao.pk,
            "employer": "没有这个单位",
            "name": "某人",
            "phone": PHONE,
        },
    )
    assert page.status_code == 200 and page.context["form"].errors["employer"]
    assert not MemberRegistration.objects.filter(member__user=person).exists()


def test_another_communitys_member_and_another_employers_report_answer_404(demo, xizhao, unit):
    worker = demo["worker_longtan"]
    member = _confirmed_member("seen_member", xizhao, unit, worker)
    url = reverse("community:member", args=[member.pk])
    assert browser(worker).get(url).status_code == 200
    assert browser(demo["street_longtan"]).get(url).status_code == 200
    assert browser(demo["street_jinhaihu"]).get(url).status_code == 404
    assert browser(_user("stranger")).get(url).status_code == 404
    page = browser(demo["district_dongcheng"]).get(url)
    assert page.status_code == 200 and PHONE not in page.content.decode()  # masked
    jinhaihu = Community.objects.filter(street__name="金海湖镇").first()
    assert (
        browser(worker).get(reverse("community:party-community", args=[jinhaihu.pk])).status_code
        == 404
    )
    other = PartyUnit.objects.exclude(pk=unit.pk).first()
    feedback.ensure_reports()
    theirs = EmployerReport.objects.filter(unit=other).first()
    mine = EmployerReport.objects.filter(unit=unit).first()
    contact = browser(unit.contact_user)
    assert contact.get(reverse("community:employer-report", args=[theirs.pk])).status_code == 404
    assert (
        contact.get(reverse("community:employer-report-xlsx", args=[theirs.pk])).status_code == 404
    )
    listing = contact.get(reverse("community:employer-reports"))
    assert [r.unit_id for r in listing.context["page"]] == [unit.pk] * len(listing.context["page"])
    assert mine is not None


def test_the_printable_report_and_its_xlsx_recount_the_check_ins(demo, xizhao, unit):
    worker = demo["worker_longtan"]
    member = _confirmed_member("report_member", xizhao, unit, worker)
    activity = _activity(xizhao, worker, start=timezone.now() - timedelta(minutes=30))
    place = dual.sign_up(member.user, activity)
    dual.check_in(worker, place, hours="2.5")
    feedback.ensure_reports()
    report = EmployerReport.objects.get(unit=unit, period=feedback.period_of())
    contact = browser(unit.contact_user)
    page = contact.get(reverse("community:employer-report", args=[report.pk]))
    assert page.status_code == 200
    rows = {m["name"]: m for m in page.context["members"]}
    start, end = feedback._period(report.period).bounds
    raw = SignUp.objects.filter(
        member__name="党员report_member",
        checked_in_at__isnull=False,
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    )
    assert rows["党员report_member"]["activities"] == raw.count() == 1
    assert rows["党员report_member"]["hours"] == sum(p.hours for p in raw)
    answer = contact.get(reverse("community:employer-report-xlsx", args=[report.pk]))
    assert answer.status_code == 200
    sheet = load_workbook(BytesIO(answer.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "党员report_member" in names
    assert PHONE not in page.content.decode()


def test_the_street_confirms_a_unit_and_a_bad_unit_saves_nothing(demo, longtan):
    street = browser(demo["street_longtan"])
    url = reverse("community:party-street", args=[longtan.pk])
    before = UnitRegistration.objects.count()
    page = street.post(url, {"action": "unit", "name": "", "kind": "school"})
    assert page.status_code == 200 and page.context["form"].errors["name"]
    assert UnitRegistration.objects.count() == before
    body = {
        "action": "unit",
        "name": "龙潭某学校",
        "party_organisation": "龙潭某学校党支部",
        "kind": "school",
        "contact_name": "王老师",
        "contact_phone": "010-67000000",
    }
    assert street.post(url, body).status_code == 302
    registration = UnitRegistration.objects.get(unit__name="龙潭某学校")
    assert registration.status == "pending"
    assert (
        street.post(url, {"action": "confirm", "registration": registration.pk}).status_code == 302
    )
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    # the district sees the page but does not act; another district's street: 404
    assert browser(demo["district_dongcheng"]).get(url).status_code == 200
    assert browser(demo["district_dongcheng"]).post(url, body).status_code == 403
    assert browser(demo["street_jinhaihu"]).get(url).status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_cost_the_same_queries_as_the_data_grows(demo, xizhao, unit, longtan):
    worker = demo["worker_longtan"]
    member = _confirmed_member("counted", xizhao, unit, worker)
    past = _activity(xizhao, worker, start=timezone.now() - timedelta(minutes=30))
    dual.check_in(worker, dual.sign_up(member.user, past), hours="1")
    feedback.ensure_reports()
    report = EmployerReport.objects.get(unit=unit, period=feedback.period_of())
    desk, phone, contact = browser(worker), browser(member.user), browser(unit.contact_user)
    street = browser(demo["street_longtan"])
    pages = [
        (desk, reverse("community:party-community", args=[xizhao.pk])),
        (street, reverse("community:party-street", args=[longtan.pk])),
        (phone, reverse("community:party")),
        (phone, reverse("community:member", args=[member.pk])),
        (desk, reverse("community:activity", args=[past.pk])),
        (contact, reverse("community:employer-report", args=[report.pk])),
        (contact, reverse("community:employer-reports")),
    ]
    before = [_queries(c, u) for c, u in pages]
    for i in range(4):  # more members, activities, sign-ups and check-ins
        other = _confirmed_member(f"more_{i}", xizhao, unit, worker)
        dual.check_in(worker, dual.sign_up(other.user, past), hours="1")
        dual.check_in(worker, dual.sign_up(member.user, _activity(
            xizhao, worker, start=timezone.now() - timedelta(minutes=20 + i)
        )), hours="1")  # fmt: skip
        _activity(xizhao, worker)
        dual.register_member(
            _user(f"pending_{i}"), community=xizhao, employer=unit, name="待确认", phone=PHONE
        )
    after = [_queries(c, u) for c, u in pages]
    assert after == before, list(zip([u for _c, u in pages], before, after, strict=True))
