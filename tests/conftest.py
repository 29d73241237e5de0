import pytest
from django.core.management import call_command
from django.db import connection, transaction


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords is slow on purpose; tests need speed, not safety.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo organisation and accounts (seed_demo) loaded once, when the test database is
    made: every test in a transaction starts from it and rolls back to it. Tests that need an
    empty database say so with `@pytest.mark.empty_db`. Transactional tests (which run last)
    empty every table when they end; `demo` loads it again for the next one that asks."""
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


def _demo_loaded() -> bool:
    from accounts.models import User

    return User.objects.filter(username="admin").exists()


@pytest.fixture
def demo(db):
    """The demo organisation and accounts of api-contract.md, loaded by seed_demo."""
    from accounts.models import User

    if not _demo_loaded():  # emptied by a transactional test that ran before
        call_command("seed_demo", verbosity=0)
    return {u.username: u for u in User.objects.all()}


@pytest.fixture(autouse=True)
def _empty_database(request):
    """`@pytest.mark.empty_db`: the test starts with every table empty (inside its
    transaction, so the demo is back for the next test)."""
    if request.node.get_closest_marker("empty_db") is None:
        yield
        return
    request.getfixturevalue("db")
    from django.apps import apps
    from django.core.management.color import no_style

    from config import appendonly

    kept = {"contenttypes.ContentType", "auth.Permission"}  # made by the migrations
    tables = [
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.label not in kept
    ]
    statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    # one transaction: SQLite checks its (deferred) foreign keys when everything is gone
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # the timeline refuses DELETE: lift its triggers
            for table in appendonly.TABLES:
                for statement in appendonly.sqlite_drop(table):
                    cursor.execute(statement)
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            for table in appendonly.TABLES:
                for statement in appendonly.sqlite_create(table):
                    cursor.execute(statement)
    yield


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
        for table in appendonly.TABLES:
            for statement in appendonly.sqlite_drop(table):
                cursor.execute(statement)
            cursor.execute(f"DELETE FROM {table}")
            for statement in appendonly.sqlite_create(table):
                cursor.execute(statement)
