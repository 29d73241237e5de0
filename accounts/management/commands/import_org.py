from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.orgimport import ImportFileError, import_org


class Command(BaseCommand):
    help = (
        "Import districts, streets, communities, departments and 1+4+N stations from a CSV or "
        "XLSX file (docs/import-org.md). All or nothing: with any bad row nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would change, then save nothing",
        )

    def handle(self, *args, **options):
        try:
            result = import_org(options["file"], dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            bad_lines = len({e.line for e in result.errors})
            raise CommandError(
                ngettext(
                    "%(count)d bad row; nothing was saved.",
                    "%(count)d bad rows; nothing was saved.",
                    bad_lines,
                )
                % {"count": bad_lines}
            )
        for line in result.summary_lines():
            self.stdout.write(line)
        if result.dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was saved.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Import done.")))
