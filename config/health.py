"""`GET /healthz`: 200 when the database and the broker answer, 503 otherwise."""

import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


@never_cache
@require_GET
def healthz(request):
    report = {"database": check_database(), "broker": check_broker()}
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse(report, status=200 if healthy else 503)
