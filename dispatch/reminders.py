"""Reminders before a check-in's deadline, on the deadline engine (docs/notifications.md).

`schedule(check_in)`, in the summons' transaction, writes one `CheckInReminder` per
DISPATCH_REMINDER_MINUTES (10 and 5 minutes left by default) that is still ahead, and sends
its ETA timer after commit; the overdue sweep is the guarantee. The engine marks each reminder
once (a conditional UPDATE), and only that caller runs `remind()` (for its whole batch), in the same transaction:
it notifies only if nobody is on site yet, the check-in is neither released nor overdue, and
no later reminder of the same check-in is due as well (a sweep that comes late sends the
nearest one, not both)."""

from datetime import timedelta

from django.conf import settings

from . import deadlines, notify
from .models import CheckInReminder


def schedule(check_in) -> list[CheckInReminder]:
    reminders = [
        CheckInReminder(
            check_in=check_in,
            minutes_left=minutes,
            deadline=check_in.deadline - timedelta(minutes=minutes),
        )
        for minutes in settings.DISPATCH_REMINDER_MINUTES
        if check_in.deadline - timedelta(minutes=minutes) > check_in.summoned_at
    ]
    if not reminders:
        return []
    created = CheckInReminder.objects.bulk_create(reminders)
    for reminder in created:
        deadlines.schedule(reminder)
    return created


def remind(pks, now) -> None:
    """Called by the deadline engine, in the marking transaction, for the reminders this
    caller marked (a burst of summonses brings thousands due at once): a few queries in all."""
    due = list(
        CheckInReminder.objects.filter(pk__in=pks).select_related(
            "check_in__department", "check_in__station", "check_in__whistle__street"
        )
    )
    waiting = [
        r
        for r in due
        if r.check_in.checked_in_at is None
        and r.check_in.released_at is None
        and r.check_in.overdue_at is None
        and now < r.check_in.deadline
    ]
    if not waiting:
        return
    # a sweep that comes late sends the nearest reminder of a check-in, not every due one
    nearest: dict[int, int] = {}
    for check_in_id, minutes in CheckInReminder.objects.filter(
        check_in_id__in={r.check_in_id for r in waiting}, deadline__lt=now
    ).values_list("check_in_id", "minutes_left"):
        nearest[check_in_id] = min(minutes, nearest.get(check_in_id, minutes))
    send = [r for r in waiting if r.minutes_left <= nearest.get(r.check_in_id, r.minutes_left)]
    CheckInReminder.objects.filter(pk__in=[r.pk for r in send]).update(sent=True)
    notify.reminders([(r.check_in, r.minutes_left) for r in send], now)
