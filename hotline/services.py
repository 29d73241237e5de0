"""Every write of the 12345 requests (接诉即办): take, dispatch (直派), accept, contact, reply,
return (退单) and re-dispatch (改派), call back (回访) and reopen, blow a whistle from a request.
Each is atomic, checked, on the request's timeline (never the citizen's contact), with the
deadlines on the platform's engine."""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role, TimelineEventType
from accounts.models import Community, Street
from accounts.scope import scope_of
from accounts.services import record
from config.errors import Conflict
from core.periods import BEIJING
from core.photos import store_photo, validate_photos
from dispatch import deadlines
from whistle import services as whistle_services

from .choices import ALLOWED_FROM, Channel, DeadlineKind, RequestStatus, Satisfaction
from .models import CallBack, RequestCategory, RequestDeadline, ServiceRequest

# --- who may act -----------------------------------------------------------------------------


def is_operator(user) -> bool:
    """The 12345 centre: hotline operators (city unit) and the platform's administrators."""
    scope = scope_of(user)
    return bool(getattr(user, "is_superuser", False)) or Role.HOTLINE_OPERATOR in scope.roles


def handles_for_street(user, street_id) -> bool:
    scope = scope_of(user)
    return street_id is not None and (
        scope.has_role(Role.STREET_OFFICIAL, street_id)
        or scope.has_role(Role.COMMITTEE_MEMBER, street_id)
    )


def may_see_contact(user, request) -> bool:
    """The citizen's contact: only those who handle the request (the 12345 centre and the
    street it is dispatched to)."""
    return is_operator(user) or handles_for_street(user, request.street_id)


def require_operator(user):
    if not is_operator(user):
        raise PermissionDenied(_("Only 12345 operators do this."))


def streets_of_city(user):
    """The streets an operator dispatches to: those of the operator's city (the superuser:
    every city)."""
    if getattr(user, "is_superuser", False):
        return Street.objects.all()
    return Street.objects.filter(district__city_id__in=scope_of(user).city_ids)


def require_street(user, request):
    if not handles_for_street(user, request.street_id):
        raise PermissionDenied(_("Only the street the request is dispatched to handles it."))


# --- taking and dispatching --------------------------------------------------------------------


def suggest_street(address: str = "", community=None):
    """The street a request most likely belongs to: its community's, else the street or
    community whose name appears in the address (the longest name wins)."""
    if community is not None:
        return community.street
    text = (address or "").replace("\x00", "").strip()[:200]
    if not text:
        return None
    # the database finds the names contained in the address (text LIKE '%' || name || '%'):
    # two queries whatever the number of streets and communities
    needle = Value(text, output_field=CharField())
    candidates = []
    for field in ("name", "short_name"):
        street = (
            Street.objects.annotate(needle=needle, size=Length(field))
            .filter(needle__contains=F(field), size__gte=2)
            .order_by("-size", "pk")
            .values_list("pk", "size")
            .first()
        )
        if street:
            candidates.append((street[1], 1, street[0]))
    community = (
        Community.objects.annotate(needle=needle, size=Length("name"))
        .filter(needle__contains=F("name"), size__gte=2)
        .order_by("-size", "pk")
        .values_list("street_id", "size")
        .first()
    )
    if community:
        candidates.append((community[1], 0, community[0]))
    if not candidates:
        return None
    _size, _kind, street_id = max(candidates, key=lambda c: (c[0], c[1]))
    return Street.objects.get(pk=street_id)


def _number(request) -> str:
    day = timezone.localtime(request.received_at, BEIJING).strftime("%Y%m%d")
    return f"{day}{request.pk:07d}"


_PHONE = re.compile(r"^[0-9+\-() ]{3,30}$", re.ASCII)


