"""The loop of the reform: blow a whistle, summon departments, acknowledge, arrive (报到),
resolve, leave, close. Every state change is a conditional UPDATE (or happens under the
whistle's row lock), writes a timeline event, and fires side effects after commit."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Department, Station
from accounts.scope import scope_of
from config.errors import Conflict
from core.photos import validate_photos
from core.roles import STREET_ROLES
from whistle.choices import ALLOWED_FROM, KIND_CATEGORIES, EventType, WhistleKind, WhistleStatus
from whistle.models import Whistle
from whistle.services import add_photo, next_number, record_event, record_events

from . import deadlines, hooks, live, notify, reminders
from .choices import CheckInStatus
from .hooks import close_guards
from .models import CheckIn

# --- who may act ---------------------------------------------------------------------------


def acts_for_street(user, street_id) -> bool:
    scope = scope_of(user)
    return any(scope.has_role(role, street_id) for role in STREET_ROLES)


def acts_for_department(user, department_id) -> bool:
    return scope_of(user).has_role(Role.DEPARTMENT_DISPATCHER, department_id)


def may_coordinate(user, street_id) -> bool:
    """Summoning (blowing, summoning more) needs the power to coordinate (统筹协调和督办权):
    a committee member of a street granted it, holding it on the street's stations."""
    from accounts.choices import Power
    from accounts.grants import with_power

    if not scope_of(user).has_role(Role.COMMITTEE_MEMBER, street_id):
        return False
    stations = Station.objects.filter(street_id=street_id)
    return with_power(user, Power.COORDINATE_DEPARTMENTS, stations).exists()


def require_coordinate(user, whistle):
    if not may_coordinate(user, whistle.street_id):
        raise PermissionDenied(
            _(
                "Only the party committee of %(street)s, holding the power to coordinate, summons departments."
            )
            % {"street": whistle.street.name}
        )


def require_street(user, whistle):
    if not acts_for_street(user, whistle.street_id):
        raise PermissionDenied(
            _("Only the officials of %(street)s may do this.") % {"street": whistle.street.name}
        )


def require_department(user, check_in):
    if not acts_for_department(user, check_in.department_id):
        raise PermissionDenied(
            _("Only the dispatchers of %(department)s may do this.")
            % {"department": check_in.department.name}
        )


# --- validation helpers ----------------------------------------------------------------------


def _coordinate(name, value, limit):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("Enter a number.")}) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValidationError(
            {name: _("Must be between -%(limit)s and %(limit)s.") % {"limit": limit}}
        )
    return number.quantize(Decimal("0.000001"))


def _summonable(user, street, departments) -> list[Department]:
    """The departments, each once, in the given order; ValidationError on `departments` naming
    those the user may not summon to this street."""
    ids = list(dict.fromkeys(d.pk if isinstance(d, Department) else d for d in departments))
    if not ids:
        raise ValidationError({"departments": _("Summon at least one department.")})
    allowed = {d.pk: d for d in Department.objects.summonable_by(user, street).filter(pk__in=ids)}
    refused = [i for i in ids if i not in allowed]
    if refused:
        raise ValidationError(
            {
                "departments": _("You may not summon these departments to %(street)s: %(ids)s.")
                % {"street": street.name, "ids": ", ".join(map(str, refused))}
            }
        )
    return [allowed[i] for i in ids]


def _locked(whistle) -> Whistle:
    """The whistle's row, locked until the transaction ends: summons, resolve, cancel and
    close of one whistle happen one at a time."""
    # FOR NO KEY UPDATE, of the whistle only: timeline events inserted meanwhile (an overdue
    # mark by the sweep) take a key-share lock on the whistle for their foreign key, which a
    # plain FOR UPDATE would block, deadlocking with the sweep.
    return (
        Whistle.objects.select_for_update(no_key=True, of=("self",))
        .select_related("street")
        .get(pk=whistle.pk)
    )


# --- blowing and summoning -------------------------------------------------------------------


