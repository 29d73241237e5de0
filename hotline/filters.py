"""The 12345 request list's one FilterSet: the page and the API filter alike (a street outside
the person's scope is 'not a valid choice' in both)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.filters import OfficeFilter
from accounts.models import Street
from accounts.scope import scope_of

from .choices import OPEN_STATUSES, Channel, RequestStatus
from .forms import StreetChoiceField
from .models import RequestCategory, ServiceRequest

OPEN = "open"


def visible_streets(user):
    """The streets whose requests the person sees, to filter by (the city's operators: all)."""
    scope = scope_of(user)
    streets = Street.objects.select_related("district").order_by("district_id", "id")
    if scope.everything:
        return streets
    return streets.filter(Q(pk__in=scope.street_ids) | Q(district_id__in=scope.district_ids))


def _streets(request):
    return visible_streets(request.user) if request else Street.objects.none()


class StreetChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = StreetChoiceField  # "平谷区 · 金海湖镇"


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("Open")), *RequestStatus.choices],
        empty_label=_("Every status"),
        method="filter_status",
    )
    street = extend_schema_field(OpenApiTypes.INT)(
        StreetChoiceFilter(
            label=_("Street or township"), queryset=_streets, empty_label=_("Every street")
        )
    )
    category = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("Category"),
            queryset=RequestCategory.objects.order_by("id"),
            empty_label=_("Every category"),
        )
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    office = OfficeFilter()

    class Meta:
        model = ServiceRequest
        fields = ["status", "street", "category", "channel", "office"]

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value) if value else queryset
