"""The street's internal structure (六办一队三中心): its offices, its enforcement team and its
centres, each led by a deputy head of the street. The street's own people (its officials and its
party committee) keep it; everyone who sees the street sees it. Every write is on the office's
timeline (accounts.TimelineEvent)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.roles import STREET_ROLES

from .choices import OfficeKind
from .choices import TimelineEventType as T
from .models import Membership, Street, StreetOffice
from .scope import scope_of
from .services import record

# Django's own words (translated by its catalogue): an id of no object the caller may use here
NOT_A_CHOICE = "Select a valid choice. That choice is not one of the available choices."
NAME_LIMIT = 60
POSITION_LIMIT = 32767


def acts_for_street(user, street_id) -> bool:
    scope = scope_of(user)
    return any(scope.has_role(role, street_id) for role in STREET_ROLES)


def require_street(user, street_id):
    if not acts_for_street(user, street_id):
        raise PermissionDenied(_("Only the street's officials keep its structure."))


def visible_offices(user):
    """The offices of every street the person sees (Street.visible_to)."""
    return StreetOffice.objects.filter(street__in=Street.objects.visible_to(user))


def office_of_street(street_id, office, field: str = "office"):
    """`office` (an instance, an id, or empty for none) as an office of the street `street_id`;
    anything else is a ValidationError naming `field` (another street's office included)."""
    if office in (None, ""):
        return None
    if isinstance(office, StreetOffice):
        found = office if office.street_id == street_id and street_id else None
    else:
        key = str(office).strip()
        found = None
        if key.isascii() and key.isdigit() and street_id and len(key) < 19:
            found = StreetOffice.objects.filter(pk=int(key), street_id=street_id).first()
    if found is None:
        raise ValidationError({field: _(NOT_A_CHOICE)})
    return found


def _name(errors, value) -> str:
    value = (value or "").replace("\x00", "").strip()
    if not value:
        errors["name"] = _("Name the office.")
    elif len(value) > NAME_LIMIT:
        errors["name"] = _("At most %(limit)d characters.") % {"limit": NAME_LIMIT}
    return value


def _position(errors, value) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        errors["position"] = _("Enter a whole number.")
        return 0
    if not 0 <= number <= POSITION_LIMIT:
        errors["position"] = _("Out of range.")
    return number


def _lead(errors, street_id, lead):
    """The lead is a person of the street: someone holding a membership in it."""
    if lead in (None, ""):
        return None
    user_id = getattr(lead, "pk", lead)
    key = str(user_id).strip()
    membership = None
    if key.isascii() and key.isdigit() and len(key) < 19:
        membership = (
            Membership.objects.filter(street_id=street_id, user_id=int(key))
            .select_related("user")
            .first()
        )
    if membership is None:
        errors["lead"] = _(NOT_A_CHOICE)  # the lead is a person of the street
        return None
    return membership.user


def _save(office, errors):
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            office.save()
    except IntegrityError:
        raise ValidationError({"name": _("The street has an office of this name.")}) from None


@transaction.atomic
def add_office(user, street, *, kind, name, lead=None, position=None) -> StreetOffice:
    require_street(user, street.pk)
    errors = {}
    if kind not in OfficeKind.values:
        errors["kind"] = _("Choose an office, the team or a centre.")
    name = _name(errors, name)
    position = _position(errors, position)
    lead = _lead(errors, street.pk, lead)
    office = StreetOffice(street=street, kind=kind, name=name, lead=lead, position=position)
    _save(office, errors)
    record(
        T.OFFICE_ADDED,
        office,
        actor=user,
        street=street,
        kind=kind,
        lead=lead.pk if lead else None,
    )
    return office


@transaction.atomic
def change_office(user, office, **changes) -> StreetOffice:
    """Change the office's `name`, `lead` (None: no lead) and/or `position`, as given."""
    require_street(user, office.street_id)
    office = StreetOffice.objects.select_for_update().get(pk=office.pk)
    errors = {}
    values = {}
    if "name" in changes:
        values["name"] = _name(errors, changes["name"])
    if "lead" in changes:
        values["lead"] = _lead(errors, office.street_id, changes["lead"])
    if "position" in changes:
        values["position"] = _position(errors, changes["position"])
    if errors:
        raise ValidationError(errors)
    changed = {k: v for k, v in values.items() if getattr(office, k) != v}
    if not changed:
        return office
    for k, v in changed.items():
        setattr(office, k, v)
    _save(office, {})
    record(
        T.OFFICE_CHANGED,
        office,
        actor=user,
        street=office.street,
        fields=sorted(changed),
        lead=office.lead_id,
    )
    return office


def give_to_office(user, obj, office):
    """Name `office` (an instance, an id, or empty for none; it must be of `obj`'s own street)
    on `obj`, a membership, 12345 request or front-line report the caller has checked and
    locked, and put the change on its timeline; no change, no event."""
    office = office_of_street(obj.street_id, office)
    if obj.office_id == (office.pk if office else None):
        return obj
    type(obj).objects.filter(pk=obj.pk).update(office=office)
    obj.office = office
    record(
        T.ASSIGNED_TO_OFFICE,
        obj,
        actor=user,
        street=obj.street,
        office=office.pk if office else None,
    )
    return obj


@transaction.atomic
def set_membership_office(user, membership, office) -> Membership:
    """Name the office (of the membership's own street; None: none) where the person works."""
    if not membership.street_id:
        raise ValidationError({"office": _("Only a membership in a street names an office.")})
    require_street(user, membership.street_id)
    return give_to_office(user, membership, office)
    Membership.objects.filter(pk=membership.pk).update(office=office)
    membership.office = office
    record(
        T.ASSIGNED_TO_OFFICE,
        membership,
        actor=user,
        street=membership.street,
        office=office.pk if office else None,
    )
    return membership
