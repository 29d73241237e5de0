"""The front line's pages: a steward's report from the phone form, the chief's live queue,
the actions, the offices' pages with query counts that do not grow with the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Community, District, Street
from community import services
from community.models import FrontlineReport, Patrol, Visit

from .conftest import not_an_image, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client, demo):
    def sign_in(username):
        client.force_login(demo[username])
        return client

    return sign_in


def test_people_of_the_front_line_land_on_it(as_):
    assert as_("steward_longtan").get("/").url == "/frontline/"
    page = as_("steward_longtan").get("/frontline/")
    assert "夕照寺街" in page.content.decode() and "板厂南里胡同" in page.content.decode()
    assert as_("chief_longtan").get("/").url == "/frontline/"
    assert as_("chief_longtan").get("/frontline/").url == "/frontline/queue/"
    assert as_("worker_longtan").get("/frontline/").url.startswith("/frontline/communities/")
    assert as_("street_longtan").get("/").status_code == 200  # the street's own home page


def test_a_steward_reports_from_the_form(as_, officials_alley, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_("steward_longtan")
    form = client.get("/frontline/report/").content.decode()
    assert 'capture="environment"' in form and "data-locate-auto" in form
    answer = client.post(
        "/frontline/report/",
        {
            "alley": officials_alley.pk,
            "category": "parking",
            "text": "三轮车堵住消防通道",
            "photos": [png()],
            "latitude": "39.880100",
            "longitude": "116.442000",
        },
    )
    report = FrontlineReport.objects.get(text="三轮车堵住消防通道")
    assert answer.url == f"/frontline/reports/{report.pk}/"
    assert report.photos.count() == 1 and str(report.latitude) == "39.880100"
    photo = report.photos.get()
    image = client.get(f"/frontline/reports/{report.pk}/photos/{photo.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    # another steward's report is a 404, the photo too
    other = (
        FrontlineReport.objects.exclude(steward__user__username="steward_longtan")
        .filter(street=report.street)
        .exclude(alley__in=report.steward.adoptions.values("alley"))[0]
    )
    assert client.get(f"/frontline/reports/{other.pk}/").status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"category": ""}, "category"),
        ({"photos": [not_an_image()]}, "photos"),
        ({"text": ""}, "text"),
    ],
)
def test_bad_reports_show_the_form_again(as_, officials_alley, change, field):
    before = FrontlineReport.objects.count()
    data = {"alley": officials_alley.pk, "category": "parking", "text": "垃圾", **change}
    answer = as_("steward_longtan").post("/frontline/report/", data)
    assert answer.status_code == 200
    assert answer.context["form"].errors[field]
    assert FrontlineReport.objects.count() == before


def test_an_alley_of_another_street_is_refused_on_the_form(as_, jinhaihu):
    from community.models import Alley

    alley = Alley.objects.filter(street=jinhaihu).first()
    answer = as_("steward_longtan").post(
        "/frontline/report/", {"alley": alley.pk, "category": "parking", "text": "x"}
    )
    assert answer.status_code == 200 and answer.context["form"].errors["alley"]


def test_the_chiefs_queue_is_live(as_, demo, chiefs_alley):
    client = as_("chief_longtan")
    page = client.get("/frontline/queue/")
    version = page.context["version"]
    assert client.get(f"/frontline/queue/items/?v={version}").status_code == 204
    services.file_report(
        demo["steward_longtan"], alley=chiefs_alley, category="safety", text="电动车楼道充电"
    )
    fresh = client.get(f"/frontline/queue/items/?v={version}")
    assert fresh.status_code == 200 and "电动车楼道充电" in fresh.content.decode()
    # the queue holds only the chief's alleys
    assert all(
        r.alley_id
        in {
            a.pk
            for a in chiefs_alley.street.alleys.filter(
                chief_terms__user=demo["chief_longtan"], chief_terms__until=None
            )
        }
        for r in fresh.context["rows"]
    )
    assert as_("steward_longtan").get("/frontline/queue/").status_code == 403


def test_the_chief_accepts_and_fixes_on_the_page(as_, demo, chiefs_alley):
    report = services.file_report(
        demo["steward_longtan"], alley=chiefs_alley, category="sanitation", text="垃圾堆放"
    )
    client = as_("chief_longtan")
    page = client.get(f"/frontline/reports/{report.pk}/").content.decode()
    assert "/accept/" in page and "/whistle/" not in page  # no power to summon: says so
    client.post(f"/frontline/reports/{report.pk}/accept/")
    client.post(f"/frontline/reports/{report.pk}/resolve/", {"outcome": "已清运"})
    report.refresh_from_db()
    assert report.status == "resolved" and report.outcome == "已清运"
    again = client.post(f"/frontline/reports/{report.pk}/accept/", follow=True)
    assert "只有" in again.content.decode() or "Only" in again.content.decode()


def test_a_workers_visit_from_the_community_page(as_, demo):
    community = Community.objects.get(name="夕照寺社区")
    client = as_("worker_longtan")
    today = timezone.localdate()
    client.post(
        f"/frontline/communities/{community.pk}/",
        {
            "action": "visit",
            "household_ref": "88号楼1单元101",
            "visited_on": today,
            "purpose": "elderly",
        },
    )
    assert Visit.objects.filter(community=community, household__ref="88号楼1单元101").exists()
    future = client.post(
        f"/frontline/communities/{community.pk}/",
        {
            "action": "visit",
            "household_ref": "88号楼1单元102",
            "visited_on": today + timedelta(days=2),
            "purpose": "elderly",
        },
        follow=True,
    )
    assert not Visit.objects.filter(household__ref="88号楼1单元102").exists()
    assert list(future.context["messages"])
    # a community the worker does not serve is not theirs to see
    other = Community.objects.get(name="光明社区")
    assert client.get(f"/frontline/communities/{other.pk}/").status_code == 404


def _grow(street, n):
    """More alleys, stewards' patrols and reports in `street` (through the services)."""
    from community.models import Alley

    official = street.membership_set.filter(role="committee_member").first().user
    now = timezone.now()
    for i in range(n):
        alley = services.create_alley(official, street=street, name=f"新巷{i}")
        steward, _pw = services.recruit_steward(
            official, street=street, name=f"志愿者{i}", phone=f"1390000{i:04d}", kind="resident"
        )
        services.adopt(official, steward, alley)
        services.assign_chief(official, alley, official)
        services.record_patrol(
            official, alley=alley, started_at=now - timedelta(hours=1), ended_at=now
        )
        services.file_report(official, alley=alley, category="other", text=f"问题{i}")
    return Alley.objects.filter(street=street).count()