@transaction.atomic
def blow_whistle(
    user,
    *,
    street,
    kind,
    category,
    title,
    location,
    departments,
    description="",
    community=None,
    latitude=None,
    longitude=None,
    photos=(),
) -> Whistle:
    """A whistle of the street, summoning `departments` at once. `photos` (uploads) are all
    checked before anything is saved: a bad one blows nothing."""
    validate_photos(photos)
    if not acts_for_street(user, street.pk):
        raise ValidationError(
            {"street": _("You cannot blow a whistle for %(street)s.") % {"street": street.name}}
        )
    if not may_coordinate(user, street.pk):
        raise ValidationError(
            {
                "street": _(
                    "Blowing a whistle needs the power to coordinate departments (统筹协调和督办权), held by the party committee of %(street)s when the district grants it."
                )
                % {"street": street.name}
            }
        )
    errors = {}
    if kind not in WhistleKind.values:
        errors["kind"] = _("Unknown kind of whistle.")
    elif category not in KIND_CATEGORIES[kind]:
        errors["category"] = _("This category does not belong to this kind of whistle.")
    if not (title or "").strip():
        errors["title"] = _("Say in a few words what the matter is.")
    if not (location or "").strip():
        errors["location"] = _("Say where the matter is.")
    if community is not None and community.street_id != street.pk:
        errors["community"] = _("This community is not in %(street)s.") % {"street": street.name}
    try:
        latitude = _coordinate("latitude", latitude, 90)
        longitude = _coordinate("longitude", longitude, 180)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        (latitude is None) != (longitude is None)
        and "latitude" not in errors
        and "longitude" not in errors
    ):
        errors["latitude" if latitude is None else "longitude"] = _(
            "Give both coordinates or neither."
        )
    try:
        departments = _summonable(user, street, departments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    year, sequence, number = next_number(street, now)
    whistle = Whistle.objects.create(
        street=street,
        number=number,
        year=year,
        sequence=sequence,
        kind=kind,
        category=category,
        title=title.strip(),
        description=(description or "").strip(),
        location=location.strip(),
        community=community,
        latitude=latitude,
        longitude=longitude,
        blown_by=user,
        blown_at=now,
    )
    record_event(
        whistle.pk,
        EventType.WHISTLE_BLOWN,
        now,
        actor=user,
        number=number,
        kind=kind,
        category=category,
    )
    _summon(user, whistle, departments, now)
    for upload in photos:
        add_photo(whistle, upload, user)
    return whistle


@transaction.atomic
def summon(user, whistle, departments) -> list[CheckIn]:
    """Summon more departments, or the same again for a new round of a long operation."""
    whistle = _locked(whistle)
    require_coordinate(user, whistle)
    if whistle.status not in ALLOWED_FROM["summon"]:
        raise Conflict(_("Departments can be summoned only while the whistle is open."), "not_open")
    departments = _summonable(user, whistle.street, departments)
    return _summon(user, whistle, departments, timezone.now())


def _summon(user, whistle, departments, now) -> list[CheckIn]:
    stations = {
        s.department_id: s
        for s in Station.objects.filter(street_id=whistle.street_id, department__in=departments)
    }
    rounds = {}
    for check_in in CheckIn.objects.filter(whistle=whistle, department__in=departments).only(
        "department_id", "round"
    ):
        rounds[check_in.department_id] = max(rounds.get(check_in.department_id, 0), check_in.round)
    deadline = now + timedelta(seconds=settings.WHISTLE_CHECKIN_DEADLINE_SECONDS)
    created = []
    for department in departments:
        check_in = CheckIn.objects.create(
            whistle=whistle,
            department=department,
            station=stations.get(department.pk),
            round=rounds.get(department.pk, 0) + 1,
            summoned_at=now,
            summoned_by=user,
            deadline=deadline,
        )
        record_event(
            whistle.pk,
            EventType.CHECK_IN_SUMMONED,
            now,
            actor=user,
            check_in_id=check_in.pk,
            department=department.pk,
            department_name=department.name,
            round=check_in.round,
            deadline=deadline.isoformat(),
        )
        deadlines.schedule(check_in)
        reminders.schedule(check_in)
        notify.summoned(check_in)
        created.append(check_in)
    live.touch(d.pk for d in departments)
    return created


# --- the department's side -------------------------------------------------------------------


def _locked_check_in(check_in) -> tuple[CheckIn, datetime]:
    """The check-in's row locked, then the time read: an overdue mark racing this change is
    either before it (and seen) or after it (and finds the clock stopped). A mark that is due
    is made here, first: timers and sweeps skip a row another transaction holds, so the
    holder marks it (a late arrival keeps the mark, stamped with its own time). Returns the
    row and the time, which the change uses too."""
    locked = (
        CheckIn.objects.select_for_update(no_key=True, of=("self",))
        .select_related("department", "whistle")
        .get(pk=check_in.pk)
    )
    now = timezone.now()
    if deadlines.mark_due(CheckIn.objects.filter(pk=locked.pk), now):
        locked.refresh_from_db(fields=["overdue_at"])
    return locked, now


@transaction.atomic
def acknowledge(user, check_in, *, responder_name, responder_phone="", note="") -> CheckIn:
    """接哨: the dispatcher received the summons and names who goes. Repeating it changes nothing."""
    require_department(user, check_in)
    if not (responder_name or "").strip():
        raise ValidationError({"responder_name": _("Name who goes.")})
    check_in, now = _locked_check_in(check_in)
    changed = CheckIn.objects.filter(pk=check_in.pk, status=CheckInStatus.PENDING).update(
        status=CheckInStatus.ACKNOWLEDGED,
        acknowledged_at=now,
        acknowledged_by=user,
        responder_name=responder_name.strip()[:60],
        responder_phone=(responder_phone or "").strip()[:30],
        note=(note or "").strip()[:500],
    )
    if changed:
        record_event(
            check_in.whistle_id,
            EventType.CHECK_IN_ACKNOWLEDGED,
            now,
            actor=user,
            check_in_id=check_in.pk,
            responder_name=responder_name.strip()[:60],
        )
        live.touch([check_in.department_id])
    elif check_in.status == CheckInStatus.RELEASED:
        raise Conflict(_("This summons has been released."), "released")
    check_in.refresh_from_db()
    return check_in


@transaction.atomic
def arrive(user, check_in, *, latitude=None, longitude=None) -> CheckIn:
    """报到: the responder is on site; this stops the clock. Repeating it changes nothing."""
    require_department(user, check_in)
    latitude = _coordinate("latitude", latitude, 90)
    longitude = _coordinate("longitude", longitude, 180)
    # the whistle's row first, as resolve, cancel and close hold it: an arrival and a
    # resolution of the same whistle happen one after the other, never interleaved
    _locked(Whistle(pk=check_in.whistle_id))
    check_in, now = _locked_check_in(check_in)
    if check_in.checked_in_at is None and check_in.released_at is not None:
        raise Conflict(_("This summons has been released."), "released")
    changed = CheckIn.objects.filter(pk=check_in.pk, checked_in_at=None, released_at=None).update(
        status=CheckInStatus.ON_SITE,
        checked_in_at=now,
        checked_in_by=user,
        arrival_latitude=latitude,
        arrival_longitude=longitude,
    )
    if changed:
        record_event(
            check_in.whistle_id,
            EventType.CHECK_IN_ARRIVED,
            now,
            actor=user,
            check_in_id=check_in.pk,
            on_time=now <= check_in.deadline,
            seconds=round((now - check_in.summoned_at).total_seconds()),
            latitude=str(latitude) if latitude is not None else None,
            longitude=str(longitude) if longitude is not None else None,
        )
        live.touch([check_in.department_id])
    check_in.refresh_from_db()
    return check_in


@transaction.atomic
def leave(user, check_in) -> CheckIn:
    """事不完、人不撤: a department leaves only once the whistle is resolved."""
    require_department(user, check_in)
    check_in, now = _locked_check_in(check_in)
    if check_in.whistle.status not in ALLOWED_FROM["leave"]:
        raise Conflict(
            _("Nobody leaves until the matter is done: the whistle is not resolved yet."),
            "not_resolved",
        )
    _release(CheckIn.objects.filter(pk=check_in.pk), user, now, "left")
    check_in.refresh_from_db()
    return check_in


def _release(check_ins, user, now, reason) -> int:
    # the rows locked before they are read: what is released is what the condition says now
    ids = list(
        check_ins.filter(released_at=None)
        .select_for_update(no_key=True, of=("self",))
        .values_list("pk", "whistle_id", "department_id")
    )
    CheckIn.objects.filter(pk__in=[pk for pk, _w, _d in ids]).update(
        status=CheckInStatus.RELEASED, released_at=now
    )
    for pk, whistle_id, _department_id in ids:
        record_event(
            whistle_id, EventType.CHECK_IN_RELEASED, now, actor=user, check_in_id=pk, reason=reason
        )
    live.touch(department_id for _pk, _w, department_id in ids)
    return len(ids)


def on_check_ins_overdue(pks, now) -> None:
    """Called by the deadline engine, in the marking transaction, for the rows this caller
    marked: their `check_in_overdue` events and the escalation, in bulk."""
    check_ins = list(
        CheckIn.objects.filter(pk__in=pks)
        .select_related("department", "whistle__street")
        .order_by("pk")
    )
    record_events(
        [
            {
                "whistle_id": c.whistle_id,
                "type": EventType.CHECK_IN_OVERDUE,
                "at": now,
                "check_in_id": c.pk,
                "data": {"department": c.department_id, "deadline": c.deadline.isoformat()},
            }
            for c in check_ins
        ]
    )
    notify.overdue(check_ins)
    live.touch(c.department_id for c in check_ins)


# --- the street closes the loop --------------------------------------------------------------


def _transition(whistle, to, now, **fields) -> bool:
    return bool(
        Whistle.objects.filter(pk=whistle.pk, status=whistle.status).update(status=to, **fields)
    )


@transaction.atomic
def resolve(user, whistle, *, summary) -> Whistle:
    whistle = _locked(whistle)
    require_street(user, whistle)
    if not (summary or "").strip():
        raise ValidationError({"summary": _("Say how the matter was resolved.")})
    if whistle.status not in ALLOWED_FROM["resolve"]:
        raise Conflict(_("Only an open whistle can be resolved."), "not_open")
    now = timezone.now()
    deadlines.mark_due(whistle.check_ins.all(), now)
    _transition(whistle, WhistleStatus.RESOLVED, now, resolved_at=now, resolution=summary.strip())
    record_event(whistle.pk, EventType.WHISTLE_RESOLVED, now, actor=user)
    # those not on site are released (keeping any overdue mark); those on site may now leave
    _release(whistle.check_ins.filter(checked_in_at=None), user, now, "resolved")
    whistle.refresh_from_db()
    for hook in hooks.resolved_hooks:
        hook(whistle, now)
    notify.resolved(whistle)
    return whistle


@transaction.atomic
def cancel(user, whistle, *, reason) -> Whistle:
    whistle = _locked(whistle)
    require_street(user, whistle)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the whistle is cancelled.")})
    if whistle.status not in ALLOWED_FROM["cancel"]:
        raise Conflict(_("Only an open whistle can be cancelled."), "not_open")
    now = timezone.now()
    deadlines.mark_due(whistle.check_ins.all(), now)
    _transition(
        whistle, WhistleStatus.CANCELLED, now, cancelled_at=now, cancel_reason=reason.strip()
    )
    record_event(whistle.pk, EventType.WHISTLE_CANCELLED, now, actor=user, reason=reason.strip())
    _release(whistle.check_ins.all(), user, now, "cancelled")
    whistle.refresh_from_db()
    notify.cancelled(whistle)
    return whistle


@transaction.atomic
def close(user, whistle) -> Whistle:
    whistle = _locked(whistle)
    require_street(user, whistle)
    if whistle.status not in ALLOWED_FROM["close"]:
        if whistle.status == WhistleStatus.OPEN:
            raise Conflict(_("Resolve the whistle before closing it."), "not_resolved")
        raise Conflict(_("Only a resolved whistle can be closed."), "not_resolved")
    for guard in close_guards:
        reason = guard(whistle)
        if reason:
            raise Conflict(reason, "held")
    now = timezone.now()
    _transition(whistle, WhistleStatus.CLOSED, now, closed_at=now)
    _release(whistle.check_ins.all(), user, now, "closed")
    record_event(whistle.pk, EventType.WHISTLE_CLOSED, now, actor=user)
    whistle.refresh_from_db()
    return whistle


# --- the street's office (六办一队三中心) ------------------------------------------------------


@transaction.atomic
def assign_office(user, whistle, office) -> Whistle:
    """Give the whistle to an office of its own street (None: to none); another street's office
    is a ValidationError naming `office`."""
    from accounts.offices import office_of_street

    require_street(user, whistle)
    whistle = _locked(whistle)
    office = office_of_street(whistle.street_id, office)
    if whistle.office_id == (office.pk if office else None):
        return whistle
    Whistle.objects.filter(pk=whistle.pk).update(office=office)
    whistle.office = office
    record_event(
        whistle.pk,
        EventType.ASSIGNED_TO_OFFICE,
        timezone.now(),
        actor=user,
        office=office.pk if office else None,
    )
    return whistle
