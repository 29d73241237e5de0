"""The evaluation pages as the street's committee, the district's reviewers and the
departments use them: evaluate a resolved whistle, veto, review vetoes, rank, adjust, confirm,
export."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Power
from accounts.models import Department, District, PowerGrant
from accounts.services import revoke_power
from dispatch.models import CheckIn
from evaluation import scoring, services
from evaluation.models import DepartmentScore, Evaluation

RATINGS = {"response": "5", "cooperation": "4", "result": "4"}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def page_of(whistle):
    return f"/evaluation/whistles/{whistle.pk}/"


def check_in_of(whistle, name):
    return CheckIn.objects.get(whistle=whistle, department__name=name)


def evaluate(demo, whistle, name, veto=False, comment="到场及时，配合良好"):
    return services.evaluate(
        demo["street_jinhaihu"],
        check_in_of(whistle, name),
        response=4,
        cooperation=4,
        result=5,
        comment=comment,
        veto=veto,
        veto_reason="拒不配合联合执法" if veto else "",
    )


def month_of(whistle):
    return scoring.periods_of(whistle.blown_at)[0]


def pinggu():
    return District.objects.get(name="平谷区")


@pytest.fixture
def scored(demo, resolved):
    """A resolved whistle with its three departments evaluated (公安 vetoed), scores computed."""
    whistle = resolved()
    evaluate(demo, whistle, "平谷区城管执法局", comment="十二分钟到场，处置得力")
    evaluate(demo, whistle, "平谷公安分局", veto=True, comment="始终未到场")
    evaluate(demo, whistle, "平谷区规划国土")
    scoring.recompute_all([month_of(whistle)])
    return whistle


def previous_months(month, count):
    year, number = int(month[:4]), int(month[5:])
    codes = []
    for _i in range(count):
        number -= 1
        if number == 0:
            year, number = year - 1, 12
        codes.append(f"{year}-{number:02d}")
    return codes


def fake_score(department, period, score="88.00"):
    return DepartmentScore.objects.create(
        department=department,
        district=department.district,
        period=period,
        whistles=1,
        check_ins=1,
        timed=1,
        on_time=1,
        overdue=0,
        rated=0,
        lapsed=0,
        vetoes=0,
        score=Decimal(score),
        computed_at=timezone.now(),
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(ctx.captured_queries)


# --- the whistle's evaluation page -------------------------------------------------------------


@pytest.mark.django_db
def test_the_committee_gets_a_form_per_department_with_timeliness_in_words(demo, resolved):
    whistle = resolved()
    page = signed_in(demo["street_jinhaihu"]).get(page_of(whistle))
    assert page.status_code == 200
    text = page.text
    assert whistle.number in text and whistle.title in text
    assert "准时到场 12 分钟" in text
    assert "迟到 8 分钟" in text
    assert "未到场（超时）" in text
    for check_in in whistle.check_ins.all():
        assert f'action="/evaluation/check-ins/{check_in.pk}/"' in text
    assert text.count('type="radio"') == 3 * 3 * 5
    assert 'name="veto"' in text  # 金海湖镇 holds the veto (否决权)
    window = whistle.evaluation_window
    assert timezone.localtime(window.deadline).strftime("%Y-%m-%d %H:%M") in text


@pytest.mark.django_db
def test_the_whistle_page_links_to_the_evaluation_once_resolved(demo, blow, resolved):
    client = signed_in(demo["street_jinhaihu"])
    open_whistle = blow()
    assert page_of(open_whistle) not in client.get(f"/whistles/{open_whistle.pk}/").text
    whistle = resolved()
    assert page_of(whistle) in client.get(f"/whistles/{whistle.pk}/").text


@pytest.mark.django_db
def test_a_clerk_sees_no_form_and_may_not_post(demo, resolved):
    whistle = resolved()
    clerk = signed_in(demo["street_jinhaihu_clerk"])
    page = clerk.get(page_of(whistle))
    assert page.status_code == 200 and "准时到场 12 分钟" in page.text
    assert "/evaluation/check-ins/" not in page.text
    check_in = check_in_of(whistle, "平谷区城管执法局")
    assert clerk.post(f"/evaluation/check-ins/{check_in.pk}/", RATINGS).status_code == 403
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_other_streets_do_not_find_the_whistle(demo, resolved):
    whistle = resolved()
    check_in = check_in_of(whistle, "平谷区城管执法局")
    for name in ("street_longtan", "street_shuguang"):
        client = signed_in(demo[name])
        assert client.get(page_of(whistle)).status_code == 404
        assert client.post(f"/evaluation/check-ins/{check_in.pk}/", RATINGS).status_code == 404
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_evaluating_without_a_veto(demo, resolved):
    whistle = resolved()
    check_in = check_in_of(whistle, "平谷区城管执法局")
    client = signed_in(demo["street_jinhaihu"])
    answer = client.post(
        f"/evaluation/check-ins/{check_in.pk}/", {**RATINGS, "comment": "处置得力"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"{page_of(whistle)}#check-in-{check_in.pk}"
    evaluation = Evaluation.objects.get(check_in=check_in)
    assert (evaluation.response, evaluation.cooperation, evaluation.result) == (5, 4, 4)
    assert evaluation.veto_status == "" and evaluation.timeliness == "on_time"
    page = client.get(answer["Location"])
    assert "平谷区城管执法局" in page.text and "处置得力" in page.text
    assert "已评价" in page.text  # the success message
    assert f'action="/evaluation/check-ins/{check_in.pk}/"' not in page.text


@pytest.mark.django_db
def test_evaluating_with_a_veto_needs_a_reason_and_the_power(demo, resolved):
    whistle = resolved()
    check_in = check_in_of(whistle, "平谷公安分局")
    client = signed_in(demo["street_jinhaihu"])
    url = f"/evaluation/check-ins/{check_in.pk}/"
    page = client.post(url, {**RATINGS, "veto": "on", "veto_reason": ""})
    assert page.status_code == 200 and "否决须说明理由" in page.text
    assert not Evaluation.objects.exists()
    answer = client.post(url, {**RATINGS, "veto": "on", "veto_reason": "拒不到场"})
    assert answer.status_code == 302
    evaluation = Evaluation.objects.get(check_in=check_in)
    assert evaluation.veto_status == "pending" and evaluation.veto_reason == "拒不到场"
    assert evaluation.timeliness == "no_show"


@pytest.mark.django_db
def test_a_veto_without_the_power_is_refused(demo, resolved):
    whistle = resolved()
    grant = PowerGrant.objects.get(
        street__name="金海湖镇", power=Power.VETO_DEPARTMENT, revoked_at=None
    )
    revoke_power(demo["district_pinggu"], grant, "试点结束")
    check_in = check_in_of(whistle, "平谷公安分局")
    client = signed_in(demo["street_jinhaihu"])
    assert 'name="veto"' not in client.get(page_of(whistle)).text
    answer = client.post(
        f"/evaluation/check-ins/{check_in.pk}/",
        {**RATINGS, "veto": "on", "veto_reason": "拒不到场"},
    )
    assert answer.status_code == 403
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_a_bad_rating_shows_the_error_by_the_form_and_keeps_the_input(demo, resolved):
    whistle = resolved()
    check_in = check_in_of(whistle, "平谷区城管执法局")
    page = signed_in(demo["street_jinhaihu"]).post(
        f"/evaluation/check-ins/{check_in.pk}/",
        {"response": "7", "cooperation": "4", "result": "3", "comment": "桥洞积水处置及时"},
    )
    assert page.status_code == 200
    text = page.text
    assert "请给出 1 至 5 分的评分" in text
    assert "桥洞积水处置及时" in text  # the comment typed is kept
    checked = re.findall(r'<input type="radio" name="(\w+)" value="(\d)"[^>]* checked', text)
    assert checked == [("cooperation", "4"), ("result", "3")]  # so are the other ratings
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_evaluating_twice_says_so(demo, resolved):
    whistle = resolved()
    evaluate(demo, whistle, "平谷区城管执法局")
    check_in = check_in_of(whistle, "平谷区城管执法局")
    client = signed_in(demo["street_jinhaihu"])
    answer = client.post(f"/evaluation/check-ins/{check_in.pk}/", RATINGS, follow=True)
    assert answer.redirect_chain[0][1] == 302
    assert "已评价过" in answer.text
    assert Evaluation.objects.filter(check_in=check_in).count() == 1


@pytest.mark.django_db
def test_an_open_whistle_is_not_evaluated_yet(demo, blow):
    whistle = blow()
    client = signed_in(demo["street_jinhaihu"])
    page = client.get(page_of(whistle))
    assert page.status_code == 200 and "/evaluation/check-ins/" not in page.text
    check_in = whistle.check_ins.first()
    answer = client.post(f"/evaluation/check-ins/{check_in.pk}/", RATINGS, follow=True)
    assert answer.redirect_chain and "吹哨办结后方可评价部门" in answer.text
    assert not Evaluation.objects.exists()


# --- vetoes --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_district_reviews_a_veto(demo, resolved):
    whistle = resolved()
    evaluation = evaluate(demo, whistle, "平谷公安分局", veto=True)
    reviewer = signed_in(demo["district_pinggu"])
    page = reviewer.get("/evaluation/vetoes/")
    assert page.status_code == 200
    assert "拒不配合联合执法" in page.text
    url = f"/evaluation/evaluations/{evaluation.pk}/veto-review/"
    assert f'action="{url}"' in page.text

    answer = reviewer.post(url, {"decision": "uphold", "reason": ""}, follow=True)
    assert answer.redirect_chain[0][1] == 302 and "请说明复核理由" in answer.text
    evaluation.refresh_from_db()
    assert evaluation.veto_status == "pending"

    answer = reviewer.post(url, {"decision": "uphold", "reason": "经核实属实"})
    assert answer.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.veto_status == "upheld" and evaluation.veto_review_reason == "经核实属实"

    again = reviewer.post(url, {"decision": "overturn", "reason": "重新考虑"}, follow=True)
    assert "没有待复核的否决" in again.text
    evaluation.refresh_from_db()
    assert evaluation.veto_status == "upheld"


@pytest.mark.django_db
def test_only_the_district_reviews_vetoes(demo, resolved):
    whistle = resolved()
    evaluation = evaluate(demo, whistle, "平谷公安分局", veto=True)
    url = f"/evaluation/evaluations/{evaluation.pk}/veto-review/"
    data = {"decision": "overturn", "reason": "理由不足"}
    assert signed_in(demo["district_dongcheng"]).post(url, data).status_code == 404
    street = signed_in(demo["street_jinhaihu"])
    assert street.post(url, data).status_code == 403
    page = street.get("/evaluation/vetoes/")
    assert "拒不配合联合执法" in page.text and f'action="{url}"' not in page.text
    evaluation.refresh_from_db()
    assert evaluation.veto_status == "pending"
    for name in ("district_dongcheng", "dept_pg_chengguan", "hotline_operator", "street_longtan"):
        assert signed_in(demo[name]).get("/evaluation/vetoes/").status_code == 200
    assert (
        "拒不配合联合执法"
        not in signed_in(demo["district_dongcheng"]).get("/evaluation/vetoes/").text
    )


@pytest.mark.django_db
def test_pending_vetoes_come_first(demo, resolved):
    first = resolved("第一哨")
    second = resolved("第二哨")
    reviewed = evaluate(demo, first, "平谷公安分局", veto=True)
    services.review_veto(demo["district_pinggu"], reviewed, upheld=False, reason="情况特殊")
    evaluate(demo, second, "平谷公安分局", veto=True)
    text = signed_in(demo["district_pinggu"]).get("/evaluation/vetoes/").text
    assert text.index(second.number) < text.index(first.number)


# --- scores --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_district_sees_the_ranking_with_every_component_and_the_trend(demo, scored):
    page = signed_in(demo["district_pinggu"]).get(f"/evaluation/scores/?period={month_of(scored)}")
    assert page.status_code == 200
    text = page.text
    scores = {s.department.name: s for s in DepartmentScore.objects.filter(period=month_of(scored))}
    assert set(scores) == {"平谷区城管执法局", "平谷公安分局", "平谷区规划国土"}
    # ranked by final score: 城管 (on time) before 规划 (late) before 公安 (absent, vetoed)
    assert (
        text.index("平谷区城管执法局") < text.index("平谷区规划国土") < text.index("平谷公安分局")
    )
    for score in scores.values():
        assert f'href="/evaluation/scores/{score.pk}/"' in text
        assert str(score.score) in text
    assert "100.0%" in text  # 城管's on-time rate
    assert "12.0 / 12.0" in text  # its time to check in, minutes
    assert "<svg" in text and "<circle" in text  # the trend: one month of data so far
    assert "40 ×" in text and "45 ×" in text  # how the score is computed, with the weights
    assert 'action="/evaluation/scores/confirm/"' in text
    assert "format=xlsx" in text and "format=csv" in text


@pytest.mark.django_db
def test_departments_summoned_too_rarely_are_listed_but_not_ranked(demo, scored, settings):
    """One summons each in the period: below the minimum volume (3 by default), no rank; once
    the district's minimum is 1, the same rows are ranked 1, 2, 3 (page and export)."""
    url = f"/evaluation/scores/?period={month_of(scored)}"
    client = signed_in(demo["district_pinggu"])
    text = client.get(url).text
    ranks = re.findall(r'<tr id="score-\d+">\s*<td class="num">(.*?)</td>', text, re.S)
    assert len(ranks) == 3 and all("—" in r for r in ranks)
    assert "Not ranked" in text or "未排名" in text
    assert (
        text.index("平谷区城管执法局") < text.index("平谷区规划国土") < text.index("平谷公安分局")
    )
    export = client.get(f"/evaluation/scores/export/?period={month_of(scored)}&format=csv")
    assert [line.split(",")[0] for line in export.content.decode("utf-8-sig").splitlines()[1:]] == [
        "",
        "",
        "",
    ]

    settings.EVALUATION_RANK_MIN_CHECK_INS = 1
    text = client.get(url).text
    ranks = re.findall(r'<tr id="score-\d+">\s*<td class="num">(.*?)</td>', text, re.S)
    assert ranks == ["1", "2", "3"]


