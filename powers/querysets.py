"""Who sees which power objects: restricted before any lookup (outside: 404)."""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from accounts.scope import scope_of


class StreetBoundQuerySet(models.QuerySet):
    """Objects of one street and one department (orders, recommendations, officers' records
    and assessments): seen by the street's people, the department's people, the district's
    people and the city."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            Q(street_id__in=scope.street_ids)
            | Q(department_id__in=scope.department_ids)
            | Q(street__district_id__in=scope.district_ids)
        )


class MatterQuerySet(models.QuerySet):
    """A major matter is seen by its publisher's district, the streets it names (and their
    districts) and the city."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        named = self.model.streets.through.objects.filter(majormatter_id=OuterRef("pk")).filter(
            Q(street_id__in=scope.street_ids) | Q(street__district_id__in=scope.district_ids)
        )
        return self.filter(Q(district_id__in=scope.district_ids) | Exists(named))


class OpinionQuerySet(models.QuerySet):
    """An opinion is seen by its street, the district of the matter's publisher, the
    street's district and the city; other streets do not see it."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            Q(street_id__in=scope.street_ids)
            | Q(street__district_id__in=scope.district_ids)
            | Q(matter__district_id__in=scope.district_ids)
        )
