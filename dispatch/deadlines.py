"""The deadline engine: one mechanism for every due time of the platform.

A deadline-bearing model subclasses `DeadlineModel` (a `deadline` column and an `overdue_at`
mark) and is registered with `register(Model, on_overdue=...)`. Then:

1. the database is the truth: `deadline` is a column, with a partial index on open rows;
2. precise: `schedule(obj)` sends a Celery task with `eta=deadline` after commit;
3. safe: beat runs `sweep()` every DISPATCH_SWEEP_SECONDS for open rows past due;
4. both go through `mark_overdue()`: one conditional UPDATE, and only the caller that changed
   the row runs the side effects (timeline event, notifications). Two sweeps at once, a
   duplicated, late or lost task cost at most one sweep interval and never a double mark.

The sweep records when it last ran in the database, where every process can read it
(`/healthz` reports `sweep_age_seconds`).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)


class DeadlineModel(models.Model):
    deadline = models.DateTimeField()
    overdue_at = models.DateTimeField(null=True, blank=True)

    # Rows whose clock still runs (besides `overdue_at IS NULL`); subclasses narrow it.
    deadline_open = Q()

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Registration:
    model: type[DeadlineModel]
    on_overdue: Callable  # (obj, now) -> None, inside the marking transaction


_registry: dict[str, Registration] = {}


def register(model, on_overdue) -> None:
    _registry[model._meta.label_lower] = Registration(model, on_overdue)


def registered() -> list[Registration]:
    return list(_registry.values())


def registration(label: str) -> Registration:
    return _registry[label]


def open_past_due(model, now):
    # strictly after: an arrival exactly at the deadline is on time (checked_in_at <= deadline)
    return model.objects.filter(model.deadline_open, overdue_at=None, deadline__lt=now)


def mark_overdue(model, pk, now=None) -> bool:
    """Mark one row overdue if its deadline has passed and its clock still runs.

    Returns True only for the one caller whose UPDATE changed the row; that caller records
    the side effects in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = open_past_due(model, now).filter(pk=pk).update(overdue_at=now)
        if changed:
            obj = model.objects.get(pk=pk)
            _registry[model._meta.label_lower].on_overdue(obj, now)
    return bool(changed)


def mark_due(queryset, now=None) -> int:
    """Mark every row of `queryset` that is due (used before a state change that stops the
    clock, e.g. resolving a whistle: any mark that is due is made first)."""
    now = now or timezone.now()
    model = queryset.model
    ids = list(
        open_past_due(model, now).filter(pk__in=queryset.values("pk")).values_list("pk", flat=True)
    )
    return sum(mark_overdue(model, pk, now) for pk in ids)


def eta_horizon() -> timedelta:
    """How far ahead an ETA task may be scheduled. On Redis an unacknowledged task comes back
    after the visibility timeout; an ETA beyond it would be handed out again every cycle, so
    longer waits are left to the sweep."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return timedelta(seconds=max(visibility - 300, 60))


def schedule(obj) -> None:
    """After commit, send the precise timer for `obj` (the sweep is the guarantee)."""
    from .tasks import deadline_reached

    label = obj._meta.label_lower
    pk, deadline = obj.pk, obj.deadline

    def send():
        if deadline - timezone.now() > eta_horizon():
            return
        try:
            deadline_reached.apply_async((label, pk), eta=deadline)
        except Exception:  # a broker outage must not fail the request; the sweep covers it
            log.warning(
                "deadline timer for %s %s not scheduled; the sweep will mark it",
                label,
                pk,
                exc_info=True,
            )

    transaction.on_commit(send)


SWEEP = "overdue"
SWEEP_BATCH = 500


def sweep(now=None) -> int:
    """Mark every open row past due, for every registered model. Safe to run concurrently."""
    now = now or timezone.now()
    marked = 0
    for reg in registered():
        while True:
            ids = list(
                open_past_due(reg.model, now)
                .order_by("deadline")
                .values_list("pk", flat=True)[:SWEEP_BATCH]
            )
            marked += sum(mark_overdue(reg.model, pk) for pk in ids)
            if len(ids) < SWEEP_BATCH:
                break
    beat(now)
    return marked


def beat(now) -> None:
    from .models import SweepHeartbeat

    if not SweepHeartbeat.objects.filter(name=SWEEP).update(at=now):
        try:
            with transaction.atomic():
                SweepHeartbeat.objects.create(name=SWEEP, at=now)
        except IntegrityError:  # a concurrent sweep created it
            SweepHeartbeat.objects.filter(name=SWEEP).update(at=now)


def sweep_age_seconds(now=None) -> float | None:
    from .models import SweepHeartbeat

    at = SweepHeartbeat.objects.filter(name=SWEEP).values_list("at", flat=True).first()
    if at is None:
        return None
    return max(0.0, ((now or timezone.now()) - at).total_seconds())