def test_the_offices_pages_cost_the_same_queries_whatever_the_data(as_, longtan):
    district = District.objects.get(name="东城区")
    urls = [f"/frontline/streets/{longtan.pk}/", f"/frontline/districts/{district.pk}/"]
    users = ["street_longtan", "district_dongcheng"]

    def counts():
        found = []
        for url in urls:
            for username in users:
                client = as_(username)
                with CaptureQueriesContext(connection) as queries:
                    answer = client.get(url)
                found.append((url, username, answer.status_code, len(queries)))
        return found

    before = counts()
    patrols = Patrol.objects.count()
    _grow(longtan, 5)
    assert Patrol.objects.count() == patrols + 5
    assert counts() == before
    assert [c[2] for c in before] == [200, 200, 404, 200]


def test_the_street_adds_an_alley_and_the_chief_accepts_from_the_queue(as_, demo, longtan):
    client = as_("street_longtan")
    answer = client.post(f"/frontline/streets/{longtan.pk}/", {"name": "新开路", "description": ""})
    alley = longtan.alleys.get(name="新开路")
    assert answer.url == f"/frontline/alleys/{alley.pk}/"
    again = client.post(f"/frontline/streets/{longtan.pk}/", {"name": "新开路"})
    assert again.status_code == 200 and again.context["alley_form"].errors["name"]
    assert (
        as_("district_dongcheng")
        .post(f"/frontline/streets/{longtan.pk}/", {"name": "x"})
        .status_code
        == 403
    )
    chiefs = longtan.alleys.get(name="板厂路")
    report = services.file_report(
        demo["chief_longtan"], alley=chiefs, category="facility", text="路灯不亮"
    )
    client = as_("chief_longtan")
    assert 'name="back"' in client.get("/frontline/queue/").content.decode()
    answer = client.post(f"/frontline/reports/{report.pk}/accept/", {"back": "queue"})
    assert answer.url == "/frontline/queue/"
    report.refresh_from_db()
    assert report.status == "accepted"


def test_another_street_of_the_same_district_is_out_of_scope(as_, demo, longtan):
    other = Street.objects.filter(district=longtan.district).exclude(pk=longtan.pk).first()
    client = as_("street_longtan")
    for url in (
        f"/frontline/streets/{other.pk}/",
        f"/frontline/streets/{other.pk}/stewards/",
        f"/frontline/streets/{other.pk}/households/",
        f"/frontline/districts/{longtan.district_id}/",
        f"/api/v1/frontline/overview/?street={other.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert as_("district_dongcheng").get(f"/frontline/streets/{other.pk}/").status_code == 200


def test_bad_ids_posted_by_buttons_are_404_not_500(as_, steward):
    client = as_("street_longtan")
    community = Community.objects.get(name="夕照寺社区")
    for value in ("abc", "0", "99999999999999999999999"):
        assert client.post(f"/frontline/stewards/{steward.pk}/", {"end": value}).status_code == 404
        answer = client.post(
            f"/frontline/communities/{community.pk}/", {"action": "done", "task": value}
        )
        assert answer.status_code == 404


def test_the_steward_sees_their_own_phone_on_their_report(as_, demo, officials_alley, steward):
    report = services.file_report(
        demo["steward_longtan"], alley=officials_alley, category="other", text="井盖松动"
    )
    assert (
        steward.phone
        in as_("steward_longtan").get(f"/frontline/reports/{report.pk}/").content.decode()
    )
    page = as_("district_dongcheng").get(f"/frontline/reports/{report.pk}/").content.decode()
    assert steward.phone not in page and steward.masked_phone in page
