from django.core.management.base import BaseCommand

from accounts.demo import seed


class Command(BaseCommand):
    help = "Load the demo organisation of Beijing and the demo accounts (safe to run twice)."

    def handle(self, *args, **options):
        counts = seed()
        if options["verbosity"]:
            summary = ", ".join(f"{k} {v}" for k, v in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}"))
