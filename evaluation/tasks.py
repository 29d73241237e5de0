from celery import shared_task
from django.utils.dateparse import parse_datetime

from . import scoring


@shared_task(name="evaluation.recompute_for_whistle", acks_late=True)
def recompute_for_whistle(department_ids, blown_at):
    """After an evaluation, a veto or its review: the three periods of the whistle."""
    scoring.recompute_for_whistle(department_ids, parse_datetime(blown_at))


@shared_task(name="evaluation.recompute_recent", acks_late=True)
def recompute_recent():
    """Nightly: every recent period from scratch (safe to run twice)."""
    return scoring.recompute_all()
