"""The outbox: notifications written in the same transaction as the change that causes them,
and one delivery row per outside channel, claimed and sent by Celery (docs/notifications.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATUSES, DeliveryStatus


class NotificationQuerySet(models.QuerySet):
    def of(self, user):
        """A person's own in-app notifications, newest first."""
        return self.filter(recipient=user).order_by("-created_at", "-id")

    def unread(self):
        return self.filter(read_at=None)


class Notification(models.Model):
    """One message to one audience: a person (in-app, and email/SMS to their addresses), a
    bare phone number (a station's duty contact: SMS only), or nobody in particular (a
    broadcast to the configured group robots and webhooks).

    A dedupe key says which event it is about; a person gets each key once (the in-app list
    holds each event exactly once), and outside channels send the key along so a receiver can
    drop the repeats of at-least-once delivery."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # in-app exactly once: one row per person and event
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=Q(recipient__isnull=False),
                name="notification_once_per_recipient",
            ),
            # one row per phone number (or per broadcast, phone "") and event
            models.UniqueConstraint(
                fields=["phone", "dedupe_key"],
                condition=Q(recipient__isnull=True),
                name="notification_once_per_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=True) | Q(phone=""),
                name="notification_recipient_or_phone",
            ),
        ]
        indexes = [
            # the list page and the bell: a person's notifications, newest first / unread
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
            models.Index(
                fields=["recipient"], condition=Q(read_at=None), name="notification_unread"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def audience(self) -> str:
        if self.recipient_id is not None:
            return "user"
        return "phone" if self.phone else "broadcast"


class Delivery(models.Model):
    """A notification on its way through one outside channel (in-app needs none: the row is
    the message). Claimed by a conditional UPDATE, so a task run twice sends once; retried
    with backoff up to NOTIFICATIONS_MAX_ATTEMPTS."""

    notification = models.ForeignKey(
        Notification, models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=20)
    # the email address or phone number it goes to, as it was when written (robots and
    # webhooks take their URL from the settings when sending: URLs carry secrets)
    address = models.CharField(_("address"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # pending: due from then on; sending: the claim's lease ends then
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # when a task was last sent for it by the sweep or a retry (None: only the first, on commit)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
        ]
        indexes = [
            # the sweep's query: open deliveries by due time
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="delivery_open_due",
            ),
        ]

    def __str__(self):
        return f"{self.notification_id} · {self.channel} · {self.status}"
