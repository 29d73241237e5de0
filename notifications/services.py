"""Writing notifications (inside the caller's transaction) and delivering them (in Celery).

`notify()` and `notify_phone()` only write rows: the notification (the in-app message, once
per person and dedupe key) and a pending delivery per outside channel. After the caller's
transaction commits, a `notifications.deliver` task is sent per delivery; if that send is lost
(the process died right after commit, the broker was down), `sweep()` sends it again. A request
never waits for a mail server or a webhook.

`deliver()` claims a delivery with one conditional UPDATE (pending and due, or sending with
its lease run out → sending, with a new lease), sends it outside any transaction, then marks
it sent, or pending again with a backoff, or failed after NOTIFICATIONS_MAX_ATTEMPTS.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import channels
from .choices import OPEN_STATUSES, DeliveryStatus
from .models import Delivery, Notification

log = logging.getLogger(__name__)

SWEEP_BATCH = 500


# --- writing -------------------------------------------------------------------------------


USER_FIELDS = ("id", "email", "phone", "is_active")


@dataclass(frozen=True)
class Message:
    """One event to tell: to `users` (User objects or ids) in-app and through their outside
    channels, to bare `phones` (people without an account) by the phone channels, and with
    `broadcast` once to the enabled group robots and webhooks."""

    kind: str
    title: str
    dedupe_key: str
    body: str = ""
    link: str = ""
    users: tuple = ()
    phones: tuple[str, ...] = ()
    broadcast: bool = False

    def fields(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title[:200],
            "body": self.body,
            "link": self.link[:300],
            "dedupe_key": self.dedupe_key,
        }


def _users(recipients) -> list:
    """Active users, each once, with what the channels need."""
    User = get_user_model()
    if hasattr(recipients, "model") and hasattr(recipients, "query"):  # a queryset
        users = list(recipients.filter(is_active=True).only(*USER_FIELDS).distinct())
    else:
        items = list(recipients or ())
        ids = [u for u in items if not isinstance(u, User)]
        users = [u for u in items if isinstance(u, User) and u.is_active]
        if ids:
            users += list(User.objects.filter(pk__in=ids, is_active=True).only(*USER_FIELDS))
    return list({u.pk: u for u in users}.values())


def _broadcast_wanted(kind: str) -> bool:
    kinds = settings.NOTIFICATIONS_BROADCAST_KINDS
    return not kinds or kind in kinds


def _phones(phones) -> list[str]:
    return list(dict.fromkeys(p.strip()[:30] for p in phones if p and p.strip()))


def notify(
    recipients,
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str,
    broadcast: bool = True,
) -> None:
    """Tell each of `recipients` (users, user ids or a User queryset) about one event.

    In the caller's transaction: rolled back with it, and repeating it (the same dedupe key)
    writes nothing more. With `broadcast`, the event also goes once to the enabled group
    robots and webhooks."""
    message = Message(kind, title, dedupe_key, body, link, tuple(_users(recipients)))
    notify_many([replace(message, broadcast=broadcast)])


def notify_phone(
    phones: Iterable[str], *, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str
) -> None:
    """Text people who have no account (a station's duty contact) through the phone channels
    (SMS), once per number and dedupe key. Nothing is written when no phone channel is on."""
    notify_many([Message(kind, title, dedupe_key, body, link, phones=tuple(phones))])


def notify_many(messages: Iterable[Message]) -> int:
    """Write every message at once, in the caller's transaction: the notifications (once per
    person, phone number or broadcast and dedupe key) and a pending delivery per outside
    channel, in a few statements whatever their number (an overdue sweep of a city-wide
    emergency writes thousands). The deliveries are sent after commit. Returns how many
    notifications the messages name (written now or before)."""
    messages = list(messages)
    wanted = {name: channels.enabled(name) for name in (channels.USER, channels.PHONE)}
    robots = channels.enabled(channels.BROADCAST)
    users = {u.pk: u for u in _users([u for m in messages for u in m.users])}
    rows: dict[tuple, Notification] = {}  # (recipient id, phone, dedupe key) -> row
    for m in messages:
        for user in m.users:
            pk = getattr(user, "pk", user)
            if pk in users:
                rows[(pk, "", m.dedupe_key)] = Notification(recipient=users[pk], **m.fields())
        if wanted[channels.PHONE]:
            for phone in _phones(m.phones):
                rows[(None, phone, m.dedupe_key)] = Notification(phone=phone, **m.fields())
        if m.broadcast and robots and _broadcast_wanted(m.kind):
            rows[(None, "", m.dedupe_key)] = Notification(phone="", **m.fields())
    if not rows:
        return 0
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=1000)
        if any(wanted.values()) or robots:
            keys = {key for _pk, _phone, key in rows}
            written = Notification.objects.filter(dedupe_key__in=keys).only(
                "id", "recipient_id", "phone", "dedupe_key", "kind"
            )
            _add_deliveries(
                [n for n in written if (n.recipient_id, n.phone, n.dedupe_key) in rows],
                users,
                {**wanted, channels.BROADCAST: robots},
            )
    return len(rows)


def _add_deliveries(notifications, users, outside) -> None:
    rows = []
    for n in notifications:
        if n.recipient_id is not None:
            n.recipient = users[n.recipient_id]  # what the channels' address() reads
        for channel in outside[n.audience]:
            address = channel.address(n)
            if address is not None:
                rows.append(Delivery(notification=n, channel=channel.name, address=address))
    if not rows:
        return
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    pending = list(
        Delivery.objects.filter(
            notification__in=[n.pk for n in notifications], status=DeliveryStatus.PENDING
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: enqueue(pending))


DELIVER_CHUNK = 50


def enqueue(delivery_ids, countdown: float | None = None) -> None:
    """Send the tasks that deliver these: one per delivery, or, for many, one per chunk of
    DELIVER_CHUNK (a burst of thousands costs the sender a few broker round trips, not
    thousands). A failure to reach the broker is logged, never raised (the sweep sends it
    again)."""
    from .tasks import deliver, deliver_many

    ids = list(delivery_ids)
    if len(ids) > DELIVER_CHUNK:
        sends = [
            (deliver_many, ids[i : i + DELIVER_CHUNK]) for i in range(0, len(ids), DELIVER_CHUNK)
        ]
    else:
        sends = [(deliver, pk) for pk in ids]
    for task, argument in sends:
        try:
            task.apply_async((argument,), countdown=countdown, retry=False)
        except Exception:
            log.warning("delivery %s not enqueued; the sweep will send it", argument, exc_info=True)


# --- reading and marking read ---------------------------------------------------------------


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def mark_read(user, pk) -> Notification:
    """Mark one of the user's own notifications read (someone else's: 404). Repeating it
    keeps the first time."""
    notification = get_object_or_404(Notification.objects.filter(recipient=user), pk=pk)
    if notification.read_at is None:
        now = timezone.now()
        if Notification.objects.filter(pk=pk, read_at=None).update(read_at=now):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


# --- delivering -----------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: NOTIFICATIONS_RETRY_SECONDS doubled each time, at most
    30 minutes."""
    seconds = settings.NOTIFICATIONS_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 1800))