@pytest.mark.django_db
def test_the_ranked_departments_come_first_and_the_rarely_summoned_after_them(demo):
    """A higher score summoned once comes after lower scores summoned often enough."""
    names = ["平谷区城管执法局", "平谷公安分局", "平谷区规划国土"]
    departments = {d.name: d for d in Department.objects.filter(name__in=names)}
    for name, score, check_ins in zip(names, ["95.00", "80.00", "70.00"], [1, 5, 3], strict=True):
        DepartmentScore.objects.filter(
            pk=fake_score(departments[name], "2026-05", score).pk
        ).update(check_ins=check_ins)
    text = signed_in(demo["district_pinggu"]).get("/evaluation/scores/?period=2026-05").text
    ranks = re.findall(r'<tr id="score-\d+">\s*<td class="num">(.*?)</td>', text, re.S)
    assert ranks[:2] == ["1", "2"] and "—" in ranks[2]
    assert (
        text.index("平谷公安分局") < text.index("平谷区规划国土") < text.index("平谷区城管执法局")
    )


@pytest.mark.django_db
def test_scores_default_to_this_month_and_the_home_district(demo, scored):
    page = signed_in(demo["district_pinggu"]).get("/evaluation/scores/")
    assert page.status_code == 200
    assert page.context["district"] == pinggu()
    assert page.context["period"] == scoring.periods_of(timezone.now())[0]


