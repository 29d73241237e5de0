from django.db import models
from django.db.models import Q

from accounts.models import Station
from accounts.scope import scope_of


class EvaluationQuerySet(models.QuerySet):
    """An evaluation is seen by its street, the evaluated department, the district and the city
    (the comments on a department are its own business and its street's)."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            Q(street_id__in=scope.street_ids)
            | Q(department_id__in=scope.department_ids)
            | Q(street__district_id__in=scope.district_ids)
        )


class ScoreQuerySet(models.QuerySet):
    """Scores: the district's people see their district's; a department its own; a street the
    departments stationed in it (those it summons)."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            Q(district_id__in=scope.district_ids)
            | Q(department_id__in=scope.department_ids)
            | Q(
                department_id__in=Station.objects.filter(street_id__in=scope.street_ids).values(
                    "department_id"
                )
            )
        )
