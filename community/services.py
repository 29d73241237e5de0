"""Every write of the front line: alleys and their chiefs, stewards and their adoptions,
reports (file, accept, fix, escalate to a whistle or a supervision order), patrols, community
staff and their tasks, households and visits. Each is atomic, checked, and on the object's
timeline (ids only: never a steward's phone or address)."""

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TimelineEventType as T
from accounts.models import Membership
from accounts.scope import scope_of
from accounts.services import record
from config.errors import Conflict
from core.periods import BEIJING
from core.photos import store_photo, validate_photos
from core.roles import STREET_ROLES
from dispatch import deadlines

from . import notify
from .choices import (
    ALLOWED_FROM,
    HouseholdSource,
    ReportCategory,
    ReportStatus,
    StaffKind,
    StewardKind,
    VisitPurpose,
)
from .models import (
    Adoption,
    Alley,
    AlleyChief,
    CommissionerTask,
    CommunityStaff,
    FrontlineReport,
    Household,
    HouseholdCount,
    Patrol,
    ReportPhoto,
    Steward,
    Visit,
)
from .scope import forget, frontline_of

# --- who may act -------------------------------------------------------------------------------


def acts_for_street(user, street_id) -> bool:
    """The street's own people (its officials and its party committee) run its front line."""
    scope = scope_of(user)
    return any(scope.has_role(role, street_id) for role in STREET_ROLES)


def require_street(user, street_id, field: str | None = None):
    if not acts_for_street(user, street_id):
        message = _("Only the street's officials do this.")
        if field:
            raise ValidationError({field: message})
        raise PermissionDenied(message)


def is_cadre(user_id, street_id) -> bool:
    """A street cadre: anyone holding a role in the street (official, committee, alley chief)."""
    return Membership.objects.filter(user_id=user_id, street_id=street_id).exists()


def current_chief(alley) -> AlleyChief | None:
    return AlleyChief.objects.filter(alley=alley, until=None).select_related("user").first()


def handles_report(user, report) -> bool:
    """The alley's chief, and the street's people, handle a report."""
    return report.alley_id in frontline_of(user).chief_alley_ids or acts_for_street(
        user, report.street_id
    )


def require_handler(user, report):
    if not handles_report(user, report):
        raise PermissionDenied(_("Only the alley's chief and the street's officials handle it."))


def may_record_visits(user, community) -> bool:
    return community.pk in frontline_of(user).staff_community_ids or acts_for_street(
        user, community.street_id
    )


def _text(errors, name, value, message, limit=None, required=True) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        errors[name] = message
    elif limit and len(value) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _coordinate(errors, name, value, limit):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[name] = _("Not a number.")
        return None
    if not number.is_finite() or abs(number) > limit:
        errors[name] = _("Out of range.")
        return None
    return number.quantize(Decimal("0.000001"))


def _today():
    return timezone.localdate(timezone.now(), BEIJING)


# --- alleys and chiefs ---------------------------------------------------------------------------


