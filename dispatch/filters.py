import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from accounts.models import Department, Street
from whistle.choices import WhistleKind, WhistleStatus
from whistle.models import Whistle

from .choices import CheckInStatus
from .models import CheckIn


def _streets(request):
    return Street.objects.visible_to(request.user) if request else Street.objects.none()


def _departments(request):
    return Department.objects.visible_to(request.user) if request else Department.objects.none()


class WhistleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=WhistleStatus.choices, empty_label=_("Every status")
    )
    kind = django_filters.ChoiceFilter(choices=WhistleKind.choices, empty_label=_("Every kind"))
    street = django_filters.ModelChoiceFilter(queryset=_streets, empty_label=_("Every street"))

    class Meta:
        model = Whistle
        fields = ["status", "kind", "street"]


class StrictBooleanField(forms.Field):
    """`true` or `false` as the schema says (empty: no filter); anything else is a 400 naming
    the parameter (django-filter's own boolean takes any word as "no filter")."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """A whole number that fits a database id (NumberFilter would take 1.5 or 10**20)."""

    field_class = forms.IntegerField


class CheckInFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=CheckInStatus.choices, empty_label=_("Every status")
    )
    department = django_filters.ModelChoiceFilter(queryset=_departments)
    whistle = IdFilter(field_name="whistle_id", min_value=1, max_value=2**63 - 1)
    street = django_filters.ModelChoiceFilter(
        field_name="whistle__street", queryset=_streets, empty_label=_("Every street")
    )
    kind = django_filters.ChoiceFilter(
        field_name="whistle__kind", choices=WhistleKind.choices, empty_label=_("Every kind")
    )
    overdue = BooleanFilter(field_name="overdue_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = CheckIn
        fields = ["status", "department", "whistle", "street", "kind", "overdue"]