def lease() -> timedelta:
    """How long a claim holds a delivery: longer than any send can take."""
    return timedelta(seconds=settings.NOTIFICATIONS_HTTP_TIMEOUT * 2 + 30)


def _due(now):
    return Q(status__in=OPEN_STATUSES, next_attempt_at__lte=now)


def deliver(delivery_id: int) -> str:
    """Send one delivery if it is due and nobody else holds it. Safe to run any number of
    times: returns "sent", "retry", "failed" or "skipped"."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(_due(now), pk=delivery_id)
        .filter(attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS)
        .update(
            status=DeliveryStatus.SENDING,
            next_attempt_at=now + lease(),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        # the last attempt's lease ran out (its worker died while sending): give up
        if (
            Delivery.objects.filter(_due(now), pk=delivery_id)
            .filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS)
            .update(status=DeliveryStatus.FAILED, last_error="the last attempt did not finish")
        ):
            return "failed"
        return "skipped"
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    mine = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    )
    try:
        channels.get(delivery.channel).send(delivery)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        permanent = isinstance(exc, channels.Permanent)
        if permanent or delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            mine.update(status=DeliveryStatus.FAILED, last_error=error)
            log.error("delivery %s failed for good: %s", delivery_id, error)
            return "failed"
        wait = backoff(delivery.attempts)
        later = timezone.now()
        mine.update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=later + wait,
            enqueued_at=later,
            last_error=error,
        )
        log.warning("delivery %s failed (attempt %s): %s", delivery_id, delivery.attempts, error)
        enqueue([delivery_id], countdown=wait.total_seconds())
        return "retry"
    mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def sweep(now=None) -> int:
    """Send a task again for every open delivery that is overdue by more than
    NOTIFICATIONS_SWEEP_GRACE_SECONDS: its task was lost (a crash right after commit, the
    broker down, a worker killed while sending). Sent again at most every
    NOTIFICATIONS_REQUEUE_SECONDS, so a stopped worker does not pile up copies."""
    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS)
    quiet = now - timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_SECONDS)
    ids = list(
        Delivery.objects.filter(_due(overdue))
        .filter(Q(enqueued_at=None) | Q(enqueued_at__lte=quiet))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
    enqueue(ids)
    return len(ids)
