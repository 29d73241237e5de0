"""Serializers of the powers' API. Ids in a body are looked up among the objects the caller
may use (else 400 naming the field); the services check the power again."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from accounts.choices import Power
from accounts.models import (
    DispatchedAgency,
    District,
    PowerGrant,
    Station,
    StationedOfficer,
    Street,
    TimelineEvent,
)
from accounts.scope import scope_of
from core import fields
from core.fields import BoundedDecimalField
from core.ids import ScopedId
from core.periods import PERIOD_PATTERN

from .choices import AssessmentGrade, PersonnelAction, PersonnelDecision, RecordKind
from .models import (
    MajorMatter,
    OfficerAssessment,
    OfficerRecord,
    Opinion,
    PersonnelRecommendation,
    SupervisionOrder,
)


def _id_field(scoped, **kwargs):
    return ScopedId(scoped, **kwargs)


class TimelineEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = TimelineEvent
        fields = ["type", "at", "actor", "data"]
        read_only_fields = fields


def _powers_of(obj, powers) -> list[str]:
    return [p for p in powers if getattr(obj, f"has_{p}", False)]


class StationSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    powers = serializers.SerializerMethodField(help_text="The powers the caller holds on it.")

    class Meta:
        model = Station
        fields = [
            "id",
            "street",
            "street_name",
            "department",
            "department_name",
            "mode",
            "duty_contact",
            "duty_phone",
            "powers",
        ]
        read_only_fields = fields

    def get_powers(self, obj) -> list[str]:
        return _powers_of(obj, [Power.COORDINATE_DEPARTMENTS, Power.VETO_DEPARTMENT])


class AgencySerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    powers = serializers.SerializerMethodField()

    class Meta:
        model = DispatchedAgency
        fields = [
            "id",
            "street",
            "street_name",
            "department",
            "department_name",
            "name",
            "leader_name",
            "leader_title",
            "powers",
        ]
        read_only_fields = fields

    def get_powers(self, obj) -> list[str]:
        return _powers_of(obj, [Power.RECOMMEND_PERSONNEL])


class OfficerSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    powers = serializers.SerializerMethodField()

    class Meta:
        model = StationedOfficer
        fields = [
            "id",
            "street",
            "street_name",
            "department",
            "department_name",
            "name",
            "position",
            "staffing",
            "active",
            "powers",
        ]
        read_only_fields = fields

    def get_powers(self, obj) -> list[str]:
        return _powers_of(obj, [Power.ASSESS_STATIONED_STAFF])


# --- grants --------------------------------------------------------------------------------


class PowerGrantSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    granted_by = serializers.CharField(
        source="granted_by.username", read_only=True, default=None, allow_null=True
    )
    revoked_by = serializers.CharField(
        source="revoked_by.username", read_only=True, default=None, allow_null=True
    )
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = PowerGrant
        fields = [
            "id",
            "street",
            "street_name",
            "power",
            "note",
            "active",
            "granted_by",
            "granted_at",
            "revoked_by",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields


def _streets_granted_by(request):
    """The streets whose powers the caller administers (district administrators)."""
    from accounts.choices import Role

    user = request.user
    if user.is_superuser:
        return Street.objects.all()
    scope = scope_of(user)
    districts = [unit for role, unit in scope.role_units if role == Role.DISTRICT_ADMIN]
    return Street.objects.filter(district_id__in=districts).select_related("district")


class GrantSerializer(serializers.Serializer):
    street = _id_field(_streets_granted_by)
    power = serializers.ChoiceField(choices=Power.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


# --- supervision orders --------------------------------------------------------------------


class SupervisionOrderSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    issued_by = serializers.CharField(source="issued_by.username", read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.username", read_only=True, default=None, allow_null=True
    )
    status = serializers.CharField(read_only=True)

    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "station",
            "street",
            "street_name",
            "department",
            "department_name",
            "title",
            "content",
            "status",
            "issued_by",
            "issued_at",
            "deadline",
            "overdue_at",
            "reply",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = fields


def _stations_of_caller(request):
    return Station.objects.visible_to(request.user).select_related("street", "department")


class IssueOrderSerializer(serializers.Serializer):
    station = _id_field(_stations_of_caller)
    title = serializers.CharField(max_length=120)
    content = serializers.CharField(max_length=5000)
    deadline = serializers.DateTimeField(required=False, allow_null=True)


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=5000)


# --- major matters and opinions ------------------------------------------------------------


class OpinionSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Opinion
        fields = [
            "id",
            "matter",
            "street",
            "street_name",
            "content",
            "submitted_by",
            "submitted_at",
            "answer",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = fields


class MajorMatterSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(
        source="district.name", read_only=True, default=None, allow_null=True
    )
    published_by = serializers.CharField(source="published_by.username", read_only=True)
    streets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = MajorMatter
        fields = [
            "id",
            "district",
            "district_name",
            "title",
            "description",
            "streets",
            "opinions_until",
            "published_by",
            "published_at",
        ]
        read_only_fields = fields


def _districts_published_by(request):
    from accounts.choices import Role

    if request.user.is_superuser:
        return District.objects.all()
    scope = scope_of(request.user)
    return District.objects.filter(
        pk__in=[unit for role, unit in scope.role_units if role == Role.DISTRICT_ADMIN]
    )


def _visible_streets(request):
    return Street.objects.visible_to(request.user)


class PublishMatterSerializer(serializers.Serializer):
    district = _id_field(
        _districts_published_by,
        required=False,
        allow_null=True,
        help_text="The publishing district; null for a city matter (administrators only).",
    )
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=10000)
    streets = serializers.ListField(
        child=_id_field(_visible_streets), allow_empty=False, min_length=1, max_length=400
    )
    opinions_until = serializers.DateTimeField()


class OpinionInputSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000)


# --- personnel recommendations ---------------------------------------------------------------


class PersonnelRecommendationSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    recommended_by = serializers.CharField(source="recommended_by.username", read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.username", read_only=True, default=None, allow_null=True
    )
    status = serializers.CharField(read_only=True)

    class Meta:
        model = PersonnelRecommendation
        fields = [
            "id",
            "agency",
            "agency_name",
            "street",
            "street_name",
            "department",
            "department_name",
            "action",
            "subject",
            "reason",
            "status",
            "recommended_by",
            "recommended_at",
            "deadline",
            "overdue_at",
            "decision",
            "reply",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = fields


def _agencies_of_caller(request):
    return DispatchedAgency.objects.visible_to(request.user).select_related("street", "department")


class RecommendSerializer(serializers.Serializer):
    agency = _id_field(_agencies_of_caller)
    action = serializers.ChoiceField(choices=PersonnelAction.choices)
    subject = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="",
        help_text="The person; empty: the agency's leader.",
    )  # fmt: skip
    reason = serializers.CharField(max_length=5000)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=PersonnelDecision.choices)
    reply = serializers.CharField(max_length=5000)


# --- the stationed-staff assessment --------------------------------------------------------


def _officers_of_caller(request):
    return StationedOfficer.objects.visible_to(request.user).select_related("street", "department")


class OfficerRecordSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = OfficerRecord
        fields = [
            "id",
            "officer",
            "officer_name",
            "street",
            "department",
            "date",
            "kind",
            "note",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class RecordInputSerializer(serializers.Serializer):
    officer = _id_field(_officers_of_caller)
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=RecordKind.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OfficerAssessmentSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True)

    class Meta:
        model = OfficerAssessment
        fields = [
            "id",
            "officer",
            "officer_name",
            "street",
            "department",
            "period",
            "score",
            "grade",
            "comment",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = fields


class AssessInputSerializer(serializers.Serializer):
    officer = _id_field(_officers_of_caller)
    period = serializers.RegexField(PERIOD_PATTERN, max_length=7)
    score = BoundedDecimalField(
        pattern=fields.SCORE, max_digits=4, decimal_places=1, min_value=0, max_value=100
    )
    grade = serializers.ChoiceField(choices=AssessmentGrade.choices)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


User = get_user_model()
