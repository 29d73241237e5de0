import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Street
from tests.factories import CommunityFactory, StationFactory


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_sign_in_lands_on_the_home_page_and_sign_out_needs_a_post(demo, settings):
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    answer = client.post(
        "/accounts/login/", {"username": "street_jinhaihu", "password": settings.DEMO_PASSWORD}
    )
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert client.get("/").status_code == 200
    # a GET only asks to confirm: a link or an image cannot sign anyone out
    assert client.get("/accounts/logout/").status_code == 200
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert client.get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_wrong_password_shows_an_error_and_keeps_the_username(demo):
    page = Client().post("/accounts/login/", {"username": "street_longtan", "password": "wrong"})
    assert page.status_code == 200
    assert 'value="street_longtan"' in page.text
    assert 'class="form-error"' in page.text


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_asks_and_english_is_a_click_away(demo):
    client = Client()
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.text
    assert "登录" in page.text
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert '<html lang="en">' in page.text
    assert "Sign in" in page.text and "登录" not in page.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("street_jinhaihu", ["金海湖镇", "党工委委员", "吹哨"]),
        ("street_jinhaihu_clerk", ["金海湖镇", "街乡干部"]),
        ("district_pinggu", ["平谷区", "区级考评员", "区级管理员"]),
        ("hotline_operator", ["北京市", "12345"]),
        ("admin", ["系统管理员", "/admin/"]),
    ],
)
def test_each_role_sees_what_it_does_next(demo, username, expected):
    page = signed_in(demo[username]).get("/")
    assert page.status_code == 200
    for text in expected:
        assert text in page.text, text


@pytest.mark.django_db
def test_a_dispatcher_lands_on_the_live_queue(demo):
    client = signed_in(demo["dept_pg_police"])
    assert client.get("/")["Location"] == "/queue/"
    page = client.get("/queue/")
    assert page.status_code == 200
    assert 'hx-trigger="every 500ms' in page.text and "data-enable-alerts" in page.text


@pytest.mark.django_db
def test_the_clerk_is_not_shown_as_a_committee_member(demo):
    page = signed_in(demo["street_jinhaihu_clerk"]).get("/")
    assert "党工委委员" not in page.text


@pytest.mark.django_db
def test_the_street_page_shows_the_one_four_n_with_duty_contacts(demo):
    street = Street.objects.get(name="金海湖镇")
    page = signed_in(demo["street_jinhaihu"]).get(f"/org/streets/{street.pk}/")
    assert page.status_code == 200
    police = street.stations.get(department__name="平谷公安分局")
    assert police.duty_contact in page.text
    assert f'href="tel:{police.duty_phone}"' in page.text
    assert page.text.index("常驻") < page.text.index("派驻") < page.text.index("随叫随到")
    assert "金海湖派出所" in page.text


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_rows(demo):
    client = signed_in(demo["admin"])
    street = Street.objects.get(name="曙光街道")
    dept_url = f"/org/departments/{street.stations.first().department_id}/"
    urls = [
        "/",
        "/org/",
        f"/org/districts/{street.district_id}/",
        f"/org/streets/{street.pk}/",
        dept_url,
    ]
    for url in urls:
        _count(client, url)
    before = [_count(client, u) for u in urls]
    StationFactory.create_batch(20, street=street)
    CommunityFactory.create_batch(10, street=street)
    after = [_count(client, u) for u in urls]
    assert before == after


@pytest.mark.django_db
def test_pages_read_well_on_a_phone(demo):
    page = signed_in(demo["street_jinhaihu"]).get("/")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    # static assets come from this server, never a CDN
    assert "/static/css/app.css" in page.text and "/static/vendor/htmx.min.js" in page.text
    assert "cdn" not in page.text.lower()
