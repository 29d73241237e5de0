"""The duty list's API (街道职责清单): versions with their sections and items, the import, the
items a street follows (docs/duties.md). The figures are in dispatch/api_duties.py."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import duties
from .choices import DutyRole
from .dutyimport import ImportFileError, import_duty_list
from .models import District, DutyItem, DutyList, DutySection, Street

NOT_FOUND = OpenApiResponse(description=gettext_lazy("Not found."))


class DutyItemSerializer(serializers.ModelSerializer):
    section = serializers.IntegerField(source="section.number", read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = DutyItem
        fields = ["id", "section", "number", "title", "role", "categories"]


class DutySectionSerializer(serializers.ModelSerializer):
    items = DutyItemSerializer(many=True, read_only=True)

    class Meta:
        model = DutySection
        fields = ["number", "title", "items"]


class RoleShareSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=DutyRole.choices)
    count = serializers.IntegerField()
    percent = serializers.IntegerField()


class DutyListSerializer(serializers.ModelSerializer):
    district = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    items = serializers.IntegerField(source="item_count", read_only=True)

    class Meta:
        model = DutyList
        fields = ["id", "district", "version", "title", "effective_from", "published_at", "items"]


class DutyListDetailSerializer(DutyListSerializer):
    sections = DutySectionSerializer(many=True, read_only=True)
    shares = serializers.SerializerMethodField()

    class Meta(DutyListSerializer.Meta):
        fields = [*DutyListSerializer.Meta.fields, "shares", "sections"]

    @extend_schema_field(RoleShareSerializer(many=True))
    def get_shares(self, obj):
        items = [i for s in obj.sections.all() for i in s.items.all()]
        shares = duties.role_shares(items)
        return [
            {"role": r, "count": v["count"], "percent": v["percent"]} for r, v in shares.items()
        ]


class CiteDutyItemSerializer(serializers.Serializer):
    """`duty_item`: an item of the duty list the street follows (null clears it)."""

    duty_item = serializers.IntegerField(allow_null=True, min_value=1, max_value=2**31 - 1)


class DutyImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    district = serializers.IntegerField(required=False, allow_null=True)
    version = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=100)
    effective_from = serializers.DateField()


class DutyListViewSet(viewsets.ReadOnlyModelViewSet):
    """The versions of the duty list: the city's and those of the caller's districts."""

    serializer_class = DutyListSerializer

    def get_queryset(self):
        lists = duties.lists_visible_to(self.request.user).annotate(item_count=Count("items"))
        if self.action == "retrieve":
            lists = lists.prefetch_related(
                Prefetch(
                    "sections",
                    DutySection.objects.prefetch_related(
                        Prefetch("items", DutyItem.objects.select_related("section"))
                    ),
                )
            )
        return lists.order_by("-effective_from", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DutyListDetailSerializer
        if self.action == "import_file":
            return DutyImportSerializer
        return DutyListSerializer

    @extend_schema(
        request={"multipart/form-data": DutyImportSerializer},
        # a bad file: 400 with `file` (the messages) and `errors` (line, column, message)
        responses={201: DutyListSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Publish a new version from a CSV or XLSX file: all or nothing; a bad file answers
        400 with every bad row and column."""
        if not duties.publishable_districts(request.user):
            raise exceptions.PermissionDenied(_("You cannot publish a duty list."))
        serializer = DutyImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        district = None
        if data.get("district"):
            district = District.objects.visible_to(request.user).filter(pk=data["district"]).first()
            if district is None:
                # the words Django and DRF use for an id naming nothing the caller may use
                raise exceptions.ValidationError(
                    {
                        "district": [
                            _(
                                "Select a valid choice. That choice is not one of the available choices."
                            )
                        ]
                    }
                )
        try:
            result = import_duty_list(
                data["file"],
                actor=request.user,
                district=district,
                version=data["version"],
                title=data["title"],
                effective_from=data["effective_from"],
            )
        except ImportFileError as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from None
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        if result.errors:
            return Response(
                {
                    "file": [str(e) for e in result.errors],
                    "errors": [e.as_dict() for e in result.errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        duty_list = DutyList.objects.annotate(item_count=Count("items")).get(pk=result.duty_list.pk)
        return Response(DutyListSerializer(duty_list).data, status=status.HTTP_201_CREATED)


class StreetDutyItemsSerializer(serializers.Serializer):
    duty_list = DutyListSerializer(allow_null=True)
    suggested = DutyItemSerializer(many=True)
    results = DutyItemSerializer(many=True)


class StreetDutyItemsView(APIView):
    """`GET duty-items/?street=<id>[&category=<code>]`: the items of the list the street follows
    today, and those suggested for a whistle or 12345 category."""

    @extend_schema(
        parameters=[
            OpenApiParameter("street", int, required=True),
            OpenApiParameter("category", str, required=False),
        ],
        responses={200: StreetDutyItemsSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        raw = request.query_params.get("street", "")
        if not raw.isdigit():
            raise exceptions.ValidationError({"street": [_("Give the street's id.")]})
        street = get_object_or_404(Street.objects.visible_to(request.user), pk=int(raw))
        duty_list = duties.list_in_force(street)
        items = (
            list(DutyItem.objects.filter(duty_list=duty_list).select_related("section"))
            if duty_list
            else []
        )
        if duty_list is not None:
            duty_list.item_count = len(items)
        return Response(
            {
                "duty_list": DutyListSerializer(duty_list).data if duty_list else None,
                "suggested": DutyItemSerializer(
                    duties.suggest(items, request.query_params.get("category")), many=True
                ).data,
                "results": DutyItemSerializer(items, many=True).data,
            }
        )
