"""The objects of the street committee's powers (domain.md, "The powers"):

- 统筹协调和督办权: `SupervisionOrder` (督办单) to a department stationed in the street, with a
  deadline on the platform's deadline engine; the department answers;
- 意见建议权: `MajorMatter` published by a district (or the city) naming the streets it touches,
  and each street committee's `Opinion`, which the publisher answers;
- 人事建议权: `PersonnelRecommendation` about a dispatched agency's leader, which the department
  must answer within POWERS_PERSONNEL_ANSWER_DAYS (deadline engine);
- 日常管理考核权: `OfficerRecord` (daily management) and `OfficerAssessment` (periodic score) of
  the officers stationed in the street: the stationed-staff assessment, kept apart from the
  department assessment of evaluation/.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import (
    Department,
    DispatchedAgency,
    District,
    Station,
    StationedOfficer,
    Street,
)
from dispatch.deadlines import DeadlineModel

from .choices import AssessmentGrade, OrderStatus, PersonnelAction, PersonnelDecision, RecordKind
from .querysets import MatterQuerySet, OpinionQuerySet, StreetBoundQuerySet

USER = settings.AUTH_USER_MODEL


class SupervisionOrder(DeadlineModel):
    """督办单: the committee orders a department stationed in the street to act by a deadline."""

    station = models.ForeignKey(
        Station, models.PROTECT, related_name="orders", verbose_name=_("station")
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    campaign = models.ForeignKey(
        "accounts.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("campaign"),
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="orders", verbose_name=_("department")
    )
    title = models.CharField(_("title"), max_length=120)
    content = models.TextField(_("what must be done"))
    issued_by = models.ForeignKey(
        USER, models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))
    reply = models.TextField(_("reply"), blank=True)
    answered_by = models.ForeignKey(
        USER, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    deadline_open = Q(answered_at=None)
    objects = StreetBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(answered_at=None, overdue_at=None),
                name="order_open_deadline",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def status(self) -> str:
        if self.answered_at:
            return OrderStatus.ANSWERED
        return OrderStatus.OVERDUE if self.overdue_at else OrderStatus.OPEN

    def get_status_display(self):
        return OrderStatus(self.status).label


class MajorMatter(models.Model):
    """A major matter of the district (or the city) that touches some streets (重大事项)."""

    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district (empty: the city)"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    streets = models.ManyToManyField(
        Street, related_name="major_matters", verbose_name=_("streets")
    )
    opinions_until = models.DateTimeField(_("opinions accepted until"))
    published_by = models.ForeignKey(
        USER, models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    published_at = models.DateTimeField(_("published at"))

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("major matter")
        verbose_name_plural = _("major matters")
        ordering = ["-published_at", "-id"]
        permissions = [("advise_major_matter", _("Submit opinions on the matter (意见建议权)"))]

    def __str__(self):
        return self.title


class Opinion(models.Model):
    matter = models.ForeignKey(
        MajorMatter, models.PROTECT, related_name="opinions", verbose_name=_("major matter")
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    content = models.TextField(_("opinion"))
    submitted_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return f"{self.street} · {self.matter}"


class PersonnelRecommendation(DeadlineModel):
    """人事建议: about the leader of a dispatched agency in the street; the department answers."""

    agency = models.ForeignKey(
        DispatchedAgency, models.PROTECT, related_name="recommendations", verbose_name=_("agency")
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", verbose_name=_("street"))
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="+", verbose_name=_("department")
    )
    action = models.CharField(_("recommendation"), max_length=12, choices=PersonnelAction.choices)
    subject = models.CharField(_("person"), max_length=60)
    reason = models.TextField(_("reasons"))
    recommended_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField(_("recommended at"))
    decision = models.CharField(
        _("decision"), max_length=12, choices=PersonnelDecision.choices, blank=True
    )
    reply = models.TextField(_("reply"), blank=True)
    answered_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    deadline_open = Q(answered_at=None)
    objects = StreetBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("personnel recommendation")
        verbose_name_plural = _("personnel recommendations")
        ordering = ["-recommended_at", "-id"]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(answered_at=None, overdue_at=None),
                name="personnel_open_deadline",
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {self.subject}"

    @property
    def status(self) -> str:
        if self.answered_at:
            return OrderStatus.ANSWERED
        return OrderStatus.OVERDUE if self.overdue_at else OrderStatus.OPEN

    def get_status_display(self):
        return OrderStatus(self.status).label


class OfficerRecord(models.Model):
    """One entry of the daily management of a stationed officer (派驻人员日常管理)."""

    officer = models.ForeignKey(
        StationedOfficer, models.PROTECT, related_name="records", verbose_name=_("officer")
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=14, choices=RecordKind.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = StreetBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily record of a stationed officer")
        verbose_name_plural = _("daily records of stationed officers")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.officer} · {self.date} · {self.get_kind_display()}"


class OfficerAssessment(models.Model):
    """The periodic assessment of a stationed officer (派驻人员考核), not the department
    assessment of the evaluations."""

    officer = models.ForeignKey(
        StationedOfficer, models.PROTECT, related_name="assessments", verbose_name=_("officer")
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=7, help_text="YYYY-MM, YYYY-Qn or YYYY")
    score = models.DecimalField(
        _("score"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    grade = models.CharField(_("grade"), max_length=12, choices=AssessmentGrade.choices)
    comment = models.TextField(_("comment"), blank=True)
    assessed_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("assessed at"))

    objects = StreetBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment of a stationed officer")
        verbose_name_plural = _("assessments of stationed officers")
        ordering = ["-period", "officer_id"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "period"], name="officer_assessment_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="officer_assessment_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.officer} · {self.period}"


class MajorMatterUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(MajorMatter, models.CASCADE)


class MajorMatterGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(MajorMatter, models.CASCADE)
