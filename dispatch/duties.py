"""The duty list where whistles are read: citing an item on a whistle, and the district's
figures per street and period (docs/duties.md). accounts/duties.py owns the lists."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import DutyRole
from accounts.duties import require_citable
from accounts.models import Street
from accounts.scope import scope_of
from core.periods import BEIJING
from core.roles import DISTRICT_ROLES
from whistle.choices import EventType
from whistle.models import Whistle
from whistle.services import record_event

from .services import acts_for_street


@transaction.atomic
def cite_on_whistle(user, whistle, item) -> Whistle:
    """The duty item the whistle answers (None clears it). It must be on the list the
    whistle's street followed the day it was blown."""
    if user is not None and not acts_for_street(user, whistle.street_id):
        raise PermissionDenied(_("Only the street's people cite a duty item on its whistle."))
    if (item.pk if item else None) == whistle.duty_item_id:
        return whistle
    require_citable(item, whistle.street, whistle.blown_at.astimezone(BEIJING).date())
    Whistle.objects.filter(pk=whistle.pk).update(duty_item=item)
    whistle.duty_item = item
    record_event(
        whistle.pk,
        EventType.DUTY_ITEM_CITED,
        timezone.now(),
        actor=user,
        duty_item=item.pk if item else None,
        number=item.number if item else None,
    )
    return whistle


# --- the district's figures ---------------------------------------------------------------


def may_see_figures(user) -> bool:
    scope = scope_of(user)
    return scope.everything or any(role in scope.roles for role in DISTRICT_ROLES)


def figure_streets(user, district_id=None):
    """The streets whose figures the person may see: their districts' (as reviewer or
    administrator), every street for the city."""
    scope = scope_of(user)
    streets = Street.objects.select_related("district").order_by("district_id", "id")
    if not scope.everything:
        ids = {
            unit
            for role, unit in scope.role_units
            if role in DISTRICT_ROLES and unit in scope.district_ids
        }
        streets = streets.filter(district_id__in=ids)
    if district_id:
        streets = streets.filter(district_id=district_id)
    return streets


def figures(streets, period) -> list[dict]:
    """Per street: whistles blown in the period, by section of the cited item, by the street's
    role in it, those citing no item, and the whistles citing an item the street leads itself
    (负责: it should not need to blow for those). Three queries whatever the data."""
    streets = list(streets)
    start, end = period.bounds
    whistles = Whistle.objects.filter(
        street__in=[s.pk for s in streets], blown_at__gte=start, blown_at__lt=end
    )
    rows = (
        whistles.values(
            "street_id",
            "duty_item__section__number",
            "duty_item__section__title",
            "duty_item__role",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    by_street = defaultdict(lambda: {"sections": defaultdict(int), "roles": defaultdict(int)})
    totals = defaultdict(int)
    uncited = defaultdict(int)
    for row in rows:
        sid, n = row["street_id"], row["n"]
        totals[sid] += n
        if row["duty_item__role"] is None:
            uncited[sid] += n
            continue
        key = (row["duty_item__section__number"], row["duty_item__section__title"])
        by_street[sid]["sections"][key] += n
        by_street[sid]["roles"][row["duty_item__role"]] += n
    lead = defaultdict(list)
    for w in (
        whistles.filter(duty_item__role=DutyRole.LEAD)
        .values(
            "pk",
            "street_id",
            "number",
            "title",
            "blown_at",
            "duty_item__number",
            "duty_item__title",
        )
        .order_by("blown_at", "pk")
    ):
        lead[w["street_id"]].append(
            {
                "id": w["pk"],
                "number": w["number"],
                "title": w["title"],
                "blown_at": w["blown_at"],
                "item_number": w["duty_item__number"],
                "item_title": w["duty_item__title"],
            }
        )
    result = []
    for street in streets:
        data = by_street[street.pk]
        result.append(
            {
                "street": street,
                "whistles": totals[street.pk],
                "uncited": uncited[street.pk],
                "sections": [
                    {"number": number, "title": title, "whistles": n}
                    for (number, title), n in sorted(data["sections"].items())
                ],
                "roles": [
                    {"role": role, "label": str(label), "whistles": data["roles"].get(role, 0)}
                    for role, label in DutyRole.choices
                ],
                "lead_whistles": lead[street.pk],
            }
        )
    return result
