"""双报到 (double reporting), its writes and reads: units register with the street where they
are stationed, in-service party members with the community where they live; the community
publishes needs and service activities at its culture spaces; members sign up and are checked
in, with the hours served. Every write is atomic, checked, and on the object's timeline (ids
only: never a member's phone or address).

Who acts: the street's people confirm units; the community's staff (and the street's people)
confirm members, publish and check in; a member acts for themselves."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TimelineEventType as T
from accounts.services import record
from config.errors import Conflict

from .choices import EndReason, NeedCategory, RegistrationStatus, SpaceKind, UnitKind
from .models import (
    CommunityNeed,
    CultureSpace,
    MemberRegistration,
    PartyMember,
    PartyUnit,
    ServiceActivity,
    SignUp,
    UnitRegistration,
)
from .services import _raise, _text, acts_for_street, may_record_visits, require_street

OPEN = ~Q(status=RegistrationStatus.ENDED)
ACTIVITY_LONGEST = timedelta(hours=24)


def serves_community(user, community) -> bool:
    """The community's staff and the street's people act for the community."""
    return may_record_visits(user, community)


def require_community(user, community, field: str | None = None):
    if not serves_community(user, community):
        message = _("Only the community's staff and the street's officials do this.")
        if field:
            raise ValidationError({field: message})
        raise PermissionDenied(message)


def member_of(user) -> PartyMember | None:
    return PartyMember.objects.filter(user=user).select_related("employer").first()


# --- units -----------------------------------------------------------------------------------


@transaction.atomic
def register_unit(
    user,
    *,
    street,
    name,
    party_organisation,
    kind,
    contact_name,
    contact_phone,
    central=False,
) -> UnitRegistration:
    """A unit's party organisation registers with the street (entered by the street, or by the
    unit's contact): the unit is made once, city-wide, by its name; the street confirms."""
    errors = {}
    name = _text(errors, "name", name, _("Name the unit."), 100)
    party_organisation = _text(
        errors, "party_organisation", party_organisation, _("Name its party organisation."), 100
    )
    if kind not in UnitKind.values:
        errors["kind"] = _("Choose the kind of unit.")
    contact_name = _text(errors, "contact_name", contact_name, _("Give a contact."), 60)
    contact_phone = _text(
        errors, "contact_phone", contact_phone, _("Give the contact's phone."), 30
    )
    _raise(errors)
    unit, _created = PartyUnit.objects.get_or_create(
        name=name,
        defaults={
            "party_organisation": party_organisation,
            "kind": kind,
            "central": bool(central),
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "contact_user": None if acts_for_street(user, street.pk) else user,
            "created_at": timezone.now(),
        },
    )
    if not (acts_for_street(user, street.pk) or unit.contact_user_id == user.pk):
        raise ValidationError({"name": _("Only the unit's contact or the street registers it.")})
    try:
        with transaction.atomic():
            registration = UnitRegistration.objects.create(
                unit=unit, street=street, registered_at=timezone.now()
            )
    except IntegrityError:
        raise ValidationError(
            {"name": _("The unit is already registered with this street.")}
        ) from None
    record(T.UNIT_REGISTERED, registration, actor=user, street=street, unit=unit.pk)
    return registration


@transaction.atomic
def confirm_unit(user, registration) -> UnitRegistration:
    require_street(user, registration.street_id)
    now = timezone.now()
    if not UnitRegistration.objects.filter(
        pk=registration.pk, status=RegistrationStatus.PENDING
    ).update(status=RegistrationStatus.CONFIRMED, confirmed_at=now, confirmed_by=user):
        raise Conflict(_("Only a registration awaiting confirmation is confirmed."), "state")
    record(T.UNIT_CONFIRMED, registration, actor=user, street=registration.street, at=now)
    registration.refresh_from_db()
    return registration


# --- members ---------------------------------------------------------------------------------


