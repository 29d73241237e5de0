"""Thin tasks: ids in, a service call, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="notifications.deliver", ignore_result=True)
def deliver(delivery_id: int) -> str:
    """Send one delivery through its channel (claimed first: a copy of this task sends nothing)."""
    return services.deliver(delivery_id)


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> int:
    """The guarantee: send the task again for deliveries whose task was lost."""
    return services.sweep()
