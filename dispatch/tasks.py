"""Thin tasks: ids in, a service call, safe to run twice."""

from celery import shared_task
from django.apps import apps

from . import deadlines


@shared_task(name="dispatch.deadline_reached", ignore_result=True)
def deadline_reached(model_label: str, pk: int) -> bool:
    """The precise timer of one deadline (sent with eta=deadline)."""
    model = apps.get_model(model_label)
    return deadlines.mark_overdue(model, pk)


@shared_task(name="dispatch.sweep_overdue", ignore_result=True)
def sweep_overdue() -> int:
    """The guarantee: every DISPATCH_SWEEP_SECONDS, mark every open row past due."""
    return deadlines.sweep()