@pytest.mark.django_db
def test_a_bad_period_or_district_is_a_form_error_and_another_district_is_not_found(demo, scored):
    client = signed_in(demo["district_pinggu"])
    page = client.get("/evaluation/scores/?period=2025-13")
    assert page.status_code == 200 and "YYYY-MM" in page.text
    page = client.get("/evaluation/scores/?district=abc")
    assert page.status_code == 200 and page.context["errors"]["district"]
    dongcheng = signed_in(demo["district_dongcheng"])
    assert dongcheng.get(f"/evaluation/scores/?district={pinggu().pk}").status_code == 404
    answer = dongcheng.get(f"/evaluation/scores/export/?district={pinggu().pk}&format=csv")
    assert answer.status_code == 404
    # 东城区's own page shows none of 平谷区's scores
    assert "平谷区城管执法局" not in dongcheng.get("/evaluation/scores/").text


@pytest.mark.django_db
def test_the_drill_down_shows_the_formula_the_whistles_and_the_comments(demo, scored):
    score = DepartmentScore.objects.get(
        department__name="平谷区城管执法局", period=month_of(scored)
    )
    page = signed_in(demo["district_pinggu"]).get(f"/evaluation/scores/{score.pk}/")
    assert page.status_code == 200
    text = page.text
    assert scored.number in text and scored.title in text
    assert f'href="/whistles/{scored.pk}/"' in text
    assert "十二分钟到场，处置得力" in text
    assert "准时到场 12 分钟" in text
    assert "40 × 1.0000" in text  # the on-time step
    assert str(score.score) in text
    assert 'action="/evaluation/scores/' in text and "/adjust/" in text


