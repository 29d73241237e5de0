import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.filters import OfficeFilter, VisibleStreetFilter
from accounts.models import Department
from core.filters import BooleanFilter, IdFilter
from core.ids import MAX_ID
from whistle.choices import WhistleKind, WhistleStatus
from whistle.models import Whistle

from .choices import CheckInStatus
from .models import CheckIn


def _departments(request):
    return Department.objects.visible_to(request.user) if request else Department.objects.none()


class WhistleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=WhistleStatus.choices, empty_label=_("Every status")
    )
    kind = django_filters.ChoiceFilter(choices=WhistleKind.choices, empty_label=_("Every kind"))
    street = VisibleStreetFilter(empty_label=_("Every street"))
    office = OfficeFilter()

    class Meta:
        model = Whistle
        fields = ["status", "kind", "street", "office"]


class CheckInFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=CheckInStatus.choices, empty_label=_("Every status")
    )
    department = django_filters.ModelChoiceFilter(queryset=_departments)
    whistle = IdFilter(field_name="whistle_id", min_value=1, max_value=MAX_ID)
    street = VisibleStreetFilter(field_name="whistle__street", empty_label=_("Every street"))
    kind = django_filters.ChoiceFilter(
        field_name="whistle__kind", choices=WhistleKind.choices, empty_label=_("Every kind")
    )
    overdue = BooleanFilter(field_name="overdue_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = CheckIn
        fields = ["status", "department", "whistle", "street", "kind", "overdue"]
