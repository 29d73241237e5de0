"""REST API of campaigns (docs/campaigns.md). The queryset is restricted to the caller's
sight before lookup (outside: 404); acting needs the right (403), checked before the body
is read; bad input is a 400 naming the field, the state decides 409."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts import campaigns as accounts_campaigns
from accounts.choices import CampaignRole
from accounts.models import (
    Campaign,
    CampaignCounter,
    CampaignIndicator,
    CampaignPost,
    Department,
    District,
    IndicatorReading,
    Street,
    User,
)
from accounts.services import timeline
from config.api import valid_data as _valid
from whistle.models import Whistle

from . import campaigns as services
from .models import SupervisionOrder
from .serializers import TimelineEventSerializer


class CampaignPostSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    department = serializers.CharField(
        source="department.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = CampaignPost
        fields = ["id", "role", "user", "name", "department"]
        read_only_fields = fields


class CounterSerializer(serializers.ModelSerializer):
    updated_by = serializers.CharField(source="updated_by.username", read_only=True)

    class Meta:
        model = CampaignCounter
        fields = ["id", "name", "value", "unit", "source", "updated_at", "updated_by"]
        read_only_fields = fields


class ReadingSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = IndicatorReading
        fields = ["on", "value", "label", "recorded_at", "recorded_by"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    readings = ReadingSerializer(many=True, read_only=True)

    class Meta:
        model = CampaignIndicator
        fields = ["id", "name", "unit", "source", "readings"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.name", read_only=True)
    streets = serializers.SerializerMethodField()
    days = serializers.SerializerMethodField()
    posts = CampaignPostSerializer(many=True, read_only=True)
    counters = CounterSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "aims", "district", "streets", "starts_on", "ends_on", "days",
            "posts", "counters", "indicators", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_streets(self, obj) -> list[str]:
        return [s.name for s in obj.streets.all()]

    def get_days(self, obj) -> int:
        return services.day_count(obj)


class DepartmentRecordSerializer(serializers.Serializer):
    department_id = serializers.IntegerField()
    name = serializers.CharField()
    summoned = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    never_arrived = serializers.IntegerField()
    waiting = serializers.IntegerField()
    released = serializers.IntegerField()


class CampaignWhistleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    street = serializers.CharField()


class CampaignOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    department = serializers.CharField()


class CampaignDetailSerializer(CampaignSerializer):
    """One campaign with its figures: whistles, orders, the departments' check-in record
    across its whistles, and its timeline."""

    whistles = CampaignWhistleSerializer(many=True, read_only=True)
    orders = CampaignOrderSerializer(many=True, read_only=True)
    departments = DepartmentRecordSerializer(many=True, read_only=True)
    events = TimelineEventSerializer(many=True, read_only=True)

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "whistles", "orders", "departments", "events"]
        read_only_fields = fields


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    aims = serializers.CharField(required=False, allow_blank=True, default="")
    district = serializers.PrimaryKeyRelatedField(queryset=District.objects.all())
    streets = serializers.PrimaryKeyRelatedField(queryset=Street.objects.all(), many=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class CampaignChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    aims = serializers.CharField(required=False, allow_blank=True)
    streets = serializers.PrimaryKeyRelatedField(
        queryset=Street.objects.all(), many=True, required=False
    )
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)


class EndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class PostInputSerializer(serializers.Serializer):
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())
    role = serializers.ChoiceField(choices=CampaignRole.choices)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )


class CounterInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IndicatorInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReadingInputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    on = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=3)
    label = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class LinkWhistleSerializer(serializers.Serializer):
    whistle = serializers.IntegerField()


class LinkOrderSerializer(serializers.Serializer):
    order = serializers.IntegerField()


class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Special campaigns (专项行动): a command post and a temporary party branch over streets of
    a district; their whistles, orders, results and indicators."""

    serializer_class = CampaignSerializer
    filterset_fields = ["district"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return services.with_details(
            accounts_campaigns.visible_campaigns(self.request.user)
        ).order_by("-starts_on", "-id")

    def _answer(self, campaign, code=status.HTTP_200_OK):
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(self.get_serializer(campaign).data, status=code)

    def _require_set_up(self, district=None):
        user = self.request.user
        allowed = (
            accounts_campaigns.may_set_up(user, district)
            if district is not None
            else accounts_campaigns.may_set_up_somewhere(user)
        )
        if not allowed:
            raise PermissionDenied(_("Only the district's administrators set up campaigns."))

    def _require_record(self, campaign):
        if not accounts_campaigns.may_record(self.request.user, campaign):
            raise PermissionDenied(
                _("Only the command post's commanders and the covered streets' officials record.")
            )

    @extend_schema(responses=CampaignDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        campaign = self.get_object()
        data = self.get_serializer(campaign).data
        figures = services.figures(campaign)
        data["whistles"] = [
            {"id": w.pk, "number": w.number, "title": w.title, "street": w.street.name}
            for w in figures["whistles"]
        ]
        data["orders"] = [
            {"id": o.pk, "title": o.title, "department": o.department.name}
            for o in figures["orders"]
        ]
        data["departments"] = DepartmentRecordSerializer(figures["departments"], many=True).data
        data["events"] = TimelineEventSerializer(timeline(campaign), many=True).data
        return Response(data)

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer})
    def create(self, request):
        self._require_set_up()
        data = _valid(CampaignInputSerializer, request)
        campaign = accounts_campaigns.create_campaign(request.user, **data)
        return self._answer(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=CampaignChangeSerializer, responses=CampaignSerializer)
    def partial_update(self, request, pk=None):
        campaign = self.get_object()
        self._require_set_up(campaign.district_id)
        data = _valid(CampaignChangeSerializer, request)
        if not data:
            raise serializers.ValidationError({"name": [_("Nothing to change.")]})
        return self._answer(accounts_campaigns.change_campaign(request.user, campaign, **data))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=EndSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        campaign = self.get_object()
        self._require_set_up(campaign.district_id)
        data = _valid(EndSerializer, request)
        return self._answer(accounts_campaigns.end_campaign(request.user, campaign, **data))

    @extend_schema(request=PostInputSerializer, responses={201: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def posts(self, request, pk=None):
        campaign = self.get_object()
        self._require_set_up(campaign.district_id)
        data = _valid(PostInputSerializer, request)
        accounts_campaigns.add_post(request.user, campaign, **data)
        return self._answer(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=CounterInputSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def counters(self, request, pk=None):
        campaign = self.get_object()
        self._require_record(campaign)
        data = _valid(CounterInputSerializer, request)
        accounts_campaigns.set_counter(request.user, campaign, **data)
        return self._answer(campaign)

    @extend_schema(request=IndicatorInputSerializer, responses={201: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def indicators(self, request, pk=None):
        campaign = self.get_object()
        self._require_record(campaign)
        data = _valid(IndicatorInputSerializer, request)
        accounts_campaigns.add_indicator(request.user, campaign, **data)
        return self._answer(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=ReadingInputSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def readings(self, request, pk=None):
        campaign = self.get_object()
        self._require_record(campaign)
        data = _valid(ReadingInputSerializer, request)
        indicator = campaign.indicators.filter(pk=data.pop("indicator")).first()
        if indicator is None:
            raise serializers.ValidationError(
                {"indicator": [_("Not an indicator of this campaign.")]}
            )
        accounts_campaigns.record_reading(request.user, indicator, **data)
        return self._answer(campaign)

    @extend_schema(request=LinkWhistleSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def whistles(self, request, pk=None):
        campaign = self.get_object()
        self._require_record(campaign)
        data = _valid(LinkWhistleSerializer, request)
        whistle = Whistle.objects.visible_to(request.user).filter(pk=data["whistle"]).first()
        if whistle is None:
            raise serializers.ValidationError({"whistle": [_("No such whistle.")]})
        services.link_whistle(request.user, campaign, whistle)
        return self._answer(campaign)

    @extend_schema(request=LinkOrderSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def orders(self, request, pk=None):
        campaign = self.get_object()
        self._require_record(campaign)
        data = _valid(LinkOrderSerializer, request)
        order = SupervisionOrder.objects.visible_to(request.user).filter(pk=data["order"]).first()
        if order is None:
            raise serializers.ValidationError({"order": [_("No such supervision order.")]})
        services.link_order(request.user, campaign, order)
        return self._answer(campaign)