@pytest.mark.django_db
def test_adjust_needs_a_reason_then_confirm_locks(demo, scored):
    score = DepartmentScore.objects.get(department__name="平谷公安分局", period=month_of(scored))
    reviewer = signed_in(demo["district_pinggu"])
    url = f"/evaluation/scores/{score.pk}/adjust/"
    page = reviewer.post(url, {"adjusted_score": "60", "reason": ""})
    assert page.status_code == 200 and "请说明调整理由" in page.text
    assert 'value="60"' in page.text
    score.refresh_from_db()
    assert score.adjusted_score is None

    page = reviewer.post(url, {"adjusted_score": "101", "reason": "x"})
    assert page.status_code == 200
    answer = reviewer.post(url, {"adjusted_score": "60", "reason": "当日暴雨封路，情有可原"})
    assert answer.status_code == 302 and answer["Location"] == f"/evaluation/scores/{score.pk}/"
    score.refresh_from_db()
    assert score.adjusted_score == Decimal("60.00") and score.score != score.adjusted_score
    detail = reviewer.get(answer["Location"]).text
    assert "当日暴雨封路，情有可原" in detail and "60.00" in detail

    street = signed_in(demo["street_jinhaihu"])
    assert street.post(url, {"adjusted_score": "90", "reason": "x"}).status_code == 403
    data = {"district": pinggu().pk, "period": month_of(scored)}
    assert street.post("/evaluation/scores/confirm/", data).status_code == 403

    answer = reviewer.post("/evaluation/scores/confirm/", data, follow=True)
    assert answer.redirect_chain[0][1] == 302
    assert "已确认" in answer.text
    assert not DepartmentScore.objects.filter(confirmed_at=None).filter(period=data["period"])
    again = reviewer.post("/evaluation/scores/confirm/", data, follow=True)
    assert "没有可确认" in again.text

    answer = reviewer.post(url, {"adjusted_score": "70", "reason": "再调"}, follow=True)
    assert answer.redirect_chain[0][1] == 302 and "已确认并锁定" in answer.text
    score.refresh_from_db()
    assert score.adjusted_score == Decimal("60.00")
    assert 'action="/evaluation/scores/' not in reviewer.get(f"/evaluation/scores/{score.pk}/").text


