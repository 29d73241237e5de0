from django.urls import reverse
from rest_framework import serializers

from accounts.models import Community
from core import fields
from core.fields import BoundedDecimalField
from core.ids import ScopedId

from .choices import Channel, Satisfaction
from .models import CallBack, RequestCategory, RequestPhoto, ServiceRequest
from .services import may_see_contact


def _id(scoped, **kwargs):
    return ScopedId(scoped, **kwargs)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestCategory
        fields = ["id", "code", "name", "group", "response_hours", "resolution_hours"]
        read_only_fields = fields


class CallBackSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallBack
        fields = [
            "id",
            "called_at",
            "reached",
            "contacted",
            "resolved",
            "satisfaction",
            "note",
            "latest",
        ]
        read_only_fields = fields


class RequestSerializer(serializers.ModelSerializer):
    """A request. The citizen's contact only for those who handle it (the 12345 centre, the
    street it is dispatched to); others see it masked."""

    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    street_name = serializers.CharField(
        source="street.name", read_only=True, default=None, allow_null=True
    )

    office = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # 六办一队三中心
    duty_item = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # 职责清单

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "number",
            "office",
            "duty_item",
            "channel",
            "category",
            "category_code",
            "category_name",
            "status",
            "description",
            "address",
            "community",
            "street",
            "street_name",
            "latitude",
            "longitude",
            "citizen_name",
            "citizen_phone",
            "citizen_email",
            "received_at",
            "dispatched_at",
            "accepted_at",
            "contacted_at",
            "replied_at",
            "reply",
            "returned_at",
            "return_reason",
            "closed_at",
            "reopened",
            "whistle",
        ]
        read_only_fields = fields

    def to_representation(self, obj):
        data = super().to_representation(obj)
        request = self.context.get("request")
        full = self.context.get("full_contact", False)
        if not (full and request is not None and may_see_contact(request.user, obj)):
            data["citizen_name"] = obj.masked_name
            data["citizen_phone"] = obj.masked_phone
            data["citizen_email"] = ""
        return data


class RequestPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = RequestPhoto
        fields = ["id", "url", "content_type", "size", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        return reverse("api:request-photo-file", args=[photo.request_id, photo.pk])


class RequestDetailSerializer(RequestSerializer):
    callbacks = CallBackSerializer(many=True, read_only=True)
    photos = RequestPhotoSerializer(many=True, read_only=True)

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "callbacks", "photos"]
        read_only_fields = fields


def _categories(request):
    return RequestCategory.objects.filter(active=True)


def _city_streets(request):
    from .services import streets_of_city

    return streets_of_city(request.user).select_related("district")


def _communities(request):
    return Community.objects.select_related("street")


class TakeSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.PHONE)
    category = _id(_categories)
    description = serializers.CharField(max_length=5000)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    community = _id(_communities, required=False, allow_null=True, default=None)
    street = _id(
        _city_streets,
        required=False,
        allow_null=True,
        default=None,
        help_text="Dispatch at once to this street (after confirming the suggestion).",
    )
    citizen_name = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    citizen_phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    citizen_email = serializers.EmailField(required=False, allow_blank=True, default="")
    latitude = BoundedDecimalField(
        pattern=fields.LATITUDE,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
        allow_null=True,
        default=None,
    )
    longitude = BoundedDecimalField(
        pattern=fields.LONGITUDE,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
        default=None,
    )


class DispatchSerializer(serializers.Serializer):
    street = _id(_city_streets)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RequestReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=5000)


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CallBackInputSerializer(serializers.Serializer):
    reached = serializers.BooleanField()
    contacted = serializers.BooleanField(required=False, allow_null=True, default=None)
    resolved = serializers.BooleanField(required=False, allow_null=True, default=None)
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    reopen = serializers.BooleanField(required=False, default=False)


class RatesSerializer(serializers.Serializer):
    street = serializers.IntegerField(source="street_id")
    street_name = serializers.CharField(source="street")
    district_name = serializers.CharField(source="district")
    volume = serializers.IntegerField()
    valid = serializers.IntegerField(help_text="Call-backs that reached the citizen.")
    contacted = serializers.IntegerField()
    resolved = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basic = serializers.IntegerField()
    response_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    resolution_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    composite = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    previous_rank = serializers.IntegerField(allow_null=True)
    categories = serializers.ListField(child=serializers.CharField())
