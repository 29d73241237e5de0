"""Reminders before a check-in's deadline, on the deadline engine (docs/notifications.md).

`schedule(check_in)`, in the summons' transaction, writes one `CheckInReminder` per
DISPATCH_REMINDER_MINUTES (10 and 5 minutes left by default) that is still ahead, and sends
its ETA timer after commit; the overdue sweep is the guarantee. The engine marks each reminder
once (a conditional UPDATE), and only that caller runs `remind()`, in the same transaction:
it notifies only if nobody is on site yet, the check-in is neither released nor overdue, and
no later reminder of the same check-in is due as well (a sweep that comes late sends the
nearest one, not both)."""

from datetime import timedelta

from django.conf import settings

from . import deadlines, notify
from .models import CheckIn, CheckInReminder


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


def remind(reminder, now) -> None:
    """Called by the deadline engine, in the marking transaction, for the one winning mark."""
    check_in = CheckIn.objects.select_related("department", "station", "whistle__street").get(
        pk=reminder.check_in_id
    )
    waiting = (
        check_in.checked_in_at is None
        and check_in.released_at is None
        and check_in.overdue_at is None
        and now < check_in.deadline
    )
    if not waiting:
        return
    superseded = CheckInReminder.objects.filter(
        check_in_id=check_in.pk, minutes_left__lt=reminder.minutes_left, deadline__lt=now
    ).exists()
    if superseded:
        return
    CheckInReminder.objects.filter(pk=reminder.pk).update(sent=True)
    notify.reminder(check_in, reminder.minutes_left, now)
