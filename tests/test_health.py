from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from config import health
from dispatch import deadlines


@pytest.fixture
def swept(db):
    deadlines.sweep()


def test_healthz_answers_200_when_the_database_broker_and_sweep_are_well(swept):
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["database"], body["broker"], body["sweep"]) == ("ok", "ok", "ok")
    assert 0 <= body["sweep_age_seconds"] < 5


def test_healthz_answers_503_when_the_sweep_stalls_for_two_intervals(swept, settings):
    with time_machine.travel(
        timezone.now() + timedelta(seconds=2 * settings.DISPATCH_SWEEP_SECONDS + 1)
    ):
        answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["sweep"] == "stalled"
    assert answer.json()["sweep_age_seconds"] > 2 * settings.DISPATCH_SWEEP_SECONDS
    with time_machine.travel(
        timezone.now() + timedelta(seconds=2 * settings.DISPATCH_SWEEP_SECONDS - 1)
    ):
        assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_before_any_sweep_healthz_waits_out_the_start_up_grace(settings, monkeypatch):
    settings.DISPATCH_SWEEP_GRACE_SECONDS = 60
    monkeypatch.setattr(health, "STARTED", health.time.monotonic())
    answer = Client().get("/healthz")
    assert (answer.status_code, answer.json()["sweep"], answer.json()["sweep_age_seconds"]) == (
        200,
        "starting",
        None,
    )
    monkeypatch.setattr(health, "STARTED", health.time.monotonic() - 61)
    answer = Client().get("/healthz")
    assert (answer.status_code, answer.json()["sweep"]) == (503, "stalled")


def test_healthz_answers_503_when_the_broker_is_down(swept, monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: "error")
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["broker"] == "error"


def test_healthz_reports_an_unreachable_redis_as_an_error(swept, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    assert health.check_broker() == "error"
    answer = Client().get("/healthz")
    assert (answer.status_code, answer.json()["broker"]) == (503, "error")


def test_healthz_answers_503_when_the_database_fails(swept, monkeypatch):
    class LostConnection:
        def cursor(self):
            raise RuntimeError("connection lost")

    monkeypatch.setattr(health, "connection", LostConnection())
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "error"


def test_healthz_answers_head_probes(swept):
    assert Client().head("/healthz").status_code == 200
