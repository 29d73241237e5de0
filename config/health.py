"""`GET /healthz`: 200 when the database and the broker answer, 503 otherwise."""

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


def check_sweep() -> tuple[str, float | None]:
    """The overdue sweep must have run within two intervals; a process that just started
    (beat may come up after web) gets DISPATCH_SWEEP_GRACE_SECONDS."""
    from dispatch.deadlines import sweep_age_seconds

    try:
        age = sweep_age_seconds()
    except Exception as exc:  # no table yet, database down: reported by the database check
        log.warning("healthz: sweep: %s", exc)
        return "error", None
    limit = 2 * settings.DISPATCH_SWEEP_SECONDS
    if age is None:
        starting = time.monotonic() - STARTED < settings.DISPATCH_SWEEP_GRACE_SECONDS
        return ("starting" if starting else "stalled"), None
    if age <= limit:
        return "ok", round(age, 1)
    return "stalled", round(age, 1)


@never_cache
@require_safe
def healthz(request):
    sweep, age = check_sweep()
    report = {
        "database": check_database(),
        "broker": check_broker(),
        "sweep": sweep,
        "sweep_age_seconds": age,
    }
    healthy = (
        report["database"] == "ok" and report["broker"] == "ok" and sweep in ("ok", "starting")
    )
    return JsonResponse(report, status=200 if healthy else 503)
