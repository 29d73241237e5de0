"""Inputs that used to answer 500, and what people and clients get when the database is out."""

import pytest
from django.db import OperationalError, connection
from django.test import Client


def signed_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["requests", "whistles", "check-ins", "scores", "stations"])
def test_an_id_that_is_not_a_number_is_a_404_not_a_500(demo, path):
    client = signed_in(demo["hotline_operator"])
    for bad in ("abc", "1.5", "-1", "9" * 40):
        answer = client.get(f"/api/v1/{path}/{bad}/")
        assert answer.status_code == 404, (path, bad, answer.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"street": 1e400, "kind": "emergency", "category": "fire", "title": "t", "location": "l", "departments": [1]}',
        '{"street": 1, "latitude": -1e999}',
        '{"street": NaN}',
        "[" * 10000 + "]" * 10000,
        '{"a":' * 10000 + "1" + "}" * 10000,
    ],
    ids=["1e400", "-1e999", "NaN", "10000 deep list", "10000 deep object"],
)
def test_a_body_no_field_can_hold_is_a_400(demo, body):
    answer = signed_in(demo["street_jinhaihu"]).post(
        "/api/v1/whistles/", body, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "JSON parse error" in answer.json()["detail"]


@pytest.fixture
def database_out(monkeypatch):
    """Every query fails as it does when PostgreSQL is unreachable."""

    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    def patch():
        monkeypatch.setattr(connection, "cursor", unreachable)
        monkeypatch.setattr(connection, "ensure_connection", unreachable)

    return patch


@pytest.mark.django_db
def test_during_a_database_outage_people_get_a_chinese_503_page(demo, database_out):
    client = signed_in(demo["street_jinhaihu"], raise_request_exception=False)
    database_out()
    for path in ("/", "/whistles/", "/queue/", "/accounts/login/"):
        answer = client.get(path)
        assert answer.status_code == 503, path
        assert answer["Retry-After"] == "30"
        text = answer.content.decode()
        assert "服务暂时不可用" in text and "Server Error" not in text, text[:300]


@pytest.mark.django_db
def test_during_a_database_outage_the_api_and_open311_answer_json_503(demo, database_out):
    api = signed_in(demo["street_jinhaihu"], raise_request_exception=False)
    open311 = Client(raise_request_exception=False)
    database_out()
    answer = api.get("/api/v1/whistles/")
    assert answer.status_code == 503 and answer["Retry-After"] == "30"
    assert answer.json()["code"] == "unavailable"
    answer = open311.get("/open311/v2/services.json")
    assert answer.status_code == 503 and answer["Retry-After"] == "30"
    assert answer.json() == [{"code": 503, "description": "Service unavailable; try again later."}]
    answer = open311.get("/open311/v2/services.xml")
    assert answer.status_code == 503 and b"<code>503</code>" in answer.content


@pytest.mark.django_db
def test_an_unexpected_error_is_a_500_in_the_platforms_language(demo, monkeypatch):
    from dispatch import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "_queue_context", broken)
    answer = signed_in(demo["dept_pg_police"], raise_request_exception=False).get("/queue/")
    assert answer.status_code == 500 and "Retry-After" not in answer
    assert "出了点问题" in answer.content.decode()
