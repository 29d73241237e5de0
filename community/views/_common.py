"""What the front line's pages share: the person's reports, alleys and places, and who may
see the offices' pages."""

from django.db.models import Q

from accounts.scope import scope_of

from ..models import Alley, FrontlineReport
from ..scope import frontline_of


def reports_of(user):
    return FrontlineReport.objects.visible_to(user).select_related(
        "alley", "street", "community", "steward", "whistle", "order"
    )


def alleys_to_report(user):
    """The alleys the person may report or patrol in: a steward's, a chief's, and for the
    street's people every alley of their street."""
    me = frontline_of(user)
    condition = Q(pk__in=me.chief_alley_ids) | Q(street_id__in=scope_of(user).street_ids)
    if me.steward_id:
        condition |= Q(adoptions__steward_id=me.steward_id, adoptions__end=None)
    return Alley.objects.filter(condition).distinct().select_related("community").order_by("id")
