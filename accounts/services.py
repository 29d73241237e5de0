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


# --- the timeline of objects outside the whistles ------------------------------------------


def record(type, subject, *, actor=None, street=None, at=None, **data):
    """Append one event to `subject`'s timeline (never personal data of citizens)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from .models import TimelineEvent

    return TimelineEvent.objects.create(
        type=type,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        street=street,
        subject_type=ContentType.objects.get_for_model(type_of(subject)),
        subject_id=subject.pk,
        data=data,
    )


def type_of(obj):
    return obj._meta.concrete_model


def timeline(subject):
    from django.contrib.contenttypes.models import ContentType

    from .models import TimelineEvent

    return TimelineEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(type_of(subject)), subject_id=subject.pk
    ).select_related("actor")


# --- power grants ------------------------------------------------------------------------


def may_grant(user, street) -> bool:
    """District administrators grant the powers of their district's streets."""
    from .scope import scope_of

    scope = scope_of(user)
    return bool(user and user.is_superuser) or scope.has_role(
        Role.DISTRICT_ADMIN, street.district_id
    )


def _require_granter(actor, street):
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if actor is not None and not may_grant(actor, street):
        raise PermissionDenied(
            _("Only the administrators of %(district)s grant powers to its streets.")
            % {"district": street.district.name}
        )


def grant_power(actor, street, power, note: str = ""):
    """Grant `power` to `street` (actor None: the system, e.g. the demo seed). 409 when it
    is already held."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from config.errors import Conflict

    from .choices import Power, TimelineEventType
    from .models import PowerGrant

    _require_granter(actor, street)
    if power not in Power.values:
        raise ValidationError({"power": _("Unknown power.")})
    power = Power(power)
    now = timezone.now()
    with transaction.atomic():
        _lock_streets([street.pk])
        try:
            with transaction.atomic():
                grant = PowerGrant.objects.create(
                    street=street,
                    power=power,
                    note=(note or "")[:200],
                    granted_by=actor,
                    granted_at=now,
                )
        except IntegrityError:  # only the one-active-grant constraint can refuse this row
            raise Conflict(
                _("%(street)s already holds this power: %(power)s.")
                % {"street": street.name, "power": power.label}
            ) from None
        record(
            TimelineEventType.POWER_GRANTED,
            grant,
            actor=actor,
            street=street,
            at=now,
            power=power.value,
        )
        sync_powers([street.pk], powers=[power])
    return grant


def revoke_power(actor, grant, reason: str = ""):
    from django.db import transaction
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from config.errors import Conflict

    from .choices import TimelineEventType
    from .models import PowerGrant

    _require_granter(actor, grant.street)
    now = timezone.now()
    with transaction.atomic():
        _lock_streets([grant.street_id])
        changed = PowerGrant.objects.filter(pk=grant.pk, revoked_at=None).update(
            revoked_at=now, revoked_by=actor, revoke_reason=(reason or "")[:200]
        )
        if not changed:
            raise Conflict(_("This grant was already revoked."))
        grant.refresh_from_db()
        record(
            TimelineEventType.POWER_REVOKED,
            grant,
            actor=actor,
            street=grant.street,
            at=now,
            power=grant.power,
            reason=grant.revoke_reason,
        )
        sync_powers([grant.street_id], powers=[grant.power])
    return grant


def _lock_streets(street_ids) -> None:
    """Grants and the objects a grant covers are written one street at a time: a station
    saved while a grant of its street is being made waits for it, then sees it (and the
    other way round), so neither misses the other's row."""
    list(Street.objects.select_for_update().filter(pk__in=street_ids).values_list("pk"))


def _permission(g):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(g.model), codename=g.power.value
    )


def sync_powers(street_ids=None, powers=None) -> int:
    """Give each street's committee group the object permission of every power the street
    holds, on every object that power governs in the street, and nothing else. Writes only
    the difference (loading the same organisation twice writes nothing). Returns the number
    of rows added or removed."""
    from guardian.utils import get_group_obj_perms_model

    from . import grants
    from .models import PowerGrant

    streets = Street.objects.all()
    if street_ids is not None:
        streets = streets.filter(pk__in=street_ids)
    committee_of = dict(streets.values_list("pk", "committee_id"))
    changed = 0
    for g in grants.governed():
        if powers is not None and g.power not in powers:
            continue
        perm = _permission(g)
        table = get_group_obj_perms_model(g.model)
        granted = set(
            PowerGrant.objects.filter(
                power=g.power, revoked_at=None, street_id__in=committee_of
            ).values_list("street_id", flat=True)
        )
        desired = set()
        if granted:
            desired = {
                (committee_of[street_id], obj_id)
                for obj_id, street_id in g.pairs_in(sorted(granted))
                if committee_of.get(street_id)
            }
        current = dict(
            (
                (group_id, obj_id),
                pk,
            )
            for pk, group_id, obj_id in table.objects.filter(
                permission=perm, group_id__in=[c for c in committee_of.values() if c]
            ).values_list("pk", "group_id", "content_object_id")
        )
        missing = desired - current.keys()
        extra = [pk for key, pk in current.items() if key not in desired]
        if missing:
            table.objects.bulk_create(
                [
                    table(permission=perm, group_id=group_id, content_object_id=obj_id)
                    for group_id, obj_id in sorted(missing)
                ]
            )
        if extra:
            table.objects.filter(pk__in=extra).delete()
        changed += len(missing) + len(extra)
    return changed


def sync_object(obj) -> None:
    """One governed object added or moved: its permissions follow its street's grants at once."""
    from django.db import transaction

    with transaction.atomic():
        _sync_object(obj)


def _sync_object(obj) -> None:
    from guardian.utils import get_group_obj_perms_model

    from . import grants
    from .models import PowerGrant

    governing = grants.governing(type_of(obj))
    if governing:
        _lock_streets(sorted({s for g in governing for s in g.streets_of(obj)}))
    for g in governing:
        perm = _permission(g)
        table = get_group_obj_perms_model(g.model)
        street_ids = g.streets_of(obj)
        wanted = set(
            Street.objects.filter(
                pk__in=PowerGrant.objects.filter(
                    power=g.power, revoked_at=None, street_id__in=street_ids
                ).values("street_id")
            ).values_list("committee_id", flat=True)
        )
        rows = table.objects.filter(
            permission=perm, content_object_id=obj.pk, group__committee_of__isnull=False
        )
        current = set(rows.values_list("group_id", flat=True))
        if current - wanted:
            rows.filter(group_id__in=current - wanted).delete()
        if wanted - current:
            table.objects.bulk_create(
                [
                    table(permission=perm, group_id=group_id, content_object_id=obj.pk)
                    for group_id in sorted(wanted - current)
                ]
            )
