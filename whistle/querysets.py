from django.db import models
from django.db.models import Q

from accounts.scope import scope_of

# Higher apps widen who sees a whistle without whistle/ importing them: dispatch/ registers
# "whistles that summoned one of your departments" (a callable scope -> Q).
visibility_extensions: list = []


class WhistleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whistles of the person's streets and districts (plus what higher apps add);
        the city sees all."""
        scope = scope_of(user)
        if scope.everything:
            return self
        condition = Q(street_id__in=scope.street_ids) | Q(
            street__district_id__in=scope.district_ids
        )
        for extension in visibility_extensions:
            condition |= extension(scope)
        return self.filter(pk__in=self.model.objects.filter(condition).values("pk"))
