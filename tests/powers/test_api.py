"""The powers' API: every endpoint, its errors, and constant queries per list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Power
from accounts.models import (
    DispatchedAgency,
    District,
    PowerGrant,
    Station,
    StationedOfficer,
    Street,
    TimelineEvent,
)
from accounts.services import grant_power
from powers import services
from powers.models import (
    MajorMatter,
    OfficerAssessment,
    OfficerRecord,
    Opinion,
    PersonnelRecommendation,
    SupervisionOrder,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def test_stations_list_the_powers_the_caller_holds(api, streets, station):
    response = api("street_jinhaihu").get(f"{API}stations/", {"street": station.street_id})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 9
    assert all(set(r["powers"]) == {"coordinate_departments", "veto_department"} for r in rows)
    clerk = api("street_jinhaihu_clerk").get(f"{API}stations/{station.pk}/").json()
    assert clerk["powers"] == []
    # another district's station is not there at all
    longtan = Station.objects.filter(street=streets["龙潭街道"]).first()
    assert api("street_jinhaihu").get(f"{API}stations/{longtan.pk}/").status_code == 404
    assert api("street_jinhaihu").get(f"{API}stations/", {"street": 10**20}).status_code == 400


def test_agencies_and_officers(api, agency, officer):
    rows = api("street_jinhaihu").get(f"{API}agencies/", {"street": agency.street_id}).json()
    assert {r["name"] for r in rows["results"]} >= {"金海湖派出所"}
    assert all(r["powers"] == ["recommend_personnel"] for r in rows["results"])
    data = api("dept_pg_police").get(f"{API}officers/{officer.pk}/").json()
    assert data["powers"] == [] and data["name"] == officer.name


def test_grants_through_the_api(api, streets):
    binhe = streets["滨河街道"]
    response = api("district_pinggu").post(
        f"{API}power-grants/",
        {"street": binhe.pk, "power": "advise_major_matter", "note": "扩大试点"},
    )
    assert response.status_code == 201, response.content
    grant = response.json()
    assert grant["active"] and grant["granted_by"] == "district_pinggu"
    again = api("district_pinggu").post(
        f"{API}power-grants/", {"street": binhe.pk, "power": "advise_major_matter"}
    )
    assert again.status_code == 409
    # another district's street: 400 naming the field; not an administrator: 403
    foreign = api("district_dongcheng").post(
        f"{API}power-grants/", {"street": binhe.pk, "power": "veto_department"}
    )
    assert foreign.status_code == 400 and "street" in foreign.json()
    assert (
        api("street_jinhaihu")
        .post(f"{API}power-grants/", {"street": binhe.pk, "power": "veto_department"})
        .status_code
        == 403
    )
    revoke = f"{API}power-grants/{grant['id']}/revoke/"
    assert api("district_dongcheng").post(revoke, {"reason": "x"}).status_code == 404
    assert api("district_pinggu").post(revoke, {}).status_code == 400
    answer = api("district_pinggu").post(revoke, {"reason": "试点调整"})
    assert answer.status_code == 200 and answer.json()["active"] is False
    assert api("district_pinggu").post(revoke, {"reason": "again"}).status_code == 409
    detail = api("district_pinggu").get(f"{API}power-grants/{grant['id']}/").json()
    assert [e["type"] for e in detail["events"]] == ["power_granted", "power_revoked"]
    assert not PowerGrant.objects.filter(street=binhe, revoked_at=None).exists()


def test_supervision_orders_through_the_api(api, station, streets):
    url = f"{API}supervision-orders/"
    deadline = (timezone.now() + timedelta(hours=24)).isoformat()
    body = {"station": station.pk, "title": "清理渣土", "content": "限期清运", "deadline": deadline}
    created = api("street_jinhaihu").post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert created.status_code == 201, created.content
    replay = api("street_jinhaihu").post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert replay.json()["id"] == created.json()["id"]
    order = created.json()
    assert order["status"] == "open" and order["department_name"] == "平谷区城管执法局"
    # forged ids: another district's station, a station of the same district without the power
    for other in (
        Station.objects.filter(street=streets["龙潭街道"]).first(),
        Station.objects.filter(street=streets["滨河街道"]).first(),
    ):
        forged = api("street_jinhaihu").post(url, {**body, "station": other.pk}, format="json")
        assert forged.status_code == 400 and "station" in forged.json()
    for bad in (10**20, "x", None, True):
        forged = api("street_jinhaihu").post(url, {**body, "station": bad}, format="json")
        assert forged.status_code == 400 and "station" in forged.json(), bad
    for username in ("street_jinhaihu_clerk", "street_shuguang", "dept_pg_chengguan"):
        assert api(username).post(url, body, format="json").status_code == 403
    assert SupervisionOrder.objects.count() == 1

    answer = f"{url}{order['id']}/answer/"
    assert api("dept_pg_police").post(answer, {"reply": "x"}).status_code == 404  # not its order
    assert api("street_jinhaihu").post(answer, {"reply": "x"}).status_code == 403
    assert api("dept_dc_chengguan").post(answer, {"reply": "x"}).status_code == 404
    assert api("dept_pg_chengguan").post(answer, {}).status_code == 400
    answered = api("dept_pg_chengguan").post(answer, {"reply": "已清运"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert api("dept_pg_chengguan").post(answer, {"reply": "again"}).status_code == 409
    seen = api("street_jinhaihu").get(f"{url}{order['id']}/").json()
    assert seen["reply"] == "已清运"
    assert [e["type"] for e in seen["events"]] == ["order_issued", "order_answered"]
    assert api("street_jinhaihu").get(url, {"status": "answered"}).json()["count"] == 1
    assert api("street_jinhaihu").get(url, {"status": "open"}).json()["count"] == 0
    assert api("street_longtan").get(url).json()["count"] == 0


def test_major_matters_and_opinions_through_the_api(api, streets):
    jinhaihu = streets["金海湖镇"]
    body = {
        "district": District.objects.get(name="平谷区").pk,
        "title": "金海湖景区提升",
        "description": "征求意见",
        "streets": [jinhaihu.pk, streets["滨河街道"].pk],
        "opinions_until": (timezone.now() + timedelta(days=5)).isoformat(),
    }
    url = f"{API}major-matters/"
    assert api("street_jinhaihu").post(url, body, format="json").status_code == 403
    bad = api("district_pinggu").post(
        url, {**body, "streets": [streets["龙潭街道"].pk]}, format="json"
    )
    assert bad.status_code == 400 and "streets" in bad.json()
    city = api("district_pinggu").post(url, {**body, "district": None}, format="json")
    assert city.status_code == 403  # a city matter is the platform administrators'
    created = api("district_pinggu").post(url, body, format="json")
    assert created.status_code == 201, created.content
    matter = created.json()
    opinions = f"{url}{matter['id']}/opinions/"
    assert api("street_longtan").post(opinions, {"content": "x"}).status_code == 404
    assert api("street_jinhaihu_clerk").post(opinions, {"content": "x"}).status_code == 403
    assert api("street_jinhaihu").post(opinions, {}).status_code == 400
    opinion = api("street_jinhaihu").post(opinions, {"content": "建议增设停车场"})
    assert opinion.status_code == 201 and opinion.json()["street_name"] == "金海湖镇"
    answer = f"{API}opinions/{opinion.json()['id']}/answer/"
    assert api("street_jinhaihu").post(answer, {"answer": "x"}).status_code == 403
    assert api("district_dongcheng").post(answer, {"answer": "x"}).status_code == 404
    assert api("district_pinggu").post(answer, {"answer": "采纳"}).status_code == 200
    assert api("district_pinggu").post(answer, {"answer": "again"}).status_code == 409
    mine = api("street_jinhaihu").get(f"{API}opinions/").json()["results"]
    assert [o["answer"] for o in mine] == ["采纳"]
    assert api("street_longtan").get(url).json()["count"] == 0
    assert api("street_jinhaihu").get(f"{url}{matter['id']}/").json()["streets"] == body["streets"]


def test_personnel_recommendations_through_the_api(api, agency, streets):
    url = f"{API}personnel-recommendations/"
    body = {"agency": agency.pk, "action": "transfer", "reason": "配合不力"}
    other = DispatchedAgency.objects.filter(street=streets["龙潭街道"]).first()
    forged = api("street_jinhaihu").post(url, {**body, "agency": other.pk})
    assert forged.status_code == 400 and "agency" in forged.json()
    assert api("street_shuguang").post(url, body).status_code == 403
    bad = api("street_jinhaihu").post(url, {**body, "action": "fire"})
    assert bad.status_code == 400 and "action" in bad.json()
    created = api("street_jinhaihu").post(url, body)
    assert created.status_code == 201, created.content
    rec = created.json()
    assert rec["subject"] == agency.leader_name and rec["status"] == "open"
    answer = f"{url}{rec['id']}/answer/"
    assert (
        api("street_jinhaihu").post(answer, {"decision": "adopted", "reply": "x"}).status_code
        == 403
    )
    assert (
        api("dept_pg_police").post(answer, {"decision": "maybe", "reply": "x"}).status_code == 400
    )
    done = api("dept_pg_police").post(answer, {"decision": "partly", "reply": "调整分工"})
    assert done.status_code == 200 and done.json()["decision"] == "partly"
    assert PersonnelRecommendation.objects.count() == 1


def test_officer_records_and_assessments_through_the_api(api, officer, streets):
    records = f"{API}officer-records/"
    today = timezone.localdate().isoformat()
    created = api("street_jinhaihu").post(
        records, {"officer": officer.pk, "date": today, "kind": "attendance"}
    )
    assert created.status_code == 201, created.content
    other = StationedOfficer.objects.filter(street=streets["曙光街道"]).first()
    assert (
        api("street_shuguang")
        .post(records, {"officer": other.pk, "date": today, "kind": "attendance"})
        .status_code
        == 403
    )
    forged = api("street_jinhaihu").post(
        records, {"officer": other.pk, "date": today, "kind": "task"}
    )
    assert forged.status_code == 400 and "officer" in forged.json()
    assessments = f"{API}officer-assessments/"
    body = {"officer": officer.pk, "period": "2026-Q3", "score": "88.5", "grade": "competent"}
    assert api("street_jinhaihu").post(assessments, {**body, "score": 101}).status_code == 400
    assert api("street_jinhaihu").post(assessments, {**body, "period": "2026-7"}).status_code == 400
    assert api("street_jinhaihu").post(assessments, body).status_code == 201
    assert api("street_jinhaihu").post(assessments, body).status_code == 409
    # the officer's department sees them; another department of the district does not
    assert api("dept_pg_police").get(assessments).json()["count"] == 1
    assert api("dept_pg_chengguan").get(assessments).json()["count"] == 0
    assert api("dept_pg_police").get(records).json()["count"] == 1
    assert OfficerRecord.objects.count() == 1 and OfficerAssessment.objects.count() == 1


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()["count"]


def _make_power_objects(demo, streets, n, start=0):
    """n of each power object in 金海湖镇 (one user, so the counts compare the rows)."""
    user = demo["street_jinhaihu"]
    jinhaihu = streets["金海湖镇"]
    stations = list(Station.objects.filter(street=jinhaihu))
    agencies = list(DispatchedAgency.objects.filter(street=jinhaihu))
    officers = list(StationedOfficer.objects.filter(street=jinhaihu))
    pinggu = District.objects.get(name="平谷区")
    for i in range(start, start + n):
        services.issue_order(user, station=stations[i % len(stations)], title=f"t{i}", content="c")
        services.recommend_personnel(
            user, agency=agencies[i % len(agencies)], action="reward", subject="", reason="r"
        )
        services.record_officer(
            user, officer=officers[i % len(officers)], date=timezone.localdate(), kind="task"
        )
        services.assess_officer(
            user, officer=officers[i % len(officers)], period=f"{2000 + i // len(officers)}",
            score=80, grade="competent",
        )  # fmt: skip
        matter = services.publish_matter(
            demo["district_pinggu"], district=pinggu, title=f"m{i}", description="d",
            streets=[jinhaihu], opinions_until=timezone.now() + timedelta(days=1),
        )  # fmt: skip
        services.submit_opinion(user, matter, content="o")


@pytest.mark.parametrize(
    "path",
    [
        "supervision-orders/",
        "personnel-recommendations/",
        "officer-records/",
        "officer-assessments/",
        "major-matters/",
        "opinions/",
    ],
)
def test_power_lists_run_the_same_queries_for_1_and_50_rows(api, demo, streets, path, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 100}
    client = api("district_pinggu")
    _make_power_objects(demo, streets, 1)
    # whatever ran before: the caches of content types and permissions warmed up first
    client.get(API + path)
    one, count_one = _count(client, API + path)
    _make_power_objects(demo, streets, 49, start=1)
    many, count_many = _count(client, API + path)
    assert count_many > count_one
    assert many == one, f"{path}: {one} queries for {count_one} rows, {many} for {count_many}"


@pytest.mark.parametrize("path", ["stations/", "agencies/", "officers/"])
def test_governed_object_lists_run_the_same_queries_for_few_and_many_rows(api, path, streets):
    client = api("street_jinhaihu")
    client.get(API + path)  # caches of content types and permissions warmed up
    few, n_few = _count(client, API + path, {"street": streets["金海湖镇"].pk})
    many, n_many = _count(client, API + path)  # every street of 平谷区
    assert n_many > n_few
    assert few == many


def test_the_grants_list_runs_the_same_queries_for_few_and_many_grants(api, demo):
    client = api("district_pinggu")
    client.get(f"{API}power-grants/")
    few, n_few = _count(client, f"{API}power-grants/")
    for street in Street.objects.filter(district__name="平谷区").exclude(name="金海湖镇"):
        grant_power(demo["district_pinggu"], street, Power.VETO_DEPARTMENT)
    many, n_many = _count(client, f"{API}power-grants/")
    assert n_many > n_few and few == many


def test_timeline_events_of_the_powers_cannot_be_changed(demo, station):
    from django.db import IntegrityError, transaction

    services.issue_order(demo["street_jinhaihu"], station=station, title="t", content="c")
    event = TimelineEvent.objects.order_by("-id").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEvent.objects.filter(pk=event.pk).update(data={})
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEvent.objects.filter(pk=event.pk).delete()
    assert MajorMatter.objects.count() == 0 and Opinion.objects.count() == 0
    assert Street.objects.filter(pk=station.street_id).exists()
    assert Power.COORDINATE_DEPARTMENTS in PowerGrant.objects.filter(
        street_id=station.street_id
    ).values_list("power", flat=True)
