"""What part of the organisation a person works in, read once per request.

Visibility is a queryset filter applied before any lookup (so an object outside the scope is
a 404, never a 403). Every reused read of the organisation goes through `scope_of`.
"""

from dataclasses import dataclass

from core.roles import STREET_ROLES

from .choices import Role, UnitType


@dataclass(frozen=True)
class Scope:
    everything: bool
    roles: frozenset[str]
    city_ids: frozenset[int]
    district_ids: frozenset[int]  # districts where the person holds a district role
    street_ids: frozenset[int]  # streets where the person holds a role of STREET_ROLES
    department_ids: frozenset[int]  # departments where the person holds a department role
    home_district_ids: frozenset[int]  # every district the person works in, any role
    role_units: frozenset[tuple[str, int]]  # (role, unit id) pairs

    def has_role(self, role: Role, unit_id: int | None = None) -> bool:
        return role in self.roles if unit_id is None else (role, unit_id) in self.role_units


EMPTY = Scope(False, *[frozenset()] * 7)


def scope_of(user) -> Scope:
    """The person's scope, cached on the user object (one query per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    memberships = list(
        # user_id too: the related manager reads it on every row to attach the user (left
        # out, it cost one more query per membership)
        user.memberships.select_related("street", "department").only(
            "user_id",
            "role",
            "city_id",
            "district_id",
            "street_id",
            "department_id",
            "street__district_id",
            "department__district_id",
        )
    )
    ids = {unit: set() for unit in UnitType}
    home = set()
    pairs = set()
    for m in memberships:
        unit_type = UnitType(m.unit_type)
        unit_id = m.unit_id
        # street_ids: where the person acts for the street (its whistles, its 12345
        # requests); an alley chief's part is their alleys only (community/)
        if unit_type != UnitType.STREET or m.role in STREET_ROLES:
            ids[unit_type].add(unit_id)
        pairs.add((m.role, unit_id))
        if unit_type == UnitType.DISTRICT:
            home.add(unit_id)
        elif unit_type == UnitType.STREET:
            home.add(m.street.district_id)
        elif unit_type == UnitType.DEPARTMENT and m.department.district_id:
            home.add(m.department.district_id)
    scope = Scope(
        everything=user.is_superuser or bool(ids[UnitType.CITY]),
        roles=frozenset(m.role for m in memberships),
        city_ids=frozenset(ids[UnitType.CITY]),
        district_ids=frozenset(ids[UnitType.DISTRICT]),
        street_ids=frozenset(ids[UnitType.STREET]),
        department_ids=frozenset(ids[UnitType.DEPARTMENT]),
        home_district_ids=frozenset(home),
        role_units=frozenset(pairs),
    )
    user._scope_cache = scope
    return scope