@transaction.atomic
def take_request(
    user,
    *,
    channel,
    category,
    description,
    address="",
    community=None,
    street=None,
    citizen_name="",
    citizen_phone="",
    citizen_email="",
    latitude=None,
    longitude=None,
    open311_token="",
    photos=(),
) -> ServiceRequest:
    """A request taken by the 12345 centre (an operator, or an outside system through Open311
    with `user` None). With `street`, it is dispatched at once. `photos` (uploads, the
    operator's) are all checked before anything is saved: a bad one saves no request."""
    if user is not None:
        require_operator(user)
    validate_photos(photos)
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if not isinstance(category, RequestCategory) or not category.active:
        errors["category"] = _("Unknown category.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Describe the request.")
    citizen_phone = (citizen_phone or "").strip()
    if citizen_phone and not _PHONE.match(citizen_phone):
        errors["citizen_phone"] = _("Enter a phone number.")
    citizen_email = (citizen_email or "").strip()
    if citizen_email:
        try:
            validate_email(citizen_email)
        except ValidationError:
            errors["citizen_email"] = _("Enter an email address.")
    texts = {"description": description, "address": address, "citizen_name": citizen_name}
    for name, limit in (("address", 200), ("citizen_name", 60)):
        if len((texts[name] or "").strip()) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    for name, value in texts.items():
        if value and "\x00" in value:
            errors[name] = _("This text contains a character that cannot be stored.")
    for name, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if value is None:
            continue
        try:
            number = Decimal(str(value))
            if not number.is_finite() or not -limit <= number <= limit:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[name] = _("Must be between -%(limit)s and %(limit)s.") % {"limit": limit}
    if community is not None and street is not None and community.street_id != street.pk:
        errors["community"] = _("This community is not in %(street)s.") % {"street": street.name}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    request = ServiceRequest.objects.create(
        number=f"tmp-{now.timestamp()}-{id(now)}"[:24],
        channel=channel,
        category=category,
        description=description,
        address=(address or "").strip(),
        community=community,
        citizen_name=(citizen_name or "").strip(),
        citizen_phone=citizen_phone,
        citizen_email=citizen_email,
        latitude=None if latitude is None else Decimal(str(latitude)).quantize(Decimal("0.000001")),
        longitude=None
        if longitude is None
        else Decimal(str(longitude)).quantize(Decimal("0.000001")),
        received_at=now,
        received_by=user,
        open311_token=open311_token,
    )
    request.number = _number(request)
    request.save(update_fields=["number"])
    record(
        TimelineEventType.REQUEST_RECEIVED,
        request,
        actor=user,
        at=now,
        channel=channel,
        category=category.code,
    )
    if street is not None:
        dispatch_request(user, request, street)
        request.refresh_from_db()
    for upload in photos:
        add_photo(user, request, upload)
    return request


def _open_deadlines(request, street, now, kinds=(DeadlineKind.RESPONSE, DeadlineKind.RESOLUTION)):
    hours = {
        DeadlineKind.RESPONSE: request.category.response_hours,
        DeadlineKind.RESOLUTION: request.category.resolution_hours,
    }
    for kind in kinds:
        row = RequestDeadline.objects.create(
            request=request, kind=kind, street=street, deadline=now + timedelta(hours=hours[kind])
        )
        deadlines.schedule(row)


def _stop_deadlines(request, now, **condition):
    """Stop the street's clocks (returned, re-dispatched): any mark that is due is made first."""
    deadlines.mark_due(RequestDeadline.objects.filter(request=request, **condition), now)
    RequestDeadline.objects.filter(
        request=request, met_at=None, cancelled_at=None, **condition
    ).update(cancelled_at=now)


def _locked(request) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("category", "street")
        .get(pk=request.pk)
    )


def _transition(request, allowed, **changes) -> ServiceRequest:
    """Conditional UPDATE from one of the `allowed` statuses; 409 otherwise."""
    if not ServiceRequest.objects.filter(pk=request.pk, status__in=allowed).update(**changes):
        current = ServiceRequest.objects.get(pk=request.pk)
        raise Conflict(
            _("Not possible while the request is “%(status)s”.")
            % {"status": current.get_status_display()},
            "state",
        )
    request.refresh_from_db()
    return request


@transaction.atomic
def dispatch_request(user, request, street) -> ServiceRequest:
    """直派 (or 改派 after a return): to a street of the city, with new deadlines."""
    if user is not None:
        require_operator(user)
    if not isinstance(street, Street):
        raise ValidationError({"street": _("Choose the street.")})
    if user is not None and not streets_of_city(user).filter(pk=street.pk).exists():
        raise ValidationError(
            {"street": _("%(street)s is not a street of your city.") % {"street": street.name}}
        )
    request = _locked(request)
    now = timezone.now()
    again = request.status == RequestStatus.RETURNED
    if again and street.pk == request.street_id:
        raise ValidationError(
            {
                "street": _("%(street)s returned this request: choose another street.")
                % {"street": street.name}
            }
        )
    _stop_deadlines(request, now)
    _transition(
        request,
        ALLOWED_FROM["dispatch"],
        status=RequestStatus.DISPATCHED,
        street=street,
        dispatched_at=now,
        accepted_at=None,
        contacted_at=None,
    )
    _open_deadlines(request, street, now)
    record(
        TimelineEventType.REQUEST_DISPATCHED,
        request,
        actor=user,
        street=street,
        at=now,
        redispatch=again,
    )
    from . import notify

    notify.dispatched(request)
    return request


