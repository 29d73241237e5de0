"""REST API of the street's internal structure (六办一队三中心): `offices/` (everyone who sees the
street reads them; its officials add and change them) and the body shared by the assignment
endpoints (`whistles/{id}/office/`, `requests/{id}/office/`, `frontline-reports/{id}/office/`)."""

import django_filters
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from config.api import valid_data
from core.ids import MAX_ID

from . import offices
from .choices import OfficeKind
from .filters import VisibleStreetFilter
from .models import StreetOffice


class OfficeSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    lead_name = serializers.SerializerMethodField()
    people = serializers.IntegerField(source="people_count", read_only=True)

    class Meta:
        model = StreetOffice
        fields = [
            "id",
            "street",
            "street_name",
            "kind",
            "name",
            "lead",
            "lead_name",
            "position",
            "people",
        ]

    def get_lead_name(self, office) -> str:
        lead = office.lead
        return (lead.full_name or lead.username) if lead else ""


def _id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class AddOfficeSerializer(serializers.Serializer):
    street = _id()
    kind = serializers.ChoiceField(choices=OfficeKind.choices)
    name = serializers.CharField(max_length=offices.NAME_LIMIT)
    lead = _id(required=False, allow_null=True)
    position = serializers.IntegerField(min_value=0, max_value=offices.POSITION_LIMIT, default=0)


class ChangeOfficeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=offices.NAME_LIMIT, required=False)
    lead = _id(required=False, allow_null=True)
    position = serializers.IntegerField(
        min_value=0, max_value=offices.POSITION_LIMIT, required=False
    )


class AssignOfficeSerializer(serializers.Serializer):
    """`office`: an office of the object's own street, or null for none."""

    office = _id(allow_null=True)


class OfficeListFilter(django_filters.FilterSet):
    street = VisibleStreetFilter(empty_label=None)
    kind = django_filters.ChoiceFilter(choices=OfficeKind.choices)

    class Meta:
        model = StreetOffice
        fields = ["street", "kind"]


class OfficeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The offices of the streets the caller sees; the street's officials add and change them."""

    serializer_class = OfficeSerializer
    filterset_class = OfficeListFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            offices.visible_offices(self.request.user)
            .select_related("street", "lead")
            .annotate(people_count=Count("memberships__user", distinct=True))
            .order_by("street_id", "position", "id")
        )

    @extend_schema(request=AddOfficeSerializer, responses={201: OfficeSerializer})
    def create(self, request):
        from .scope import scope_of

        if not scope_of(request.user).street_ids:
            raise exceptions.PermissionDenied(_("Only the street's officials keep its structure."))
        data = valid_data(AddOfficeSerializer, request)
        street = (
            offices.Street.objects.visible_to(request.user).filter(pk=data.pop("street")).first()
        )
        if street is None or not offices.acts_for_street(request.user, street.pk):
            raise exceptions.ValidationError({"street": [_(offices.NOT_A_CHOICE)]})
        office = offices.add_office(request.user, street, **data)
        return self._answer(office, status.HTTP_201_CREATED)

    @extend_schema(request=ChangeOfficeSerializer, responses=OfficeSerializer)
    def partial_update(self, request, pk=None):
        office = self.get_object()
        offices.require_street(request.user, office.street_id)
        data = valid_data(ChangeOfficeSerializer, request)
        return self._answer(offices.change_office(request.user, office, **data))

    def _answer(self, office, code=status.HTTP_200_OK):
        office = self.get_queryset().get(pk=office.pk)
        return Response(OfficeSerializer(office).data, status=code)
