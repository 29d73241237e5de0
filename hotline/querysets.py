from django.db import models
from django.db.models import Q

from accounts.scope import scope_of


class RequestQuerySet(models.QuerySet):
    """A request is seen by the city (the 12345 centre), the street it is dispatched to and
    that street's district."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            Q(street_id__in=scope.street_ids) | Q(street__district_id__in=scope.district_ids)
        )
