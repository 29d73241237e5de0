from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Community, Street
from accounts.scope import scope_of
from core.ids import MAX_ID
from core.roles import STREET_ROLES
from whistle.choices import Category, WhistleKind
from whistle.models import Event, Whistle, WhistlePhoto

from .models import CheckIn
from .querysets import may_see_responder

PRIVATE_CHECK_IN_FIELDS = (
    "responder_name",
    "responder_phone",
    "arrival_latitude",
    "arrival_longitude",
)


class CheckInSerializer(serializers.ModelSerializer):
    """A check-in. Inside a whistle seen by another summoned department, who goes and where
    they stood stay private (null): a check-in is the business of its department, its street,
    its district and the city."""

    department_name = serializers.CharField(source="department.name", read_only=True)
    on_time = serializers.BooleanField(read_only=True, allow_null=True)

    def to_representation(self, check_in):
        data = super().to_representation(check_in)
        request = self.context.get("request")
        if request is not None and not may_see_responder(request.user, check_in):
            for field in PRIVATE_CHECK_IN_FIELDS:
                data[field] = None
        return data

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "whistle",
            "department",
            "department_name",
            "station",
            "round",
            "status",
            "summoned_at",
            "deadline",
            "acknowledged_at",
            "responder_name",
            "responder_phone",
            "note",
            "checked_in_at",
            "arrival_latitude",
            "arrival_longitude",
            "overdue_at",
            "on_time",
            "released_at",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Event
        fields = ["type", "at", "actor", "check_in", "data"]
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = WhistlePhoto
        fields = ["id", "url", "content_type", "size", "width", "height", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        return reverse("api:whistle-photo-file", args=[photo.whistle_id, photo.pk])


class WhistleSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    blown_by = serializers.CharField(source="blown_by.username", read_only=True)
    check_ins = CheckInSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    office = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # 六办一队三中心
    duty_item = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # 职责清单

    class Meta:
        model = Whistle
        fields = [
            "id",
            "number",
            "office",
            "duty_item",
            "street",
            "street_name",
            "kind",
            "category",
            "title",
            "description",
            "location",
            "community",
            "latitude",
            "longitude",
            "status",
            "blown_by",
            "blown_at",
            "resolved_at",
            "resolution",
            "closed_at",
            "cancelled_at",
            "cancel_reason",
            "check_ins",
            "photos",
            "events",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _StreetsOfCaller(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        scope = scope_of(self.context["request"].user)
        ids = [unit for role, unit in scope.role_units if role in STREET_ROLES]
        return Street.objects.filter(pk__in=ids)


@extend_schema_field(OpenApiTypes.INT)
class _CommunitiesOfCaller(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Community.objects.filter(
            street_id__in=scope_of(self.context["request"].user).street_ids
        )


class BlowWhistleSerializer(serializers.Serializer):
    street = _StreetsOfCaller()
    kind = serializers.ChoiceField(choices=WhistleKind.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    location = serializers.CharField(max_length=200)
    community = _CommunitiesOfCaller(required=False, allow_null=True)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )
    departments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        min_length=1,
        max_length=50,
    )
    # the item of the street's duty list the whistle answers (docs/duties.md)
    duty_item = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )


class SummonSerializer(serializers.Serializer):
    departments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        min_length=1,
        max_length=50,
    )


class ResolveSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=5000)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AcknowledgeSerializer(serializers.Serializer):
    responder_name = serializers.CharField(max_length=60)
    responder_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ArriveSerializer(serializers.Serializer):
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class WhistleKindSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    categories = serializers.ListField(child=serializers.DictField())