@transaction.atomic
def create_alley(user, *, street, name, community=None, description="") -> Alley:
    require_street(user, street.pk, "street")
    errors = {}
    name = _text(errors, "name", name, _("Name the alley."), 60)
    description = _text(errors, "description", description, "", 200, required=False)
    if community is not None and community.street_id != street.pk:
        errors["community"] = _("The community is not in %(street)s.") % {"street": street.name}
    if name and Alley.objects.filter(street=street, name=name).exists():
        errors["name"] = _("The street already has an alley of this name.")
    _raise(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            alley = Alley.objects.create(
                street=street,
                community=community,
                name=name,
                description=description,
                created_at=now,
            )
    except IntegrityError:  # the same name, created meanwhile
        raise ValidationError(
            {"name": _("The street already has an alley of this name.")}
        ) from None
    record(T.ALLEY_CREATED, alley, actor=user, street=street, at=now)
    return alley


@transaction.atomic
def assign_chief(user, alley, chief) -> AlleyChief:
    """The alley's chief from now on; the term of the one before ends now (kept as history)."""
    require_street(user, alley.street_id)
    if chief is None or not is_cadre(chief.pk, alley.street_id):
        raise ValidationError(
            {"chief": _("An alley chief is a cadre of the street (a member of its staff).")}
        )
    list(Alley.objects.select_for_update().filter(pk=alley.pk).values_list("pk"))
    current = AlleyChief.objects.filter(alley=alley, until=None).first()
    if current is not None and current.user_id == chief.pk:
        return current
    now = timezone.now()
    if current is not None:
        AlleyChief.objects.filter(pk=current.pk, until=None).update(until=now)
    term = AlleyChief.objects.create(alley=alley, user=chief, since=now, assigned_by=user)
    record(
        T.CHIEF_ASSIGNED,
        alley,
        actor=user,
        street=alley.street,
        at=now,
        chief=chief.pk,
        previous=current.user_id if current else None,
    )
    notify.chief_assigned(term)
    return term


# --- stewards ------------------------------------------------------------------------------------

_PHONE_DIGITS = 7


@transaction.atomic
def recruit_steward(
    user,
    *,
    street,
    name,
    phone,
    kind,
    address="",
    employer="",
    username="",
    password="",
    recruited_on=None,
) -> tuple[Steward, str]:
    """A steward recruited by the street, with an account of their own. Returns the steward and
    the password to hand over (the one given, or a generated one shown once)."""
    require_street(user, street.pk, "street")
    errors = {}
    name = _text(errors, "name", name, _("Give the steward's name."), 60)
    phone = _text(errors, "phone", phone, _("Give a phone number to reach the steward."), 30)
    if phone and sum(c.isdigit() for c in phone) < _PHONE_DIGITS:
        errors["phone"] = _("Not a phone number.")
    address = _text(errors, "address", address, "", 200, required=False)
    employer = _text(errors, "employer", employer, "", 100, required=False)
    if kind not in StewardKind.values:
        errors["kind"] = _("Choose what kind of volunteer the steward is.")
    elif kind == StewardKind.UNIT_EMPLOYEE and not employer:
        errors["employer"] = _("Name the unit the steward works for.")
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        username = f"steward-{secrets.token_hex(4)}"
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("This sign-in name is taken.")
    elif len(username) > 150:
        errors["username"] = _("At most %(limit)d characters.") % {"limit": 150}
    if recruited_on is not None and recruited_on > _today():
        errors["recruited_on"] = _("The date cannot be in the future.")
    generated = not password
    password = password or secrets.token_urlsafe(9)
    if not generated:
        try:
            validate_password(password)
        except ValidationError as exc:
            errors["password"] = exc.messages
    _raise(errors)
    account = User(username=username, full_name=name)
    account.set_password(password)
    account.save()
    steward = Steward.objects.create(
        user=account,
        street=street,
        kind=kind,
        name=name,
        phone=phone,
        address=address,
        employer=employer,
        recruited_on=recruited_on or _today(),
        recruited_by=user,
    )
    record(T.STEWARD_RECRUITED, steward, actor=user, street=street, kind=kind)
    return steward, password


@transaction.atomic
def steward_leaves(user, steward, *, on=None) -> Steward:
    """The steward stops: their adoptions end, their account can no longer sign in."""
    require_street(user, steward.street_id)
    today = _today()
    on = on or today
    latest_start = (
        Adoption.objects.filter(steward=steward, end=None)
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    if on > today:
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < max(steward.recruited_on, latest_start or steward.recruited_on):
        raise ValidationError({"on": _("The steward cannot leave before adopting or joining.")})
    if not Steward.objects.filter(pk=steward.pk, left_on=None).update(left_on=on):
        raise Conflict(_("The steward has already left."), "state")
    Adoption.objects.filter(steward=steward, end=None).update(end=on)
    get_user_model().objects.filter(pk=steward.user_id).update(is_active=False)
    record(T.STEWARD_LEFT, steward, actor=user, street=steward.street, on=on.isoformat())
    steward.refresh_from_db()
    return steward


@transaction.atomic
def adopt(user, steward, alley, *, start=None) -> Adoption:
    require_street(user, steward.street_id)
    if alley.street_id != steward.street_id:
        raise ValidationError({"alley": _("The alley is not in the steward's street.")})
    start = start or _today()
    if start > _today():
        raise ValidationError({"start": _("The date cannot be in the future.")})
    # the steward's row locked: a leave committed meanwhile is seen, not adopted past
    steward = Steward.objects.select_for_update().get(pk=steward.pk)
    if steward.left_on is not None:
        raise Conflict(_("The steward has left."), "state")
    try:
        with transaction.atomic():
            adoption = Adoption.objects.create(steward=steward, alley=alley, start=start)
    except IntegrityError:
        raise ValidationError({"alley": _("The steward already looks after this alley.")}) from None
    record(
        T.ALLEY_ADOPTED,
        alley,
        actor=user,
        street=alley.street,
        steward=steward.pk,
        start=start.isoformat(),
    )
    return adoption


@transaction.atomic
def end_adoption(user, adoption, *, end=None) -> Adoption:
    require_street(user, adoption.alley.street_id)
    end = end or _today()
    if end < adoption.start:
        raise ValidationError({"end": _("The end comes before the start.")})
    if end > _today():
        raise ValidationError({"end": _("The date cannot be in the future.")})
    if not Adoption.objects.filter(pk=adoption.pk, end=None).update(end=end):
        raise Conflict(_("This adoption has already ended."), "state")
    record(
        T.ADOPTION_ENDED,
        adoption.alley,
        actor=user,
        street=adoption.alley.street,
        steward=adoption.steward_id,
        end=end.isoformat(),
    )
    adoption.refresh_from_db()
    return adoption


# --- reports -------------------------------------------------------------------------------------


def report_deadline(reported_at):
    return reported_at + timedelta(hours=settings.FRONTLINE_REPORT_UNTOUCHED_HOURS)


def _reporter_alley_error(user, alley) -> str | None:
    """Why `user` may not report or patrol in `alley` (None: they may)."""
    me = frontline_of(user)
    if alley.pk in me.chief_alley_ids or acts_for_street(user, alley.street_id):
        return None
    if me.steward_id:
        if me.steward_street_id != alley.street_id:
            return _("The alley is not in your street.")
        if not Adoption.objects.filter(steward_id=me.steward_id, alley=alley, end=None).exists():
            return _("You do not look after this alley.")
        return None
    return _("Only the alley's stewards and its chief report here.")


@transaction.atomic
def file_report(
    user, *, alley, category, text, photos=(), latitude=None, longitude=None
) -> FrontlineReport:
    """A steward's (or the chief's) report: into the chief's queue, with a notification; the
    untouched clock starts."""
    errors = {}
    if alley is None:
        errors["alley"] = _("Choose the alley.")
    else:
        why = _reporter_alley_error(user, alley)
        if why:
            errors["alley"] = why
    if category not in ReportCategory.values:
        errors["category"] = _("Choose a category.")
    text = _text(errors, "text", text, _("Say in a line what is wrong."), 200)
    latitude = _coordinate(errors, "latitude", latitude, 90)
    longitude = _coordinate(errors, "longitude", longitude, 180)
    if (latitude is None) != (longitude is None) and not errors.get("latitude"):
        errors["latitude"] = _("Give both coordinates or neither.")
    try:
        validate_photos(photos)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _raise(errors)
    now = timezone.now()
    me = frontline_of(user)
    report = FrontlineReport.objects.create(
        number=f"tmp-{secrets.token_hex(8)}",
        street_id=alley.street_id,
        alley=alley,
        community_id=alley.community_id,
        steward_id=me.steward_id if me.steward_street_id == alley.street_id else None,
        reported_by=user,
        category=category,
        text=text,
        latitude=latitude,
        longitude=longitude,
        reported_at=now,
        deadline=report_deadline(now),
    )
    day = timezone.localtime(now, BEIJING).strftime("%Y%m%d")
    report.number = f"JX{day}{report.pk:07d}"
    FrontlineReport.objects.filter(pk=report.pk).update(number=report.number)
    for upload in photos:
        store_photo(ReportPhoto(report=report, uploaded_by=user, uploaded_at=now), upload)
    record(T.REPORT_FILED, report, actor=user, street=alley.street, at=now, alley=alley.pk)
    deadlines.schedule(report)
    notify.filed(report)
    return report


def _locked(report) -> FrontlineReport:
    return FrontlineReport.objects.select_for_update(no_key=True).get(pk=report.pk)


def _take(user, report, action: str, changes) -> tuple[FrontlineReport, datetime]:
    """The conditional UPDATE of an action of the chief (`changes(now, report)` gives the
    fields): whoever changed the row owns the side effects. Any overdue mark that is due is
    made first: a report touched late stays overdue."""
    require_handler(user, report)
    now = timezone.now()
    deadlines.mark_due(FrontlineReport.objects.filter(pk=report.pk), now)
    report = _locked(report)
    changed = FrontlineReport.objects.filter(pk=report.pk, status__in=ALLOWED_FROM[action]).update(
        **changes(now, report)
    )
    if not changed:
        message = (
            _("Only a new report can be accepted.")
            if action == "accept"
            else _("This report is already handled.")
        )
        raise Conflict(message, "state")
    report.refresh_from_db()
    return report, now


def _handled(user, status, **more):
    def changes(now, report):
        return {
            "status": status,
            "handled_at": now,
            "handled_by": user,
            "accepted_at": report.accepted_at or now,
            "accepted_by": report.accepted_by or user,
            **more,
        }

    return changes


@transaction.atomic
def accept(user, report) -> FrontlineReport:
    report, now = _take(
        user,
        report,
        "accept",
        lambda now, _r: {"status": ReportStatus.ACCEPTED, "accepted_at": now, "accepted_by": user},
    )
    record(T.REPORT_ACCEPTED, report, actor=user, street=report.street, at=now)
    notify.outcome(report)
    return report


@transaction.atomic
def resolve(user, report, *, outcome) -> FrontlineReport:
    """Fixed with the street's own people: the outcome goes to the steward."""
    require_handler(user, report)
    errors = {}
    outcome = _text(errors, "outcome", outcome, _("Say what was done."), 2000)
    _raise(errors)
    report, now = _take(
        user, report, "resolve", _handled(user, ReportStatus.RESOLVED, outcome=outcome)
    )
    record(T.REPORT_RESOLVED, report, actor=user, street=report.street, at=now)
    notify.outcome(report)
    return report


@transaction.atomic
def blow_from_report(user, report, *, photos=(), **whistle_fields):
    """Escalate: a whistle from the report, linked both ways."""
    from dispatch.services import blow_whistle

    require_handler(user, report)
    validate_photos(photos)
    locked = _locked(report)
    if locked.whistle_id is not None:
        raise Conflict(_("A whistle was already blown for this report."), "whistle")
    if locked.status not in ALLOWED_FROM["whistle"]:
        raise Conflict(_("This report is already handled."), "state")
    whistle_fields.setdefault("description", locked.text)
    whistle_fields.setdefault("location", locked.alley.name)
    whistle_fields.setdefault("community", locked.community)
    whistle_fields.setdefault("latitude", locked.latitude)
    whistle_fields.setdefault("longitude", locked.longitude)
    whistle = blow_whistle(user, street=locked.street, photos=photos, **whistle_fields)
    report, now = _take(
        user, report, "whistle", _handled(user, ReportStatus.WHISTLE, whistle=whistle)
    )
    record(
        T.REPORT_WHISTLE,
        report,
        actor=user,
        street=report.street,
        at=now,
        whistle=whistle.pk,
        number=whistle.number,
    )
    notify.outcome(report)
    return whistle


@transaction.atomic
def order_from_report(user, report, *, station, title, content, deadline=None):
    """Escalate: a supervision order (督办) to a department stationed in the street, where the
    street holds the power to coordinate."""
    from powers.services import issue_order

    require_handler(user, report)
    if station is None or station.street_id != report.street_id:
        raise ValidationError({"station": _("Choose a department stationed in the street.")})
    locked = _locked(report)
    if locked.status not in ALLOWED_FROM["order"]:
        raise Conflict(_("This report is already handled."), "state")
    order = issue_order(user, station=station, title=title, content=content, deadline=deadline)
    report, now = _take(user, report, "order", _handled(user, ReportStatus.ORDERED, order=order))
    record(T.REPORT_ORDER, report, actor=user, street=report.street, at=now, order=order.pk)
    notify.outcome(report)
    return order


def on_report_overdue(report, now) -> None:
    """Untouched past its time: on the timeline; the chief and the street are told."""
    record(T.REPORT_OVERDUE, report, street=report.street, at=now)
    notify.overdue(report)


def on_whistle_resolved(whistle, now) -> None:
    """dispatch's resolved hook: the steward of a report that became this whistle hears the
    outcome (the whistle's summary)."""
    report = FrontlineReport.objects.filter(whistle=whistle).first()
    if report is None:
        return
    FrontlineReport.objects.filter(pk=report.pk).update(outcome=whistle.resolution)
    report.outcome = whistle.resolution
    record(
        T.REPORT_OUTCOME, report, street=report.street, at=now, whistle=whistle.pk, resolved=True
    )
    notify.whistle_resolved(report, whistle)


# --- patrols -------------------------------------------------------------------------------------

PATROL_BACKDATE_DAYS = 31  # a patrol is recorded within a month of it, or not at all


@transaction.atomic
def record_patrol(
    user, *, alley, started_at, ended_at, found="", dissuaded="", dissuaded_count=0
) -> Patrol:
    errors = {}
    if alley is None:
        errors["alley"] = _("Choose the alley.")
    else:
        why = _reporter_alley_error(user, alley)
        if why:
            errors["alley"] = why
    now = timezone.now()
    if started_at is None:
        errors["started_at"] = _("When did the patrol start?")
    if ended_at is None:
        errors["ended_at"] = _("When did the patrol end?")
    if started_at and started_at < now - timedelta(days=PATROL_BACKDATE_DAYS):
        errors["started_at"] = _("Record a patrol within %(days)d days.") % {
            "days": PATROL_BACKDATE_DAYS
        }
    elif started_at and ended_at:
        if ended_at <= started_at:
            errors["ended_at"] = _("The patrol ends after it starts.")
        elif ended_at > now + timedelta(minutes=5):
            errors["ended_at"] = _("The patrol cannot end in the future.")
        elif ended_at - started_at > timedelta(hours=12):
            errors["ended_at"] = _("A patrol lasts at most 12 hours.")
    found = _text(errors, "found", found, "", 2000, required=False)
    dissuaded = _text(errors, "dissuaded", dissuaded, "", 2000, required=False)
    try:
        dissuaded_count = int(dissuaded_count or 0)
    except (TypeError, ValueError):
        errors["dissuaded_count"] = _("Not a number.")
    else:
        if not 0 <= dissuaded_count <= 1000:
            errors["dissuaded_count"] = _("Out of range.")
    _raise(errors)
    me = frontline_of(user)
    patrol = Patrol.objects.create(
        street_id=alley.street_id,
        alley=alley,
        steward_id=me.steward_id if me.steward_street_id == alley.street_id else None,
        patrolled_by=user,
        started_at=started_at,
        ended_at=ended_at,
        found=found,
        dissuaded=dissuaded,
        dissuaded_count=dissuaded_count,
        recorded_at=now,
    )
    record(T.PATROL_RECORDED, patrol, actor=user, street=alley.street, at=now, alley=alley.pk)
    return patrol


# --- community staff and tasks ---------------------------------------------------------------


@transaction.atomic
def assign_staff(user, community, person, *, kind, since=None) -> CommunityStaff:
    require_street(user, community.street_id)
    if kind not in StaffKind.values:
        raise ValidationError({"kind": _("Choose a commissioner or a community worker.")})
    if person is None:
        raise ValidationError({"user": _("Choose the person.")})
    if kind == StaffKind.COMMISSIONER and not is_cadre(person.pk, community.street_id):
        raise ValidationError(
            {
                "user": _(
                    "A community commissioner is a cadre of the street (a member of its staff)."
                )
            }
        )
    since = since or _today()
    try:
        with transaction.atomic():
            staff = CommunityStaff.objects.create(
                community=community, user=person, kind=kind, since=since, assigned_by=user
            )
    except IntegrityError:
        raise ValidationError({"user": _("Already assigned to this community.")}) from None
    record(
        T.STAFF_ASSIGNED,
        community,
        actor=user,
        street=community.street,
        person=person.pk,
        kind=kind,
    )
    forget(person)
    return staff


@transaction.atomic
def end_staff(user, staff, *, until=None) -> CommunityStaff:
    require_street(user, staff.community.street_id)
    until = until or _today()
    if until < staff.since:
        raise ValidationError({"until": _("The end comes before the start.")})
    if not CommunityStaff.objects.filter(pk=staff.pk, until=None).update(until=until):
        raise Conflict(_("This assignment has already ended."), "state")
    record(
        T.STAFF_ENDED,
        staff.community,
        actor=user,
        street=staff.community.street,
        person=staff.user_id,
        kind=staff.kind,
    )
    staff.refresh_from_db()
    return staff


@transaction.atomic
def add_task(user, community, *, title, due_on=None, assignee=None) -> CommissionerTask:
    if not may_record_visits(user, community):
        raise PermissionDenied(_("Only the street and the community's staff add tasks."))
    errors = {}
    title = _text(errors, "title", title, _("Say what the task is."), 120)
    if assignee is not None and (
        assignee.community_id != community.pk
        or assignee.kind != StaffKind.COMMISSIONER
        or assignee.until is not None
    ):
        errors["assignee"] = _("Choose a commissioner of this community.")
    _raise(errors)
    now = timezone.now()
    task = CommissionerTask.objects.create(
        community=community,
        assignee=assignee,
        title=title,
        due_on=due_on,
        created_by=user,
        created_at=now,
    )
    record(T.TASK_ADDED, task, actor=user, street=community.street, at=now)
    return task


@transaction.atomic
def complete_task(user, task) -> CommissionerTask:
    if not may_record_visits(user, task.community):
        raise PermissionDenied(_("Only the street and the community's staff close tasks."))
    now = timezone.now()
    if not CommissionerTask.objects.filter(pk=task.pk, done_at=None).update(
        done_at=now, done_by=user
    ):
        raise Conflict(_("This task is already done."), "state")
    record(T.TASK_DONE, task, actor=user, street=task.community.street, at=now)
    task.refresh_from_db()
    return task


# --- households and visits -----------------------------------------------------------------------


@transaction.atomic
def set_households(
    user, community, *, year, households, source=HouseholdSource.ENTERED
) -> HouseholdCount:
    """The community's number of households for a year (the visit rate's denominator)."""
    require_street(user, community.street_id)
    errors = {}
    this_year = _today().year
    if not isinstance(year, int) or not 2000 <= year <= this_year + 1:
        errors["year"] = _("Choose a year from 2000 to next year.")
    if not isinstance(households, int) or not 0 < households <= 1_000_000:
        errors["households"] = _("Give the number of households (1 to 1,000,000).")
    if source not in HouseholdSource.values:
        errors["source"] = _("Unknown source.")
    _raise(errors)
    now = timezone.now()
    count, _created = HouseholdCount.objects.update_or_create(
        community=community,
        year=year,
        defaults={"households": households, "source": source, "set_by": user, "set_at": now},
    )
    record(
        T.HOUSEHOLDS_SET,
        community,
        actor=user,
        street=community.street,
        at=now,
        year=year,
        households=households,
    )
    return count


@transaction.atomic
def record_visit(
    user,
    *,
    community,
    household=None,
    household_ref="",
    visited_on=None,
    purpose=VisitPurpose.ROUTINE,
    follow_up="",
) -> Visit:
    """A visit to a household of the community, by its staff or the street: the household by
    its object or by its reference (a new reference is a new household of the community)."""
    errors = {}
    if community is None:
        raise ValidationError({"community": _("Choose the community.")})
    if not may_record_visits(user, community):
        raise ValidationError({"community": _("You do not serve this community.")})
    if household is not None and household.community_id != community.pk:
        errors["household"] = _("The household is not in %(community)s.") % {
            "community": community.name
        }
    ref = _text(errors, "household_ref", household_ref, "", 60, required=False)
    if household is None and not ref and "household" not in errors:
        errors["household_ref"] = _("Give the household's reference (building-unit-door).")
    today = _today()
    visited_on = visited_on or today
    if not isinstance(visited_on, date) or visited_on > today:
        errors["visited_on"] = _("The visit cannot be in the future.")
    elif visited_on.year < today.year - 1:
        errors["visited_on"] = _("Record visits of this year and the last.")
    if purpose not in VisitPurpose.values:
        errors["purpose"] = _("Choose the purpose.")
    follow_up = _text(errors, "follow_up", follow_up, "", 2000, required=False)
    _raise(errors)
    if household is None:
        household, _created = Household.objects.get_or_create(community=community, ref=ref)
    now = timezone.now()
    visit = Visit.objects.create(
        community=community,
        street_id=community.street_id,
        household=household,
        visited_on=visited_on,
        purpose=purpose,
        follow_up=follow_up,
        visited_by=user,
        recorded_at=now,
    )
    record(
        T.VISIT_RECORDED,
        visit,
        actor=user,
        street=community.street,
        at=now,
        community=community.pk,
        household=household.pk,
    )
    return visit


# --- the street's office (六办一队三中心) ------------------------------------------------------


@transaction.atomic
def assign_office(user, report, office) -> FrontlineReport:
    """The street's people give the report to an office of its street (None: to none);
    another street's office is a ValidationError naming `office`."""
    from accounts.offices import give_to_office

    require_street(user, report.street_id)
    return give_to_office(user, _locked(report), office)
    FrontlineReport.objects.filter(pk=report.pk).update(office=office)
    report.office = office
    record(
        T.ASSIGNED_TO_OFFICE,
        report,
        actor=user,
        street=report.street,
        office=office.pk if office else None,
    )
    return report
