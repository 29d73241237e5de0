"""Whistles (吹哨) and their timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Street

from .choices import Category, EventType, WhistleKind, WhistleStatus
from .querysets import WhistleQuerySet


class Whistle(models.Model):
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="whistles", verbose_name=_("street")
    )
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=WhistleKind.choices)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    title = models.CharField(_("title"), max_length=120)
    duty_item = models.ForeignKey(
        "accounts.DutyItem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="whistles",
        verbose_name=_("duty item"),
    )
    office = models.ForeignKey(
        "accounts.StreetOffice",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="whistles",
        verbose_name=_("office"),
    )
    campaign = models.ForeignKey(
        "accounts.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="whistles",
        verbose_name=_("campaign"),
    )
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("location"), max_length=200)
    community = models.ForeignKey(
        Community,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="whistles",
        verbose_name=_("community"),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=WhistleStatus.choices, default=WhistleStatus.OPEN
    )
    blown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("blown by")
    )
    blown_at = models.DateTimeField(_("blown at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution summary"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    objects = WhistleQuerySet.as_manager()

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["-blown_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "year", "sequence"], name="whistle_unique_sequence"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="whistle_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="whistle_longitude_range",
            ),
        ]
        indexes = [models.Index(fields=["street", "status", "-blown_at"])]

    def __str__(self):
        return f"{self.number} {self.title}"


class WhistleCounter(models.Model):
    """The last sequence number given per street and year (金海湖-2026-0007)."""

    street = models.ForeignKey(Street, models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["street", "year"], name="whistle_counter_unique")
        ]

    def __str__(self):
        return f"{self.street_id}/{self.year}: {self.last}"


def photo_path(photo, filename):
    return f"whistles/{photo.whistle.year}/{photo.whistle.number}/{photo.token}{photo.extension}"


class WhistlePhoto(models.Model):
    whistle = models.ForeignKey(
        Whistle, models.PROTECT, related_name="photos", verbose_name=_("whistle")
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    image = models.ImageField(
        _("image"), upload_to=photo_path, width_field="width", height_field="height"
    )
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.whistle_id}: {self.image.name}"

    @property
    def extension(self) -> str:
        return {
            "image/jpeg": ".jpg",
            "image/png": ".png",
            "image/webp": ".webp",
            "image/gif": ".gif",
        }[self.content_type]


class Event(models.Model):
    """One entry of a whistle's timeline: append-only (the database refuses UPDATE and DELETE,
    see migration 0002). History, metrics and audits are derived from events.

    `check_in` is the id of the dispatch.CheckIn concerned, kept as a plain column: whistle/ sits
    below dispatch/ and must not import it. Events carry no citizen's personal data.
    """

    whistle = models.ForeignKey(Whistle, models.PROTECT, related_name="events")
    type = models.CharField(max_length=32, choices=EventType.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    check_in = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["whistle", "at"])]

    def __str__(self):
        return f"{self.get_type_display()} @ {self.at:%Y-%m-%d %H:%M:%S}"