@transaction.atomic
def register_member(user, *, community, employer, name, phone, address="") -> MemberRegistration:
    """The signed-in person registers as an in-service party member with the community where
    they live, naming their employer unit; the community confirms. A second open registration
    (with this community or another) is refused: moving is `move_member`."""
    errors = {}
    name = _text(errors, "name", name, _("Give your name."), 60)
    phone = _text(errors, "phone", phone, _("Give a phone number."), 30)
    if phone and sum(c.isdigit() for c in phone) < 7:
        errors["phone"] = _("Not a phone number.")
    address = _text(errors, "address", address, "", 200, required=False)
    if community is None:
        errors["community"] = _("Choose the community where you live.")
    if employer is None:
        errors["employer"] = _("Choose the unit you work for.")
    _raise(errors)
    member, created = PartyMember.objects.get_or_create(
        user=user,
        defaults={
            "name": name,
            "phone": phone,
            "address": address,
            "employer": employer,
            "created_at": timezone.now(),
        },
    )
    if not created:
        PartyMember.objects.filter(pk=member.pk).update(
            name=name, phone=phone, address=address, employer=employer
        )
    if MemberRegistration.objects.filter(OPEN, member=member).exists():
        same = MemberRegistration.objects.filter(OPEN, member=member, community=community)
        raise ValidationError(
            {
                "community": _("You are already registered with this community.")
                if same.exists()
                else _("You are registered with another community: move instead.")
            }
        )
    try:
        with transaction.atomic():
            registration = MemberRegistration.objects.create(
                member=member,
                community=community,
                street_id=community.street_id,
                registered_at=timezone.now(),
            )
    except IntegrityError:  # registered meanwhile
        raise ValidationError({"community": _("You are already registered.")}) from None
    record(
        T.MEMBER_REGISTERED,
        registration,
        actor=user,
        street=community.street,
        community=community.pk,
        employer=employer.pk,
    )
    return registration


@transaction.atomic
def confirm_member(user, registration) -> MemberRegistration:
    require_community(user, registration.community)
    now = timezone.now()
    if not MemberRegistration.objects.filter(
        pk=registration.pk, status=RegistrationStatus.PENDING
    ).update(status=RegistrationStatus.CONFIRMED, confirmed_at=now, confirmed_by=user):
        raise Conflict(_("Only a registration awaiting confirmation is confirmed."), "state")
    record(T.MEMBER_CONFIRMED, registration, actor=user, street=registration.street, at=now)
    registration.refresh_from_db()
    return registration


@transaction.atomic
def end_member(user, registration, *, reason=EndReason.LEFT) -> MemberRegistration:
    """The member leaves (or the community ends a registration it does not confirm); the
    history is kept."""
    mine = registration.member.user_id == user.pk
    if not mine:
        require_community(user, registration.community)
    if reason not in EndReason.values:
        raise ValidationError({"reason": _("Unknown reason.")})
    now = timezone.now()
    if not MemberRegistration.objects.filter(OPEN, pk=registration.pk).update(
        status=RegistrationStatus.ENDED, ended_at=now, end_reason=reason
    ):
        raise Conflict(_("This registration has already ended."), "state")
    record(
        T.MEMBER_ENDED, registration, actor=user, street=registration.street, at=now, reason=reason
    )
    registration.refresh_from_db()
    return registration


@transaction.atomic
def move_member(user, registration, *, community) -> MemberRegistration:
    """The member moves: the open registration ends (moved) and one with the new community
    awaits its confirmation."""
    if registration.member.user_id != user.pk:
        raise PermissionDenied(_("Members move their own registration."))
    if community.pk == registration.community_id:
        raise ValidationError({"community": _("You are already registered with this community.")})
    end_member(user, registration, reason=EndReason.MOVED)
    member = registration.member
    return register_member(
        user,
        community=community,
        employer=member.employer,
        name=member.name,
        phone=member.phone,
        address=member.address,
    )