@transaction.atomic
def accept(user, request) -> ServiceRequest:
    request = _locked(request)
    require_street(user, request)
    now = timezone.now()
    _transition(request, ALLOWED_FROM["accept"], status=RequestStatus.ACCEPTED, accepted_at=now)
    record(TimelineEventType.REQUEST_ACCEPTED, request, actor=user, street=request.street, at=now)
    return request


@transaction.atomic
def contact(user, request, *, note="") -> ServiceRequest:
    """The street has contacted the citizen: the response deadline is met."""
    request = _locked(request)
    require_street(user, request)
    now = timezone.now()
    if request.contacted_at is not None:
        raise Conflict(_("The citizen was already contacted."), "contacted")
    _transition(
        request,
        ALLOWED_FROM["contact"],
        status=RequestStatus.ACCEPTED,
        accepted_at=request.accepted_at or now,
        contacted_at=now,
    )
    _meet(request, DeadlineKind.RESPONSE, now)
    record(
        TimelineEventType.REQUEST_CONTACTED,
        request,
        actor=user,
        street=request.street,
        at=now,
        note=(note or "").strip()[:200],
    )
    return request


def _meet(request, kind, now):
    deadlines.mark_due(RequestDeadline.objects.filter(request=request, kind=kind), now)
    RequestDeadline.objects.filter(
        request=request, kind=kind, met_at=None, cancelled_at=None
    ).update(met_at=now)


@transaction.atomic
def reply(user, request, *, reply) -> ServiceRequest:
    request = _locked(request)
    require_street(user, request)
    text = (reply or "").strip()
    if not text:
        raise ValidationError({"reply": _("Write the reply to the citizen.")})
    now = timezone.now()
    _transition(
        request,
        ALLOWED_FROM["reply"],
        status=RequestStatus.REPLIED,
        replied_at=now,
        reply=text,
        contacted_at=request.contacted_at or now,
    )
    _meet(request, DeadlineKind.RESPONSE, now)
    _meet(request, DeadlineKind.RESOLUTION, now)
    record(TimelineEventType.REQUEST_REPLIED, request, actor=user, street=request.street, at=now)
    return request


@transaction.atomic
def return_request(user, request, *, reason) -> ServiceRequest:
    """退单: not this street's matter; the 12345 centre re-dispatches it."""
    request = _locked(request)
    require_street(user, request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is returned.")})
    now = timezone.now()
    street = request.street
    _transition(
        request,
        ALLOWED_FROM["return"],
        status=RequestStatus.RETURNED,
        returned_at=now,
        return_reason=reason,
    )
    _stop_deadlines(request, now)
    record(
        TimelineEventType.REQUEST_RETURNED,
        request,
        actor=user,
        street=street,
        at=now,
        reason=reason,
    )
    from . import notify

    notify.returned(request)
    return request


def on_deadline_overdue(row, now) -> None:
    request = row.request
    record(
        TimelineEventType.REQUEST_OVERDUE,
        request,
        street=row.street,
        at=now,
        deadline=row.kind,
    )
    from . import notify

    notify.overdue(row)


# --- call-backs ----------------------------------------------------------------------------------


@transaction.atomic
def call_back(
    user,
    request,
    *,
    reached,
    contacted=None,
    resolved=None,
    satisfaction="",
    note="",
    reopen=False,
) -> CallBack:
    """回访 after the reply. Answers that contradict each other are refused; dissatisfaction
    may reopen the request (back to the street, with a new resolution deadline); otherwise the
    request is closed. The latest call-back alone counts for the rates."""
    require_operator(user)
    request = _locked(request)
    errors = {}
    if not isinstance(reached, bool):
        errors["reached"] = _("Say whether the citizen was reached.")
    elif not reached:
        for name, value in (("contacted", contacted), ("resolved", resolved)):
            if value is not None:
                errors[name] = _("The citizen was not reached: leave this empty.")
        if satisfaction:
            errors["satisfaction"] = _("The citizen was not reached: leave this empty.")
        if reopen:
            errors["reopen"] = _("Only a reached, dissatisfied citizen reopens a request.")
    else:
        for name, value in (("contacted", contacted), ("resolved", resolved)):
            if not isinstance(value, bool):
                errors[name] = _("Give the citizen's answer.")
        if satisfaction not in Satisfaction.values:
            errors["satisfaction"] = _("Give the citizen's satisfaction.")
        elif reopen and satisfaction != Satisfaction.DISSATISFIED:
            errors["reopen"] = _("Only a reached, dissatisfied citizen reopens a request.")
    if errors:
        raise ValidationError(errors)
    if request.status not in ALLOWED_FROM["callback"]:
        raise Conflict(_("Call back once the street has replied."), "not_replied")
    if request.status == RequestStatus.CLOSED and not reached:
        # the citizen's answer already counts; an unanswered call must not erase it
        raise Conflict(
            _(
                "The request is closed with the citizen's answer; a call that did not reach them changes nothing."
            ),
            "closed",
        )
    now = timezone.now()
    CallBack.objects.filter(request=request, latest=True).update(latest=False)
    callback = CallBack.objects.create(
        request=request,
        street=request.street,
        called_at=now,
        called_on=timezone.localtime(now, BEIJING).date(),
        called_by=user,
        reached=reached,
        contacted=contacted if reached else None,
        resolved=resolved if reached else None,
        satisfaction=satisfaction if reached else "",
        note=(note or "").strip(),
        latest=True,
    )
    record(
        TimelineEventType.REQUEST_CALLED_BACK,
        request,
        actor=user,
        street=request.street,
        at=now,
        reached=reached,
        contacted=callback.contacted,
        resolved=callback.resolved,
        satisfaction=callback.satisfaction,
    )
    if reopen:
        ServiceRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.ACCEPTED, reopened=request.reopened + 1, closed_at=None
        )
        _open_deadlines(request, request.street, now, kinds=(DeadlineKind.RESOLUTION,))
        record(
            TimelineEventType.REQUEST_REOPENED, request, actor=user, street=request.street, at=now
        )
        from . import notify

        notify.reopened(request)
    elif reached and request.status == RequestStatus.REPLIED:
        ServiceRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.CLOSED, closed_at=now
        )
        record(TimelineEventType.REQUEST_CLOSED, request, actor=user, street=request.street, at=now)
    return callback


