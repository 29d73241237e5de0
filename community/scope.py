"""What a person is on the front line, read once per request: the steward they are, the alleys
they lead as chief, the communities they serve. Together with accounts' scope (the street's
people, the district's, the city) it decides every list of community/."""

from dataclasses import dataclass

from django.db.models import Q

from accounts.scope import scope_of


@dataclass(frozen=True)
class Frontline:
    steward_id: int | None  # an active steward
    steward_street_id: int | None
    chief_alley_ids: frozenset[int]  # alleys the person leads now
    staff_community_ids: frozenset[int]  # communities the person serves now

    @property
    def anything(self) -> bool:
        return bool(self.steward_id or self.chief_alley_ids or self.staff_community_ids)


NOBODY = Frontline(None, None, frozenset(), frozenset())


def frontline_of(user) -> Frontline:
    """Cached on the user object: one query per request at most."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_frontline_cache", None)
    if cached is not None:
        return cached
    from django.db.models import IntegerField, Value

    from .models import AlleyChief, CommunityStaff, Steward

    # one query for the three (tagged rows of a UNION ALL): every page asks for the header
    tag = {"output_field": IntegerField()}
    rows = (
        Steward.objects.filter(user=user, left_on=None)
        .order_by()
        .values_list(Value(0, **tag), "pk", "street_id")
        .union(
            AlleyChief.objects.filter(user=user, until=None)
            .order_by()
            .values_list(Value(1, **tag), "alley_id", Value(0, **tag)),
            CommunityStaff.objects.filter(user=user, until=None)
            .order_by()
            .values_list(Value(2, **tag), "community_id", Value(0, **tag)),
            all=True,
        )
    )
    steward, alleys, communities = None, set(), set()
    for kind, pk, street_id in rows:
        if kind == 0:
            steward = (pk, street_id)
        elif kind == 1:
            alleys.add(pk)
        else:
            communities.add(pk)
    found = Frontline(
        steward_id=steward[0] if steward else None,
        steward_street_id=steward[1] if steward else None,
        chief_alley_ids=frozenset(alleys),
        staff_community_ids=frozenset(communities),
    )
    user._frontline_cache = found
    return found


def forget(user) -> None:
    """After a change of the person's own front-line rows within the request."""
    if hasattr(user, "_frontline_cache"):
        del user._frontline_cache


def office(user, street="street") -> Q:
    """The rows seen from an office: the street's people of their street, the district's of
    their district's streets (`street` names the path to the street)."""
    scope = scope_of(user)
    return Q(**{f"{street}_id__in": scope.street_ids}) | Q(
        **{f"{street}__district_id__in": scope.district_ids}
    )


def office_streets(user):
    """The streets whose whole front line the person sees: their own street as its people,
    every street of their district as its people, all for the city. Any other street is
    outside their scope (404), a street of the same district included."""
    from accounts.models import Street

    scope = scope_of(user)
    if scope.everything:
        return Street.objects.all()
    return Street.objects.filter(Q(pk__in=scope.street_ids) | Q(district_id__in=scope.district_ids))


def office_districts(user):
    """The districts whose streets the person compares: where they hold a district role."""
    from accounts.models import District

    scope = scope_of(user)
    if scope.everything:
        return District.objects.all()
    return District.objects.filter(pk__in=scope.district_ids)


def sees_everything(user) -> bool:
    return scope_of(user).everything


def start_page(user) -> str | None:
    """accounts' home asks this: where a person of the front line and nothing else lands."""
    scope = scope_of(user)
    if scope.street_ids or scope.district_ids or scope.everything:
        return None
    if frontline_of(user).anything:
        return "community:index"
    # an in-service party member or a unit's contact, and nothing else: 双报到
    from .models import PartyMember, PartyUnit

    if PartyMember.objects.filter(user=user).exists():
        return "community:party"
    if PartyUnit.objects.filter(contact_user=user).exists():
        return "community:employer-reports"
    return None
