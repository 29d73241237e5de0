from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from config import health
from dispatch import deadlines
from dispatch.tasks import queue_heartbeat
from tests.services import workers_alive


@pytest.fixture
def swept(db):
    workers_alive()


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


@pytest.mark.parametrize(
    ("waiting", "said"),
    [
        (3, "3 sweep(s) wait in the 'sweep' queue and no worker takes them"),
        (0, "no sweep waits in the 'sweep' queue; is `celery -A config beat` running?"),
        (None, "is `celery -A config worker` running, and `celery -A config beat`?"),
    ],
)
def test_a_stalled_sweep_answers_503_naming_the_cause(swept, settings, monkeypatch, waiting, said):
    monkeypatch.setattr(health, "waiting_sweeps", lambda: waiting)
    late = 2 * settings.DISPATCH_SWEEP_SECONDS + 5
    with time_machine.travel(timezone.now() + timedelta(seconds=late)):
        answer = Client().get("/healthz")
    assert answer.status_code == 503
    (problem,) = [p for p in answer.json()["problems"] if p.startswith("sweep:")]
    assert problem.startswith("sweep: the overdue sweep last ran") and said in problem


@pytest.mark.django_db
def test_no_sweep_after_the_grace_names_the_cause_too(settings, monkeypatch):
    monkeypatch.setattr(health, "STARTED", health.time.monotonic() - 61)
    monkeypatch.setattr(health, "waiting_sweeps", lambda: 2)
    settings.DISPATCH_SWEEP_GRACE_SECONDS = 60
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["problems"][0] == (
        "sweep: the overdue sweep has not run since this process started "
        f"({2 * settings.DISPATCH_SWEEP_SECONDS} s allowed): 2 sweep(s) wait in the 'sweep' "
        "queue and no worker takes them; start `celery -A config worker` (it consumes every "
        "queue)"
    )


def test_a_healthy_answer_names_no_problem(swept):
    assert "problems" not in Client().get("/healthz").json()


def test_a_queue_no_worker_takes_answers_503_naming_it(swept, settings):
    later = timezone.now() + timedelta(seconds=2 * settings.DISPATCH_SWEEP_SECONDS + 3)
    with time_machine.travel(later):
        deadlines.sweep()  # the sweeper still runs; the main worker is gone
        queue_heartbeat("celery")
        answer = Client().get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["sweep"] == "ok" and body["queues"]["celery"]["state"] == "ok"
    assert body["queues"]["notifications"]["state"] == "stalled"
    (problem,) = body["problems"]
    assert problem.startswith("worker: no worker has taken the 'notifications' queue for ")
    assert "email, SMS and robot messages are not sent" in problem


def test_the_report_lists_each_queue(swept):
    body = Client().get("/healthz").json()
    assert set(body["queues"]) == {"celery", "notifications"}
    assert all(q["state"] == "ok" and q["age_seconds"] < 5 for q in body["queues"].values())
