"""Which objects each power governs, and who holds a power on what.

A power is granted to a street (`PowerGrant`); what it lets the street's party committee do is
an object permission (django-guardian, direct foreign-key tables) given to the committee's
group on every object the power governs in that street. Each power registers here the model
it governs and how to find that model's objects in a set of streets; the app that owns the
model registers it (accounts its own models, powers/ the major matters), so imports go one way.

Reads: `with_power(user, power, queryset)` narrows a queryset to the objects on which the
user holds the power through a group (one query; a superuser gets no power by being one), and
`holds_power(user, power, obj)` asks it for one object.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from .choices import Power


@dataclass(frozen=True)
class Governed:
    power: Power
    model: type
    # street ids → (object id, street id) of every object of the model in those streets
    pairs_in: Callable[[list[int] | None], Iterable[tuple[int, int]]]
    # object → the ids of the streets whose committee it belongs to
    streets_of: Callable[[object], list[int]]

    @property
    def perm(self) -> str:
        return f"{self.model._meta.app_label}.{self.power.value}"


_governed: dict[Power, Governed] = {}


def govern(power: Power, model, pairs_in, streets_of) -> None:
    _governed[Power(power)] = Governed(Power(power), model, pairs_in, streets_of)


def governed() -> list[Governed]:
    return list(_governed.values())


def governed_by(power) -> Governed:
    return _governed[Power(power)]


def governing(model) -> list[Governed]:
    return [g for g in _governed.values() if g.model is model]


def with_power(user, power, queryset: QuerySet) -> QuerySet:
    """The objects of `queryset` on which `user` holds `power` (through a committee group)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    return get_objects_for_user(
        user,
        governed_by(power).perm,
        klass=queryset,
        with_superuser=False,
        accept_global_perms=False,
    )


def holds_power(user, power, obj) -> bool:
    return with_power(user, power, type(obj).objects.filter(pk=obj.pk)).exists()


def holds_power_anywhere(user, power) -> bool:
    return with_power(user, power, governed_by(power).model.objects.all()).exists()


def register_accounts_powers() -> None:
    from .models import DispatchedAgency, Station, StationedOfficer

    def in_streets(model):
        def pairs(street_ids):
            rows = model.objects.all()
            if street_ids is not None:
                rows = rows.filter(street_id__in=street_ids)
            return rows.values_list("pk", "street_id")

        return pairs

    def own_street(obj):
        return [obj.street_id]

    govern(Power.COORDINATE_DEPARTMENTS, Station, in_streets(Station), own_street)
    govern(Power.VETO_DEPARTMENT, Station, in_streets(Station), own_street)
    govern(Power.RECOMMEND_PERSONNEL, DispatchedAgency, in_streets(DispatchedAgency), own_street)
    govern(Power.ASSESS_STATIONED_STAFF, StationedOfficer, in_streets(StationedOfficer), own_street)
