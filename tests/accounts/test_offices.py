"""The street's internal structure (六办一队三中心): services, API, pages, filters."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import offices
from accounts.choices import OfficeKind
from accounts.choices import TimelineEventType as T
from accounts.demo_offices import STANDARD_STRUCTURE
from accounts.models import Membership, Street, StreetOffice, TimelineEvent
from accounts.services import timeline
from community import services as community_services
from community.models import FrontlineReport
from dispatch import services as dispatch_services
from hotline import services as hotline_services
from hotline.models import RequestCategory
from whistle.choices import EventType

pytestmark = pytest.mark.django_db


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def longtan(demo):
    return Street.objects.get(name="龙潭街道")


@pytest.fixture
def jinhaihu(demo):
    return Street.objects.get(name="金海湖镇")


def office(street, name="城市管理办公室"):
    return StreetOffice.objects.get(street=street, name=name)


@pytest.fixture
def whistle(demo, jinhaihu):
    from accounts.models import Department

    return dispatch_services.blow_whistle(
        demo["street_jinhaihu"],
        street=jinhaihu,
        kind="enforcement",
        category="illegal_mining",
        title="将军关村盗采金矿",
        location="将军关村北山",
        departments=[Department.objects.get(name="平谷区城管执法局")],
    )


@pytest.fixture
def request_(demo, jinhaihu):
    return hotline_services.take_request(
        demo["hotline_operator"],
        street=jinhaihu,
        channel="phone",
        category=RequestCategory.objects.get(code="noise"),
        description="夜间施工噪声扰民",
        address="金海湖镇海子村",
        citizen_name="张三丰",
        citizen_phone="13812345678",
    )


@pytest.fixture
def report(demo, longtan):
    return FrontlineReport.objects.filter(street=longtan).order_by("id").first()


def test_every_demo_street_has_the_standard_structure(demo):
    names = [n for _k, n in STANDARD_STRUCTURE]
    for street in Street.objects.all():
        got = list(street.offices.order_by("position").values_list("name", "kind"))
        assert [n for n, _k in got] == names
        assert [k for _n, k in got].count(OfficeKind.OFFICE) == 6
    longtan = Street.objects.get(name="龙潭街道")
    lead = office(longtan, "党政综合办公室").lead
    assert lead is not None and lead.username == "street_longtan"
    m = Membership.objects.get(user=lead, street=longtan, role="street_official")
    assert m.office.name == "党政综合办公室"


def test_the_street_adds_and_changes_an_office(demo, longtan):
    user = demo["street_longtan"]
    added = offices.add_office(user, longtan, kind="office", name="应急管理办公室", position=11)
    assert timeline(added).get().type == T.OFFICE_ADDED
    offices.change_office(user, added, name="应急办", lead=user.pk)
    added.refresh_from_db()
    assert (added.name, added.lead) == ("应急办", user)
    assert [e.type for e in timeline(added)] == [T.OFFICE_ADDED, T.OFFICE_CHANGED]


def test_bad_input_saves_nothing(demo, longtan, jinhaihu):
    user = demo["street_longtan"]
    before = StreetOffice.objects.count(), TimelineEvent.objects.count()
    for kwargs, field in [
        ({"kind": "office", "name": ""}, "name"),
        ({"kind": "nope", "name": "x"}, "kind"),
        ({"kind": "office", "name": "党政综合办公室"}, "name"),
        ({"kind": "office", "name": "x", "lead": demo["street_jinhaihu"].pk}, "lead"),
        ({"kind": "office", "name": "x", "position": -1}, "position"),
    ]:
        with pytest.raises(ValidationError) as exc:
            offices.add_office(user, longtan, **kwargs)
        assert field in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        offices.add_office(demo["district_dongcheng"], longtan, kind="office", name="x")
    with pytest.raises(PermissionDenied):
        offices.add_office(user, jinhaihu, kind="office", name="x")
    assert (StreetOffice.objects.count(), TimelineEvent.objects.count()) == before


def test_a_membership_names_an_office_of_its_street(demo, longtan, jinhaihu):
    user = demo["street_longtan"]
    m = Membership.objects.get(user=user, street=longtan, role="street_official")
    offices.set_membership_office(user, m, office(longtan))
    assert Membership.objects.get(pk=m.pk).office == office(longtan)
    with pytest.raises(ValidationError) as exc:
        offices.set_membership_office(user, m, office(jinhaihu))
    assert "office" in exc.value.message_dict
    assert Membership.objects.get(pk=m.pk).office == office(longtan)


def test_assigning_a_whistle_request_and_report(demo, whistle, request_, report, jinhaihu, longtan):
    jin = demo["street_jinhaihu"]
    dispatch_services.assign_office(jin, whistle, office(jinhaihu))
    whistle.refresh_from_db()
    assert whistle.office == office(jinhaihu)
    assert whistle.events.filter(type=EventType.ASSIGNED_TO_OFFICE).count() == 1
    hotline_services.assign_office(jin, request_, office(jinhaihu).pk)
    request_.refresh_from_db()
    assert request_.office == office(jinhaihu)
    assert timeline(request_).filter(type=T.ASSIGNED_TO_OFFICE).count() == 1
    community_services.assign_office(demo["street_longtan"], report, office(longtan))
    report.refresh_from_db()
    assert report.office == office(longtan)
    assert timeline(report).filter(type=T.ASSIGNED_TO_OFFICE).count() == 1


def test_another_streets_office_is_refused_naming_office(
    demo, whistle, request_, report, jinhaihu, longtan
):
    for run, obj, user, other in [
        (dispatch_services.assign_office, whistle, demo["street_jinhaihu"], office(longtan)),
        (hotline_services.assign_office, request_, demo["street_jinhaihu"], office(longtan).pk),
        (community_services.assign_office, report, demo["street_longtan"], office(jinhaihu)),
    ]:
        with pytest.raises(ValidationError) as exc:
            run(user, obj, other)
        assert "office" in exc.value.message_dict
        obj.refresh_from_db()
        assert obj.office_id is None


def test_the_api_assigns_and_refuses_another_streets_office(demo, whistle, jinhaihu, longtan):
    client = client_of(demo["street_jinhaihu"])
    url = f"/api/v1/whistles/{whistle.pk}/office/"
    bad = client.post(url, {"office": office(longtan).pk}, content_type="application/json")
    assert bad.status_code == 400 and "office" in bad.json()
    good = client.post(url, {"office": office(jinhaihu).pk}, content_type="application/json")
    assert good.status_code == 200
    listed = client.get("/api/v1/whistles/", {"office": office(jinhaihu).pk}).json()
    assert [w["id"] for w in listed["results"]] == [whistle.pk]
    other = client_of(demo["street_longtan"]).get(
        "/api/v1/whistles/", {"office": office(jinhaihu).pk}
    )
    assert other.status_code == 400 and "office" in other.json()


def test_the_offices_api(demo, longtan, jinhaihu):
    client = client_of(demo["street_longtan"])
    listed = client.get("/api/v1/offices/", {"street": longtan.pk})
    assert listed.status_code == 200 and listed.json()["count"] == 10
    assert client.get(f"/api/v1/offices/{office(jinhaihu).pk}/").status_code == 404
    created = client.post(
        "/api/v1/offices/",
        {"street": longtan.pk, "kind": "centre", "name": "退役军人服务站"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    bad = client.post(
        "/api/v1/offices/",
        {"street": jinhaihu.pk, "kind": "centre", "name": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "street" in bad.json()
    patched = client.patch(
        f"/api/v1/offices/{created.json()['id']}/",
        {"lead": demo["street_jinhaihu"].pk},
        content_type="application/json",
    )
    assert patched.status_code == 400 and "lead" in patched.json()
    reviewer = client_of(demo["district_dongcheng"])
    assert (
        reviewer.patch(
            f"/api/v1/offices/{office(longtan).pk}/", {"name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_pages_structure_assign_and_filters(demo, whistle, request_, report, jinhaihu, longtan):
    jin = client_of(demo["street_jinhaihu"])
    page = jin.get(f"/org/streets/{jinhaihu.pk}/offices/")
    assert page.status_code == 200 and "网格化服务管理中心" in page.text
    assert jin.get(f"/org/offices/{office(longtan).pk}/").status_code == 404
    assert jin.get(f"/org/offices/{office(jinhaihu).pk}/").status_code == 200
    assert jin.get(f"/whistles/{whistle.pk}/").status_code == 200
    jin.post(f"/whistles/{whistle.pk}/office/", {"office": office(jinhaihu).pk})
    jin.post(f"/hotline/{request_.pk}/office/", {"office": office(jinhaihu).pk})
    lt = client_of(demo["street_longtan"])
    lt.post(f"/frontline/reports/{report.pk}/office/", {"office": office(longtan).pk})
    assert FrontlineReport.objects.get(pk=report.pk).office == office(longtan)
    for client, path, number in [
        (jin, "/whistles/", whistle.number),
        (jin, "/hotline/", request_.number),
        (lt, "/frontline/reports/", report.number),
    ]:
        street = jinhaihu if client is jin else longtan
        hit = client.get(path, {"office": office(street).pk})
        assert hit.status_code == 200 and number in hit.text
        miss = client.get(path, {"office": office(street, "市民服务中心").pk})
        assert number not in miss.text


def test_the_structure_page_and_filtered_lists_run_constant_queries(demo, longtan):
    client = client_of(demo["street_longtan"])
    paths = [
        f"/org/streets/{longtan.pk}/offices/",
        f"/frontline/reports/?office={office(longtan).pk}",
        f"/whistles/?office={office(longtan).pk}",
        f"/hotline/?office={office(longtan).pk}",
    ]

    def counts():
        found = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            found.append(len(queries))
        return found

    user = demo["street_longtan"]
    reports = list(FrontlineReport.objects.filter(street=longtan).order_by("id")[:4])
    community_services.assign_office(user, reports[0], office(longtan))
    before = counts()
    for i in range(3):
        offices.add_office(user, longtan, kind="centre", name=f"服务站{i}")
    for r in reports[1:]:
        community_services.assign_office(user, r, office(longtan))
    assert counts() == before


def test_the_structure_page_names_a_persons_office(demo, longtan, jinhaihu):
    user = demo["street_longtan"]
    m = Membership.objects.get(user=user, street=longtan, role="street_official")
    client = client_of(user)
    url = f"/org/memberships/{m.pk}/office/"
    client.post(url, {"office": office(jinhaihu).pk})  # another street's: refused
    assert Membership.objects.get(pk=m.pk).office.name == "党政综合办公室"
    client.post(url, {"latitude": "north"})  # no field: nothing changes
    assert Membership.objects.get(pk=m.pk).office.name == "党政综合办公室"
    client.post(url, {"office": office(longtan).pk})
    assert Membership.objects.get(pk=m.pk).office == office(longtan)
    other = Membership.objects.filter(street=jinhaihu).first()
    assert client.post(f"/org/memberships/{other.pk}/office/", {"office": ""}).status_code == 404
    reviewer = client_of(demo["district_dongcheng"])
    assert reviewer.post(url, {"office": ""}).status_code == 403
