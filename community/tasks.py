from celery import shared_task

from . import feedback


@shared_task(name="community.ensure_employer_reports", acks_late=True)
def ensure_employer_reports():
    """Nightly (beat): the reports to employers of the current and the previous period, made
    where missing and scheduled on the deadline engine (safe to run twice)."""
    return feedback.ensure_reports()
