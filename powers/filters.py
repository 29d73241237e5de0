"""One FilterSet per list, for the pages and the API alike."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from accounts.filters import VisibleStreetFilter
from accounts.models import DispatchedAgency, Station, StationedOfficer
from core.filters import BooleanFilter, IdFilter
from core.ids import MAX_ID

from .choices import OrderStatus
from .models import (
    MajorMatter,
    OfficerAssessment,
    OfficerRecord,
    Opinion,
    PersonnelRecommendation,
    SupervisionOrder,
)


@extend_schema_field({"type": "string", "maxLength": 7})
class PeriodFilter(django_filters.CharFilter):
    """An assessment's period as written (YYYY, YYYY-Qn or YYYY-MM)."""


def _id(field_name):
    return IdFilter(field_name=field_name, min_value=1, max_value=MAX_ID)


class _StatusFilter(django_filters.ChoiceFilter):
    """open / answered / overdue (overdue and not answered)."""

    def __init__(self, **kwargs):
        super().__init__(choices=OrderStatus.choices, empty_label=_("Every status"), **kwargs)

    def filter(self, qs, value):
        if value == OrderStatus.ANSWERED:
            return qs.exclude(answered_at=None)
        if value == OrderStatus.OVERDUE:
            return qs.filter(answered_at=None).exclude(overdue_at=None)
        if value == OrderStatus.OPEN:
            return qs.filter(Q(answered_at=None) & Q(overdue_at=None))
        return qs


class StreetUnitFilter(django_filters.FilterSet):
    street = VisibleStreetFilter(field_name="street", empty_label=_("Every street"))
    department = _id("department_id")


class StationFilter(StreetUnitFilter):
    class Meta:
        model = Station
        fields = ["street", "department"]


class AgencyFilter(StreetUnitFilter):
    class Meta:
        model = DispatchedAgency
        fields = ["street", "department"]


class OfficerFilter(StreetUnitFilter):
    class Meta:
        model = StationedOfficer
        fields = ["street", "department"]


class OrderFilter(StreetUnitFilter):
    status = _StatusFilter()
    station = _id("station_id")

    class Meta:
        model = SupervisionOrder
        fields = ["street", "department", "station", "status"]


class RecommendationFilter(StreetUnitFilter):
    status = _StatusFilter()
    agency = _id("agency_id")

    class Meta:
        model = PersonnelRecommendation
        fields = ["street", "department", "agency", "status"]


class MatterFilter(django_filters.FilterSet):
    district = _id("district_id")
    street = VisibleStreetFilter(field_name="streets", empty_label=_("Every street"))

    class Meta:
        model = MajorMatter
        fields = ["district", "street"]


class OpinionFilter(django_filters.FilterSet):
    matter = _id("matter_id")
    street = VisibleStreetFilter(field_name="street", empty_label=_("Every street"))
    answered = BooleanFilter(field_name="answered_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Opinion
        fields = ["matter", "street", "answered"]


class OfficerRecordFilter(StreetUnitFilter):
    officer = _id("officer_id")

    class Meta:
        model = OfficerRecord
        fields = ["street", "department", "officer"]


class OfficerAssessmentFilter(StreetUnitFilter):
    officer = _id("officer_id")
    period = PeriodFilter(max_length=7)

    class Meta:
        model = OfficerAssessment
        fields = ["street", "department", "officer", "period"]