# --- photos ------------------------------------------------------------------------------------


def may_add_photo(user, request) -> bool:
    return is_operator(user) or handles_for_street(user, request.street_id)


@transaction.atomic
def add_photo(user, request, upload):
    """A photo of the request, by the 12345 centre or the street handling it (checked as an
    image and size-limited like the whistles' photos)."""
    from .models import RequestPhoto

    if not may_add_photo(user, request):
        raise PermissionDenied(_("Only those who handle the request add photos to it."))
    now = timezone.now()
    photo = store_photo(RequestPhoto(request=request, uploaded_by=user, uploaded_at=now), upload)
    record(
        TimelineEventType.REQUEST_PHOTO,
        request,
        actor=user,
        street=request.street,
        at=now,
        photo=photo.pk,
    )
    return photo


@transaction.atomic
def add_photos(user, request, uploads) -> list:
    """Several photos of the request at once (its page's form): all checked before any is
    stored, so a bad third photo adds none."""
    if not may_add_photo(user, request):
        raise PermissionDenied(_("Only those who handle the request add photos to it."))
    validate_photos(uploads)
    return [add_photo(user, request, upload) for upload in uploads]


# --- a request that needs departments becomes a whistle ----------------------------------------


@transaction.atomic
def blow_from_request(user, request, *, photos=(), **whistle_fields):
    """The street (holding the power to summon) blows a whistle from the request's page; the
    two are linked both ways. `photos` (uploads) go to the whistle; they are all checked
    first: a bad one blows nothing."""
    from dispatch.services import blow_whistle

    validate_photos(photos)
    request = _locked(request)
    require_street(user, request)
    if request.whistle_id is not None:
        raise Conflict(_("A whistle was already blown for this request."), "whistle")
    if request.status not in ALLOWED_FROM["whistle"]:
        raise Conflict(_("Only a request the street is handling can become a whistle."), "state")
    whistle_fields.setdefault("description", request.description)
    whistle_fields.setdefault("location", request.address or request.street.name)
    whistle_fields.setdefault("community", request.community)
    whistle = blow_whistle(user, street=request.street, **whistle_fields)
    ServiceRequest.objects.filter(pk=request.pk).update(whistle=whistle)
    request.refresh_from_db()
    record(
        TimelineEventType.REQUEST_WHISTLE,
        request,
        actor=user,
        street=request.street,
        at=timezone.now(),
        whistle=whistle.pk,
        number=whistle.number,
    )
    for upload in photos:
        whistle_services.add_photo(whistle, upload, user)
    return whistle


# --- the street's office (六办一队三中心) ------------------------------------------------------


@transaction.atomic
def assign_office(user, request, office) -> ServiceRequest:
    """Give the request to an office of its street (None: to none); another street's office
    is a ValidationError naming `office`."""
    from accounts.offices import give_to_office

    request = _locked(request)
    require_street(user, request)
    return give_to_office(user, request, office)
    ServiceRequest.objects.filter(pk=request.pk).update(office=office)
    request.office = office
    record(
        TimelineEventType.ASSIGNED_TO_OFFICE,
        request,
        actor=user,
        street=request.street,
        office=office.pk if office else None,
    )
    return request
