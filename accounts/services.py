"""Writes to the organisation."""

from django.contrib.auth.models import Group

from .choices import Role
from .models import Membership, Street, User


def sync_committee_groups(user_id: int) -> None:
    """The user is in a street's committee group exactly when a committee membership says so."""
    user = User.objects.get(pk=user_id)
    wanted = set(
        Street.objects.filter(
            membership__user_id=user_id, membership__role=Role.COMMITTEE_MEMBER
        ).values_list("committee_id", flat=True)
    )
    current = set(user.groups.filter(committee_of__isnull=False).values_list("id", flat=True))
    if wanted - current:
        user.groups.add(*Group.objects.filter(id__in=wanted - current))
    if current - wanted:
        user.groups.remove(*Group.objects.filter(id__in=current - wanted))


def add_membership(user: User, role: Role, unit) -> Membership:
    """Give `user` the role in `unit` (idempotent)."""
    from .choices import ROLE_UNIT

    field = ROLE_UNIT[Role(role)].value
    membership, _created = Membership.objects.get_or_create(user=user, role=role, **{field: unit})
    return membership


def upsert(model, lookup: dict, values: dict) -> tuple[object, str]:
    """get_or_create (so model.save() runs: a Street makes its committee group), then write only
    the fields that differ. Returns the object and "created", "updated" or "unchanged": loading
    the same data twice writes nothing (seed_demo, import_org)."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if created:
        return obj, "created"
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if not changed:
        return obj, "unchanged"
    for k in changed:
        setattr(obj, k, values[k])
    obj.save(update_fields=changed)
    return obj, "updated"
