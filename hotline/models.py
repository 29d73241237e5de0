"""12345 requests (接诉即办): dispatched straight to streets, answered, called back.

A `ServiceRequest` holds the citizen's contact (shown only to those who handle it, masked in
lists, never in timeline events). Its response and resolution deadlines are `RequestDeadline`
rows on the platform's deadline engine. A `CallBack` records the citizen's answers; only the
latest call-back of a request counts for the rates (`latest`), on the date it was made.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Street
from dispatch.deadlines import DeadlineModel
from whistle.models import Whistle

from .choices import Channel, DeadlineKind, RequestStatus, Satisfaction
from .querysets import RequestQuerySet

USER = settings.AUTH_USER_MODEL


class RequestCategory(models.Model):
    """A category of requests, with its deadlines (configurable here or in the admin) and its
    Open311 service code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    group = models.CharField(_("group"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    response_hours = models.PositiveIntegerField(_("response within (hours)"), default=2)
    resolution_hours = models.PositiveIntegerField(_("resolution within (hours)"), default=72)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        ordering = ["id"]

    def __str__(self):
        return self.name


class ServiceRequest(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        RequestCategory, models.PROTECT, related_name="requests", verbose_name=_("category")
    )
    duty_item = models.ForeignKey(
        "accounts.DutyItem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("duty item"),
    )
    office = models.ForeignKey(
        "accounts.StreetOffice",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("office"),
    )
    citizen_name = models.CharField(_("citizen's name"), max_length=60, blank=True)
    citizen_phone = models.CharField(_("citizen's phone"), max_length=30, blank=True)
    citizen_email = models.EmailField(_("citizen's email"), blank=True)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    community = models.ForeignKey(
        Community,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    street = models.ForeignKey(
        Street,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("street"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("citizen contacted at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened = models.PositiveIntegerField(_("times reopened"), default=0)
    whistle = models.OneToOneField(
        Whistle, models.PROTECT, null=True, blank=True, related_name="service_request"
    )
    open311_token = models.CharField(max_length=40, blank=True, db_index=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("12345 request")
        verbose_name_plural = _("12345 requests")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["street", "received_at"]),
            models.Index(fields=["status", "received_at"]),
            # the volumes by day or month read this index alone (bench/rankings.py: the
            # monthly ranking 4.5 s → 1.7 s on 1.95 million requests)
            models.Index(
                fields=["received_at", "street"], include=["id"], name="request_received_street"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.citizen_phone)

    @property
    def masked_name(self) -> str:
        name = self.citizen_name
        return (name[0] + "*" * max(1, len(name) - 1)) if name else ""


def mask_phone(phone: str) -> str:
    """138****5678 for a mobile number; only the last four digits of a shorter number (a
    landline), and nothing of one too short to hide anything."""
    digits = "".join(c for c in (phone or "") if c.isdigit())
    n = len(digits)
    if n >= 11:
        return digits[:3] + "*" * (n - 7) + digits[-4:]
    if n >= 8:
        return "*" * (n - 4) + digits[-4:]
    return "*" * n


def request_photo_path(photo, filename):
    return (
        f"requests/{photo.request.number[:6]}/{photo.request.number}/{photo.token}{photo.extension}"
    )


class RequestPhoto(models.Model):
    """A photo of a request: served only to those who see the request (never a public URL)."""

    request = models.ForeignKey(
        ServiceRequest, models.PROTECT, related_name="photos", verbose_name=_("request")
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    image = models.ImageField(_("image"), upload_to=request_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("photo of a request")
        verbose_name_plural = _("photos of requests")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.request_id}: {self.image.name}"

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(
            self.content_type, ".gif"
        )


class RequestDeadline(DeadlineModel):
    """The response or the resolution deadline of a request (the street's clock)."""

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=10, choices=DeadlineKind.choices)
    street = models.ForeignKey(Street, models.PROTECT, related_name="+")
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)  # returned: the street's clock stops

    deadline_open = Q(met_at=None, cancelled_at=None)

    class Meta:
        verbose_name = _("request deadline")
        verbose_name_plural = _("request deadlines")
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(met_at=None, cancelled_at=None, overdue_at=None),
                name="request_deadline_open",
            )
        ]

    def __str__(self):
        return f"{self.request_id} · {self.kind}"


class CallBack(models.Model):
    """回访: the operator calls the citizen back after the reply. Only the latest call-back of
    a request counts for the rates, on the (Beijing) date it was made."""

    request = models.ForeignKey(ServiceRequest, models.PROTECT, related_name="callbacks")
    street = models.ForeignKey(Street, models.PROTECT, related_name="+")
    called_at = models.DateTimeField(_("called at"))
    called_on = models.DateField(_("date"))  # in Asia/Shanghai: the day the rates count it
    called_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    reached = models.BooleanField(_("citizen reached"))
    contacted = models.BooleanField(_("contacted by the street"), null=True)
    resolved = models.BooleanField(_("resolved"), null=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    latest = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        ordering = ["called_at", "id"]
        indexes = [
            models.Index(
                fields=["called_on", "street"], condition=Q(latest=True), name="callback_latest_day"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(latest=True), name="callback_one_latest"
            ),
            models.CheckConstraint(
                condition=Q(reached=False, contacted=None, resolved=None, satisfaction="")
                | Q(reached=True, contacted__isnull=False, resolved__isnull=False)
                & ~Q(satisfaction=""),
                name="callback_answers_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.request_id} · {self.called_at:%Y-%m-%d %H:%M}"


class Open311Key(models.Model):
    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self):
        return self.name
