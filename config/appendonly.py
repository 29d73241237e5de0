"""SQL that makes a table append-only: the database itself refuses UPDATE and DELETE.

PostgreSQL: a row trigger raising an exception (TRUNCATE, used only to empty test databases,
fires no row trigger). SQLite: BEFORE UPDATE / BEFORE DELETE triggers that RAISE(ABORT).
Used by migrations (RunPython) and by the test clean-up of transactional tests on SQLite.
"""


def pg_create(table: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = '{table} is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""


def pg_drop(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


def sqlite_create(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END;""",
    ]


def sqlite_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update;",
        f"DROP TRIGGER IF EXISTS {table}_no_delete;",
    ]


def operations(table: str):
    """A RunPython that makes `table` append-only on PostgreSQL and SQLite."""
    from django.db import migrations

    def run(schema_editor, create: bool):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(pg_create(table) if create else pg_drop(table))
        elif vendor == "sqlite":
            for statement in sqlite_create(table) if create else sqlite_drop(table):
                schema_editor.execute(statement)
        else:
            raise NotImplementedError(f"no append-only trigger for {vendor}")

    return migrations.RunPython(
        lambda apps, schema_editor: run(schema_editor, True),
        lambda apps, schema_editor: run(schema_editor, False),
    )


# Every append-only table of the project (their migrations add the triggers).
TABLES = ("whistle_event", "accounts_timelineevent")
