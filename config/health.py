"""`GET /healthz`: 200 when the database and the broker answer, the overdue sweep ran within
two intervals, and a worker took each queue's heartbeat (HEALTH_QUEUES) within two intervals;
otherwise 503 with `problems`, each naming its cause in words an operator can act on. Before the
first heartbeat a process allows DISPATCH_SWEEP_GRACE_SECONDS after it started ("starting")."""

import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ok"
        log.warning("healthz: database: %s", exc)
        return "error"
    return "ok"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        return "ok" if folder.is_dir() and _writable(folder) else "error"
    from config.celery import app

    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # kombu raises many types; all mean "not ok"
        log.warning("healthz: broker: %s", exc)
        return "error"
    return "ok"


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK)


STARTED = time.monotonic()
SWEEP_QUEUE = "sweep"


def _judge(age: float | None) -> tuple[str, float | None]:
    """ok within two intervals; before any heartbeat, "starting" during the grace after this
    process started (beat may come up after web), then "stalled"."""
    limit = 2 * settings.DISPATCH_SWEEP_SECONDS
    if age is None:
        starting = time.monotonic() - STARTED < settings.DISPATCH_SWEEP_GRACE_SECONDS
        return ("starting" if starting else "stalled"), None
    return ("ok" if age <= limit else "stalled"), round(age, 1)


def check_heartbeats() -> dict[str, tuple[str, float | None]]:
    """The overdue sweep's heartbeat, and each other queue's (`queue:<name>`), judged."""
    from dispatch.deadlines import SWEEP, heartbeat_ages

    names = [SWEEP, *(f"queue:{q}" for q in settings.HEALTH_QUEUES)]
    try:
        ages = heartbeat_ages(names)
    except Exception as exc:  # no table yet, database down: reported by the database check
        log.warning("healthz: heartbeats: %s", exc)
        return dict.fromkeys(names, ("error", None))
    return {name: _judge(age) for name, age in ages.items()}


def waiting_sweeps() -> int | None:
    """How many sweep messages wait in the broker (Redis only; None when unknown)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis", "rediss")):
        return None
    from config.celery import app

    try:
        with app.connection_for_write(url) as conn:
            return conn.default_channel.client.llen(SWEEP_QUEUE)
    except Exception as exc:  # kombu and redis-py raise many types; all mean "unknown"
        log.warning("healthz: sweep queue: %s", exc)
        return None


def sweep_cause(age: float | None, broker_ok: bool = True) -> str:
    """Why the sweep is stalled, in words an operator can act on (the broker's queue is
    asked only when the broker answers)."""
    limit = 2 * settings.DISPATCH_SWEEP_SECONDS
    if age is None:
        said = f"the overdue sweep has not run since this process started ({limit} s allowed)"
    else:
        said = f"the overdue sweep last ran {age:g} s ago (more than two intervals, {limit} s)"
    waiting = waiting_sweeps() if broker_ok else None
    if waiting:
        return (
            f"{said}: {waiting} sweep(s) wait in the '{SWEEP_QUEUE}' queue and no worker takes "
            f"them; start `celery -A config worker` (it consumes every queue)"
        )
    if waiting == 0:
        return (
            f"{said}: no sweep waits in the '{SWEEP_QUEUE}' queue; is `celery -A config beat` "
            f"running?"
        )
    return f"{said}: is `celery -A config worker` running, and `celery -A config beat`?"


def queue_cause(queue: str, age: float | None) -> str:
    limit = 2 * settings.DISPATCH_SWEEP_SECONDS
    said = (
        f"no worker has taken the '{queue}' queue since this process started ({limit} s allowed)"
        if age is None
        else f"no worker has taken the '{queue}' queue for {age:g} s (limit {limit} s)"
    )
    what = {"notifications": "email, SMS and robot messages are not sent"}.get(
        queue, "timers, recomputations and helpers wait"
    )
    return f"{said}: {what}; start `celery -A config worker` (it consumes every queue)"


@never_cache
@require_safe
def healthz(request):
    from dispatch.deadlines import SWEEP

    beats = check_heartbeats()
    sweep, age = beats.pop(SWEEP)
    report = {
        "database": check_database(),
        "broker": check_broker(),
        "sweep": sweep,
        "sweep_age_seconds": age,
        "queues": {
            name.removeprefix("queue:"): {"state": state, "age_seconds": queue_age}
            for name, (state, queue_age) in beats.items()
        },
    }
    problems = []
    if report["database"] != "ok":
        problems.append("database: it does not answer")
    if report["broker"] != "ok":
        problems.append("broker: it does not answer")
    if sweep == "stalled":
        problems.append("sweep: " + sweep_cause(age, broker_ok=report["broker"] == "ok"))
    elif sweep == "error" and report["database"] == "ok":
        problems.append("sweep: its heartbeat cannot be read (are the migrations applied?)")
    for queue, answer in report["queues"].items():
        if answer["state"] == "stalled":
            problems.append(f"worker: {queue_cause(queue, answer['age_seconds'])}")
    if problems:
        report["problems"] = problems
    return JsonResponse(report, status=503 if problems else 200)
