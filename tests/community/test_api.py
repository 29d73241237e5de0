"""The front line's API: alleys and chiefs, stewards and adoptions, reports (filed by a steward,
handled by the chief, escalated by the street), patrols, community staff, households and
visits. Personal data of stewards stays with their street."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Community, Department, District, Station, Street, TimelineEvent
from accounts.services import add_membership, upsert
from community import services
from community.models import (
    Adoption,
    Alley,
    FrontlineReport,
    Household,
    Patrol,
    ReportPhoto,
    Steward,
    Visit,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/"
PHONE = "13912345678"
ADDRESS = "龙潭北里3号楼2单元501"


def client(user):
    """The user's own client, signed in afresh on every request (their scope read anew)."""
    c = APIClient()
    c.force_login(user)
    return c


def _png(name="p.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def longtan(demo):
    return Street.objects.get(name="龙潭街道")


@pytest.fixture
def jinhaihu(demo):
    return Street.objects.get(name="金海湖镇")


@pytest.fixture
def street(demo):
    return demo["street_longtan"]


@pytest.fixture
def front(demo, longtan, jinhaihu, street):
    """Through the services: two alleys of 龙潭街道 (one with a chief), one of 金海湖镇; a
    steward of 龙潭 looking after the first alley, another steward looking after the second."""
    xizhaosi = Community.objects.get(name="夕照寺社区")
    guangming = Community.objects.get(name="光明社区")
    first = services.create_alley(street, street=longtan, name="测试东胡同", community=xizhaosi)
    second = services.create_alley(street, street=longtan, name="测试西胡同", community=guangming)
    far = services.create_alley(
        demo["street_jinhaihu"],
        street=jinhaihu,
        name="测试将军关街",
        community=Community.objects.get(name="将军关村"),
    )
    chief = get_user_model().objects.create_user("chief_test", full_name="巷长甲")
    add_membership(chief, Role.ALLEY_CHIEF, longtan)
    services.assign_chief(street, first, chief)
    steward, _password = services.recruit_steward(
        street,
        street=longtan,
        name="管家甲",
        phone=PHONE,
        kind="resident",
        address=ADDRESS,
        username="steward_test",
    )
    services.adopt(street, steward, first)
    other, _password = services.recruit_steward(
        street, street=longtan, name="管家乙", phone="13700000000", kind="merchant"
    )
    services.adopt(street, other, second)
    return {
        "first": first,
        "second": second,
        "far": far,
        "chief": chief,
        "steward": steward,
        "other": other,
        "xizhaosi": xizhaosi,
        "guangming": guangming,
    }


def _report(user, alley, text="垃圾堆在路口"):
    return services.file_report(user, alley=alley, category="sanitation", text=text)


def test_the_whole_path(demo, longtan, street):
    """Create, assign, recruit, adopt; the steward reports with a photo, the chief accepts and
    fixes; other reports become a whistle and a supervision order."""
    office = client(street)
    community = Community.objects.get(name="夕照寺社区")
    created = office.post(
        f"{API}alleys/",
        {"street": longtan.pk, "community": community.pk, "name": "测试南胡同"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="alley-1",
    )
    assert created.status_code == 201, created.content
    alley = created.json()
    again = office.post(
        f"{API}alleys/",
        {"street": longtan.pk, "community": community.pk, "name": "测试南胡同"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="alley-1",
    )
    assert (
        again.json()["id"] == alley["id"] and Alley.objects.filter(name="测试南胡同").count() == 1
    )
    assert (alley["chief"], alley["stewards"], alley["chief_history"]) == (None, 0, [])
    url = f"{API}alleys/{alley['id']}/"

    chief = get_user_model().objects.create_user("chief_path", full_name="巷长乙")
    # not a cadre of the street: an unknown id, like one that does not exist (no probing)
    refused = office.post(url + "chief/", {"chief": chief.pk}, format="json")
    assert refused.status_code == 400 and refused.json().keys() == {"chief"}
    missing = office.post(url + "chief/", {"chief": 10**12}, format="json")
    assert refused.json()["chief"][0].replace(str(chief.pk), "X") == missing.json()["chief"][
        0
    ].replace(str(10**12), "X")
    add_membership(chief, Role.ALLEY_CHIEF, longtan)
    assigned = office.post(url + "chief/", {"chief": chief.pk}, format="json")
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["chief"] == {"id": chief.pk, "name": "巷长乙"}
    assert [t["user"] for t in assigned.json()["chief_history"]] == [chief.pk]

    recruited = office.post(
        f"{API}stewards/",
        {"street": longtan.pk, "name": "管家丙", "phone": PHONE, "kind": "resident"},
        format="json",
    )
    assert recruited.status_code == 201, recruited.content
    steward = recruited.json()
    assert steward["phone"] == PHONE and len(steward["password"]) >= 8
    token = APIClient().post(
        f"{API}auth/token/",
        {"username": steward["username"], "password": steward["password"]},
        format="json",
    )
    assert token.status_code == 200, token.content
    mine = APIClient()
    mine.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert mine.get(f"{API}stewards/{steward['id']}/").json()["phone"] == PHONE
    assert "password" not in mine.get(f"{API}stewards/{steward['id']}/").json()

    adopted = office.post(
        f"{API}adoptions/", {"steward": steward["id"], "alley": alley["id"]}, format="json"
    )
    assert adopted.status_code == 201, adopted.content
    assert adopted.json()["open"] is True
    assert office.get(url).json()["stewards"] == 1
    me = mine.get(f"{API}frontline/me/").json()
    assert me["steward"]["id"] == steward["id"] and me["chief_of"] == []

    filed = mine.post(
        f"{API}frontline-reports/",
        {
            "alley": alley["id"],
            "category": "parking",
            "text": "车辆堵住消防通道",
            "photos": [_png(), _png("q.png")],
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="report-1",
    )
    assert filed.status_code == 201, filed.content
    report = filed.json()
    assert report["status"] == "new" and report["number"].startswith("JX")
    assert report["steward"] == {"id": steward["id"], "name": "管家丙"}
    assert len(report["photos"]) == 2 and [e["type"] for e in report["events"]] == ["report_filed"]
    photo = mine.get(report["photos"][0]["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    report_url = f"{API}frontline-reports/{report['id']}/"

    boss = client(chief)
    assert boss.get(f"{API}frontline/me/").json()["chief_of"] == [alley["id"]]
    assert [r["id"] for r in boss.get(f"{API}frontline-reports/").json()["results"]] == [
        report["id"]
    ]
    assert boss.get(report["photos"][1]["url"]).status_code == 200
    assert mine.post(report_url + "accept/").status_code == 403  # the steward does not handle
    accepted = boss.post(report_url + "accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert boss.post(report_url + "accept/").status_code == 409
    assert boss.post(report_url + "resolve/", {}, format="json").status_code == 400
    resolved = boss.post(report_url + "resolve/", {"outcome": "已联系车主挪车"}, format="json")
    assert resolved.status_code == 200, resolved.content
    seen = mine.get(report_url).json()
    assert (seen["status"], seen["outcome"]) == ("resolved", "已联系车主挪车")
    assert [e["type"] for e in seen["events"]] == [
        "report_filed",
        "report_accepted",
        "report_resolved",
    ]

    # escalated: a whistle (the committee's power), then a supervision order
    second = mine.post(
        f"{API}frontline-reports/",
        {"alley": alley["id"], "category": "construction", "text": "院内私搭乱建"},
        format="json",
    ).json()
    whistle_url = f"{API}frontline-reports/{second['id']}/whistle/"
    department = Department.objects.summonable_by(street, longtan).first()
    body = {
        "kind": "key_work",
        "category": "illegal_construction",
        "title": "院内违建",
        "departments": [department.pk],
    }
    assert boss.post(whistle_url, body, format="json").status_code == 403  # no power to summon
    assert office.post(whistle_url, {**body, "departments": []}, format="json").status_code == 400
    blown = office.post(whistle_url, body, format="json", HTTP_IDEMPOTENCY_KEY="w-1")
    assert blown.status_code == 201, blown.content
    whistle = blown.json()
    assert whistle["description"] == "院内私搭乱建" and whistle["location"] == "测试南胡同"
    replay = office.post(whistle_url, body, format="json", HTTP_IDEMPOTENCY_KEY="w-1")
    assert replay.json()["id"] == whistle["id"]
    assert office.post(whistle_url, body, format="json").status_code == 409
    detail = mine.get(f"{API}frontline-reports/{second['id']}/").json()
    assert (detail["status"], detail["whistle"], detail["whistle_number"]) == (
        "whistle",
        whistle["id"],
        whistle["number"],
    )

    third = mine.post(
        f"{API}frontline-reports/",
        {"alley": alley["id"], "category": "vending", "text": "占道经营"},
        format="json",
    ).json()
    station = Station.objects.filter(street=longtan).first()
    order = office.post(
        f"{API}frontline-reports/{third['id']}/order/",
        {"station": station.pk, "title": "清理占道经营", "content": "三日内清理"},
        format="json",
    )
    assert order.status_code == 201, order.content
    detail = office.get(f"{API}frontline-reports/{third['id']}/").json()
    assert (detail["status"], detail["order"]) == ("ordered", order.json()["id"])
    assert boss.get(f"{API}frontline-reports/", {"status": "ordered"}).json()["count"] == 1

    # the steward leaves: their adoption ends, their account signs in no more
    early = (timezone.localdate() - timedelta(days=3)).isoformat()
    refused = office.post(f"{API}stewards/{steward['id']}/leave/", {"on": early}, format="json")
    assert refused.status_code == 400 and "on" in refused.json()
    left = office.post(f"{API}stewards/{steward['id']}/leave/", {}, format="json")
    assert left.status_code == 200 and left.json()["active"] is False
    assert office.post(f"{API}stewards/{steward['id']}/leave/", {}).status_code == 409
    assert not Adoption.objects.filter(steward_id=steward["id"], end=None).exists()
    assert mine.get(f"{API}frontline/me/").status_code == 401


def _counts():
    models = (Alley, Adoption, FrontlineReport, ReportPhoto, Patrol, Visit, Household)
    return {model: model.objects.count() for model in models}


def test_bad_input_saves_nothing(demo, front, street, jinhaihu):
    saved = _counts()
    mine = client(front["steward"].user)
    alley = front["first"].pk
    body = {"alley": alley, "category": "sanitation", "text": "垃圾"}
    for change, field in (
        ({"category": ""}, "category"),
        ({"category": "litter"}, "category"),
        ({"text": "  "}, "text"),
        ({"alley": front["far"].pk}, "alley"),  # another street's alley
        ({"alley": front["second"].pk}, "alley"),  # not one the steward looks after
        ({"latitude": "91"}, "latitude"),
    ):
        answer = mine.post(f"{API}frontline-reports/", {**body, **change}, format="json")
        assert answer.status_code == 400 and field in answer.json(), (change, answer.content)
    missing = {k: v for k, v in body.items() if k != "category"}
    answer = mine.post(f"{API}frontline-reports/", missing, format="json")
    assert answer.status_code == 400 and "category" in answer.json()
    fake = SimpleUploadedFile("x.png", b"not an image", "image/png")
    answer = mine.post(
        f"{API}frontline-reports/", {**body, "photos": [_png(), fake]}, format="multipart"
    )
    assert answer.status_code == 400 and "photos" in answer.json(), answer.content
    assert _counts() == saved

    now = timezone.now()
    patrol = {
        "alley": alley,
        "started_at": (now - timedelta(hours=1)).isoformat(),
        "ended_at": (now - timedelta(hours=2)).isoformat(),
    }
    answer = mine.post(f"{API}patrols/", patrol, format="json")
    assert answer.status_code == 400 and "ended_at" in answer.json()
    assert _counts() == saved

    office = client(street)
    answer = office.post(
        f"{API}adoptions/", {"steward": front["steward"].pk, "alley": front["far"].pk}
    )
    assert answer.status_code == 400 and "alley" in answer.json()
    far_community = Community.objects.get(name="海子村")
    answer = office.post(
        f"{API}alleys/",
        {"street": front["first"].street_id, "community": far_community.pk, "name": "新胡同"},
        format="json",
    )
    assert answer.status_code == 400 and "community" in answer.json()
    answer = office.post(f"{API}alleys/", {"street": jinhaihu.pk, "name": "新胡同"}, format="json")
    assert answer.status_code == 400 and "street" in answer.json()
    answer = office.post(
        f"{API}alleys/", {"street": front["first"].street_id, "name": "测试东胡同"}, format="json"
    )
    assert answer.status_code == 400 and "name" in answer.json()  # the street has one
    assert _counts() == saved

    # a household of another community of the street, then one outside the caller's sight
    visit = services.record_visit(street, community=front["xizhaosi"], household_ref="1-1-101")
    body = {"community": front["guangming"].pk, "household": visit.household_id}
    answer = office.post(f"{API}visits/", body, format="json")
    assert answer.status_code == 400 and "household" in answer.json(), answer.content
    elsewhere = services.record_visit(
        demo["street_jinhaihu"], community=far_community, household_ref="2-1-101"
    )
    body = {"community": front["guangming"].pk, "household": elsewhere.household_id}
    answer = office.post(f"{API}visits/", body, format="json")
    assert answer.status_code == 400 and "household" in answer.json()
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    body = {"community": front["guangming"].pk, "household_ref": "3-1", "visited_on": future}
    answer = office.post(f"{API}visits/", body, format="json")
    assert answer.status_code == 400 and "visited_on" in answer.json()
    assert _counts() == {**saved, Visit: saved[Visit] + 2, Household: saved[Household] + 2}


def test_who_sees_which_report(demo, front, street):
    mine, theirs = client(front["steward"].user), client(front["other"].user)
    own = _report(front["steward"].user, front["first"])
    other = _report(front["other"].user, front["second"])
    assert mine.get(f"{API}frontline-reports/{other.pk}/").status_code == 404
    assert theirs.get(f"{API}frontline-reports/{own.pk}/").status_code == 404
    assert [r["id"] for r in mine.get(f"{API}frontline-reports/").json()["results"]] == [own.pk]
    # the chief sees the reports of the alleys they lead, nothing else
    boss = client(front["chief"])
    assert [r["id"] for r in boss.get(f"{API}frontline-reports/").json()["results"]] == [own.pk]
    assert boss.get(f"{API}frontline-reports/{other.pk}/").status_code == 404
    assert boss.post(f"{API}frontline-reports/{other.pk}/accept/").status_code == 404
    assert [a["id"] for a in boss.get(f"{API}alleys/").json()["results"]] == [front["first"].pk]
    # the street sees both; the chief of another alley nothing of them
    listed = client(street).get(f"{API}frontline-reports/", {"alley": front["second"].pk})
    assert [r["id"] for r in listed.json()["results"]] == [other.pk]


def test_another_streets_objects_answer_404(demo, front, street):
    report = _report(front["steward"].user, front["first"])
    started = timezone.now() - timedelta(hours=2)
    patrol = services.record_patrol(
        front["steward"].user,
        alley=front["first"],
        started_at=started,
        ended_at=started + timedelta(hours=1),
        found="井盖松动",
    )
    adoption = Adoption.objects.get(steward=front["steward"])
    urls = [
        f"{API}alleys/{front['first'].pk}/",
        f"{API}stewards/{front['steward'].pk}/",
        f"{API}adoptions/{adoption.pk}/",
        f"{API}frontline-reports/{report.pk}/",
        f"{API}patrols/{patrol.pk}/",
    ]
    for username in ("street_jinhaihu", "district_pinggu", "dept_pg_police"):
        other = client(demo[username])
        for url in urls:
            assert other.get(url).status_code == 404, (username, url)
        assert other.post(f"{API}frontline-reports/{report.pk}/accept/").status_code == 404
    for username in ("street_longtan", "district_dongcheng", "hotline_operator"):
        for url in urls:
            assert client(demo[username]).get(url).status_code == 200, (username, url)
    # seeing is not handling: the district may not accept, nor lead the alley
    district = client(demo["district_dongcheng"])
    assert district.post(f"{API}frontline-reports/{report.pk}/accept/").status_code == 403
    answer = district.post(
        f"{API}alleys/{front['first'].pk}/chief/", {"chief": front["chief"].pk}, format="json"
    )
    assert answer.status_code == 403
    assert district.post(f"{API}stewards/{front['steward'].pk}/leave/").status_code == 403


def test_a_stewards_phone_and_address_stay_with_their_street(demo, front, street):
    steward = front["steward"]
    _report(steward.user, front["first"])
    url = f"{API}stewards/{steward.pk}/"
    shown = client(street).get(url).json()
    assert (shown["phone"], shown["address"]) == (PHONE, ADDRESS)
    assert client(steward.user).get(url).json()["phone"] == PHONE
    for who in (demo["district_dongcheng"], front["chief"]):
        masked = client(who).get(url).json()
        assert masked["phone"] == "139****5678" and masked["address"] == "***", who
        listed = client(who).get(f"{API}stewards/").json()["results"]
        assert PHONE not in json.dumps(listed) and ADDRESS not in json.dumps(listed)
    # the chief sees only the stewards of their alleys
    listed = client(front["chief"]).get(f"{API}stewards/").json()["results"]
    assert [s["id"] for s in listed] == [steward.pk]
    # reports never carry them, and no event anywhere does
    report = client(front["chief"]).get(f"{API}frontline-reports/").json()["results"][0]
    assert report["steward"] == {"id": steward.pk, "name": "管家甲"}
    for event in TimelineEvent.objects.all():
        said = json.dumps(event.data, ensure_ascii=False)
        assert PHONE not in said and ADDRESS not in said, event.type


def test_staff_tasks_households_and_visits(demo, front, street, fresh):
    office = client(street)
    worker = get_user_model().objects.create_user("worker_test", full_name="社工甲")
    community = front["xizhaosi"]
    assigned = office.post(
        f"{API}community-staff/",
        {"community": community.pk, "user": worker.pk, "kind": "worker"},
        format="json",
    )
    assert assigned.status_code == 201, assigned.content
    assert assigned.json()["name"] == "社工甲" and assigned.json()["open"] is True
    refused = office.post(
        f"{API}community-staff/",
        {"community": community.pk, "user": worker.pk, "kind": "commissioner"},
        format="json",
    )
    assert refused.status_code == 400 and "user" in refused.json()  # not a cadre

    mine = client(worker)
    assert mine.get(f"{API}frontline/me/").json()["staff_of"] == [
        {"community": community.pk, "kind": "worker"}
    ]

    def tasks(done):
        query = {"community": community.pk, "open": "false" if done else "true"}
        return mine.get(f"{API}commissioner-tasks/", query).json()["count"]

    open_before, done_before = tasks(False), tasks(True)
    task = mine.post(
        f"{API}commissioner-tasks/", {"community": community.pk, "title": "走访独居老人"}
    )
    assert task.status_code == 201, task.content
    assert tasks(False) == open_before + 1
    done = mine.post(f"{API}commissioner-tasks/{task.json()['id']}/done/")
    assert done.status_code == 200 and done.json()["done"] is True
    assert mine.post(f"{API}commissioner-tasks/{task.json()['id']}/done/").status_code == 409
    assert (tasks(False), tasks(True)) == (open_before, done_before + 1)

    year = timezone.localdate().year
    body = {"community": fresh[0].pk, "year": year, "households": 2}  # counted by nobody yet
    assert mine.post(f"{API}household-counts/", body, format="json").status_code == 403
    first = office.post(f"{API}household-counts/", body, format="json")
    assert first.status_code == 201, first.content
    second = office.post(f"{API}household-counts/", {**body, "households": 4}, format="json")
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert office.post(f"{API}household-counts/", {**body, "year": year + 5}).status_code == 400

    visited = mine.post(
        f"{API}visits/",
        {"community": community.pk, "household_ref": "5-2-301", "purpose": "elderly"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="v-1",
    )
    assert visited.status_code == 201, visited.content
    assert visited.json()["household_ref"] == "5-2-301"
    listed = mine.get(f"{API}visits/", {"community": community.pk, "year": year}).json()
    assert (
        listed["count"] == Visit.objects.filter(community=community, visited_on__year=year).count()
    )
    assert listed["results"][0]["id"] == visited.json()["id"]
    assert mine.get(f"{API}visits/", {"year": "1999"}).status_code == 400
    # the worker serves 夕照寺 only
    other = mine.post(
        f"{API}visits/", {"community": front["guangming"].pk, "household_ref": "1"}, format="json"
    )
    assert other.status_code == 400 and "community" in other.json()

    staff_id = assigned.json()["id"]
    ended = office.post(f"{API}community-staff/{staff_id}/end/", {}, format="json")
    assert ended.status_code == 200 and ended.json()["open"] is False
    assert office.post(f"{API}community-staff/{staff_id}/end/", {}).status_code == 409


def test_overview_and_comparison(demo, front, street, longtan):
    _report(front["steward"].user, front["first"])
    year = timezone.localdate().year
    services.set_households(street, front["xizhaosi"], year=year, households=2)
    services.record_visit(street, community=front["xizhaosi"], household_ref="1-1")
    overview = client(street).get(f"{API}frontline/overview/", {"street": longtan.pk})
    assert overview.status_code == 200, overview.content
    data = overview.json()
    assert data["street"] == {"id": longtan.pk, "name": "龙潭街道"}
    rows = {row["id"]: row for row in data["alleys"]}
    assert rows[front["first"].pk]["chief"] == {"id": front["chief"].pk, "name": "巷长甲"}
    new = FrontlineReport.objects.filter(street=longtan, status="new").count()
    assert rows[front["first"].pk]["open_reports"] == 1 and data["reports_by_status"]["new"] == new
    active = Steward.objects.filter(street=longtan, left_on=None).count()
    assert data["stewards_active"] == active and front["second"].pk in data["alleys_without_chief"]
    rate = next(v for v in data["visits"] if v["community"] == front["xizhaosi"].pk)
    visited = (
        Visit.objects.filter(community=front["xizhaosi"], visited_on__year=year)
        .values("household")
        .distinct()
        .count()
    )
    assert (rate["households"], rate["visited"], rate["rate"]) == (2, visited, visited / 2)
    assert (
        client(demo["district_dongcheng"])
        .get(f"{API}frontline/overview/", {"street": longtan.pk})
        .status_code
        == 200
    )
    # the street's figures are the street's and its district's: to anyone else the street is
    # outside their scope (404), its own chief and steward included
    for who, code in (
        (front["steward"].user, 404),
        (front["chief"], 404),
        (demo["street_jinhaihu"], 404),
        (demo["district_pinggu"], 404),
        (demo["dept_pg_police"], 404),
    ):
        answer = client(who).get(f"{API}frontline/overview/", {"street": longtan.pk})
        assert answer.status_code == code, (who, answer.content)
    assert client(street).get(f"{API}frontline/overview/").status_code == 400
    assert client(street).get(f"{API}frontline/overview/", {"street": "x"}).status_code == 400

    dongcheng = District.objects.get(name="东城区")
    comparison = client(demo["district_dongcheng"]).get(
        f"{API}frontline/comparison/", {"district": dongcheng.pk}
    )
    assert comparison.status_code == 200, comparison.content
    data = comparison.json()
    row = next(s for s in data["streets"] if s["street"] == longtan.pk)
    assert (row["alleys"], row["stewards"]) == (
        Alley.objects.filter(street=longtan).count(),
        Steward.objects.filter(street=longtan, left_on=None).count(),
    )
    below = [c["below_bar"] for c in data["communities"]]
    assert below == sorted(below, reverse=True)  # below the bar first
    assert (
        client(street).get(f"{API}frontline/comparison/", {"district": dongcheng.pk}).status_code
        == 404
    )
    assert (
        client(demo["district_pinggu"])
        .get(f"{API}frontline/comparison/", {"district": dongcheng.pk})
        .status_code
        == 404
    )
    assert (
        client(demo["hotline_operator"])
        .get(f"{API}frontline/comparison/", {"district": dongcheng.pk})
        .status_code
        == 200
    )


def _queries(user, url) -> tuple[int, int]:
    """The number of queries of a list's second request (the first warms the session), and
    the number of rows it counts."""
    c = client(user)
    c.get(url)
    with CaptureQueriesContext(connection) as captured:
        answer = c.get(url)
    assert answer.status_code == 200, answer.content
    return len(captured), answer.json()["count"]


@pytest.fixture
def fresh(front, street, longtan):
    """A community of 龙潭 of the test's own (the demo's have rows of theirs), with an alley
    led by the chief and looked after by the steward."""
    community, _made = upsert(Community, {"street": longtan, "name": "测试新社区"}, {})
    alley = services.create_alley(street, street=longtan, name="测试量巷", community=community)
    services.assign_chief(street, alley, front["chief"])
    services.adopt(street, front["steward"], alley)
    return community, alley


def _grow(front, street, fresh, n, years):
    """n more rows of every list, through the services."""
    community, alley = fresh
    steward, chief = front["steward"].user, front["chief"]
    now = timezone.now()
    for _i in range(n):
        tag = Alley.objects.count()
        extra = services.create_alley(
            street, street=alley.street, name=f"测试巷{tag}", community=community
        )
        services.assign_chief(street, extra, chief)
        recruit, _p = services.recruit_steward(
            street, street=alley.street, name=f"管家{tag}", phone=PHONE, kind="other"
        )
        services.adopt(street, recruit, alley)
        report = services.file_report(
            steward, alley=alley, category="other", text=f"问题{tag}", photos=[_png()]
        )
        services.accept(chief, report)
        hours = 2 + Patrol.objects.filter(alley=alley).count()
        services.record_patrol(
            steward,
            alley=alley,
            started_at=now - timedelta(hours=hours + 1),
            ended_at=now - timedelta(hours=hours),
        )
        worker = get_user_model().objects.create_user(f"worker{tag}")
        staff = services.assign_staff(street, community, worker, kind="worker")
        services.add_task(street, community, title=f"任务{tag}")
        services.record_visit(worker, community=community, household_ref=f"户{tag}")
        services.set_households(street, community, year=next(years), households=100)
        services.end_staff(street, staff) if tag % 2 else None


def test_list_queries_do_not_grow_with_the_rows(demo, front, street, fresh):
    community, alley = fresh
    lists = [
        f"alleys/?community={community.pk}",
        "stewards/",
        f"adoptions/?alley={alley.pk}",
        f"frontline-reports/?alley={alley.pk}",
        f"patrols/?alley={alley.pk}",
        f"community-staff/?community={community.pk}",
        f"commissioner-tasks/?community={community.pk}",
        f"household-counts/?community={community.pk}",
        f"visits/?community={community.pk}",
    ]
    viewers = [street, demo["district_dongcheng"], front["chief"], front["steward"].user]
    this_year = timezone.localdate().year
    years = iter(range(this_year, 2000, -1))

    def measure():
        return {(v.username, url): _queries(v, f"{API}{url}") for v in viewers for url in lists}

    _grow(front, street, fresh, 2, years)
    before = measure()
    _grow(front, street, fresh, 4, years)
    after = measure()
    assert {k: q for k, (q, _n) in after.items()} == {k: q for k, (q, _n) in before.items()}
    # the lists did grow: the street's (and the chief's stewards: the street's are the demo's
    # 147 and more, a page of 50 either way)
    for url in lists:
        key = (street.username, url)
        if url != "stewards/":
            assert after[key][1] >= before[key][1] + 4, url
    chief = front["chief"].username
    assert after[(chief, "stewards/")][1] == before[(chief, "stewards/")][1] + 4
    listed = client(street).get(f"{API}frontline-reports/").json()
    assert {"count", "next", "previous", "results"} == set(listed)
    assert listed["count"] == FrontlineReport.objects.filter(street=alley.street).count()
