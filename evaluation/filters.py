"""The evaluations list's one FilterSet (the API's; the vetoes page lists without filters)."""

import django_filters

from accounts.filters import VisibleStreetFilter
from core.filters import IdFilter
from core.ids import MAX_ID

from .models import Evaluation


class EvaluationFilter(django_filters.FilterSet):
    whistle = IdFilter(field_name="whistle_id", min_value=1, max_value=MAX_ID)
    department = IdFilter(field_name="department_id", min_value=1, max_value=MAX_ID)
    street = VisibleStreetFilter()

    class Meta:
        model = Evaluation
        fields = ["status", "veto_status", "timeliness", "whistle", "department", "street"]
