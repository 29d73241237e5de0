"""Give the application's database role what it needs and no more (PostgreSQL).

    python manage.py grant_app_role chuishao_app

Run by the role that owns the tables (the one `migrate` runs as) after every migrate
(docker-compose.yml's `migrate` service). The application role may read and write every table,
but on the append-only tables (the timelines) only SELECT and INSERT: it owns none of them, so
it can neither UPDATE, DELETE nor TRUNCATE them, nor disable the trigger that refuses those.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.appendonly import TABLES


class Command(BaseCommand):
    help = (
        "Grant the application's database role its privileges (append-only tables: read, insert)."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the web and the workers connect as")

    def handle(self, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL (SQLite has no roles).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"there is no role {role!r}: create it first")
            quoted = connection.ops.quote_name(role)
            tables = connection.introspection.table_names(cursor)
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
            for table in tables:
                name = connection.ops.quote_name(table)
                cursor.execute(f"REVOKE ALL ON {name} FROM {quoted}")
                rights = "SELECT, INSERT" if table in TABLES else "SELECT, INSERT, UPDATE, DELETE"
                cursor.execute(f"GRANT {rights} ON {name} TO {quoted}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        self.stdout.write(f"{role}: {len(tables)} tables, append-only {', '.join(TABLES)}")