# --- culture spaces, needs, activities --------------------------------------------------------


@transaction.atomic
def add_space(user, community, *, name, kind, address="", capacity=None) -> CultureSpace:
    require_community(user, community)
    errors = {}
    name = _text(errors, "name", name, _("Name the space."), 60)
    if kind not in SpaceKind.values:
        errors["kind"] = _("Choose the kind of space.")
    if capacity is not None and not (isinstance(capacity, int) and 0 < capacity <= 100_000):
        errors["capacity"] = _("Give the number of people it holds.")
    _raise(errors)
    try:
        with transaction.atomic():
            space = CultureSpace.objects.create(
                community=community,
                name=name,
                kind=kind,
                address=(address or "").strip()[:200],
                capacity=capacity,
            )
    except IntegrityError:
        raise ValidationError(
            {"name": _("The community already has a space of this name.")}
        ) from None
    record(T.SPACE_ADDED, space, actor=user, street=community.street)
    return space


@transaction.atomic
def publish_need(user, community, *, title, category, description="") -> CommunityNeed:
    require_community(user, community)
    errors = {}
    title = _text(errors, "title", title, _("Say what residents need."), 120)
    if category not in NeedCategory.values:
        errors["category"] = _("Choose a category.")
    _raise(errors)
    need = CommunityNeed.objects.create(
        community=community,
        title=title,
        category=category,
        description=(description or "").strip(),
        published_at=timezone.now(),
        published_by=user,
    )
    record(T.NEED_PUBLISHED, need, actor=user, street=community.street, category=category)
    return need


@transaction.atomic
def publish_activity(
    user,
    community,
    *,
    title,
    starts_at,
    ends_at,
    capacity,
    description="",
    space=None,
    place="",
    need=None,
) -> ServiceActivity:
    require_community(user, community)
    errors = {}
    title = _text(errors, "title", title, _("Say what the activity is."), 120)
    if starts_at is None:
        errors["starts_at"] = _("When does it start?")
    if ends_at is None:
        errors["ends_at"] = _("When does it end?")
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors["ends_at"] = _("The activity ends after it starts.")
        elif ends_at - starts_at > ACTIVITY_LONGEST:
            errors["ends_at"] = _("An activity lasts at most a day.")
    if not isinstance(capacity, int) or not 0 < capacity <= 10_000:
        errors["capacity"] = _("Give the number of places (1 to 10,000).")
    if space is not None and space.community_id != community.pk:
        errors["space"] = _("The space is not in %(community)s.") % {"community": community.name}
    if need is not None and need.community_id != community.pk:
        errors["need"] = _("The need is not of %(community)s.") % {"community": community.name}
    place = _text(errors, "place", place, "", 200, required=False)
    if space is None and not place and "place" not in errors:
        errors["place"] = _("Say where it takes place, or choose a space.")
    _raise(errors)
    activity = ServiceActivity.objects.create(
        community=community,
        title=title,
        description=(description or "").strip(),
        need=need,
        space=space,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        published_at=timezone.now(),
        published_by=user,
    )
    record(T.ACTIVITY_PUBLISHED, activity, actor=user, street=community.street)
    return activity


def _registered(member, community) -> bool:
    return MemberRegistration.objects.filter(
        member=member, community=community, status=RegistrationStatus.CONFIRMED
    ).exists()


