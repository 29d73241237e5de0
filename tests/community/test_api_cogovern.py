"""Co-governance's API: a street sets up its committee, seats a unit and its own organisation,
holds a meeting with follow-ups and completes one; the three lists are filled from both sides,
a need is matched with the nearest resource and the project runs to its result; exchanges are
recorded both ways, both sides rate each other and the report is published to the committee.
Bad input is refused naming the field with nothing saved (another street's resource: 400 on
`resources`); what the caller may not see is 404, what they see but may not do 403; lists take
as many queries for 2 rows as for 6."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership, Street, TimelineEvent
from community import cogovern, dual
from community.models import (
    Committee,
    CommitteeMember,
    Exchange,
    FollowUp,
    ListNeed,
    Meeting,
    MutualEvaluation,
    PartyUnit,
    Project,
    Resource,
)
from core.roles import Role

pytestmark = pytest.mark.django_db
API = "/api/v1/"
CONTACT_PHONE = "010-66661234"


def client(user):
    c = APIClient()
    c.force_login(user)
    return c


def _user(username):
    return get_user_model().objects.create_user(username, full_name=username)


@pytest.fixture
def shuguang(demo):
    """曙光街道: an area the demo leaves without committee."""
    return Street.objects.get(name="曙光街道")


def _unit(demo, street, name, official, contact=None):
    registration = dual.register_unit(
        demo[official], street=street, name=name, party_organisation=name + "党支部",
        kind="private_enterprise", contact_name="联系人", contact_phone=CONTACT_PHONE,
    )  # fmt: skip
    dual.confirm_unit(demo[official], registration)
    if contact is not None:
        PartyUnit.objects.filter(pk=registration.unit_id).update(contact_user=contact)
    return PartyUnit.objects.get(pk=registration.unit_id)


def _post(user, url, body, **extra):
    return client(user).post(f"{API}{url}", body, format="json", **extra)


def test_the_whole_path_through_the_api(demo, shuguang):
    runner = demo["street_shuguang"]
    contact = _user("unit_contact")
    near = _unit(demo, shuguang, "近处科技公司", "street_shuguang", contact=contact)
    far = _unit(demo, shuguang, "远处中学", "street_shuguang")

    # the street sets up its committee (retried with the same key: one committee)
    body = {
        "level": "street",
        "area": shuguang.pk,
        "name": "曙光街道党建协调委员会",
        "director_name": "陈书记",
        "director_title": "海淀区委常委",
    }
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    first = _post(runner, "committees/", body, **key)
    again = _post(runner, "committees/", body, **key)
    assert first.status_code == 201, first.content
    assert again.json()["id"] == first.json()["id"]
    committee = first.json()
    assert committee["area"] == "曙光街道" and committee["director_from_above"] is True
    assert committee["members"] == []
    assert Committee.objects.filter(street=shuguang, level="street").count() == 1
    pk = committee["id"]
    listed = client(demo["district_pinggu"]).get(f"{API}committees/?street={shuguang.pk}")
    assert listed.json()["count"] == 0  # another district's

    # members: the unit with its representative, the street's own organisation
    answer = _post(
        runner,
        "committee-members/",
        {"committee": pk, "unit": near.pk, "representative": "王经理", "post": "党支部书记"},
    )
    assert answer.status_code == 201, answer.content
    member = answer.json()
    assert member["organisation"] == "近处科技公司" and member["unit_name"] == "近处科技公司"
    own = _post(
        runner,
        "committee-members/",
        {"committee": pk, "organisation": "曙光街道党工委", "representative": "赵书记"},
    ).json()
    detail = client(runner).get(f"{API}committees/{pk}/").json()
    assert [m["id"] for m in detail["members"]] == [member["id"], own["id"]]

    # a meeting: who came, decisions, follow-ups on the deadline engine
    due = timezone.now() + timedelta(days=7)
    answer = _post(
        runner,
        "meetings/",
        {
            "committee": pk,
            "held_at": timezone.now().isoformat(),
            "agenda": "共驻共建年度议题",
            "decisions": "建立三张清单",
            "present": [member["id"]],
            "follow_ups": [
                {"title": "开放活动场地", "owner": member["id"], "deadline": due.isoformat()},
                {"title": "汇总居民需求", "owner": own["id"], "deadline": due.isoformat()},
            ],
        },
    )
    assert answer.status_code == 201, answer.content
    meeting = answer.json()
    assert (meeting["present"], meeting["absent"]) == (1, 1)
    assert {(a["member"], a["present"]) for a in meeting["attendance"]} == {
        (member["id"], True),
        (own["id"], False),
    }
    item = meeting["follow_ups"][0]
    assert FollowUp.objects.get(pk=item["id"]).deadline == due
    done = _post(runner, f"follow-ups/{item['id']}/complete/", {"note": "已开放"})
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert _post(runner, f"follow-ups/{item['id']}/complete/", {}).status_code == 409
    open_items = client(runner).get(f"{API}follow-ups/?committee={pk}&open=true").json()
    assert [i["title"] for i in open_items["results"]] == ["汇总居民需求"]

    # the three lists, from both sides; suggestions nearest first
    resource = {"committee": pk, "category": "venue"}
    r_far = _post(
        runner, "resources/",
        {**resource, "unit": far.pk, "title": "礼堂", "latitude": "39.95", "longitude": "116.50"},
    )  # fmt: skip
    assert r_far.status_code == 201, r_far.content
    r_near = _post(
        contact, "resources/",
        {**resource, "unit": near.pk, "title": "会议室", "capacity": "50人",
         "latitude": "39.881", "longitude": "116.441"},
    )  # fmt: skip
    assert r_near.status_code == 201, r_near.content
    _post(runner, "resources/", {**resource, "unit": near.pk, "title": "资金", "category": "funds"})
    need = _post(
        runner, "list-needs/",
        {"committee": pk, "source": "community", "category": "venue", "title": "老年活动场地",
         "latitude": "39.880", "longitude": "116.440"},
    )  # fmt: skip
    assert need.status_code == 201, need.content
    need = need.json()
    unit_need = _post(
        contact, "list-needs/",
        {"committee": pk, "source": "unit", "unit": near.pk, "category": "volunteers",
         "title": "学生实践岗位"},
    )  # fmt: skip
    assert unit_need.status_code == 201 and unit_need.json()["unit_name"] == "近处科技公司"
    suggested = client(runner).get(f"{API}list-needs/{need['id']}/suggestions/").json()
    assert [r["id"] for r in suggested] == [r_near.json()["id"], r_far.json()["id"]]

    # a project: the need matched with the nearest resource, run to its result
    answer = _post(
        runner, "projects/",
        {"committee": pk, "need": need["id"], "resources": [r_near.json()["id"]],
         "title": "会议室向社区开放", "owner": member["id"]},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    project = answer.json()
    assert project["status"] == "planned" and project["resources"] == [r_near.json()["id"]]
    url = f"projects/{project['id']}/status/"
    assert _post(runner, url, {"status": "running"}).json()["status"] == "running"
    answer = _post(runner, url, {"status": "done"})
    assert answer.status_code == 400 and "result" in answer.json()
    answer = _post(runner, url, {"status": "done", "result": "每周开放两次"})
    assert answer.status_code == 200 and answer.json()["result"] == "每周开放两次"
    assert _post(runner, url, {"status": "stopped"}).status_code == 409
    assert _post(contact, url, {"status": "stopped"}).status_code == 403  # sees, runs nothing

    # the two-ways: exchanges both ways, both sides rate, the report published
    today = timezone.localdate().isoformat()
    exchange = {"committee": pk, "unit": near.pk, "held_on": today}
    answer = _post(
        runner, "exchanges/",
        {**exchange, "direction": "to_unit", "is_service": True, "subject": "暑托班"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    answer = _post(
        contact, "exchanges/",
        {**exchange, "direction": "from_unit", "is_service": False, "subject": "联席会沟通"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    rating = {"committee": pk, "unit": near.pk, "period": "2026-Q3"}
    answer = _post(contact, "mutual-evaluations/", {**rating, "direction": "to_unit", "score": 5})
    assert answer.status_code == 403  # the unit does not rate itself
    answer = _post(runner, "mutual-evaluations/", {**rating, "direction": "to_unit", "score": 4})
    assert answer.status_code == 201, answer.content
    answer = _post(contact, f"committees/{pk}/publish-evaluations/", {"period": "2026-Q3"})
    assert answer.status_code == 403
    answer = _post(runner, f"committees/{pk}/publish-evaluations/", {"period": "2026-Q2"})
    assert answer.status_code == 409  # nobody rated it
    answer = _post(runner, f"committees/{pk}/publish-evaluations/", {"period": "2026-Q3"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["rows"] == [{"unit": "近处科技公司", "to_unit": 4, "from_unit": None}]
    answer = _post(contact, "mutual-evaluations/", {**rating, "direction": "from_unit", "score": 5})
    assert answer.status_code == 201, answer.content
    # the report as published (the unit's score came since), seen by the unit's contact
    report = client(contact).get(f"{API}committees/{pk}/evaluation-report/").json()
    assert report == {
        "committee": pk,
        "period": "2026-Q3",
        "rows": [{"unit": "近处科技公司", "to_unit": 4, "from_unit": None}],
    }
    assert client(contact).get(f"{API}mutual-evaluations/").json()["count"] == 2

    data = " ".join(str(d) for d in TimelineEvent.objects.values_list("data", flat=True))
    assert CONTACT_PHONE not in data and "王经理" not in data


@pytest.fixture
def both(demo):
    """An official of 龙潭街道 and of 金海湖镇 (two posts): sees both streets' lists, so what
    is refused is refused by the service."""
    user = _user("two_posts")
    for name in ("龙潭街道", "金海湖镇"):
        Membership.objects.create(
            user=user, role=Role.STREET_OFFICIAL, street=Street.objects.get(name=name)
        )
    return user


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(demo, both):
    longtan = Committee.objects.get(level="street", street__name="龙潭街道")
    jinhaihu = Committee.objects.get(level="street", street__name="金海湖镇")
    need = ListNeed.objects.filter(committee=longtan).order_by("id").first()
    owner = CommitteeMember.objects.filter(committee=longtan).order_by("id").first()
    theirs = Resource.objects.filter(committee=jinhaihu).order_by("id").first()
    ours = Resource.objects.filter(committee=longtan).order_by("id").first()
    body = {
        "committee": longtan.pk,
        "need": need.pk,
        "title": "跨街道项目",
        "owner": owner.pk,
    }
    projects = Project.objects.count()
    # another street's resource: outside the street's sight, or (for an official of both
    # streets, who sees it) outside the committee's area
    for user in (demo["street_longtan"], both):
        answer = _post(user, "projects/", {**body, "resources": [ours.pk, theirs.pk]})
        assert answer.status_code == 400 and "resources" in answer.json(), answer.content
        assert set(answer.json()) == {"resources"}
    answer = _post(demo["street_longtan"], "projects/", {**body, "resources": []})
    assert answer.status_code == 400 and "resources" in answer.json()
    assert Project.objects.count() == projects

    # a meeting whose follow-up is due already, with someone of another committee present
    other = CommitteeMember.objects.filter(committee=jinhaihu).order_by("id").first()
    meetings = Meeting.objects.count()
    meeting = {
        "committee": longtan.pk,
        "held_at": timezone.now().isoformat(),
        "agenda": "议题",
        "follow_ups": [
            {"title": "x", "owner": owner.pk, "deadline": timezone.now().isoformat()},
        ],
    }
    answer = _post(demo["street_longtan"], "meetings/", meeting)
    assert answer.status_code == 400 and "follow_ups.0.deadline" in answer.json()
    answer = _post(both, "meetings/", {**meeting, "follow_ups": [], "present": [other.pk]})
    assert answer.status_code == 400 and "present" in answer.json()
    answer = _post(
        demo["street_longtan"], "meetings/",
        {**meeting, "held_at": (timezone.now() + timedelta(days=3)).isoformat(), "follow_ups": []},
    )  # fmt: skip
    assert answer.status_code == 400 and "held_at" in answer.json()
    assert Meeting.objects.count() == meetings

    # a committee of a district the street does not run (its id: 400 on `area`); a second
    # committee of the street (the state refuses: 409); a score of 6; a period that is none
    committees = Committee.objects.count()
    body = {"name": "x", "director_name": "x", "director_title": "x"}
    answer = _post(
        demo["street_longtan"], "committees/",
        {**body, "level": "district", "area": longtan.street.district_id},
    )  # fmt: skip
    assert answer.status_code == 400 and set(answer.json()) == {"area"}
    answer = _post(
        demo["street_longtan"],
        "committees/",
        {**body, "level": "street", "area": longtan.street_id},
    )
    assert answer.status_code == 409, answer.content
    answer = _post(demo["street_longtan"], "committees/", {**body, "level": "community", "area": 0})
    assert answer.status_code == 400 and "area" in answer.json()
    assert Committee.objects.count() == committees
    unit = PartyUnit.objects.get(name="北京京城机电有限公司")
    evaluations = MutualEvaluation.objects.count()
    rating = {"committee": longtan.pk, "unit": unit.pk, "direction": "to_unit"}
    answer = _post(
        demo["street_longtan"], "mutual-evaluations/", {**rating, "period": "2026-Q4", "score": 6}
    )
    assert answer.status_code == 400 and "score" in answer.json()
    answer = _post(
        demo["street_longtan"], "mutual-evaluations/", {**rating, "period": "2026-Q5", "score": 3}
    )
    assert answer.status_code == 400 and "period" in answer.json()
    assert MutualEvaluation.objects.count() == evaluations
    url = f"{API}committees/{longtan.pk}/evaluation-report/?period=2026-13"
    answer = client(demo["street_longtan"]).get(url)
    assert answer.status_code == 400 and "period" in answer.json()
    # a resource of a unit registered in another street
    far_unit = Resource.objects.filter(committee=jinhaihu).order_by("id").first().unit
    answer = _post(
        both, "resources/",
        {"committee": longtan.pk, "unit": far_unit.pk, "category": "venue", "title": "x"},
    )  # fmt: skip
    assert answer.status_code == 400 and "unit" in answer.json()


def test_what_the_caller_may_not_see_is_404(demo):
    longtan = Committee.objects.get(level="street", street__name="龙潭街道")
    jinhaihu = Committee.objects.get(level="street", street__name="金海湖镇")
    xizhao = Committee.objects.get(level="community", community__name="夕照寺社区")
    dongcheng = Committee.objects.get(level="district", district__name="东城区")
    street, district = demo["street_longtan"], demo["district_dongcheng"]

    def status(user, url):
        return client(user).get(f"{API}{url}").status_code

    # another street's committee and all that hangs on it: 404 to the street, 200 to its own
    meeting = Meeting.objects.filter(committee=jinhaihu).get()
    item = FollowUp.objects.filter(meeting=meeting).order_by("id").first()
    project = Project.objects.filter(committee=jinhaihu).get()
    need = ListNeed.objects.filter(committee=jinhaihu).order_by("id").first()
    urls = [
        f"committees/{jinhaihu.pk}/",
        f"committees/{jinhaihu.pk}/evaluation-report/",
        f"meetings/{meeting.pk}/",
        f"follow-ups/{item.pk}/",
        f"projects/{project.pk}/",
        f"list-needs/{need.pk}/",
        f"list-needs/{need.pk}/suggestions/",
        f"resources/{project.resources.get().pk}/",
        f"exchanges/{Exchange.objects.filter(committee=jinhaihu).first().pk}/",
        f"mutual-evaluations/{MutualEvaluation.objects.filter(committee=jinhaihu).first().pk}/",
    ]
    for url in urls:
        assert status(street, url) == 404, url
        assert status(district, url) == 404, url
        assert status(demo["street_jinhaihu"], url) == 200, url
        assert status(demo["district_pinggu"], url) == 200, url
    assert _post(street, f"follow-ups/{item.pk}/complete/", {}).status_code == 404
    assert _post(street, f"projects/{project.pk}/status/", {}).status_code == 404
    # in the body: 400 naming the field
    answer = _post(
        street, "list-needs/",
        {"committee": jinhaihu.pk, "source": "community", "category": "venue", "title": "x"},
    )  # fmt: skip
    assert answer.status_code == 400 and set(answer.json()) == {"committee"}

    # the district sees its streets' committees and its own, but runs only its own
    assert status(district, f"committees/{longtan.pk}/") == 200
    assert status(district, f"committees/{dongcheng.pk}/") == 200
    answer = _post(
        district,
        "meetings/",
        {"committee": longtan.pk, "held_at": timezone.now().isoformat(), "agenda": "x"},
    )
    assert answer.status_code == 403
    answer = _post(
        district,
        "meetings/",
        {"committee": dongcheng.pk, "held_at": timezone.now().isoformat(), "agenda": "区级议题"},
    )
    assert answer.status_code == 201, answer.content
    # the city sees every committee and runs none
    for user in (demo["admin"], demo["hotline_operator"]):
        assert status(user, f"committees/{jinhaihu.pk}/") == 200
        answer = _post(user, f"committees/{longtan.pk}/publish-evaluations/", {"period": "2026"})
        assert answer.status_code == 403
        assert _post(user, "resources/", {}).status_code == 403
    # the street does not see the district's committee; the community's staff only theirs
    assert status(street, f"committees/{dongcheng.pk}/") == 404
    worker = demo["worker_longtan"]
    assert status(worker, f"committees/{xizhao.pk}/") == 200
    assert status(worker, f"committees/{longtan.pk}/") == 404
    assert [c["id"] for c in client(worker).get(f"{API}committees/").json()["results"]] == [
        xizhao.pk
    ]
    # a unit's contact: the committees of its street, its own unit's exchanges only
    contact = demo["unit_longtan"]
    assert status(contact, f"committees/{longtan.pk}/") == 200
    assert status(contact, f"committees/{jinhaihu.pk}/") == 404
    other_unit = PartyUnit.objects.get(name="北京市第五十中学分校")
    hidden = cogovern.record_exchange(
        street, longtan, unit=other_unit, direction="to_unit", is_service=True,
        held_on=timezone.localdate(), subject="另一单位的服务",
    )  # fmt: skip
    assert status(contact, f"exchanges/{hidden.pk}/") == 404
    mine = client(contact).get(f"{API}exchanges/").json()["results"]
    assert mine and {e["unit_name"] for e in mine} == {"北京京城机电有限公司"}
    # nobody outside sees anything; the departments and the front line's others neither
    for user in (demo["dept_pg_police"], demo["steward_longtan"], demo["chief_longtan"]):
        assert client(user).get(f"{API}committees/").json()["count"] == 0
        assert status(user, f"committees/{longtan.pk}/") == 404


def _count(user, url):
    c = client(user)
    with CaptureQueriesContext(connection) as captured:
        answer = c.get(url)
    assert answer.status_code == 200, answer.content
    return len(captured), answer.json()["count"]


def test_list_queries_do_not_grow_with_the_rows(demo, shuguang):
    runner = demo["street_shuguang"]
    committee = cogovern.create_committee(
        runner, level="street", street=shuguang, name="曙光街道党建协调委员会",
        director_name="陈书记", director_title="海淀区委常委",
    )  # fmt: skip
    today = timezone.localdate()

    def grow(n):
        for _i in range(n):
            tag = PartyUnit.objects.count()
            unit = _unit(demo, shuguang, f"量单位{tag}", "street_shuguang")
            member = cogovern.add_member(
                runner, committee, organisation="", representative=f"代表{tag}", unit=unit
            )
            cogovern.hold_meeting(
                runner, committee, held_at=timezone.now(), agenda=f"议题{tag}", present=[member],
                follow_ups=[(f"事项{tag}", member, timezone.now() + timedelta(days=3))],
            )  # fmt: skip
            resource = cogovern.list_resource(
                runner, committee, unit=unit, category="venue", title=f"场地{tag}"
            )
            need = cogovern.list_need(
                runner, committee, source="unit", unit=unit, category="venue", title=f"需求{tag}"
            )
            cogovern.match_project(
                runner, committee, need=need, resources=[resource], title=f"项目{tag}",
                owner=member,
            )  # fmt: skip
            cogovern.record_exchange(
                runner, committee, unit=unit, direction="to_unit", is_service=True,
                held_on=today, subject=f"服务{tag}",
            )  # fmt: skip
            cogovern.evaluate(
                runner, committee, unit=unit, period="2026-Q3", direction="to_unit", score=4
            )

    lists = [
        "committees/",
        f"committee-members/?committee={committee.pk}",
        f"meetings/?committee={committee.pk}",
        f"follow-ups/?committee={committee.pk}",
        f"resources/?committee={committee.pk}",
        f"list-needs/?committee={committee.pk}",
        f"projects/?committee={committee.pk}",
        f"exchanges/?committee={committee.pk}",
        f"mutual-evaluations/?committee={committee.pk}",
    ]
    grow(2)
    for user in (runner, demo["admin"]):
        before = {url: _count(user, API + url) for url in lists}
        grow(2)
        for url in lists:
            queries, count = _count(user, API + url)
            if url != "committees/":
                assert count >= before[url][1] + 2, url
            assert queries == before[url][0], f"{url}: {before[url][0]} → {queries} queries"
    detail = f"{API}committees/{committee.pk}/"
    with CaptureQueriesContext(connection) as few:
        client(runner).get(detail)
    grow(2)
    with CaptureQueriesContext(connection) as more:
        client(runner).get(detail)
    assert len(more) == len(few)
