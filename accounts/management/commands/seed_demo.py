from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.demo import seed
from accounts.demo_offices import seed_offices


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the demo organisation of Beijing and the demo accounts (safe to run twice)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG and not settings.DEMO_PASSWORD_SET:
            # The demo includes a superuser: never with a password everybody knows.
            raise CommandError(
                _(
                    "With DEBUG=0, set DEMO_PASSWORD to load the demo accounts (they include a superuser)."
                )
            )
        counts = seed()
        counts.update(seed_offices())  # 六办一队三中心 of every street
        if options["verbosity"]:
            summary = ", ".join(f"{k} {v}" for k, v in counts.items())
            self.stdout.write(
                self.style.SUCCESS(_("Demo data ready: %(summary)s") % {"summary": summary})
            )
