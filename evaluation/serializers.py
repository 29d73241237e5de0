from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import District
from core import fields
from core.fields import BoundedDecimalField
from core.ids import ScopedId
from core.periods import PERIOD_PATTERN

from .models import DepartmentScore, Evaluation


class EvaluationSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    evaluated_by = serializers.CharField(
        source="evaluated_by.username", read_only=True, default=None
    )
    veto_reviewed_by = serializers.CharField(
        source="veto_reviewed_by.username", read_only=True, default=None
    )
    vetoed = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "check_in",
            "whistle",
            "street",
            "department",
            "department_name",
            "status",
            "timeliness",
            "late_seconds",
            "check_in_seconds",
            "response",
            "cooperation",
            "result",
            "comment",
            "evaluated_by",
            "evaluated_at",
            "vetoed",
            "veto_status",
            "veto_reason",
            "veto_reviewed_by",
            "veto_reviewed_at",
            "veto_review_reason",
        ]
        read_only_fields = fields

    def get_vetoed(self, obj) -> bool:
        return bool(obj.veto_status)


class EvaluateSerializer(serializers.Serializer):
    response = serializers.IntegerField(min_value=1, max_value=5)
    cooperation = serializers.IntegerField(min_value=1, max_value=5)
    result = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    veto = serializers.BooleanField(required=False, default=False)
    veto_reason = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )

    def validate(self, data):
        if data["veto"] and not data["veto_reason"].strip():
            raise serializers.ValidationError({"veto_reason": _("A veto needs its reason.")})
        return data


class VetoReviewSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    reason = serializers.CharField(max_length=5000)


class ScoreSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    final_score = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    confirmed = serializers.SerializerMethodField()

    class Meta:
        model = DepartmentScore
        fields = [
            "id",
            "department",
            "department_name",
            "district",
            "period",
            "score",
            "adjusted_score",
            "final_score",
            "adjustment_reason",
            "confirmed",
            "confirmed_at",
            "whistles",
            "check_ins",
            "timed",
            "on_time",
            "on_time_rate",
            "check_in_seconds_p50",
            "check_in_seconds_p90",
            "overdue",
            "overdue_share",
            "rated",
            "lapsed",
            "mean_response",
            "mean_cooperation",
            "mean_result",
            "mean_rating",
            "vetoes",
            "computed_at",
        ]
        read_only_fields = fields

    def get_confirmed(self, obj) -> bool:
        return obj.confirmed_at is not None


class AdjustSerializer(serializers.Serializer):
    adjusted_score = BoundedDecimalField(
        pattern=fields.SCORE, max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    reason = serializers.CharField(max_length=2000)


def _visible_districts(request):
    return District.objects.visible_to(request.user)


class ConfirmSerializer(serializers.Serializer):
    # a district outside the caller's scope "does not exist": 400 naming the field
    district = ScopedId(_visible_districts)
    period = serializers.RegexField(PERIOD_PATTERN, max_length=7)
