"""The timeline is append-only: the database itself refuses UPDATE and DELETE of events
(config/appendonly.py: a row trigger on PostgreSQL, RAISE(ABORT) triggers on SQLite)."""

from django.db import migrations

from config import appendonly


class Migration(migrations.Migration):
    dependencies = [("whistle", "0001_initial")]

    operations = [appendonly.operations("whistle_event")]
