import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Department, District, Station, Street
from tests.factories import StationFactory


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_a_token_is_issued_for_the_right_password_and_works(demo, settings):
    client = APIClient()
    answer = client.post(
        "/api/v1/auth/token/",
        {"username": "street_longtan", "password": settings.DEMO_PASSWORD},
        format="json",
    )
    assert answer.status_code == 200
    token = answer.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["username"] == "street_longtan"


@pytest.mark.django_db
def test_a_wrong_password_gets_no_token_and_no_credentials_get_401(demo):
    client = APIClient()
    answer = client.post(
        "/api/v1/auth/token/", {"username": "street_longtan", "password": "nope"}, format="json"
    )
    assert answer.status_code == 400
    assert "token" not in answer.json()
    missing = client.post("/api/v1/auth/token/", {}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"username", "password"}
    assert client.get("/api/v1/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_me_lists_the_roles_with_their_units(demo):
    body = api(demo["street_jinhaihu"]).get("/api/v1/me/").json()
    jinhaihu = Street.objects.get(name="金海湖镇")
    assert body["username"] == "street_jinhaihu"
    assert sorted(body["roles"], key=lambda r: r["role"]) == [
        {
            "role": "committee_member",
            "unit_type": "street",
            "unit_id": jinhaihu.pk,
            "unit_name": "金海湖镇",
        },
        {
            "role": "street_official",
            "unit_type": "street",
            "unit_id": jinhaihu.pk,
            "unit_name": "金海湖镇",
        },
    ]
    operator = api(demo["hotline_operator"]).get("/api/v1/me/").json()
    assert operator["roles"] == [
        {
            "role": "hotline_operator",
            "unit_type": "city",
            "unit_id": operator["roles"][0]["unit_id"],
            "unit_name": "北京市",
        }
    ]
    assert api(demo["admin"]).get("/api/v1/me/").json()["roles"] == []


@pytest.mark.django_db
def test_lists_are_paginated_and_restricted_to_the_callers_districts(demo):
    body = api(demo["district_pinggu"]).get("/api/v1/streets/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 4
    assert {s["district_name"] for s in body["results"]} == {"平谷区"}
    assert api(demo["district_pinggu"]).get("/api/v1/districts/").json()["count"] == 1
    # the city sees the whole city
    assert api(demo["hotline_operator"]).get("/api/v1/districts/").json()["count"] == 16
    assert api(demo["hotline_operator"]).get("/api/v1/streets/").json()["count"] == 64


@pytest.mark.django_db
def test_departments_of_a_street_carry_their_one_four_n_mode(demo):
    jinhaihu = Street.objects.get(name="金海湖镇")
    body = api(demo["street_jinhaihu"]).get(f"/api/v1/departments/?street={jinhaihu.pk}").json()
    modes = {d["name"]: d["mode"] for d in body["results"]}
    assert modes["平谷区城管执法局"] == "resident"
    assert modes["平谷公安分局"] == "stationed"
    assert modes["平谷区规划国土"] == "on_call"
    assert sorted(modes.values()).count("stationed") == 4
    police = next(d for d in body["results"] if d["name"] == "平谷公安分局")
    station = Station.objects.get(street=jinhaihu, department__name="平谷公安分局")
    assert (police["station"], police["duty_contact"], police["duty_phone"]) == (
        station.pk,
        station.duty_contact,
        station.duty_phone,
    )


@pytest.mark.django_db
def test_a_street_outside_the_scope_in_a_filter_is_400_naming_the_field(demo):
    longtan = Street.objects.get(name="龙潭街道")
    for value in (longtan.pk, 999999, "abc"):
        answer = api(demo["street_jinhaihu"]).get(f"/api/v1/departments/?street={value}")
        assert answer.status_code == 400, value
        assert "street" in answer.json()


@pytest.mark.django_db
def test_an_object_outside_the_scope_is_404(demo):
    client = api(demo["street_jinhaihu"])
    dongcheng = District.objects.get(name="东城区")
    assert client.get(f"/api/v1/districts/{dongcheng.pk}/").status_code == 404
    dept = Department.objects.get(name="东城区城管执法局")
    assert client.get(f"/api/v1/departments/{dept.pk}/").status_code == 404
    assert client.get("/api/v1/streets/999999/").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_the_rows(demo):
    client = api(demo["hotline_operator"])
    street = Street.objects.get(name="曙光街道")
    urls = ["/api/v1/streets/", "/api/v1/departments/", f"/api/v1/departments/?street={street.pk}"]
    for url in urls:  # warm the per-process caches (content types, scope)
        _queries(client, url)
    before = [_queries(client, u) for u in urls]
    StationFactory.create_batch(30, street=street)
    after = [_queries(client, u) for u in urls]
    assert before == after
    assert max(after) <= 4


@pytest.mark.django_db
def test_the_schema_and_docs_need_no_sign_in_and_no_internet():
    client = APIClient()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/me/", "/api/v1/districts/", "/api/v1/streets/", "/api/v1/departments/"):
        assert path in text
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "//cdn" not in docs and "https://" not in docs.replace("https://swagger.io", "")
