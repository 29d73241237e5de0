"""The deadline engine: one mechanism for every due time of the platform (docs/deadlines.md).

A deadline-bearing model subclasses `DeadlineModel` (a `deadline` column and an `overdue_at`
mark) and is registered with `register(Model, on_overdue=...)` or `on_overdue_many=...`. Then:

1. the database is the truth: `deadline` is a column, with a partial index on open rows;
2. precise: `schedule(obj)` sends a Celery timer with `eta=deadline` after commit; deadlines
   that fall due together share one timer, which marks every due row of its model;
3. safe: beat runs `sweep()` every DISPATCH_SWEEP_SECONDS for open rows past due;
4. timers, sweeps and state changes all mark through `claim()`: one conditional
   `UPDATE … RETURNING` per batch, and only the caller whose UPDATE changed the rows writes
   their side effects (timeline events, notifications), in bulk, in the same transaction.
   Two sweeps at once, a duplicated, late or lost timer cost at most one sweep interval and
   never a double mark.

The sweep records when it last ran in the database, where every process can read it
(`/healthz` reports `sweep_age_seconds`).
"""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone

log = logging.getLogger(__name__)

BATCH = 500  # rows per claim: one UPDATE … RETURNING, its events and notifications
TIMER_BUCKET_MS = 250  # deadlines within one such slice share one timer
TIMER_RETRIES = 3  # a timer whose row another transaction held comes again, this often


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
    # (obj, now) for one row, or (pks, now) for a batch; inside the marking transaction
    on_overdue: Callable | None = None
    on_overdue_many: Callable | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def handle(self, pks: list, now) -> None:
        """The side effects of the rows this caller just marked."""
        if self.on_overdue_many is not None:
            self.on_overdue_many(pks, now)
            return
        for obj in self.model.objects.filter(pk__in=pks).order_by("pk"):
            self.on_overdue(obj, now)


_registry: dict[str, Registration] = {}


def register(model, on_overdue=None, *, on_overdue_many=None) -> None:
    """`on_overdue(obj, now)` is called once per marked row; `on_overdue_many(pks, now)`, when
    given instead, once per batch (for models that fall due by the thousand)."""
    if (on_overdue is None) == (on_overdue_many is None):
        raise TypeError("register() takes one of on_overdue and on_overdue_many")
    reg = Registration(model, on_overdue, on_overdue_many)
    _registry[reg.label] = reg


def registered() -> list[Registration]:
    return list(_registry.values())


def _registration_of(model) -> Registration:
    return _registry[model._meta.label_lower]


def open_past_due(model, now):
    # strictly after: an arrival exactly at the deadline is on time (checked_in_at <= deadline)
    return model.objects.filter(model.deadline_open, overdue_at=None, deadline__lt=now)


# --- marking ------------------------------------------------------------------------------


def _update_sql(model, db, now, picked: list) -> tuple[str, list]:
    """`UPDATE … SET overdue_at = now WHERE <open past due> AND pk IN (picked) RETURNING pk`,
    written by Django's own UPDATE compiler (as in QuerySet.update(): conditions across joins
    become a primary-key subquery).

    The picked keys come as a list of values, not as a subquery or a CTE: PostgreSQL then
    finds them by primary key whatever its statistics say. With `pk IN (SELECT pk FROM
    picked)`, a burst of rows fallen due since the last ANALYZE is estimated at one row and
    the UPDATE becomes a nested loop over every due row times every picked one: 0.3–0.8 s a
    batch of 500 at 10,000 due (seen here), the floor being 0.05 s."""
    pk = connections[db].ops.quote_name(model._meta.pk.column)
    query = open_past_due(model, now).filter(pk__in=picked).query.chain(UpdateQuery)
    query.add_update_values({"overdue_at": now})
    sql, params = query.get_compiler(db).as_sql()
    return f"{sql} RETURNING {pk}", list(params)


def claim(model, now, among=None, *, skip_locked: bool = True) -> list:
    """Mark up to BATCH due rows of `model` (of `among`, a queryset or ids, when given): one
    SELECT picks and locks them, one conditional UPDATE … RETURNING marks them, and their side
    effects are written in bulk, all in one transaction. Returns the keys of the rows this call
    marked: nobody else marks them.

    The picked rows are locked, and the UPDATE repeats the conditions on the rows themselves,
    so a row changed meanwhile (an arrival committed while this waited for its lock) is
    re-checked and left alone. With `skip_locked` (timers and sweeps), rows another
    transaction holds are skipped: two sweeps take different rows, and a row locked by a state
    change is that change's to mark (`_locked_check_in`). State changes pass False: they mark
    what is due under their locks, waiting for others'."""
    reg = _registration_of(model)
    due = open_past_due(model, now)
    if among is not None:
        due = due.filter(pk__in=among)
    pick = due.order_by("deadline", "pk").values_list("pk", flat=True)[:BATCH]
    db = router.db_for_write(model)
    features = connections[db].features
    if features.has_select_for_update:
        # NO KEY: events inserted meanwhile take a key-share lock on rows they refer to
        skip = skip_locked and features.has_select_for_update_skip_locked
        pick = pick.select_for_update(no_key=True, of=("self",), skip_locked=skip)
    started = time.perf_counter()
    with transaction.atomic(using=db):
        picked = list(pick)
        pks = []
        if picked:
            sql, params = _update_sql(model, db, now, picked)
            with connections[db].cursor() as cursor:
                cursor.execute(sql, params)
                pks = [row[0] for row in cursor.fetchall()]
        if pks:
            reg.handle(pks, now)
    if pks:
        took = time.perf_counter() - started
        log.info("marked %d %s overdue in %.3f s", len(pks), reg.label, took)
    return pks


