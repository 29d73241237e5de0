"""The evaluation endpoints of api-contract.md and the scores."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Department, District, Street
from dispatch import deadlines
from dispatch import services as loop
from evaluation import scoring, services
from evaluation.models import DepartmentScore, Evaluation

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture(autouse=True)
def _rescore_at_once(monkeypatch):
    monkeypatch.setattr(
        services,
        "_rescore_after_commit",
        lambda department_id, blown_at: scoring.recompute_for_whistle([department_id], blown_at),
    )


@pytest.fixture
def api(demo):
    def client(username):
        c = APIClient()
        c.force_authenticate(demo[username])
        return c

    return client


@pytest.fixture
def resolved(demo):
    """A resolved whistle of 金海湖镇: 平谷公安分局 on site after 10 minutes, 平谷区城管执法局
    never (overdue)."""

    def make(resolve=True):
        police = Department.objects.get(name="平谷公安分局")
        chengguan = Department.objects.get(name="平谷区城管执法局")
        whistle = loop.blow_whistle(
            demo["street_jinhaihu"],
            street=Street.objects.get(name="金海湖镇"),
            kind="emergency",
            category="fire",
            title="仓库起火",
            location="金海湖村",
            departments=[police, chengguan],
        )
        check_in = whistle.check_ins.get(department=police)
        with time_machine.travel(check_in.summoned_at + timedelta(minutes=10)):
            loop.arrive(demo["dept_pg_police"], check_in)
        if resolve:
            with time_machine.travel(whistle.blown_at + timedelta(minutes=45)):
                deadlines.sweep()
                whistle = loop.resolve(demo["street_jinhaihu"], whistle, summary="已扑灭")
        return whistle

    return make


BODY = {"response": 5, "cooperation": 4, "result": 5, "comment": "到场迅速"}


def _url(check_in):
    return f"{API}check-ins/{check_in.pk}/evaluation/"


def test_evaluating_a_check_in(api, resolved):
    whistle = resolved(resolve=False)
    police = whistle.check_ins.get(department__name="平谷公安分局")
    assert api("street_jinhaihu").post(_url(police), BODY, format="json").status_code == 409
    whistle = resolved()
    police = whistle.check_ins.get(department__name="平谷公安分局")
    chengguan = whistle.check_ins.get(department__name="平谷区城管执法局")
    answer = api("street_jinhaihu").post(
        _url(police), BODY, format="json", HTTP_IDEMPOTENCY_KEY="e-1"
    )
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert (data["timeliness"], data["check_in_seconds"], data["vetoed"]) == ("on_time", 600, False)
    replay = api("street_jinhaihu").post(
        _url(police), BODY, format="json", HTTP_IDEMPOTENCY_KEY="e-1"
    )
    assert replay.status_code == 201 and replay.json()["id"] == data["id"]
    assert api("street_jinhaihu").post(_url(police), BODY, format="json").status_code == 409
    # overdue check-ins are evaluated too
    overdue = api("street_jinhaihu").post(
        _url(chengguan),
        {**BODY, "response": 1, "veto": True, "veto_reason": "超时未到"},
        format="json",
    )
    assert overdue.status_code == 201
    assert overdue.json()["timeliness"] == "no_show"
    assert overdue.json()["veto_status"] == "pending"


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BODY, "response": 6}, "response"),
        ({**BODY, "cooperation": 0}, "cooperation"),
        ({**BODY, "result": "great"}, "result"),
        ({"response": 5, "cooperation": 5}, "result"),
        ({**BODY, "veto": True}, "veto_reason"),
        ({**BODY, "veto": True, "veto_reason": "  "}, "veto_reason"),
    ],
)
def test_bad_evaluations_are_400_and_save_nothing(api, resolved, body, field):
    police = resolved().check_ins.get(department__name="平谷公安分局")
    answer = api("street_jinhaihu").post(_url(police), body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    assert not Evaluation.objects.exists()


def test_who_may_evaluate(api, resolved):
    police = resolved().check_ins.get(department__name="平谷公安分局")
    for username, code in (
        ("street_jinhaihu_clerk", 403),
        ("dept_pg_police", 403),
        ("district_pinggu", 403),
        ("street_longtan", 404),
        ("street_shuguang", 404),
    ):
        assert api(username).post(_url(police), BODY, format="json").status_code == code, username
    assert (
        api("street_jinhaihu").post(f"{API}check-ins/{10**20}/evaluation/", BODY).status_code == 404
    )
    assert not Evaluation.objects.exists()


def test_a_veto_without_the_power_is_403(api, resolved, demo):
    from accounts.choices import Power
    from accounts.models import PowerGrant
    from accounts.services import revoke_power

    grant = PowerGrant.objects.get(
        street__name="金海湖镇", power=Power.VETO_DEPARTMENT, revoked_at=None
    )
    revoke_power(demo["district_pinggu"], grant, "")
    police = resolved().check_ins.get(department__name="平谷公安分局")
    answer = api("street_jinhaihu").post(
        _url(police), {**BODY, "veto": True, "veto_reason": "x"}, format="json"
    )
    assert answer.status_code == 403
    assert not Evaluation.objects.exists()


def test_veto_review(api, resolved):
    chengguan = resolved().check_ins.get(department__name="平谷区城管执法局")
    evaluation = (
        api("street_jinhaihu")
        .post(_url(chengguan), {**BODY, "veto": True, "veto_reason": "超时未到"}, format="json")
        .json()
    )
    url = f"{API}evaluations/{evaluation['id']}/veto-review/"
    assert api("district_dongcheng").post(url, {"upheld": True, "reason": "x"}).status_code == 404
    assert api("street_jinhaihu").post(url, {"upheld": True, "reason": "x"}).status_code == 403
    assert api("district_pinggu").post(url, {"upheld": True}).status_code == 400
    assert api("district_pinggu").post(url, {"upheld": "maybe", "reason": "x"}).status_code == 400
    done = api("district_pinggu").post(url, {"upheld": True, "reason": "情况属实"}, format="json")
    assert done.status_code == 200 and done.json()["veto_status"] == "upheld"
    assert api("district_pinggu").post(url, {"upheld": False, "reason": "x"}).status_code == 409
    assert api("dept_pg_chengguan").get(f"{API}evaluations/").json()["count"] == 1
    assert api("dept_pg_police").get(f"{API}evaluations/").json()["count"] == 0


def test_scores_of_a_district(api, resolved, demo):
    whistle = resolved()
    for check_in in whistle.check_ins.all():
        api("street_jinhaihu").post(_url(check_in), BODY, format="json")
    period = scoring.periods_of(whistle.blown_at)[0]
    pinggu = District.objects.get(name="平谷区")
    answer = api("district_pinggu").get(f"{API}scores/", {"district": pinggu.pk, "period": period})
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [r["department_name"] for r in rows] == ["平谷公安分局", "平谷区城管执法局"]
    police = rows[0]
    for key in (
        "department", "department_name", "score", "whistles", "on_time_rate",
        "check_in_seconds_p50", "check_in_seconds_p90", "overdue", "vetoes",
    ):  # fmt: skip
        assert key in police
    assert (police["whistles"], police["on_time_rate"], police["check_in_seconds_p90"]) == (
        1,
        "1.0000",
        600,
    )
    assert rows[1]["overdue"] == 1 and rows[1]["on_time_rate"] == "0.0000"
    # another district's reviewer gets nothing of it: 404 for the district
    assert (
        api("district_dongcheng").get(f"{API}scores/", {"district": pinggu.pk}).status_code == 404
    )
    assert api("district_dongcheng").get(f"{API}scores/", {"period": period}).json()["count"] == 0
    assert api("district_pinggu").get(f"{API}scores/", {"period": "2026-13"}).status_code == 400
    assert api("district_pinggu").get(f"{API}scores/", {"period": period + "\n"}).status_code == 400
    assert api("district_pinggu").get(f"{API}scores/", {"district": "x"}).status_code == 400
    assert api("district_pinggu").get(f"{API}scores/", {"district": 10**20}).status_code == 400
    for p in (period[:4], f"{period[:4]}-Q4"):
        assert api("district_pinggu").get(f"{API}scores/", {"period": p}).json()["count"] == 2
    # a department sees its own
    own = api("dept_pg_police").get(f"{API}scores/", {"period": period}).json()["results"]
    assert [r["department_name"] for r in own] == ["平谷公安分局"]


def test_adjust_and_confirm_through_the_api(api, resolved):
    whistle = resolved()
    for check_in in whistle.check_ins.all():
        api("street_jinhaihu").post(_url(check_in), BODY, format="json")
    score = DepartmentScore.objects.get(
        department__name="平谷公安分局", period=scoring.periods_of(whistle.blown_at)[0]
    )
    url = f"{API}scores/{score.pk}/adjust/"
    assert (
        api("street_jinhaihu").post(url, {"adjusted_score": 90, "reason": "x"}).status_code == 403
    )
    assert (
        api("district_dongcheng").post(url, {"adjusted_score": 90, "reason": "x"}).status_code
        == 404
    )
    assert (
        api("district_pinggu").post(url, {"adjusted_score": "NaN", "reason": "x"}).status_code
        == 400
    )
    assert (
        api("district_pinggu").post(url, {"adjusted_score": 100.5, "reason": "x"}).status_code
        == 400
    )
    done = api("district_pinggu").post(url, {"adjusted_score": "88", "reason": "酌情调整"})
    assert done.status_code == 200
    assert (done.json()["score"], done.json()["final_score"]) == (str(score.score), "88.00")
    confirm = f"{API}scores/confirm/"
    body = {"district": score.district_id, "period": score.period}
    assert api("street_jinhaihu").post(confirm, body).status_code == 403
    # the district, named in the body, is outside 东城区's scope: 400 naming the field
    refused = api("district_dongcheng").post(confirm, body)
    assert refused.status_code == 400 and "district" in refused.json()
    assert api("district_pinggu").post(confirm, {**body, "period": "soon"}).status_code == 400
    for bad in ([1], "x", {"district": "x", "period": score.period}):
        assert api("district_pinggu").post(confirm, bad, format="json").status_code == 400
    assert api("district_pinggu").post(confirm, body).json() == {"confirmed": 2}
    assert api("district_pinggu").post(confirm, body).status_code == 409
    assert (
        api("district_pinggu").post(url, {"adjusted_score": 70, "reason": "x"}).status_code == 409
    )


def test_scores_and_evaluations_lists_run_the_same_queries_for_few_and_many(api, resolved):
    client = api("district_pinggu")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def make():
        whistle = resolved()
        for check_in in whistle.check_ins.all():
            api("street_jinhaihu").post(
                _url(check_in), {**BODY, "veto": True, "veto_reason": "x"}, format="json"
            )
        return whistle

    whistle = make()
    period = scoring.periods_of(whistle.blown_at)[0]
    urls = [
        f"{API}evaluations/",
        f"{API}scores/?period={period}",
        f"{API}scores/?period={period[:4]}",
    ]
    for url in urls:
        count(url)
    few = [count(u) for u in urls]
    for _ in range(5):
        make()
    assert [count(u) for u in urls] == few
    assert Evaluation.objects.count() == 12
