"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Department, District, Street


def _visible_streets(request):
    return Street.objects.visible_to(request.user) if request else Street.objects.none()


def _visible_districts(request):
    return District.objects.visible_to(request.user) if request else District.objects.none()


class StreetFilter(django_filters.FilterSet):
    district = django_filters.ModelChoiceFilter(queryset=_visible_districts)

    class Meta:
        model = Street
        fields = ["district", "kind"]


class DepartmentFilter(django_filters.FilterSet):
    # A street outside the caller's scope is "not a valid choice": 400 naming `street`.
    street = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(queryset=_visible_streets, method="filter_street")
    )
    district = django_filters.ModelChoiceFilter(queryset=_visible_districts)

    class Meta:
        model = Department
        fields = ["street", "district", "kind"]

    def filter_street(self, queryset, name, street):
        return queryset.stationed_in(street) if street else queryset
