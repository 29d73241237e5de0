"""The timeline is append-only: the database itself refuses UPDATE and DELETE of events.

PostgreSQL: a row trigger raising an exception (TRUNCATE, used only to empty test databases,
fires no row trigger). SQLite: BEFORE UPDATE / BEFORE DELETE triggers that RAISE(ABORT).
"""

from django.db import migrations

from whistle.migrations import _triggers


def run(schema_editor, postgresql, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"no append-only trigger for {vendor}")


def forward(apps, schema_editor):
    run(schema_editor, _triggers.PG_CREATE, _triggers.SQLITE_CREATE)


def backward(apps, schema_editor):
    run(schema_editor, _triggers.PG_DROP, _triggers.SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("whistle", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