@pytest.mark.django_db
def test_export_as_csv_and_xlsx(demo, scored):
    client = signed_in(demo["district_pinggu"])
    query = f"district={pinggu().pk}&period={month_of(scored)}"
    chengguan = DepartmentScore.objects.get(
        department__name="平谷区城管执法局", period=month_of(scored)
    )
    services.adjust_score(
        demo["district_pinggu"], chengguan, adjusted_score="95", reason='=HYPERLINK("x")'
    )
    answer = client.get(f"/evaluation/scores/export/?{query}&format=csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    content = answer.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:])))
    assert rows[0][:4] == ["排名", "部门", "最终得分", "计算得分"]
    assert [r[1] for r in rows[1:]] == ["平谷区城管执法局", "平谷区规划国土", "平谷公安分局"]
    police = DepartmentScore.objects.get(department__name="平谷公安分局", period=month_of(scored))
    assert rows[3][3] == str(police.score) and rows[3][rows[0].index("否决次数")] == "1"
    assert rows[1][2:6] == ["95.00", str(chengguan.score), "是", '\'=HYPERLINK("x")']

    answer = client.get(f"/evaluation/scores/export/?{query}&format=xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = list(sheet.values)
    assert values[0] == tuple(rows[0])
    assert [v[1] for v in values[1:]] == ["平谷区城管执法局", "平谷区规划国土", "平谷公安分局"]
    assert values[3][3] == float(police.score)
    assert values[1][2] == 95.0 and values[1][5] == '=HYPERLINK("x")'
    assert sheet.cell(row=2, column=6).data_type == "s"  # text, not a formula

    assert client.get(f"/evaluation/scores/export/?{query}&format=pdf").status_code == 400
    bad = client.get("/evaluation/scores/export/?period=nope&format=csv")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_a_department_sees_only_its_own_score_and_the_comments_on_it(demo, scored):
    client = signed_in(demo["dept_pg_police"])
    page = client.get(f"/evaluation/scores/?period={month_of(scored)}")
    assert page.status_code == 200
    assert [r.department.name for r in page.context["rows"]] == ["平谷公安分局"]
    own = DepartmentScore.objects.get(department__name="平谷公安分局", period=month_of(scored))
    other = DepartmentScore.objects.get(
        department__name="平谷区城管执法局", period=month_of(scored)
    )
    detail = client.get(f"/evaluation/scores/{own.pk}/")
    assert detail.status_code == 200 and "始终未到场" in detail.text
    assert "/adjust/" not in detail.text
    assert client.get(f"/evaluation/scores/{other.pk}/").status_code == 404
    assert client.post(f"/evaluation/scores/{own.pk}/adjust/", {}).status_code == 403


# --- the same number of queries for few and many rows ---------------------------------------


@pytest.mark.django_db
def test_the_pages_run_the_same_queries_for_few_and_many_rows(demo, resolved):
    reviewer = signed_in(demo["district_pinggu"])
    street = signed_in(demo["street_jinhaihu"])
    first = resolved("第一哨", late=False)
    evaluate(demo, first, "平谷公安分局", veto=True)
    month = month_of(first)
    scoring.recompute_all([month])
    chengguan = DepartmentScore.objects.get(department__name="平谷区城管执法局", period=month)
    urls = {
        "whistle": (street, page_of(first)),
        "vetoes": (reviewer, "/evaluation/vetoes/"),
        "scores": (reviewer, f"/evaluation/scores/?period={month}"),
        "score": (reviewer, f"/evaluation/scores/{chengguan.pk}/"),
    }
    few = {name: count_queries(client, url) for name, (client, url) in urls.items()}

    for n in range(3):
        whistle = resolved(f"第{n + 2}哨")
        for name in ("平谷区城管执法局", "平谷公安分局", "平谷区规划国土"):
            evaluate(demo, whistle, name, veto=name == "平谷公安分局")
    scoring.recompute_all([month])
    # more departments in the ranking, and earlier months in the trend (not from whistles: the
    # recompute above would remove them, so they are written after it)
    others = list(
        Department.objects.filter(district=pinggu()).exclude(
            name__in=["平谷区城管执法局", "平谷公安分局", "平谷区规划国土"]
        )[:4]
    )
    for department in others:
        fake_score(department, month)
    for code in previous_months(month, 3):
        for department in (chengguan.department, others[0]):
            fake_score(department, code)
    many = {name: count_queries(client, url) for name, (client, url) in urls.items()}
    assert DepartmentScore.objects.filter(period=month).count() >= 7
    assert Evaluation.objects.exclude(veto_status="").count() == 4
    assert many == few
    trend = reviewer.get(f"/evaluation/scores/?period={month}").text
    assert trend.count("<polyline") == 2  # 城管 and another over four months


@pytest.mark.django_db
def test_the_whistle_page_runs_the_same_queries_for_two_and_three_departments(demo, resolved):
    client = signed_in(demo["street_jinhaihu"])
    two = count_queries(client, page_of(resolved("两个部门", late=False)))
    three = count_queries(client, page_of(resolved("三个部门")))
    assert two == three


@pytest.mark.django_db
def test_the_header_offers_the_scores_to_people_with_a_role(demo):
    assert "/evaluation/scores/" in signed_in(demo["district_pinggu"]).get("/whistles/").text
    assert "/evaluation/scores/" in signed_in(demo["dept_pg_police"]).get("/whistles/").text
