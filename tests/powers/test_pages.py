"""The powers' pages, as the street committee, the department's dispatcher and the district
administrator use them (the `streets`, `station`, `agency` and `officer` fixtures are in
conftest.py: 金海湖镇 and its objects)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.choices import Power
from accounts.grants import holds_power
from accounts.models import PowerGrant, Station, StationedOfficer, Street
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


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def as_user(demo):
    return lambda username: signed_in(demo[username])


@pytest.fixture
def order(demo, station):
    return services.issue_order(
        demo["street_jinhaihu"], station=station, title="清理河道垃圾", content="三日内清理完毕"
    )


@pytest.fixture
def matter(demo, streets):
    return services.publish_matter(
        demo["district_pinggu"],
        district=streets["金海湖镇"].district,
        title="金海湖景区改造",
        description="景区道路与停车场改造方案",
        streets=[streets["金海湖镇"]],
        opinions_until=timezone.now() + timedelta(days=5),
    )


# --- every page renders for the right person ----------------------------------------------


@pytest.mark.parametrize(
    "username",
    [
        "street_jinhaihu",
        "street_jinhaihu_clerk",
        "street_shuguang",
        "dept_pg_chengguan",
        "district_pinggu",
        "hotline_operator",
        "admin",
    ],
)
def test_the_hub_answers_everyone_signed_in(as_user, username):
    page = as_user(username).get(reverse("powers:index"))
    assert page.status_code == 200
    assert reverse("powers:orders") in page.text


def test_the_hub_of_the_committee_shows_its_powers_and_what_to_act_on(
    as_user, station, agency, officer, order, matter
):
    page = as_user("street_jinhaihu").get(reverse("powers:index"))
    text = page.text
    for power in Power:
        assert str(power.label) in text
    assert reverse("powers:station", args=[station.pk]) in text
    assert reverse("powers:agency", args=[agency.pk]) in text
    assert reverse("powers:officer", args=[officer.pk]) in text
    assert reverse("powers:order", args=[order.pk]) in text
    assert "金海湖景区改造" in text  # a matter awaiting the committee's opinion


def test_the_hub_of_the_dispatcher_and_of_the_district(as_user, order, matter):
    dispatcher = as_user("dept_pg_chengguan").get(reverse("powers:index")).text
    assert "清理河道垃圾" in dispatcher
    district = as_user("district_pinggu").get(reverse("powers:index")).text
    assert reverse("powers:grants") in district
    assert reverse("powers:matter-new") in district
    assert "金海湖景区改造" in district
    # the police did not receive the order
    assert "清理河道垃圾" not in as_user("dept_pg_police").get(reverse("powers:index")).text


def test_the_hub_explains_itself_to_someone_with_nothing_to_do(as_user):
    page = as_user("hotline_operator").get(reverse("powers:index"))
    with translation.override("zh-hans"):
        assert translation.gettext("Nothing for you to do here") in page.text


def test_the_nav_offers_the_powers_to_their_users_only(as_user):
    link = f'href="{reverse("powers:index")}"'
    assert link in as_user("street_jinhaihu").get(reverse("home")).text
    assert link in as_user("district_pinggu").get(reverse("home")).text
    assert link not in as_user("hotline_operator").get(reverse("home")).text


def test_the_lists_render(as_user, order, matter, agency, demo):
    services.recommend_personnel(
        demo["street_jinhaihu"], agency=agency, action="reward", subject="", reason="破案有功"
    )
    client = as_user("street_jinhaihu")
    assert "清理河道垃圾" in client.get(reverse("powers:orders")).text
    assert "金海湖景区改造" in client.get(reverse("powers:matters")).text
    assert agency.leader_name in client.get(reverse("powers:recommendations")).text
    officers = client.get(reverse("powers:officers"))
    assert officers.status_code == 200
    assert StationedOfficer.objects.filter(street__name="金海湖镇").first().name in officers.text


def test_the_street_page_links_to_the_powers_pages(as_user, streets, station, agency, officer):
    text = as_user("street_jinhaihu").get(reverse("org:street", args=[streets["金海湖镇"].pk])).text
    assert reverse("powers:station", args=[station.pk]) in text
    assert reverse("powers:agency", args=[agency.pk]) in text
    assert reverse("powers:officer", args=[officer.pk]) in text


# --- 督办: the street orders, the department answers, the street sees the answer --------------


def test_an_order_from_the_station_page_answered_by_the_department(as_user, station):
    street = as_user("street_jinhaihu")
    page = street.get(reverse("powers:station", args=[station.pk]))
    assert page.status_code == 200
    assert station.duty_contact in page.text
    assert 'type="datetime-local"' in page.text
    deadline = timezone.now() + timedelta(hours=48)
    sent = street.post(
        reverse("powers:station", args=[station.pk]),
        {"title": "拆除违建", "content": "将军关村北侧违建限期拆除", "deadline": local(deadline)},
    )
    order = SupervisionOrder.objects.get()
    assert sent.status_code == 302 and sent.url == reverse("powers:order", args=[order.pk])
    assert order.department == station.department
    assert abs((order.deadline - deadline).total_seconds()) < 60

    dispatcher = as_user("dept_pg_chengguan")
    detail = dispatcher.get(reverse("powers:order", args=[order.pk]))
    assert detail.status_code == 200 and 'name="reply"' in detail.text
    answered = dispatcher.post(reverse("powers:order", args=[order.pk]), {"reply": "已组织拆除"})
    assert answered.status_code == 302
    order.refresh_from_db()
    assert order.reply == "已组织拆除" and order.answered_by.username == "dept_pg_chengguan"

    seen = street.get(reverse("powers:order", args=[order.pk]))
    assert "已组织拆除" in seen.text and 'name="reply"' not in seen.text
    # answering twice: a message, nothing changes
    again = dispatcher.post(
        reverse("powers:order", args=[order.pk]), {"reply": "再答一次"}, follow=True
    )
    assert again.status_code == 200
    order.refresh_from_db()
    assert order.reply == "已组织拆除"


def test_the_order_form_keeps_the_input_and_shows_the_errors(as_user, station):
    page = as_user("street_jinhaihu").post(
        reverse("powers:station", args=[station.pk]),
        {"title": "拆除违建保留", "content": "", "deadline": local(timezone.now() - timedelta(1))},
    )
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert "content" in errors
    assert "拆除违建保留" in page.text
    for message in errors["content"]:
        assert message in page.text
    past = as_user("street_jinhaihu").post(
        reverse("powers:station", args=[station.pk]),
        {"title": "拆除违建", "content": "限期", "deadline": local(timezone.now() - timedelta(1))},
    )
    assert past.status_code == 200 and "deadline" in past.context["form"].errors
    assert past.context["form"].errors["deadline"][0] in past.text
    assert not SupervisionOrder.objects.exists()


def test_the_station_page_of_someone_without_the_power_has_no_form_and_refuses_a_post(
    as_user, station
):
    clerk = as_user("street_jinhaihu_clerk")  # a street official, not on the committee
    page = clerk.get(reverse("powers:station", args=[station.pk]))
    assert page.status_code == 200 and 'name="title"' not in page.text
    refused = clerk.post(
        reverse("powers:station", args=[station.pk]),
        {"title": "拆除违建", "content": "限期", "deadline": local(timezone.now() + timedelta(1))},
    )
    assert refused.status_code == 403
    assert not SupervisionOrder.objects.exists()


def test_only_the_department_answers_an_order(as_user, order):
    refused = as_user("street_jinhaihu").post(
        reverse("powers:order", args=[order.pk]), {"reply": "自己答"}
    )
    assert refused.status_code == 403
    order.refresh_from_db()
    assert order.answered_at is None
    # another department does not even see it
    assert (
        as_user("dept_pg_police").get(reverse("powers:order", args=[order.pk])).status_code == 404
    )


def test_the_orders_list_filters_by_status(as_user, order, demo, station):
    other = services.issue_order(
        demo["street_jinhaihu"], station=station, title="整治占道经营", content="限期整治"
    )
    services.answer_order(demo["dept_pg_chengguan"], other, reply="已整治")
    client = as_user("street_jinhaihu")
    answered = client.get(reverse("powers:orders"), {"status": "answered"}).text
    assert "整治占道经营" in answered and "清理河道垃圾" not in answered
    opened = client.get(reverse("powers:orders"), {"status": "open"}).text
    assert "清理河道垃圾" in opened and "整治占道经营" not in opened
    assert client.get(reverse("powers:orders"), {"status": "nonsense"}).status_code == 200


# --- 意见建议: published by the district, opinion by the street, answered by the district ----


def test_a_matter_published_advised_and_answered(as_user, streets):
    jinhaihu = streets["金海湖镇"]
    district = as_user("district_pinggu")
    form = district.get(reverse("powers:matter-new"))
    assert form.status_code == 200 and "金海湖镇" in form.text and "龙潭街道" not in form.text
    published = district.post(
        reverse("powers:matter-new"),
        {
            "district": str(jinhaihu.district_id),
            "title": "镇域垃圾分类方案",
            "description": "全镇推行垃圾分类",
            "streets": [jinhaihu.pk],
            "opinions_until": local(timezone.now() + timedelta(days=3)),
        },
    )
    matter = MajorMatter.objects.get()
    assert published.status_code == 302
    assert published.url == reverse("powers:matter", args=[matter.pk])

    street = as_user("street_jinhaihu")
    page = street.get(reverse("powers:matter", args=[matter.pk]))
    assert page.status_code == 200 and 'name="content"' in page.text
    sent = street.post(reverse("powers:matter", args=[matter.pk]), {"content": "建议增设回收点"})
    assert sent.status_code == 302
    opinion = Opinion.objects.get()
    assert opinion.street == jinhaihu

    seen = district.get(reverse("powers:matter", args=[matter.pk]))
    assert "建议增设回收点" in seen.text
    assert reverse("powers:opinion-answer", args=[opinion.pk]) in seen.text
    answered = district.post(
        reverse("powers:opinion-answer", args=[opinion.pk]), {"answer": "已采纳，增设五处"}
    )
    assert answered.status_code == 302
    assert answered.url.startswith(reverse("powers:matter", args=[matter.pk]))
    assert "已采纳，增设五处" in street.get(reverse("powers:matter", args=[matter.pk])).text

    # other districts' streets do not see it; the street cannot answer its own opinion
    assert (
        as_user("street_longtan").get(reverse("powers:matter", args=[matter.pk])).status_code == 404
    )
    refused = street.post(reverse("powers:opinion-answer", args=[opinion.pk]), {"answer": "x"})
    assert refused.status_code == 403


def test_the_publish_form_keeps_the_input_and_only_administrators_publish(as_user, streets):
    district = as_user("district_pinggu")
    page = district.post(
        reverse("powers:matter-new"),
        {
            "district": str(streets["金海湖镇"].district_id),
            "title": "保留的标题",
            "description": "说明",
            "streets": [],
            "opinions_until": local(timezone.now() - timedelta(days=1)),
        },
    )
    assert page.status_code == 200
    assert "streets" in page.context["form"].errors
    assert "保留的标题" in page.text
    # a street of another district is not a choice
    foreign = district.post(
        reverse("powers:matter-new"),
        {
            "title": "t",
            "description": "d",
            "streets": [streets["龙潭街道"].pk],
            "opinions_until": local(timezone.now() + timedelta(days=1)),
        },
    )
    assert foreign.status_code == 200 and "streets" in foreign.context["form"].errors
    assert as_user("street_jinhaihu").get(reverse("powers:matter-new")).status_code == 403
    assert not MajorMatter.objects.exists()


def test_an_opinion_needs_the_power(as_user, matter):
    # the district sees the matter but holds no power to advise
    refused = as_user("district_pinggu").post(
        reverse("powers:matter", args=[matter.pk]), {"content": "意见"}
    )
    assert refused.status_code == 403
    empty = as_user("street_jinhaihu").post(
        reverse("powers:matter", args=[matter.pk]), {"content": ""}
    )
    assert empty.status_code == 200 and "content" in empty.context["form"].errors
    assert not Opinion.objects.exists()


# --- 人事建议 -------------------------------------------------------------------------------


def test_a_recommendation_and_its_answer(as_user, agency):
    street = as_user("street_jinhaihu")
    page = street.get(reverse("powers:agency", args=[agency.pk]))
    assert page.status_code == 200
    assert f'value="{agency.leader_name}"' in page.text  # the subject defaults to the leader
    sent = street.post(
        reverse("powers:agency", args=[agency.pk]),
        {"action": "reward", "subject": agency.leader_name, "reason": "带队破获盗采案"},
    )
    rec = PersonnelRecommendation.objects.get()
    assert sent.status_code == 302 and sent.url == reverse("powers:recommendation", args=[rec.pk])

    police = as_user("dept_pg_police")
    detail = police.get(reverse("powers:recommendation", args=[rec.pk]))
    assert detail.status_code == 200 and 'name="decision"' in detail.text
    bad = police.post(reverse("powers:recommendation", args=[rec.pk]), {"reply": "保留的说明"})
    assert bad.status_code == 200 and "decision" in bad.context["form"].errors
    assert "保留的说明" in bad.text
    answered = police.post(
        reverse("powers:recommendation", args=[rec.pk]),
        {"decision": "adopted", "reply": "予以嘉奖"},
    )
    assert answered.status_code == 302
    seen = street.get(reverse("powers:recommendation", args=[rec.pk])).text
    assert "予以嘉奖" in seen and 'name="decision"' not in seen


def test_a_recommendation_needs_the_power_and_only_the_department_answers(as_user, demo, agency):
    # the police dispatcher sees its agency but holds no power over it
    refused = as_user("dept_pg_police").post(
        reverse("powers:agency", args=[agency.pk]),
        {"action": "reward", "subject": "x", "reason": "y"},
    )
    assert refused.status_code == 403
    assert not PersonnelRecommendation.objects.exists()
    rec = services.recommend_personnel(
        demo["street_jinhaihu"], agency=agency, action="punish", subject="", reason="失职"
    )
    url = reverse("powers:recommendation", args=[rec.pk])
    street = as_user("street_jinhaihu")
    assert street.post(url, {"decision": "adopted", "reply": "x"}).status_code == 403
    assert as_user("dept_pg_chengguan").get(url).status_code == 404
    rec.refresh_from_db()
    assert rec.answered_at is None


# --- 派驻人员考核 ---------------------------------------------------------------------------


def test_a_daily_record_and_an_assessment(as_user, officer):
    street = as_user("street_jinhaihu")
    page = street.get(reverse("powers:officer", args=[officer.pk]))
    assert page.status_code == 200
    assert timezone.localdate().isoformat() in page.text  # the date defaults to today
    recorded = street.post(
        reverse("powers:officer", args=[officer.pk]),
        {"date": timezone.localdate().isoformat(), "kind": "task", "note": "配合夜间巡查"},
    )
    assert recorded.status_code == 302
    assert OfficerRecord.objects.get().note == "配合夜间巡查"
    period = timezone.localdate().strftime("%Y-%m")
    assessed = street.post(
        reverse("powers:officer-assess", args=[officer.pk]),
        {"period": period, "score": "92.5", "grade": "excellent", "comment": "表现突出"},
    )
    assert assessed.status_code == 302
    assert assessed.url.startswith(reverse("powers:officer", args=[officer.pk]))
    text = street.get(reverse("powers:officer", args=[officer.pk])).text
    assert "配合夜间巡查" in text and "92.5" in text
    # the list shows the latest assessment
    assert "92.5" in street.get(reverse("powers:officers")).text
    # the same period twice: a message, nothing more stored
    again = street.post(
        reverse("powers:officer-assess", args=[officer.pk]),
        {"period": period, "score": "60", "grade": "basic"},
    )
    assert again.status_code == 302
    assert OfficerAssessment.objects.count() == 1
    # the department sees its officer's assessment on its hub
    assert "92.5" in as_user("dept_pg_police").get(reverse("powers:index")).text


def test_the_assessment_form_keeps_the_input_and_shows_the_errors(as_user, officer):
    page = as_user("street_jinhaihu").post(
        reverse("powers:officer-assess", args=[officer.pk]),
        {"period": "2025-13", "score": "150", "grade": "excellent", "comment": "保留的评语"},
    )
    assert page.status_code == 200
    errors = page.context["assess_form"].errors
    assert "score" in errors
    assert "保留的评语" in page.text and "150" in page.text
    wrong_period = as_user("street_jinhaihu").post(
        reverse("powers:officer-assess", args=[officer.pk]),
        {"period": "2025-13", "score": "80", "grade": "excellent"},
    )
    assert wrong_period.status_code == 200
    assert "period" in wrong_period.context["assess_form"].errors
    future = as_user("street_jinhaihu").post(
        reverse("powers:officer", args=[officer.pk]),
        {"date": (timezone.localdate() + timedelta(days=3)).isoformat(), "kind": "task"},
    )
    assert future.status_code == 200 and "date" in future.context["record_form"].errors
    assert not OfficerAssessment.objects.exists() and not OfficerRecord.objects.exists()


def test_records_and_assessments_need_the_power(as_user, officer):
    for username in ("street_jinhaihu_clerk", "dept_pg_police", "district_pinggu"):
        client = as_user(username)
        assert client.get(reverse("powers:officer", args=[officer.pk])).status_code == 200
        assert (
            client.post(
                reverse("powers:officer", args=[officer.pk]),
                {"date": timezone.localdate().isoformat(), "kind": "task"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("powers:officer-assess", args=[officer.pk]),
                {"period": "2025", "score": "80", "grade": "competent"},
            ).status_code
            == 403
        )
    assert not OfficerAssessment.objects.exists() and not OfficerRecord.objects.exists()


# --- out of scope: 404 ----------------------------------------------------------------------


def test_objects_outside_the_scope_are_not_found(as_user, station, agency, officer, order):
    longtan = as_user("street_longtan")  # 东城区
    for url in (
        reverse("powers:station", args=[station.pk]),
        reverse("powers:agency", args=[agency.pk]),
        reverse("powers:officer", args=[officer.pk]),
        reverse("powers:order", args=[order.pk]),
    ):
        assert longtan.get(url).status_code == 404
    assert (
        longtan.post(
            reverse("powers:station", args=[station.pk]),
            {"title": "t", "content": "c", "deadline": local(timezone.now() + timedelta(1))},
        ).status_code
        == 404
    )
    assert (
        longtan.post(
            reverse("powers:officer-assess", args=[officer.pk]),
            {"period": "2025", "score": "80", "grade": "competent"},
        ).status_code
        == 404
    )
    grant = PowerGrant.objects.filter(street=station.street, revoked_at=None).first()
    dongcheng = as_user("district_dongcheng")
    assert (
        dongcheng.post(reverse("powers:grant-revoke", args=[grant.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert SupervisionOrder.objects.count() == 1
    assert PowerGrant.objects.get(pk=grant.pk).revoked_at is None


# --- grants ---------------------------------------------------------------------------------


def test_grants_page_grant_and_revoke_change_what_the_street_may_do(as_user, demo, station):
    district = as_user("district_pinggu")
    page = district.get(reverse("powers:grants"))
    assert page.status_code == 200
    assert "金海湖镇" in page.text and "滨河街道" in page.text and "龙潭街道" not in page.text
    grant = PowerGrant.objects.get(
        street=station.street, power=Power.COORDINATE_DEPARTMENTS, revoked_at=None
    )
    assert reverse("powers:grant-revoke", args=[grant.pk]) in page.text

    blow = reverse("dispatch:whistle-new")
    street = as_user("street_jinhaihu")
    assert station.department.name in street.get(blow).text

    revoked = district.post(reverse("powers:grant-revoke", args=[grant.pk]), {"reason": "试点调整"})
    assert revoked.status_code == 302 and revoked.url.startswith(reverse("powers:grants"))
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoke_reason == "试点调整"
    assert not holds_power(demo["street_jinhaihu"], Power.COORDINATE_DEPARTMENTS, station)
    # the station page no longer offers the order form, and refuses the post
    assert 'name="title"' not in street.get(reverse("powers:station", args=[station.pk])).text
    assert (
        street.post(
            reverse("powers:station", args=[station.pk]),
            {"title": "t", "content": "c", "deadline": local(timezone.now() + timedelta(1))},
        ).status_code
        == 403
    )
    # nothing left to summon on the blow page
    assert street.get(blow).status_code == 403
    # revoking twice: a message
    assert (
        district.post(
            reverse("powers:grant-revoke", args=[grant.pk]), {"reason": "再次"}
        ).status_code
        == 302
    )

    regranted = district.post(
        reverse("powers:grants"),
        {"street": station.street_id, "power": Power.COORDINATE_DEPARTMENTS, "note": "恢复"},
    )
    assert regranted.status_code == 302
    assert holds_power(demo["street_jinhaihu"], Power.COORDINATE_DEPARTMENTS, station)
    assert station.department.name in street.get(blow).text
    # granting twice: a message, one active grant
    twice = district.post(
        reverse("powers:grants"),
        {"street": station.street_id, "power": Power.COORDINATE_DEPARTMENTS},
        follow=True,
    )
    assert twice.status_code == 200
    assert "金海湖镇" in [str(m) for m in twice.context["messages"]][-1]
    assert (
        PowerGrant.objects.filter(
            street=station.street, power=Power.COORDINATE_DEPARTMENTS, revoked_at=None
        ).count()
        == 1
    )


def test_revoking_coordinate_closes_the_blow_page(as_user, demo, station):
    grant = PowerGrant.objects.get(
        street=station.street, power=Power.COORDINATE_DEPARTMENTS, revoked_at=None
    )
    as_user("district_pinggu").post(
        reverse("powers:grant-revoke", args=[grant.pk]), {"reason": "试点调整"}
    )
    assert as_user("street_jinhaihu").get(reverse("dispatch:whistle-new")).status_code == 403


def test_grants_refuse_another_districts_street_with_its_name(as_user, streets):
    district = as_user("district_pinggu")
    page = district.post(
        reverse("powers:grants"),
        {"street": streets["龙潭街道"].pk, "power": Power.VETO_DEPARTMENT, "note": "越权"},
    )
    assert page.status_code == 200
    assert "龙潭街道" in " ".join(page.context["form"].errors["street"])
    assert "越权" in page.text  # the input is kept
    for bad in ("abc", "99999999999999999999", "-1"):
        page = district.post(reverse("powers:grants"), {"street": bad, "power": "veto_department"})
        assert page.status_code == 200 and "street" in page.context["form"].errors
    unknown = district.post(
        reverse("powers:grants"), {"street": streets["滨河街道"].pk, "power": "everything"}
    )
    assert unknown.status_code == 200 and "power" in unknown.context["form"].errors
    granted = district.post(
        reverse("powers:grants"), {"street": streets["滨河街道"].pk, "power": "veto_department"}
    )
    assert granted.status_code == 302
    assert PowerGrant.objects.filter(street=streets["滨河街道"], revoked_at=None).count() == 1


def test_only_district_administrators_see_the_grants(as_user, streets):
    for username in ("street_jinhaihu", "dept_pg_chengguan", "hotline_operator"):
        assert as_user(username).get(reverse("powers:grants")).status_code == 403
    grant = PowerGrant.objects.filter(street=streets["金海湖镇"], revoked_at=None).first()
    # the street sees its grants but does not revoke them
    refused = as_user("street_jinhaihu").post(
        reverse("powers:grant-revoke", args=[grant.pk]), {"reason": "x"}
    )
    assert refused.status_code == 403
    assert PowerGrant.objects.get(pk=grant.pk).revoked_at is None


# --- constant queries -----------------------------------------------------------------------


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url, data or {})
    assert page.status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_run_the_same_number_of_queries_for_one_and_for_many_rows(
    as_user, demo, streets, station, agency, officer
):
    street_user = demo["street_jinhaihu"]
    services.issue_order(street_user, station=station, title="一", content="一")
    services.recommend_personnel(
        street_user, agency=agency, action="reward", subject="", reason="一"
    )
    services.publish_matter(
        demo["district_pinggu"],
        district=station.street.district,
        title="一",
        description="一",
        streets=[station.street],
        opinions_until=timezone.now() + timedelta(days=1),
    )
    services.assess_officer(
        street_user, officer=officer, period="2025", score=80, grade="competent"
    )
    pages = {
        "street_jinhaihu": [
            reverse("powers:orders"),
            reverse("powers:recommendations"),
            reverse("powers:matters"),
            reverse("powers:index"),
            reverse("powers:station", args=[station.pk]),
            reverse("powers:agency", args=[agency.pk]),
        ],
        "dept_pg_chengguan": [reverse("powers:orders"), reverse("powers:index")],
        "district_pinggu": [
            reverse("powers:index"),
            reverse("powers:matters"),
            reverse("powers:grants"),
        ],
    }
    clients = {u: as_user(u) for u in pages}
    before = {(u, url): _queries(clients[u], url) for u, urls in pages.items() for url in urls}
    one_officer = _queries(
        clients["street_jinhaihu"], reverse("powers:officers"), {"street": officer.street_id}
    )

    stations = list(Station.objects.filter(street=station.street).exclude(pk=station.pk)[:4])
    for s in [station, *stations]:
        for i in range(3):
            services.issue_order(street_user, station=s, title=f"督办{i}", content="限期")
    for i in range(4):
        services.recommend_personnel(
            street_user, agency=agency, action="transfer", subject=f"某{i}", reason="调整"
        )
        services.publish_matter(
            demo["district_pinggu"],
            district=station.street.district,
            title=f"事项{i}",
            description="d",
            streets=list(Street.objects.filter(district=station.street.district)),
            opinions_until=timezone.now() + timedelta(days=1),
        )
    for o in StationedOfficer.objects.filter(street=station.street).exclude(pk=officer.pk):
        services.assess_officer(street_user, officer=o, period="2025", score=70, grade="basic")
    after = {(u, url): _queries(clients[u], url) for u, urls in pages.items() for url in urls}
    assert after == before
    all_officers = _queries(clients["street_jinhaihu"], reverse("powers:officers"))
    assert all_officers == one_officer
