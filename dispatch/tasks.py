"""Thin tasks: ids in, a service call, safe to run twice."""

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from . import deadlines


@shared_task(name="dispatch.deadline_reached", ignore_result=True)
def deadline_reached(model_label: str, pk: int | None, retry: int = 0) -> bool:
    """The precise timer of the deadlines of one slice (sent with eta at its end): marks every
    due row of the model; True when row `pk` was among them."""
    return deadlines.timer_reached(model_label, pk, retry)


@shared_task(name="dispatch.sweep_overdue", ignore_result=True)
def sweep_overdue() -> int:
    """The guarantee: every DISPATCH_SWEEP_SECONDS, mark every open row past due."""
    return deadlines.sweep()


@shared_task(name="dispatch.queue_heartbeat", ignore_result=True)
def queue_heartbeat(queue: str) -> None:
    """Sent by beat into `queue`: whichever worker takes it shows that the queue is served
    (/healthz reports each queue's worker; the sweep's own heartbeat covers `sweep`)."""
    from django.utils import timezone

    deadlines.beat(timezone.now(), f"queue:{queue}")


@worker_ready.connect
def sweep_when_a_worker_starts(sender=None, **kwargs):
    """A worker that (re)starts sweeps at once, not at beat's next tick: after a crash the
    rows that fell due meanwhile are marked as soon as a worker is there to mark them."""
    sweep_overdue.apply_async(expires=settings.DISPATCH_SWEEP_SECONDS)
