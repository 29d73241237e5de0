"""Check-ins (报到): one per summons of a department to a whistle, with its 30-minute clock."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Station
from whistle.models import Whistle

from .choices import CheckInStatus
from .deadlines import DeadlineModel
from .querysets import CheckInQuerySet


class CheckIn(DeadlineModel):
    whistle = models.ForeignKey(
        Whistle, models.PROTECT, related_name="check_ins", verbose_name=_("whistle")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="check_ins", verbose_name=_("department")
    )
    station = models.ForeignKey(
        Station, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("station")
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=CheckInStatus.choices, default=CheckInStatus.PENDING
    )
    summoned_at = models.DateTimeField(_("summoned at"))
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("summoned by")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    responder_name = models.CharField(_("responder"), max_length=60, blank=True)
    responder_phone = models.CharField(_("responder's phone"), max_length=30, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_in_at = models.DateTimeField(_("on site at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    arrival_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    arrival_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    # The clock runs until the department is on site, or the check-in is released.
    deadline_open = Q(checked_in_at=None, released_at=None)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["summoned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["whistle", "department", "round"], name="check_in_unique_round"
            ),
        ]
        indexes = [
            # the sweep's query: open rows by due time
            models.Index(
                fields=["deadline"],
                condition=Q(overdue_at=None, checked_in_at=None, released_at=None),
                name="check_in_open_deadline",
            ),
            models.Index(fields=["department", "status"]),
        ]

    def __str__(self):
        return f"{self.whistle_id} · {self.department_id} · {self.round}"

    @property
    def on_time(self) -> bool | None:
        """True when on site by the deadline; False once late or marked overdue; else None."""
        if self.checked_in_at is not None:
            return self.checked_in_at <= self.deadline
        if self.overdue_at is not None:
            return False
        return None


class SweepHeartbeat(models.Model):
    """When the overdue sweep last finished: in the database, where every process reads it."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.at}"


class CheckInReminder(DeadlineModel):
    """A reminder before a check-in's deadline (DISPATCH_REMINDER_MINUTES): its `deadline` is
    when to remind. It is due only while its check-in's clock runs (nobody on site, not
    released, not overdue); the deadline engine marks it once (`overdue_at`: when it was
    handled), by the ETA timer or the sweep, and `dispatch.reminders.remind` notifies (`sent`)."""

    check_in = models.ForeignKey(
        CheckIn, models.CASCADE, related_name="reminders", verbose_name=_("check-in")
    )
    minutes_left = models.PositiveSmallIntegerField(_("minutes left"))
    sent = models.BooleanField(_("sent"), default=False)

    # Due only while nobody is on site. Reminders of check-ins that stopped in time stay
    # unmarked; the sweep's query reaches reminders through the open check-ins (their partial
    # index), so those rows cost nothing.
    deadline_open = Q(
        check_in__checked_in_at=None, check_in__released_at=None, check_in__overdue_at=None
    )

    class Meta:
        verbose_name = _("check-in reminder")
        verbose_name_plural = _("check-in reminders")
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "minutes_left"], name="check_in_reminder_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["deadline"], condition=Q(overdue_at=None), name="check_in_reminder_open"
            ),
        ]

    def __str__(self):
        return f"{self.check_in_id} · {self.minutes_left} min"
