from django.db import models
from django.db.models import Q

from accounts.scope import scope_of


class CheckInQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A department sees its own check-ins; a street those of its whistles; a district
        those of its streets; the city all."""
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            Q(department_id__in=scope.department_ids)
            | Q(whistle__street_id__in=scope.street_ids)
            | Q(whistle__street__district_id__in=scope.district_ids)
        )


def whistles_of_departments(scope) -> Q:
    """Whistle visibility added by dispatch: whistles that summoned one of your departments."""
    return Q(check_ins__department_id__in=scope.department_ids)


def may_see_responder(user, check_in) -> bool:
    """Who goes and where they reported: for the check-in's department, the whistle's street,
    its district and the city (not for the other departments summoned to the same whistle)."""
    scope = scope_of(user)
    whistle = check_in.whistle
    return (
        scope.everything
        or check_in.department_id in scope.department_ids
        or whistle.street_id in scope.street_ids
        or whistle.street.district_id in scope.district_ids
    )