def _one_by_one(model, now, among, skip_locked) -> list:
    """After a batch failed: each due row on its own, so one row whose side effects fail
    (logged with its key) does not hold back the others; it is tried again next time."""
    due = open_past_due(model, now)
    if among is not None:
        due = due.filter(pk__in=among)
    marked = []
    for pk in list(due.order_by("deadline", "pk").values_list("pk", flat=True)[:BATCH]):
        try:
            marked += claim(model, now, [pk], skip_locked=skip_locked)
        except Exception:
            log.exception("%s %s could not be marked overdue", model._meta.label_lower, pk)
    return marked


def mark_all_due(model, among=None, *, skip_locked: bool = True, now=None) -> list:
    """Mark every due row of `model` (of `among`), batch after batch, each batch stamped with
    the time it was claimed (or `now`); the keys this call marked. For timers and sweeps a
    batch that fails is done again row by row."""
    marked: list = []
    while True:
        at = now or timezone.now()
        try:
            pks = claim(model, at, among, skip_locked=skip_locked)
        except Exception:
            if not skip_locked:  # a state change: its own transaction fails with it
                raise
            log.exception("a batch of %s failed; marking row by row", model._meta.label_lower)
            return marked + _one_by_one(model, at, among, skip_locked)
        marked += pks
        if len(pks) < BATCH:
            return marked


def mark_due(queryset, now=None) -> int:
    """Mark every row of `queryset` that is due, waiting for rows others hold (used before a
    state change that stops the clock, e.g. resolving a whistle: any mark that is due is made
    first)."""
    now = now or timezone.now()
    return len(mark_all_due(queryset.model, queryset.values("pk"), skip_locked=False, now=now))


def timer_reached(label: str, pk, retry: int = 0) -> bool:
    """The precise timer: mark every due row of the model (rows whose deadlines fell due
    together share one timer; a late timer finds many), in batches. True when row `pk` was
    among those this call marked. When its own row is still due, another transaction held it
    (a change that read the clock just before the deadline and commits after it): the timer
    comes again a second later, up to TIMER_RETRIES times."""
    reg = _registry.get(label)
    if reg is None:
        log.warning("timer for %s %s: no such deadline model; nothing done", label, pk)
        return False
    marked = mark_all_due(reg.model)
    if pk is None or pk in marked:  # None: a helper of a sweep with a backlog
        return pk is not None
    now = timezone.now()
    state = reg.model.objects.filter(pk=pk).values("deadline", "overdue_at").first()
    if state is None:
        why = "the row no longer exists"
    elif state["overdue_at"] is not None:
        why = "it was already marked"
    elif state["deadline"] >= now:
        why = "its deadline is still ahead"
    elif open_past_due(reg.model, now).filter(pk=pk).exists():
        why = "another transaction held it"
        if retry < TIMER_RETRIES:
            why += "; again in a second"
            _send_timer(label, pk, now + timedelta(seconds=1), retry + 1)
    else:
        why = "its clock has stopped"
    log.info("timer for %s %s marked %d row(s), not that one: %s", label, pk, len(marked), why)
    return False


# --- timers --------------------------------------------------------------------------------


