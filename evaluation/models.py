"""Evaluations of the summoned departments, vetoes, and the department scores (部门考核).

`Evaluation`: one per check-in, by the street's committee once the whistle is resolved, or
recorded as lapsed when the evaluation window (`EvaluationWindow`, on the deadline engine)
runs out. `DepartmentScore`: one per department and period (month, quarter, year), computed
from the check-ins and evaluations of the whistles blown in the period (Asia/Shanghai), with
every component stored beside the score; a reviewer's adjustment sits beside the computed
score, never over it; a confirmed score is locked.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, District, Street
from dispatch.deadlines import DeadlineModel
from dispatch.models import CheckIn
from whistle.models import Whistle

from .choices import EvaluationStatus, Timeliness, VetoStatus
from .querysets import EvaluationQuerySet, ScoreQuerySet

USER = settings.AUTH_USER_MODEL
RATING = [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(models.Model):
    check_in = models.OneToOneField(
        CheckIn, models.PROTECT, related_name="evaluation", verbose_name=_("check-in")
    )
    whistle = models.ForeignKey(Whistle, models.PROTECT, related_name="evaluations")
    street = models.ForeignKey(Street, models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, models.PROTECT, related_name="evaluations")
    status = models.CharField(_("status"), max_length=10, choices=EvaluationStatus.choices)
    timeliness = models.CharField(_("timeliness"), max_length=12, choices=Timeliness.choices)
    late_seconds = models.PositiveIntegerField(_("late by (seconds)"), null=True, blank=True)
    check_in_seconds = models.PositiveIntegerField(
        _("time to check in (seconds)"), null=True, blank=True
    )
    response = models.PositiveSmallIntegerField(_("response"), null=True, validators=RATING)
    cooperation = models.PositiveSmallIntegerField(_("cooperation"), null=True, validators=RATING)
    result = models.PositiveSmallIntegerField(_("result"), null=True, validators=RATING)
    comment = models.TextField(_("comment"), blank=True)
    evaluated_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    evaluated_at = models.DateTimeField(_("evaluated at"))
    veto_status = models.CharField(
        _("veto"), max_length=10, choices=VetoStatus.choices, blank=True, default=""
    )
    veto_reason = models.TextField(_("reason for the veto"), blank=True)
    veto_reviewed_by = models.ForeignKey(
        USER, models.PROTECT, null=True, blank=True, related_name="+"
    )
    veto_reviewed_at = models.DateTimeField(_("veto reviewed at"), null=True, blank=True)
    veto_review_reason = models.TextField(_("reason of the review"), blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["whistle_id", "check_in_id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        status=EvaluationStatus.EVALUATED,
                        response__gte=1,
                        response__lte=5,
                        cooperation__gte=1,
                        cooperation__lte=5,
                        result__gte=1,
                        result__lte=5,
                    )
                    | Q(
                        status=EvaluationStatus.LAPSED,
                        response=None,
                        cooperation=None,
                        result=None,
                        veto_status="",
                    )
                ),
                name="evaluation_ratings_match_status",
            ),
        ]

    def __str__(self):
        return f"{self.whistle_id} · {self.department_id}"

    @property
    def mean_rating(self):
        if self.status != EvaluationStatus.EVALUATED:
            return None
        return (self.response + self.cooperation + self.result) / 3


class EvaluationWindow(DeadlineModel):
    """The time a street has to evaluate a resolved whistle's check-ins; when it runs out, the
    check-ins not evaluated are recorded as lapsed and the whistle may close."""

    whistle = models.OneToOneField(Whistle, models.PROTECT, related_name="evaluation_window")

    class Meta:
        verbose_name = _("evaluation window")
        verbose_name_plural = _("evaluation windows")
        indexes = [
            models.Index(
                fields=["deadline"], condition=Q(overdue_at=None), name="evaluation_window_open"
            )
        ]


class ConfirmedPeriod(models.Model):
    """A district's period confirmed by its reviewers: its scores are locked, including scores
    that would appear later (a whistle of the period evaluated after the confirmation)."""

    district = models.ForeignKey(District, models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    confirmed_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("confirmed period")
        verbose_name_plural = _("confirmed periods")
        constraints = [
            models.UniqueConstraint(fields=["district", "period"], name="confirmed_period_once")
        ]

    def __str__(self):
        return f"{self.district_id} · {self.period}"


class DepartmentScore(models.Model):
    department = models.ForeignKey(Department, models.PROTECT, related_name="scores")
    district = models.ForeignKey(District, models.PROTECT, null=True, blank=True, related_name="+")
    period = models.CharField(_("period"), max_length=7)  # YYYY-MM, YYYY-Qn, YYYY
    whistles = models.PositiveIntegerField(_("whistles served"))
    check_ins = models.PositiveIntegerField(_("summonses"))
    timed = models.PositiveIntegerField(_("summonses with a timeliness"))
    on_time = models.PositiveIntegerField(_("on site in time"))
    overdue = models.PositiveIntegerField(_("overdue"))
    on_time_rate = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    overdue_share = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    check_in_seconds_p50 = models.PositiveIntegerField(null=True)
    check_in_seconds_p90 = models.PositiveIntegerField(null=True)
    rated = models.PositiveIntegerField(_("evaluations with ratings"))
    lapsed = models.PositiveIntegerField(_("evaluations lapsed"))
    mean_response = models.DecimalField(max_digits=4, decimal_places=3, null=True)
    mean_cooperation = models.DecimalField(max_digits=4, decimal_places=3, null=True)
    mean_result = models.DecimalField(max_digits=4, decimal_places=3, null=True)
    mean_rating = models.DecimalField(max_digits=4, decimal_places=3, null=True)
    vetoes = models.PositiveIntegerField(_("vetoes"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    computed_at = models.DateTimeField()
    adjusted_score = models.DecimalField(
        _("adjusted score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True)
    adjusted_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    adjusted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("department score")
        verbose_name_plural = _("department scores")
        ordering = ["period", "-score", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "period"], name="score_once"),
        ]
        indexes = [models.Index(fields=["district", "period"])]

    def __str__(self):
        return f"{self.department_id} · {self.period}"

    @property
    def final_score(self):
        return self.adjusted_score if self.adjusted_score is not None else self.score
