"""Thin tasks: ids in, a service call, safe to run twice."""

import time

from celery import shared_task

from . import services

DELIVER_BUDGET_SECONDS = 2


@shared_task(name="notifications.deliver", ignore_result=True)
def deliver(delivery_id: int) -> str:
    """Send one delivery through its channel (claimed first: a copy of this task sends nothing)."""
    return services.deliver(delivery_id)


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> int:
    """The guarantee: send the task again for deliveries whose task was lost."""
    return services.sweep()


@shared_task(name="notifications.deliver_many", ignore_result=True)
def deliver_many(delivery_ids: list[int]) -> dict:
    """Send several deliveries one after the other (each claimed on its own). Past
    DELIVER_BUDGET_SECONDS the rest goes back to the queue as a task of its own, so a slow
    channel keeps a worker process from the sweep and the timers no longer than one send."""
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    for i, pk in enumerate(delivery_ids):
        if i and time.monotonic() - started > DELIVER_BUDGET_SECONDS:
            services.enqueue(delivery_ids[i:])
            outcomes["requeued"] = len(delivery_ids) - i
            break
        outcome = services.deliver(pk)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
