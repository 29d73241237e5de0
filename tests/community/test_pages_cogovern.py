"""The committees' pages: who sees which committee, acting without the right, a meeting with
follow-ups, the three lists with matching (another street's resource refused, nothing
saved), the two-ways, and query counts that do not grow with the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Community
from community import cogovern
from community.models import (
    Committee,
    CommitteeMember,
    Exchange,
    FollowUp,
    ListNeed,
    Meeting,
    MutualEvaluation,
    Project,
    Resource,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client, demo):
    def sign_in(username):
        client.force_login(demo[username])
        return client

    return sign_in


@pytest.fixture
def longtan_committee(longtan):
    return Committee.objects.get(level="street", street=longtan)


@pytest.fixture
def jinhaihu_committee(jinhaihu):
    return Committee.objects.get(level="street", street=jinhaihu)


def _community_committee(street):
    return Committee.objects.get(level="community", street=street)


def test_the_list_shows_what_each_person_sees(as_, longtan, jinhaihu, longtan_committee):
    def names(username):
        page = as_(username).get("/frontline/committees/")
        assert page.status_code == 200
        return {c.name for c in page.context["page"]}

    longtan_community = _community_committee(longtan)
    district = Committee.objects.get(level="district")
    assert names("street_longtan") == {longtan_committee.name, longtan_community.name}
    assert names("district_dongcheng") == {
        district.name,
        longtan_committee.name,
        longtan_community.name,
    }
    assert names("street_jinhaihu") == {
        f"{jinhaihu.name}党建协调委员会",
        _community_committee(jinhaihu).name,
    }
    assert names("hotline_operator") == set(Committee.objects.values_list("name", flat=True))
    staffed = Community.objects.filter(staff__user__username="worker_longtan").first()
    expected = {longtan_community.name} if longtan_community.community == staffed else set()
    assert names("worker_longtan") == expected
    assert names("steward_longtan") == set()
    page = as_("street_longtan").get("/frontline/committees/").content.decode()
    assert longtan_committee.director_name in page


def test_the_committee_page_for_the_right_people(as_, longtan_committee, jinhaihu_committee):
    url = f"/frontline/committees/{longtan_committee.pk}/"
    page = as_("street_longtan").get(url)
    text = page.content.decode()
    assert page.status_code == 200 and page.context["acts"]
    assert "开放单位活动场地" in text and "单位礼堂向社区开放" in text  # follow-up, project
    assert "社区为单位职工子女开设暑托班" in text  # the exchanges log
    assert page.context["report"] and not page.context["unpublished"]  # the published report
    assert 'name="action" value="member"' in text
    # the district sees without acting; another street and a steward: 404
    district = as_("district_dongcheng").get(url)
    assert district.status_code == 200 and not district.context["acts"]
    assert 'name="action"' not in district.content.decode()
    assert as_("street_jinhaihu").get(url).status_code == 404
    assert as_("steward_longtan").get(url).status_code == 404
    assert as_("street_longtan").get(f"/frontline/committees/{jinhaihu_committee.pk}/").status_code == 404  # fmt: skip


def test_a_director_not_from_above_is_said(as_, longtan_committee):
    url = f"/frontline/committees/{longtan_committee.pk}/"
    assert 'id="director-rule"' not in as_("street_longtan").get(url).content.decode()
    Committee.objects.filter(pk=longtan_committee.pk).update(director_from_above=False)
    assert 'id="director-rule"' in as_("street_longtan").get(url).content.decode()
    listed = as_("street_longtan").get("/frontline/committees/").context["page"]
    assert [c.director_from_above for c in listed if c.pk == longtan_committee.pk] == [False]


def test_acting_without_the_right_is_403_and_changes_nothing(as_, longtan_committee):
    members = CommitteeMember.objects.count()
    client = as_("district_dongcheng")
    url = f"/frontline/committees/{longtan_committee.pk}/"
    answer = client.post(url, {"action": "member", "representative": "某人", "organisation": "x"})
    assert answer.status_code == 403 and CommitteeMember.objects.count() == members
    assert client.get(f"{url}meetings/new/").status_code == 403
    need = ListNeed.objects.filter(committee=longtan_committee).first()
    assert client.post(f"/frontline/list-needs/{need.pk}/", {"title": "x"}).status_code == 403
    project = Project.objects.filter(committee=longtan_committee).first()
    answer = client.post(f"/frontline/projects/{project.pk}/", {"status": "done", "result": "x"})
    assert answer.status_code == 403
    project.refresh_from_db()
    assert project.status == "running"


def test_the_street_adds_a_member_records_an_exchange_and_rates(as_, demo, longtan_committee):
    client = as_("street_longtan")
    url = f"/frontline/committees/{longtan_committee.pk}/"
    answer = client.post(
        url, {"action": "member", "organisation": "龙潭街道党工委", "representative": "李书记"}
    )
    assert answer.url == url
    assert longtan_committee.members.filter(representative="李书记", unit=None).exists()
    unit = longtan_committee.members.exclude(unit=None).first().unit
    answer = client.post(
        url,
        {
            "action": "exchange",
            "unit": unit.pk,
            "direction": "from_unit",
            "is_service": "1",
            "held_on": timezone.localdate().isoformat(),
            "subject": "单位志愿者清扫楼道",
        },
    )
    assert answer.status_code == 302
    assert Exchange.objects.filter(subject="单位志愿者清扫楼道", is_service=True).exists()
    # a date to come is refused by the service: the form again, nothing saved
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    again = client.post(
        url,
        {
            "action": "exchange",
            "unit": unit.pk,
            "direction": "to_unit",
            "is_service": "0",
            "held_on": future,
            "subject": "还没发生",
        },
    )
    assert again.status_code == 200 and again.context["forms"]["exchange"].errors["held_on"]
    assert not Exchange.objects.filter(subject="还没发生").exists()
    answer = client.post(
        url, {"action": "evaluate", "unit": unit.pk, "period": "2025-Q1", "score": "4"}
    )
    assert answer.status_code == 302 and "period=2025-Q1" in answer.url
    rated = MutualEvaluation.objects.get(committee=longtan_committee, period="2025-Q1")
    assert rated.direction == "to_unit" and rated.published_at is None
    client.post(url, {"action": "publish", "period": "2025-Q1"})
    rated.refresh_from_db()
    assert rated.published_at is not None
    page = client.get(f"{url}?period=2025-Q1")
    assert page.context["report"] == [{"unit": unit.name, "to_unit": 4, "from_unit": None}]


def test_a_meeting_with_attendance_and_follow_ups(as_, longtan_committee):
    client = as_("street_longtan")
    members = list(longtan_committee.members.filter(until=None).order_by("id"))
    page = client.get(f"/frontline/committees/{longtan_committee.pk}/meetings/new/")
    assert page.status_code == 200 and len(page.context["rows"]) == 3
    due = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "place": "街道会议室",
        "agenda": "二季度共建议题",
        "present": [members[0].pk, members[1].pk],
        "decisions": "开放礼堂",
        "f0-title": "联系礼堂管理员",
        "f0-owner": members[0].pk,
        "f0-deadline": due,
    }
    answer = client.post(f"/frontline/committees/{longtan_committee.pk}/meetings/new/", data)
    meeting = Meeting.objects.get(agenda="二季度共建议题")
    assert answer.url == f"/frontline/meetings/{meeting.pk}/"
    assert meeting.attendance.filter(present=True).count() == 2
    assert meeting.attendance.count() == len(members)
    item = meeting.follow_ups.get()
    assert item.owner == members[0]
    text = client.get(answer.url).content.decode()
    assert "联系礼堂管理员" in text and "开放礼堂" in text
    # a follow-up due in the past: the row's error, nothing saved
    before = Meeting.objects.count()
    bad = dict(data, agenda="又一次", **{"f1-title": "过期", "f1-owner": members[1].pk})
    bad["f1-deadline"] = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    again = client.post(f"/frontline/committees/{longtan_committee.pk}/meetings/new/", bad)
    assert again.status_code == 200 and again.context["rows"][1].errors["deadline"]
    assert Meeting.objects.count() == before
    # the follow-up is done from the meeting's page
    done = client.post(
        f"/frontline/committees/{longtan_committee.pk}/",
        {"action": "done", "item": item.pk, "back": "meeting", "note": "已联系"},
    )
    assert done.url == f"/frontline/meetings/{meeting.pk}/"
    item.refresh_from_db()
    assert item.done_at is not None and item.done_note == "已联系"
    # another street's meeting: 404
    assert as_("street_jinhaihu").get(answer.url).status_code == 404


def test_matching_a_need_creates_a_project(as_, longtan_committee):
    client = as_("street_longtan")
    lists = f"/frontline/committees/{longtan_committee.pk}/lists/"
    unit = longtan_committee.members.exclude(unit=None).first().unit
    answer = client.post(
        lists,
        {
            "action": "resource",
            "unit": unit.pk,
            "category": "venue",
            "title": "单位会议室",
            "capacity": "40人",
            "latitude": "39.8800",
            "longitude": "116.4415",
        },
    )
    assert answer.status_code == 302
    room = Resource.objects.get(title="单位会议室")
    answer = client.post(
        lists,
        {
            "action": "need",
            "source": "community",
            "category": "venue",
            "title": "四点半课堂教室",
            "latitude": "39.8801",
            "longitude": "116.4416",
        },
    )
    need = ListNeed.objects.get(title="四点半课堂教室")
    assert answer.url == f"/frontline/list-needs/{need.pk}/"
    page = client.get(answer.url)
    assert page.context["suggestions"][0] == room  # nearest first
    owner = longtan_committee.members.filter(until=None).first()
    answer = client.post(
        f"/frontline/list-needs/{need.pk}/",
        {"resources": [room.pk], "title": "会议室做课堂", "owner": owner.pk},
    )
    project = Project.objects.get(title="会议室做课堂")
    assert answer.url == f"/frontline/projects/{project.pk}/"
    assert list(project.resources.all()) == [room] and project.need == need
    # the project goes on and is done with its result
    url = f"/frontline/projects/{project.pk}/"
    assert client.post(url, {"status": "running"}).status_code == 302
    empty = client.post(url, {"status": "done", "result": ""})
    assert empty.status_code == 200 and empty.context["form"].errors["result"]
    client.post(url, {"status": "done", "result": "每周三次"})
    project.refresh_from_db()
    assert (project.status, project.result) == ("done", "每周三次")
    assert client.get(url).context["closed"]
    assert client.get(lists).status_code == 200


def test_another_streets_resource_is_refused_and_nothing_saved(
    as_, longtan_committee, jinhaihu_committee
):
    need = ListNeed.objects.filter(committee=longtan_committee, category="venue").first()
    theirs = Resource.objects.filter(committee=jinhaihu_committee).first()
    ours = Resource.objects.filter(committee=longtan_committee, category="venue").first()
    owner = longtan_committee.members.filter(until=None).first()
    projects = Project.objects.count()
    answer = as_("street_longtan").post(
        f"/frontline/list-needs/{need.pk}/",
        {"resources": [ours.pk, theirs.pk], "title": "跨街道", "owner": owner.pk},
    )
    assert answer.status_code == 200
    assert answer.context["form"].errors["resources"]
    assert Project.objects.count() == projects
    # and another street's need is out of sight
    theirs_need = ListNeed.objects.filter(committee=jinhaihu_committee).first()
    assert as_("street_longtan").get(f"/frontline/list-needs/{theirs_need.pk}/").status_code == 404


def test_setting_up_a_committee_from_the_list(as_, demo, longtan):
    community = Community.objects.filter(street=longtan).exclude(
        pk__in=Committee.objects.exclude(community=None).values("community_id")
    )[0]
    client = as_("street_longtan")
    page = client.get("/frontline/committees/")
    assert f"community:{community.pk}" in dict(page.context["areas"])
    answer = client.post(
        "/frontline/committees/",
        {
            "area": f"community:{community.pk}",
            "name": f"{community.name}党建协调委员会",
            "director_name": "张委员",
            "director_title": "龙潭街道党工委委员",
            "director_from_above": "on",
        },
    )
    committee = Committee.objects.get(community=community)
    assert answer.url == f"/frontline/committees/{committee.pk}/"
    # the district's reviewer cannot set up anything, nor the departments
    assert as_("dept_dc_chengguan").post("/frontline/committees/", {}).status_code == 403


def _grow(committee, user, n):
    """More members, meetings (with follow-ups), needs, projects and exchanges."""
    units = list(cogovern._units_of_area(committee).values_list("unit_id", flat=True))
    from community.models import PartyUnit

    unit = PartyUnit.objects.get(pk=units[0])
    for i in range(n):
        member = cogovern.add_member(
            user, committee, organisation=f"组织{i}", representative=f"代表{i}"
        )
        cogovern.hold_meeting(
            user,
            committee,
            held_at=timezone.now() - timedelta(days=i + 1),
            agenda=f"议题{i}",
            present=[member],
            follow_ups=[(f"事项{i}", member, timezone.now() + timedelta(days=i + 1))],
        )
        resource = cogovern.list_resource(
            user, committee, unit=unit, category="funds", title=f"资金{i}"
        )
        need = cogovern.list_need(
            user, committee, source="community", category="funds", title=f"需求{i}"
        )
        cogovern.match_project(
            user, committee, need=need, resources=[resource], title=f"项目{i}", owner=member
        )
        cogovern.record_exchange(
            user,
            committee,
            unit=unit,
            direction="to_unit",
            is_service=True,
            held_on=timezone.localdate(),
            subject=f"服务{i}",
        )


def test_query_counts_do_not_grow_with_the_data(as_, demo, longtan_committee):
    urls = [
        "/frontline/committees/",
        f"/frontline/committees/{longtan_committee.pk}/",
        f"/frontline/committees/{longtan_committee.pk}/lists/",
        f"/frontline/meetings/{longtan_committee.meetings.first().pk}/",
    ]
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
    meetings, items = Meeting.objects.count(), FollowUp.objects.count()
    _grow(longtan_committee, demo["street_longtan"], 4)
    assert Meeting.objects.count() == meetings + 4 and FollowUp.objects.count() == items + 4
    assert counts() == before
    assert {c[2] for c in before} == {200}
