import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_and_broker_answer():
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["database"] == "ok"
    assert answer.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(monkeypatch):
    from config import health

    monkeypatch.setattr(health, "check_broker", lambda: "error")
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["broker"] == "error"


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_redis_as_an_error(settings):
    from config import health

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    assert health.check_broker() == "error"
    answer = Client().get("/healthz")
    assert (answer.status_code, answer.json()["broker"]) == (503, "error")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(monkeypatch):
    from config import health

    def broken_cursor():
        raise RuntimeError("connection lost")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "error"
