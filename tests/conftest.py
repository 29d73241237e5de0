import pytest
from django.core.management import call_command
from django.db import connection


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords is slow on purpose; tests need speed, not safety.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo organisation and accounts of api-contract.md, loaded by seed_demo."""
    call_command("seed_demo", verbosity=0)
    from accounts.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture(autouse=True)
def _empty_the_timeline_after_transactional_tests(request):
    """The timeline is append-only in the database. A transactional test is cleaned up by
    emptying every table: on PostgreSQL with TRUNCATE (which row triggers ignore); on SQLite
    with DELETE, which the trigger refuses. So on SQLite, empty the timeline first, with the
    trigger lifted for that one statement, before pytest-django's flush runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    )
    if not transactional:
        yield
        return
    # Set up the database first so that it is flushed after this fixture's clean-up.
    request.getfixturevalue("_django_db_helper")
    yield
    if connection.vendor != "sqlite":
        return
    from config import appendonly

    with connection.cursor() as cursor:
        for table in ("whistle_event", "accounts_timelineevent"):
            for statement in appendonly.sqlite_drop(table):
                cursor.execute(statement)
            cursor.execute(f"DELETE FROM {table}")
            for statement in appendonly.sqlite_create(table):
                cursor.execute(statement)
