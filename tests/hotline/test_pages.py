"""The 12345 pages, as the operator, the street and the district use them: intake with the
suggested street, the street's answer, the call-back, 退单 and 改派, a whistle from a request,
masking, the rankings and their export, the permissions and the number of queries."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Department, Street
from hotline import services
from hotline.choices import DeadlineKind, RequestStatus
from hotline.models import CallBack, RequestCategory, RequestDeadline, ServiceRequest

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"
MASKED = "138****5678"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def streets(demo):
    return {s.name: s for s in Street.objects.filter(name__in=["金海湖镇", "滨河街道", "龙潭街道"])}


@pytest.fixture
def noise(demo):
    return RequestCategory.objects.get(code="noise")


@pytest.fixture
def take(demo, streets, noise):
    """A request taken by the operator, dispatched to the named street (or not dispatched)."""

    def _take(street="金海湖镇", **fields):
        values = {
            "channel": "phone",
            "category": noise,
            "description": "夜间施工噪声扰民",
            "address": "金海湖镇海子村",
            "citizen_name": "张三丰",
            "citizen_phone": PHONE,
        }
        values.update(fields)
        return services.take_request(
            demo["hotline_operator"], street=streets[street] if street else None, **values
        )

    return _take


def url(name, pk=None):
    from django.urls import reverse

    return reverse(f"hotline:{name}", args=[pk] if pk is not None else [])


def post_action(client, name, r, **data):
    r.refresh_from_db()
    return client.post(url(name, r.pk), {"seen_status": r.status, **data})


# --- intake → the street → call-back ---------------------------------------------------------


@pytest.mark.django_db
def test_the_whole_loop_through_the_pages(demo, streets, noise):
    operator = signed_in(demo["hotline_operator"])
    page = operator.get(url("request-new"))
    assert page.status_code == 200
    assert 'hx-get="/hotline/suggest/"' in page.text

    fragment = operator.get(url("suggest"), {"address": "平谷区金海湖镇海子村东口"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    selected = re.search(r'<option value="(\d+)" selected>', fragment.text)
    assert selected and int(selected[1]) == streets["金海湖镇"].pk
    assert "金海湖镇" in fragment.text

    response = operator.post(
        url("request-new"),
        {
            "channel": "phone",
            "category": noise.pk,
            "citizen_name": "张三丰",
            "citizen_phone": PHONE,
            "description": "夜间施工噪声扰民",
            "address": "金海湖镇海子村",
            "street": streets["金海湖镇"].pk,
        },
    )
    r = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == url("request", r.pk)
    assert r.status == RequestStatus.DISPATCHED and r.street == streets["金海湖镇"]
    assert r.deadlines.count() == 2

    street = signed_in(demo["street_jinhaihu"])
    listing = street.get(url("requests"))
    assert r.number in listing.text and MASKED in listing.text and PHONE not in listing.text
    assert "countdown" in listing.text
    detail = street.get(url("request", r.pk))
    assert detail.status_code == 200
    assert PHONE in detail.text  # the street handling it sees the contact
    assert url("accept", r.pk) in detail.text and url("return", r.pk) in detail.text
    assert url("callback", r.pk) not in detail.text

    assert post_action(street, "accept", r).status_code == 302
    assert post_action(street, "contact", r, note="已电话联系").status_code == 302
    r.refresh_from_db()
    assert r.status == RequestStatus.ACCEPTED and r.contacted_at is not None
    assert r.deadlines.get(kind=DeadlineKind.RESPONSE).met_at is not None
    # an empty reply: the message, nothing changes
    response = post_action(street, "reply", r, reply=" ")
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RequestStatus.ACCEPTED
    post_action(street, "reply", r, reply="已协调施工方停止夜间施工")
    r.refresh_from_db()
    assert r.status == RequestStatus.REPLIED

    # the operator calls back: contradicting answers → the page again with the errors
    page = operator.get(url("request", r.pk))
    assert url("callback", r.pk) in page.text
    response = operator.post(
        url("callback", r.pk), {"reached": "no", "contacted": "yes", "satisfaction": "satisfied"}
    )
    assert response.status_code == 200
    assert "field-error" in response.text and not CallBack.objects.exists()
    # reached, dissatisfied, reopen → back to the street with a new resolution deadline
    response = operator.post(
        url("callback", r.pk),
        {
            "reached": "yes",
            "contacted": "yes",
            "resolved": "no",
            "satisfaction": "dissatisfied",
            "reopen": "on",
        },
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RequestStatus.ACCEPTED and r.reopened == 1
    assert r.deadlines.filter(kind=DeadlineKind.RESOLUTION, met_at=None).count() == 1
    assert url("reply", r.pk) in street.get(url("request", r.pk)).text

    post_action(street, "reply", r, reply="施工方已整改并签订承诺书")
    response = operator.post(
        url("callback", r.pk),
        {"reached": "yes", "contacted": "yes", "resolved": "yes", "satisfaction": "satisfied"},
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RequestStatus.CLOSED
    assert CallBack.objects.filter(request=r).count() == 2
    assert CallBack.objects.get(request=r, latest=True).satisfaction == "satisfied"
    page = operator.get(url("request", r.pk))
    assert page.text.count('class="latest"') == 1
    assert "PHONE" not in page.text


@pytest.mark.django_db
def test_a_stale_form_changes_nothing(demo, take):
    r = take()
    street = signed_in(demo["street_jinhaihu"])
    response = street.post(url("accept", r.pk), {"seen_status": "accepted"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RequestStatus.DISPATCHED
    # the matrix's body: invalid, nothing done
    street.post(url("accept", r.pk), {"latitude": "north"})
    r.refresh_from_db()
    assert r.status == RequestStatus.DISPATCHED


@pytest.mark.django_db
def test_return_and_redispatch(demo, take, streets):
    r = take()
    street = signed_in(demo["street_jinhaihu"])
    post_action(street, "return", r, reason="")
    r.refresh_from_db()
    assert r.status == RequestStatus.DISPATCHED
    post_action(street, "return", r, reason="该地址属滨河街道辖区")
    r.refresh_from_db()
    assert r.status == RequestStatus.RETURNED
    assert not RequestDeadline.objects.filter(request=r, met_at=None, cancelled_at=None).exists()

    operator = signed_in(demo["hotline_operator"])
    page = operator.get(url("request", r.pk))
    assert "该地址属滨河街道辖区" in page.text and url("dispatch", r.pk) in page.text
    response = post_action(operator, "dispatch", r, street=streets["滨河街道"].pk)
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RequestStatus.DISPATCHED and r.street == streets["滨河街道"]
    page = operator.get(url("request", r.pk))
    assert "改派" in page.text or "re-dispatched" in page.text
    # 金海湖镇 no longer sees it
    assert street.get(url("request", r.pk)).status_code == 404
    # and a dispatched request cannot be dispatched again: the message, a redirect
    response = post_action(operator, "dispatch", r, street=streets["金海湖镇"].pk)
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.street == streets["滨河街道"]


@pytest.mark.django_db
def test_intake_errors_save_nothing_and_keep_the_input(demo, noise, streets):
    operator = signed_in(demo["hotline_operator"])
    base = {"channel": "phone", "description": "小区楼道堆物", "address": "金海湖镇某小区"}
    response = operator.post(url("request-new"), {**base, "category": "99999"})
    assert response.status_code == 200 and "field-error" in response.text
    assert "小区楼道堆物" in response.text
    response = operator.post(url("request-new"), {**base, "category": noise.pk, "street": "99999"})
    assert response.status_code == 200 and "field-error" in response.text
    response = operator.post(
        url("request-new"), {**base, "category": noise.pk, "latitude": "north"}
    )
    assert response.status_code == 200
    assert not ServiceRequest.objects.exists()
    # without a street: taken, awaiting dispatch
    response = operator.post(url("request-new"), {**base, "category": noise.pk})
    r = ServiceRequest.objects.get()
    assert response.status_code == 302 and r.status == RequestStatus.NEW and r.street is None


@pytest.mark.django_db
def test_blowing_a_whistle_from_a_request_links_both_ways(demo, take):
    r = take(address="金海湖镇将军关村北山")
    chengguan = Department.objects.get(name="平谷区城管执法局")
    street = signed_in(demo["street_jinhaihu"])
    page = street.get(url("request", r.pk))
    assert url("whistle", r.pk) in page.text
    form = street.get(url("whistle", r.pk))
    assert form.status_code == 200 and "金海湖镇将军关村北山" in form.text
    assert "平谷区城管执法局" in form.text
    # invalid: the form again, nothing blown
    response = street.post(url("whistle", r.pk), {"latitude": "north"})
    assert response.status_code == 200
    r.refresh_from_db()
    assert r.whistle_id is None
    response = street.post(
        url("whistle", r.pk),
        {
            "kind": "enforcement",
            "category": "illegal_mining",
            "title": "将军关村盗采金矿",
            "location": "金海湖镇将军关村北山",
            "departments": [chengguan.pk],
        },
    )
    r.refresh_from_db()
    assert r.whistle_id is not None
    assert response.status_code == 302 and response["Location"] == f"/whistles/{r.whistle_id}/"
    assert url("request", r.pk) in street.get(response["Location"]).text
    assert f"/whistles/{r.whistle_id}/" in street.get(url("request", r.pk)).text
    # a second time: to the whistle
    again = street.get(url("whistle", r.pk))
    assert again.status_code == 302 and again["Location"] == f"/whistles/{r.whistle_id}/"
    # not the clerk (no power to summon), not the operator
    assert signed_in(demo["street_jinhaihu_clerk"]).get(url("whistle", r.pk)).status_code == 403
    assert signed_in(demo["hotline_operator"]).get(url("whistle", r.pk)).status_code == 403
    assert signed_in(demo["street_longtan"]).get(url("whistle", r.pk)).status_code == 404


# --- masking, scope, roles -------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_is_masked_outside_those_who_handle_it(demo, take):
    r = take()
    district = signed_in(demo["district_pinggu"])
    listing = district.get(url("requests"))
    assert listing.status_code == 200
    assert r.number in listing.text and MASKED in listing.text and PHONE not in listing.text
    assert "张三丰" not in listing.text and "张**" in listing.text
    detail = district.get(url("request", r.pk))
    assert detail.status_code == 200 and MASKED in detail.text and PHONE not in detail.text
    operator_list = signed_in(demo["hotline_operator"]).get(url("requests"))
    assert MASKED in operator_list.text and PHONE not in operator_list.text
    street_page = signed_in(demo["street_jinhaihu"]).get(url("street", r.street_id))
    assert MASKED in street_page.text and PHONE not in street_page.text
    for name in ("street_longtan", "district_dongcheng", "street_shuguang"):
        assert signed_in(demo[name]).get(url("request", r.pk)).status_code == 404
        assert r.number not in signed_in(demo[name]).get(url("requests")).text


@pytest.mark.django_db
def test_roles_403_and_scope_404(demo, take, streets):
    r = take()
    longtan_request = take(street="龙潭街道", address="龙潭北里")
    clerk = signed_in(demo["street_jinhaihu_clerk"])
    street = signed_in(demo["street_jinhaihu"])
    operator = signed_in(demo["hotline_operator"])
    district = signed_in(demo["district_pinggu"])
    dept = signed_in(demo["dept_pg_chengguan"])
    assert street.get(url("request-new")).status_code == 403
    assert district.post(url("request-new"), {"channel": "phone"}).status_code == 403
    assert street.get(url("suggest"), {"address": "金海湖镇"}).status_code == 403
    assert dept.get(url("requests")).status_code == 403
    assert dept.get(url("request", r.pk)).status_code == 404
    assert clerk.get(url("request", r.pk)).status_code == 200
    for client, name in (
        (operator, "accept"),
        (district, "accept"),
        (district, "reply"),
        (street, "dispatch"),
        (street, "callback"),
        (district, "callback"),
    ):
        assert post_action(client, name, r).status_code == 403, name
    assert post_action(street, "accept", longtan_request).status_code == 404
    assert street.get(url("street", streets["龙潭街道"].pk)).status_code == 404
    assert street.get(url("street", streets["滨河街道"].pk)).status_code == 200
    assert operator.get(url("street", streets["龙潭街道"].pk)).status_code == 200
    assert street.get(url("request", 999999)).status_code == 404
    anonymous = Client()
    for path in (url("requests"), url("request", r.pk), url("rankings"), url("request-new")):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # the GET of a POST-only action
    assert street.get(url("accept", r.pk)).status_code == 405
    # the clerk handles the request (accepting)
    assert post_action(clerk, "accept", r).status_code == 302
    r.refresh_from_db()
    assert r.status == RequestStatus.ACCEPTED


@pytest.mark.django_db
def test_the_menu_shows_12345_to_those_who_use_it(demo):
    for name in ("hotline_operator", "street_jinhaihu", "street_jinhaihu_clerk", "district_pinggu"):
        assert 'href="/hotline/"' in signed_in(demo[name]).get("/org/").text, name
    assert 'href="/hotline/"' not in signed_in(demo["dept_pg_police"]).get("/org/").text


# --- rankings --------------------------------------------------------------------------------


def _answered(demo, take, street, user, n, satisfaction="satisfied", resolved=True):
    for _i in range(n):
        r = take(street=street)
        services.accept(demo[user], r)
        services.reply(demo[user], r, reply="已办结")
        services.call_back(
            demo["hotline_operator"],
            r,
            reached=True,
            contacted=True,
            resolved=resolved,
            satisfaction=satisfaction,
        )


@pytest.fixture
def ranked_month(demo, take, settings):
    """March 2026: 金海湖镇 with 10 valid call-backs (the minimum), 龙潭街道 with 2; both had
    requests in February too (top 10 by volume two months running: 治理类)."""
    settings.HOTLINE_RANK_MIN_CALLBACKS = 10
    with time_machine.travel(datetime(2026, 2, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        take()
        take(street="龙潭街道")
    with time_machine.travel(datetime(2026, 3, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        _answered(demo, take, "金海湖镇", "street_jinhaihu", 9)
        _answered(demo, take, "金海湖镇", "street_jinhaihu", 1, satisfaction="basic")
        _answered(demo, take, "龙潭街道", "street_longtan", 2, resolved=False)


def _table(text, css_class):
    return text.split(f'class="table {css_class}"', 1)[1].split("</table>", 1)[0]


@pytest.mark.django_db
def test_the_monthly_ranking_with_categories_and_the_minimum(demo, ranked_month, streets):
    page = signed_in(demo["dept_pg_police"]).get(url("rankings"), {"month": "2026-03"})
    assert page.status_code == 200
    text = page.text
    ranked = _table(text, "rank-table")
    below = _table(text, "below-table")
    assert "金海湖镇" in ranked and "龙潭街道" not in ranked
    assert "龙潭街道" in below and "金海湖镇" not in below
    assert text.index("rank-table") < text.index("未达最低回访量") < text.index("below-table")
    assert "先进" in ranked and "治理类" in ranked and "治理类" in below
    assert "整改" not in ranked  # a single ranked street is within the top 10
    # composite: 0.1×1 + 0.5×1 + 0.4×(9 + 0.9)/10 = 0.996 → 99.60
    assert "99.60" in ranked
    assert url("street", streets["金海湖镇"].pk) in text
    assert "0.9" in text and "10" in text  # the formula's settings


@pytest.mark.django_db
def test_the_daily_table(demo, ranked_month, streets):
    page = signed_in(demo["street_jinhaihu"]).get(url("rankings"), {"day": "2026-03-15"})
    assert page.status_code == 200
    top = page.text.split('class="top-list"', 1)[1].split("</ol>", 1)[0]
    assert top.index("金海湖镇") < top.index("龙潭街道")
    assert '<strong class="num">10</strong>' in top
    daily = _table(page.text, "daily-table")
    assert "100.0%" in daily and "0.0%" in daily  # 龙潭街道 resolved nothing
    empty = signed_in(demo["street_jinhaihu"]).get(url("rankings"), {"day": "2026-03-16"})
    assert empty.status_code == 200 and "daily-table" not in empty.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [{"day": "2026-13-40"}, {"month": "2026-13"}, {"month": "March"}, {"day": "x"}]
)
def test_invalid_dates_are_form_errors(demo, query):
    page = signed_in(demo["hotline_operator"]).get(url("rankings"), query)
    assert page.status_code == 200 and "form-error" in page.text and "rank-table" not in page.text


@pytest.mark.django_db
def test_the_default_rankings_page_renders(demo, take):
    take()
    page = signed_in(demo["district_dongcheng"]).get(url("rankings"))
    assert page.status_code == 200 and "金海湖镇" in page.text


@pytest.mark.django_db
def test_export_csv_and_xlsx(demo, ranked_month, streets):
    from openpyxl import load_workbook

    Street.objects.filter(pk=streets["龙潭街道"].pk).update(name="=HYPERLINK(1)")
    client = signed_in(demo["district_pinggu"])
    response = client.get(url("rankings-export"), {"month": "2026-03", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["排名", "上月排名", "街道（乡镇）"]
    assert rows[1][0] == "1" and rows[1][2] == "金海湖镇" and rows[1][9] == "99.60"
    assert "先进" in rows[1][10]
    assert rows[2][0] == "" and rows[2][2] == "'=HYPERLINK(1)" and rows[2][11]

    response = client.get(url("rankings-export"), {"month": "2026-03", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "排名" and values[1][2] == "金海湖镇" and values[1][9] == 99.6
    assert values[2][2] == "=HYPERLINK(1)" and sheet.cell(3, 3).data_type == "s"  # text

    daily = client.get(url("rankings-export"), {"day": "2026-03-15", "format": "csv"})
    rows = list(csv.reader(io.StringIO(daily.content.decode("utf-8-sig"))))
    assert rows[0][1] == "街道（乡镇）" and len(rows) == 3
    assert client.get(url("rankings-export"), {"format": "pdf"}).status_code == 400
    assert client.get(url("rankings-export"), {"month": "2026-13"}).status_code == 400


@pytest.mark.django_db
def test_the_street_drill_down(demo, streets, take):
    for days in (3, 2):
        with time_machine.travel(datetime.now(SHANGHAI) - timedelta(days=days), tick=False):
            _answered(demo, take, "金海湖镇", "street_jinhaihu", 1)
    page = signed_in(demo["district_pinggu"]).get(url("street", streets["金海湖镇"].pk))
    assert page.status_code == 200
    assert "<svg" in page.text and "<polyline" in page.text
    assert "100.0%" in page.text and MASKED in page.text and PHONE not in page.text


# --- constant queries ------------------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_lists_and_the_drill_down_run_constant_queries(demo, take, streets):
    clients = {
        name: signed_in(demo[name])
        for name in ("hotline_operator", "street_jinhaihu", "district_pinggu")
    }
    paths = [url("requests"), url("street", streets["金海湖镇"].pk), url("rankings")]
    take()
    for client in clients.values():  # warm the caches (content types …)
        for path in paths:
            client.get(path)
    few = {(n, p): _queries(c, p) for n, c in clients.items() for p in paths}
    for _i in range(12):
        take()
    _answered(demo, take, "金海湖镇", "street_jinhaihu", 3)
    many = {(n, p): _queries(c, p) for n, c in clients.items() for p in paths}
    assert few == many