def eta_horizon() -> timedelta:
    """How far ahead an ETA task may be scheduled. On Redis an unacknowledged task comes back
    after the visibility timeout; an ETA beyond it would be handed out again every cycle, so
    longer waits are left to the sweep."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return timedelta(seconds=max(visibility - 300, 60))


def timer_eta(deadline):
    """The end of the TIMER_BUCKET_MS slice the deadline falls in: at or after it."""
    slice_ms = math.floor(deadline.timestamp() * 1000 / TIMER_BUCKET_MS) + 1
    return datetime.fromtimestamp(slice_ms * TIMER_BUCKET_MS / 1000, tz=UTC)


def _first_timer_of_slice(label: str, eta, now) -> bool:
    """True for the first timer of a model's slice, across processes (the cache: Redis, or
    files on the embedded default). An unreachable cache answers True: a spare timer is
    harmless, a missing one costs a sweep interval."""
    key = f"deadline-timer:{label}:{eta.timestamp():.3f}"
    try:
        return cache.add(key, 1, timeout=max(60, (eta - now).total_seconds() + 60))
    except Exception:
        log.warning("timer dedupe unavailable; sending the timer", exc_info=True)
        return True


def _send_timer(label: str, pk, eta, retry: int = 0) -> bool:
    from .tasks import deadline_reached

    try:
        deadline_reached.apply_async((label, pk, retry) if retry else (label, pk), eta=eta)
    except Exception:  # a broker outage must not fail the caller; the sweep covers it
        log.warning(
            "deadline timer for %s %s not scheduled; the sweep will mark it",
            label,
            pk,
            exc_info=True,
        )
        return False
    return True


def schedule(obj) -> None:
    """After commit, send the precise timer for `obj` (the sweep is the guarantee). Deadlines
    of one model within one TIMER_BUCKET_MS slice share a timer at the slice's end: a burst of
    thousands of summonses costs tens of timers, not thousands."""
    label = obj._meta.label_lower
    pk, deadline = obj.pk, obj.deadline

    def send():
        now = timezone.now()
        if deadline - now > eta_horizon():
            return
        eta = timer_eta(deadline)
        if _first_timer_of_slice(label, eta, now):
            _send_timer(label, pk, eta)

    transaction.on_commit(send)


def rearm(model, now) -> int:
    """Send again, once per slice, the timers of the open rows due within the next two sweep
    intervals. A worker killed with SIGKILL takes the ETA timers it held with it (Redis hands
    them out again only after the visibility timeout), and Redis restarted empty loses them:
    without this the marks after a crash would wait for the sweep, an interval late, instead
    of staying precise. Not deduplicated (a re-armed timer dies with a worker too): a slice
    gets a spare timer or two, which finds its rows marked and does nothing."""
    horizon = now + timedelta(seconds=2 * settings.DISPATCH_SWEEP_SECONDS)
    label = model._meta.label_lower
    upcoming = model.objects.filter(
        model.deadline_open, overdue_at=None, deadline__gte=now, deadline__lt=horizon
    ).values_list("pk", "deadline")
    first: dict = {}
    for pk, deadline in upcoming:
        first.setdefault(timer_eta(deadline), pk)
    return sum(_send_timer(label, pk, eta) for eta, pk in first.items())


# --- the sweep -----------------------------------------------------------------------------

SWEEP = "overdue"
HELPERS_MAX = 3


def _call_helpers(reg, now) -> int:
    """A backlog (after a crash, rows due by the thousand): other worker processes join the
    sweep through timers for the model that are due now; they take other batches (SKIP
    LOCKED) and stop when nothing is due."""
    backlog = open_past_due(reg.model, now).count()
    helpers = min(HELPERS_MAX, backlog // BATCH)
    return sum(_send_timer(reg.label, None, now) for _ in range(helpers))


def sweep() -> int:
    """Mark every open row past due, for every registered model, in batches (a backlog of
    many batches is shared with other worker processes); re-arm the timers of the next two
    intervals; then record that the sweep ran. Safe to run concurrently (the batches skip
    each other's rows). A model that fails is logged and the others go on; the error is
    raised after the heartbeat."""
    marked, errors = 0, []
    for reg in registered():
        try:
            now = timezone.now()
            pks = claim(reg.model, now)
            marked += len(pks)
            if len(pks) == BATCH:
                _call_helpers(reg, now)
                marked += len(mark_all_due(reg.model))
            rearm(reg.model, timezone.now())
        except Exception as exc:
            log.exception("the sweep of %s failed", reg.label)
            errors.append(exc)
            marked += len(mark_all_due(reg.model))  # row by row past the failing batch
    beat(timezone.now())
    if errors:
        raise errors[0]
    return marked


def beat(now, name: str = SWEEP) -> None:
    """Record that `name` (the sweep, or a queue's worker: "queue:<name>") ran, where every
    process reads it."""
    from .models import SweepHeartbeat

    if not SweepHeartbeat.objects.filter(name=name).update(at=now):
        try:
            with transaction.atomic():
                SweepHeartbeat.objects.create(name=name, at=now)
        except IntegrityError:  # a concurrent one created it
            SweepHeartbeat.objects.filter(name=name).update(at=now)


def heartbeat_ages(names, now=None) -> dict[str, float | None]:
    """Seconds since each heartbeat, in one query (None: never)."""
    from .models import SweepHeartbeat

    now = now or timezone.now()
    found = dict(SweepHeartbeat.objects.filter(name__in=names).values_list("name", "at"))
    return {
        name: (max(0.0, (now - found[name]).total_seconds()) if name in found else None)
        for name in names
    }


def sweep_age_seconds(now=None) -> float | None:
    return heartbeat_ages([SWEEP], now)[SWEEP]