@transaction.atomic
def sign_up(user, activity) -> SignUp:
    """The member takes a place: registered (confirmed) with the activity's community, before
    it ends, while places are left (the activity's row is locked to count them)."""
    member = member_of(user)
    if member is None or not _registered(member, activity.community):
        raise ValidationError(
            {"activity": _("Register with the activity's community first (and be confirmed).")}
        )
    activity = ServiceActivity.objects.select_for_update().get(pk=activity.pk)
    now = timezone.now()
    if activity.cancelled_at is not None or activity.ends_at <= now:
        raise Conflict(_("This activity is over or cancelled."), "state")
    taken = activity.sign_ups.filter(cancelled_at=None).count()
    existing = SignUp.objects.filter(activity=activity, member=member).first()
    if existing is not None and existing.cancelled_at is None:
        raise ValidationError({"activity": _("You have already signed up.")})
    if taken >= activity.capacity:
        raise ValidationError({"activity": _("The activity is full.")})
    if existing is not None:  # signed up again after cancelling
        SignUp.objects.filter(pk=existing.pk).update(signed_up_at=now, cancelled_at=None)
        existing.refresh_from_db()
        place = existing
    else:
        place = SignUp.objects.create(activity=activity, member=member, signed_up_at=now)
    record(T.SIGNED_UP, place, actor=user, street=activity.community.street, at=now)
    return place


@transaction.atomic
def cancel_sign_up(user, place) -> SignUp:
    if place.member.user_id != user.pk:
        require_community(user, place.activity.community)
    now = timezone.now()
    if not SignUp.objects.filter(pk=place.pk, cancelled_at=None, checked_in_at=None).update(
        cancelled_at=now
    ):
        raise Conflict(_("Only a place not yet used can be given up."), "state")
    record(T.SIGN_UP_CANCELLED, place, actor=user, street=place.activity.community.street, at=now)
    place.refresh_from_db()
    return place


def _activity_hours(activity) -> Decimal:
    seconds = (activity.ends_at - activity.starts_at).total_seconds()
    return Decimal(seconds / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP)


@transaction.atomic
def check_in(user, place, *, hours=None) -> SignUp:
    """The community checks the member in at the activity (from its start), with the hours
    served (the activity's length unless said)."""
    activity = place.activity
    require_community(user, activity.community)
    now = timezone.now()
    if now < activity.starts_at - timedelta(hours=1):
        raise Conflict(_("Check-in opens an hour before the activity."), "state")
    if hours is None:
        hours = _activity_hours(activity)
    else:
        try:
            hours = Decimal(str(hours)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        except (ArithmeticError, ValueError):
            raise ValidationError({"hours": _("Not a number.")}) from None
        if not hours.is_finite() or not Decimal("0") < hours <= Decimal("24"):
            raise ValidationError({"hours": _("Between 0.1 and 24 hours.")})
    if not SignUp.objects.filter(pk=place.pk, cancelled_at=None, checked_in_at=None).update(
        checked_in_at=now, checked_in_by=user, hours=hours
    ):
        raise Conflict(_("Already checked in, or the place was given up."), "state")
    record(T.CHECKED_IN, place, actor=user, street=activity.community.street, at=now)
    place.refresh_from_db()
    return place


# --- the member's record and the idle ------------------------------------------------------


def service_record(member, start: datetime, end: datetime) -> dict:
    """A member's service in [start, end): activities attended and hours (from check-ins)."""
    done = SignUp.objects.filter(
        member=member,
        checked_in_at__isnull=False,
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    )
    figures = done.aggregate(activities=Count("pk"), hours=Sum("hours"))
    return {"activities": figures["activities"], "hours": figures["hours"] or Decimal("0")}


def idle_members(communities, start: datetime, end: datetime):
    """约束机制: the members confirmed with these communities before the period ended who were
    checked in at no activity in it."""
    served = SignUp.objects.filter(
        member_id=OuterRef("member_id"),
        checked_in_at__isnull=False,
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    )
    # NOT EXISTS per member, not NOT IN a city-wide list: PostgreSQL makes it an anti-join on
    # the sign-ups' (member, checked_in_at) index (bench/dual.py: a 10,000-member unit's year
    # from over 60 s to 0.14 s)
    return (
        MemberRegistration.objects.filter(
            community__in=communities,
            status=RegistrationStatus.CONFIRMED,
            confirmed_at__lt=end,
        )
        .exclude(Exists(served))
        .select_related("member", "community")
    )
