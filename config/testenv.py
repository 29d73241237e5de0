"""Loaded by pytest before Django (`-p config.testenv` in pyproject.toml).

DATABASE_URL / REDIS_URL decide where the tests run: set, they must be reachable (the run
stops, it never falls back); unset, SQLite and the filesystem broker under var/test/.
"""

import os
import socket
from urllib.parse import urlparse

import pytest

os.environ.setdefault("SECRET_KEY", "test-secret-key-only-for-the-test-suite-0123456789abcdef")
os.environ.setdefault("VAR_DIR", "var/test")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("DEMO_PASSWORD", "demo-pass-2026")


def _reachable(url: str, default_port: int) -> str | None:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:
        return f"{host}:{port} ({exc.strerror or exc})"
    return None


def describe_services() -> tuple[str, str]:
    db = os.environ.get("DATABASE_URL")
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    database = "PostgreSQL " + urlparse(db).netloc + urlparse(db).path if db else "SQLite"
    if db and db.startswith("sqlite"):
        database = "SQLite " + db
    queue = (
        ("Redis " + urlparse(broker).netloc + urlparse(broker).path)
        if broker
        else ("filesystem broker under VAR_DIR")
    )
    return database, queue


def pytest_configure(config):
    for name, port in (("DATABASE_URL", 5432), ("REDIS_URL", 6379), ("CELERY_BROKER_URL", 6379)):
        url = os.environ.get(name)
        if url and not url.startswith(("sqlite", "filesystem")):
            problem = _reachable(url, port)
            if problem:
                raise pytest.UsageError(f"{name} is set but not reachable: {problem}")


def pytest_report_header(config):
    database, queue = describe_services()
    return [f"services: database = {database}; broker = {queue}"]
