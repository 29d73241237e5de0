"""The application's database role (docker-compose.yml) reads and writes, but cannot change,
delete or truncate the timelines, nor lift their trigger: it owns no table."""

import secrets

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles: PostgreSQL only"
)


@pytest.fixture
def app_role(transactional_db):
    role = f"chuishao_app_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def connect_as(role):
    s = connection.settings_dict
    link = psycopg2.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, dbname=s["NAME"], user=role
    )
    link.autocommit = True
    return link


def refused(cursor, sql) -> bool:
    try:
        cursor.execute(sql)
    except psycopg2.errors.InsufficientPrivilege:
        return True
    return False


def test_the_app_role_appends_to_timelines_and_changes_nothing_in_them(demo, app_role):
    from accounts.models import District

    call_command("grant_app_role", app_role, stdout=open("/dev/null", "w"))  # noqa: SIM115
    district = District.objects.first()
    link = connect_as(app_role)
    try:
        with link.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_timelineevent (type, at, data, subject_type_id, subject_id) "
                "SELECT 'test', now(), '{}', id, 1 FROM django_content_type LIMIT 1 RETURNING id"
            )
            cursor.execute("SELECT count(*) FROM accounts_timelineevent")
            assert cursor.fetchone()[0] >= 1
            for table in ("accounts_timelineevent", "whistle_event"):
                assert refused(cursor, f"UPDATE {table} SET at = now()")
                assert refused(cursor, f"DELETE FROM {table}")
                assert refused(cursor, f"TRUNCATE {table}")
                assert refused(cursor, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            cursor.execute("UPDATE accounts_district SET name = name WHERE id = %s", [district.pk])
            assert cursor.rowcount == 1  # ordinary tables: read and write
    finally:
        link.close()


def test_an_unknown_role_is_a_clear_error(db):
    with pytest.raises(CommandError, match="there is no role"):
        call_command("grant_app_role", "nobody_by_that_name")
