"""System checks of what the deadline engine needs from the database."""

import sqlite3

from django.core.checks import Error, register
from django.db import connections

SQLITE_NEEDED = (3, 35, 0)  # UPDATE … RETURNING


def sqlite_error(version_info=sqlite3.sqlite_version_info, version=sqlite3.sqlite_version):
    if tuple(version_info) >= SQLITE_NEEDED:
        return None
    return Error(
        f"SQLite {version} is older than 3.35, which the deadline engine needs (UPDATE … "
        "RETURNING): no overdue mark could be made.",
        hint="Use a Python built with a newer SQLite, or PostgreSQL (DATABASE_URL).",
        id="dispatch.E001",
    )


@register("database")
def sqlite_is_recent_enough(app_configs=None, databases=None, **kwargs):
    uses_sqlite = any(connections[alias].vendor == "sqlite" for alias in databases or ())
    error = sqlite_error() if uses_sqlite else None
    return [error] if error else []
