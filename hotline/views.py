"""Pages of 接诉即办 (12345): the operator takes a request and dispatches it straight to the
street; the street accepts, contacts the citizen, replies (or returns it, or blows a whistle
when departments are needed); the operator calls the citizen back; everyone signed in sees the
daily and monthly rankings of the streets.

Habits of the platform: the object is looked up in the person's scope first (outside → 404),
then the role is checked (→ 403), then the service decides."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Street
from accounts.scope import scope_of
from accounts.services import timeline
from config.errors import Conflict
from core import exports
from core.charts import LineChart
from core.forms import apply_service_errors
from core.periods import BEIJING
from core.photos import validate_photos
from core.roles import DISTRICT_ROLES, STREET_ROLES
from dispatch import services as dispatch_services
from dispatch.forms import BlowWhistleForm
from whistle import services as whistle_services
from whistle.choices import KIND_CATEGORIES, Category

from . import rates, services
from .choices import (
    ALLOWED_FROM,
    OPEN_STATUSES,
    DeadlineKind,
    RankCategory,
    RequestStatus,
    Satisfaction,
)
from .forms import (
    ActionForm,
    CallBackForm,
    ContactForm,
    DispatchForm,
    IntakeForm,
    ListFilterForm,
    PhotoForm,
    RankingsForm,
    ReplyForm,
    ReturnForm,
    SuggestForm,
)
from .models import RequestDeadline, ServiceRequest

PAGE_SIZE = 25


def uses_hotline(user) -> bool:
    """The 12345 pages are for the operators, the streets and the districts (the departments
    answer whistles, not requests)."""
    roles = scope_of(user).roles
    return services.is_operator(user) or any(r in roles for r in STREET_ROLES + DISTRICT_ROLES)


def _require_hotline_user(user):
    if not uses_hotline(user):
        raise PermissionDenied(_("The 12345 requests are for operators, streets and districts."))


def _today() -> date:
    return timezone.localdate(timezone.now(), BEIJING)


def percent(ratio) -> str:
    if ratio is None:
        return "—"
    return f"{(Decimal(ratio) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def score(value) -> str:
    if value is None:
        return "—"
    return str((Decimal(value) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP))


# --- the list --------------------------------------------------------------------------------


def _open_deadlines():
    return Prefetch(
        "deadlines",
        queryset=RequestDeadline.objects.filter(met_at=None, cancelled_at=None).order_by(
            "deadline", "id"
        ),
        to_attr="open_deadlines",
    )


def _filter_streets(user):
    scope = scope_of(user)
    streets = Street.objects.select_related("district").order_by("district_id", "id")
    if scope.everything:
        return streets
    return streets.filter(Q(pk__in=scope.street_ids) | Q(district_id__in=scope.district_ids))


@login_required
def request_list(request):
    user = request.user
    _require_hotline_user(user)
    scope = scope_of(user)
    rows = ServiceRequest.objects.visible_to(user).select_related("category", "street")
    form = ListFilterForm(request.GET or None, streets=_filter_streets(user))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["status"] == "open":
            rows = rows.filter(status__in=OPEN_STATUSES)
        elif data["status"]:
            rows = rows.filter(status=data["status"])
        if data["street"]:
            rows = rows.filter(street=data["street"])
        if data["category"]:
            rows = rows.filter(category=data["category"])
    is_street = bool(scope.street_ids) and not services.is_operator(user)
    if is_street:
        # the street's work first: what is still open, the oldest first
        rows = rows.annotate(
            closed_last=Case(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("closed_last", "received_at", "id")
    else:
        rows = rows.order_by("-received_at", "-id")
    page = Paginator(rows.prefetch_related(_open_deadlines()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "hotline/request_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "is_operator": services.is_operator(user),
            "now": timezone.now(),
            "DeadlineKind": DeadlineKind,
            "RequestStatus": RequestStatus,
        },
    )


# --- intake ----------------------------------------------------------------------------------


@login_required
def request_new(request):
    user = request.user
    services.require_operator(user)
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            validate_photos(data["photos"])
            with transaction.atomic():
                taken = _take(user, data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if taken.street_id:
                messages.success(
                    request,
                    _("Request %(number)s taken and dispatched to %(street)s.")
                    % {"number": taken.number, "street": taken.street.name},
                )
            else:
                messages.success(
                    request,
                    _("Request %(number)s taken; it awaits dispatch.") % {"number": taken.number},
                )
            return redirect("hotline:request", pk=taken.pk)
    return render(
        request,
        "hotline/request_new.html",
        {"form": form, "suggested": None, "chosen": str(form["street"].value() or "")},
    )


def _take(user, data):
    taken = services.take_request(
        user,
        channel=data["channel"],
        category=data["category"],
        description=data["description"],
        address=data["address"],
        community=data["community"],
        street=data["street"],
        citizen_name=data["citizen_name"],
        citizen_phone=data["citizen_phone"],
        citizen_email=data["citizen_email"],
        latitude=data["latitude"],
        longitude=data["longitude"],
    )
    for photo in data["photos"]:
        services.add_photo(user, taken, photo)
    return taken


@login_required
@require_GET
def suggest(request):
    """The street field of the intake form, with the street the address or the community
    points to preselected (an htmx fragment)."""
    services.require_operator(request.user)
    data = SuggestForm(request.GET)
    address, community, current = "", None, None
    if data.is_valid():
        address = data.cleaned_data["address"]
        community = data.cleaned_data["community"]
        current = data.cleaned_data["street"]
    suggested = services.suggest_street(address, community)
    chosen = suggested or current
    form = IntakeForm(initial={"street": chosen.pk if chosen else None})
    return render(
        request,
        "hotline/request_new.html#street-field",
        {"form": form, "suggested": suggested, "chosen": str(chosen.pk) if chosen else ""},
    )


# --- one request -----------------------------------------------------------------------------


def _requests(user):
    return ServiceRequest.objects.visible_to(user).select_related(
        "category", "street__district", "community", "whistle"
    )


def _event_details(event) -> list[str]:
    data = event.data or {}
    details = []
    if event.street_id and event.type.endswith("dispatched"):
        details.append(event.street.name)
        if data.get("redispatch"):
            details.append(_("re-dispatched (改派)"))
    if data.get("reason"):
        details.append(data["reason"])
    if data.get("note"):
        details.append(data["note"])
    if "reached" in data:
        if not data["reached"]:
            details.append(_("citizen not reached"))
        elif data.get("satisfaction"):
            details.append(str(Satisfaction(data["satisfaction"]).label))
    if data.get("deadline") in DeadlineKind.values:
        details.append(str(DeadlineKind(data["deadline"]).label))
    if data.get("number"):
        details.append(data["number"])
    return details


def _deadline_rows(service_request, now):
    rows = []
    for d in service_request.deadlines.all():
        if d.cancelled_at:
            state = "cancelled"
        elif d.met_at:
            state = "met-late" if d.met_at > d.deadline else "met"
        elif d.deadline < now or d.overdue_at:
            state = "overdue"
        else:
            state = "open"
        rows.append({"d": d, "state": state, "label": DeadlineKind(d.kind).label})
    return rows


def may_blow(user, service_request) -> bool:
    return (
        service_request.street_id is not None
        and services.handles_for_street(user, service_request.street_id)
        and dispatch_services.may_coordinate(user, service_request.street_id)
    )


def _request_page(request, service_request, callback_form=None, status=200):
    user = request.user
    now = timezone.now()
    is_operator = services.is_operator(user)
    street_acts = services.handles_for_street(user, service_request.street_id)
    state = service_request.status
    events = list(timeline(service_request).select_related("street"))
    for e in events:
        e.details = _event_details(e)
    seen = {"seen_status": state}
    allowed = {action for action, states in ALLOWED_FROM.items() if state in states}
    can = {
        "dispatch": is_operator and "dispatch" in allowed,
        "accept": street_acts and "accept" in allowed,
        "contact": street_acts and "contact" in allowed and service_request.contacted_at is None,
        "reply": street_acts and "reply" in allowed,
        "return": street_acts and "return" in allowed,
        "callback": is_operator and "callback" in allowed,
        "whistle": service_request.whistle_id is None
        and "whistle" in allowed
        and may_blow(user, service_request),
    }
    context = {
        "r": service_request,
        "now": now,
        "show_contact": services.may_see_contact(user, service_request),
        "deadlines": _deadline_rows(service_request, now),
        "events": events,
        "callbacks": list(service_request.callbacks.select_related("called_by")),
        "photos": list(service_request.photos.all()),
        "may_add_photo": services.may_add_photo(user, service_request),
        "photo_form": PhotoForm(),
        "can": can,
        "any_action": any(can.values()),
        "dispatch_form": DispatchForm(initial={**seen, "street": service_request.street_id}),
        "contact_form": ContactForm(initial=seen),
        "reply_form": ReplyForm(initial=seen),
        "return_form": ReturnForm(initial=seen),
        "callback_form": callback_form or CallBackForm(),
        "RequestStatus": RequestStatus,
    }
    return render(request, "hotline/request_detail.html", context, status=status)


@login_required
def request_detail(request, pk):
    service_request = get_object_or_404(
        _requests(request.user).prefetch_related("deadlines"), pk=pk
    )
    return _request_page(request, service_request)


def _act(request, pk, require, form_class, act):
    """A small form of the request page: look up in scope (404), check the role (403), check
    the form and that the request has not changed since it was shown, then run the service;
    every outcome is a message on the request page."""
    service_request = get_object_or_404(_requests(request.user), pk=pk)
    require(request.user, service_request)
    form = form_class(request.POST)
    back = redirect("hotline:request", pk=pk)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return back
    if form.cleaned_data["seen_status"] != service_request.status:
        messages.error(
            request,
            _(
                "This request changed meanwhile (it is now “%(status)s”); nothing was done. Check the page and try again."
            )
            % {"status": service_request.get_status_display()},
        )
        return back
    try:
        done = act(service_request, form.cleaned_data)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, done)
    return back


def _operator(user, service_request):
    services.require_operator(user)


def _street(user, service_request):
    services.require_street(user, service_request)


@login_required
@require_POST
def request_dispatch(request, pk):
    def act(service_request, data):
        again = service_request.status == RequestStatus.RETURNED
        services.dispatch_request(request.user, service_request, data["street"])
        if again:
            return _("Re-dispatched (改派) to %(street)s.") % {"street": data["street"].name}
        return _("Dispatched to %(street)s.") % {"street": data["street"].name}

    return _act(request, pk, _operator, DispatchForm, act)


@login_required
@require_POST
def request_accept(request, pk):
    def act(service_request, data):
        services.accept(request.user, service_request)
        return _("Accepted. Contact the citizen before the response deadline.")

    return _act(request, pk, _street, ActionForm, act)


@login_required
@require_POST
def request_contact(request, pk):
    def act(service_request, data):
        services.contact(request.user, service_request, note=data["note"])
        return _("The citizen was contacted: the response deadline is met.")

    return _act(request, pk, _street, ContactForm, act)


@login_required
@require_POST
def request_reply(request, pk):
    def act(service_request, data):
        services.reply(request.user, service_request, reply=data["reply"])
        return _("Replied. The 12345 centre will call the citizen back.")

    return _act(request, pk, _street, ReplyForm, act)


@login_required
@require_POST
def request_return(request, pk):
    def act(service_request, data):
        services.return_request(request.user, service_request, reason=data["reason"])
        return _("Returned (退单) to the 12345 centre, which will re-dispatch it.")

    return _act(request, pk, _street, ReturnForm, act)


@login_required
@require_POST
def request_callback(request, pk):
    """回访: a full form; contradicting answers show the page again with the errors."""
    service_request = get_object_or_404(
        _requests(request.user).prefetch_related("deadlines"), pk=pk
    )
    services.require_operator(request.user)
    form = CallBackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            callback = services.call_back(
                request.user,
                service_request,
                reached=data["reached"],
                contacted=data["contacted"],
                resolved=data["resolved"],
                satisfaction=data["satisfaction"],
                note=data["note"],
                reopen=data["reopen"],
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("hotline:request", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if data["reopen"]:
                messages.success(
                    request, _("Call-back recorded; the request is back to the street.")
                )
            elif not callback.reached:
                messages.success(request, _("Call-back recorded: the citizen was not reached."))
            else:
                messages.success(request, _("Call-back recorded; the request is closed."))
            return redirect("hotline:request", pk=pk)
    return _request_page(request, service_request, callback_form=form, status=200)


@login_required
def request_whistle(request, pk):
    """The street (holding the power to summon) blows a whistle from the request."""
    user = request.user
    service_request = get_object_or_404(_requests(user), pk=pk)
    services.require_street(user, service_request)
    if not may_blow(user, service_request):
        raise PermissionDenied(
            _(
                "Only the party committee of a street granted the power to coordinate departments blows whistles."
            )
        )
    if service_request.whistle_id is not None:
        messages.info(request, _("A whistle was already blown for this request."))
        return redirect("dispatch:whistle", pk=service_request.whistle_id)
    if service_request.status not in ALLOWED_FROM["whistle"]:
        messages.error(request, _("Only a request the street is handling can become a whistle."))
        return redirect("hotline:request", pk=pk)
    street = service_request.street
    initial = {
        "title": f"{service_request.category.name}：{service_request.description}"[:120],
        "location": service_request.address or street.name,
        "community": service_request.community_id,
        "description": _("12345 request %(number)s: %(description)s")
        % {"number": service_request.number, "description": service_request.description},
        "latitude": service_request.latitude,
        "longitude": service_request.longitude,
    }
    form = BlowWhistleForm(
        request.POST or None, request.FILES or None, street=street, user=user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            validate_photos(data["photos"])
            with transaction.atomic():
                whistle = services.blow_from_request(
                    user,
                    service_request,
                    **form.whistle_fields(),
                )
                for photo in data["photos"]:
                    whistle_services.add_photo(whistle, photo, user)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("hotline:request", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            count = len(data["departments"])
            messages.success(
                request,
                ngettext(
                    "Whistle %(number)s blown: %(count)d department summoned.",
                    "Whistle %(number)s blown: %(count)d departments summoned.",
                    count,
                )
                % {"number": whistle.number, "count": count},
            )
            return redirect("dispatch:whistle", pk=whistle.pk)
    labels = dict(Category.choices)
    return render(
        request,
        "hotline/request_whistle.html",
        {
            "r": service_request,
            "form": form,
            "street": street,
            "kind_categories": {
                kind: [{"code": c, "name": str(labels[c])} for c in codes]
                for kind, codes in KIND_CATEGORIES.items()
            },
        },
    )


# --- rankings --------------------------------------------------------------------------------


def _choose_period(form):
    """(day, (year, month)) from a valid RankingsForm: the one not given follows the other."""
    today = _today()
    day, month = form.cleaned_data.get("day"), form.cleaned_data.get("month")
    if month is None:
        month = ((day or today).year, (day or today).month)
    if day is None:
        first, after = rates.month_range(*month)
        day = today if first <= today < after else min(after - timedelta(days=1), today)
    return day, month


def _formula():
    weights = settings.HOTLINE_RATE_WEIGHTS
    return {
        "response": weights["response"],
        "resolution": weights["resolution"],
        "satisfaction": weights["satisfaction"],
        "basic": settings.HOTLINE_BASIC_SATISFIED_WEIGHT,
        "minimum": settings.HOTLINE_RANK_MIN_CALLBACKS,
        "advanced": settings.HOTLINE_ADVANCED_TOP,
        "rectify": settings.HOTLINE_RECTIFY_BOTTOM,
        "improved": settings.HOTLINE_IMPROVED_PLACES,
        "governance_top": settings.HOTLINE_GOVERNANCE_TOP,
        "governance_months": settings.HOTLINE_GOVERNANCE_MONTHS,
    }


def _present(row):
    """A StreetRates for a template: percentages as text and categories as labels."""
    row.response_text = percent(row.response_rate)
    row.resolution_text = percent(row.resolution_rate)
    row.satisfaction_text = percent(row.satisfaction_rate)
    row.composite_text = score(row.composite)
    row.category_badges = [
        {"code": c, "label": RankCategory(c).label} for c in getattr(row, "categories", [])
    ]
    if row.rank is not None and row.previous_rank is not None:
        row.moved = row.previous_rank - row.rank
    else:
        row.moved = None
    return row


@login_required
def rankings(request):
    form = RankingsForm(request.GET or None)
    context = {"form": form, "formula": _formula()}
    if not form.is_bound or form.is_valid():
        if not form.is_bound:
            form = RankingsForm({})
            form.is_valid()
            context["form"] = RankingsForm()
        day, (year, month) = _choose_period(form)
        table = rates.daily(day)
        monthly = rates.monthly(year, month)
        ranked = [_present(r) for r in monthly["streets"] if r.rank is not None]
        below = [_present(r) for r in monthly["streets"] if r.rank is None]
        context.update(
            {
                "day": day,
                "month_code": f"{year}-{month:02d}",
                "top": [_present(r) for r in table["top"]],
                "daily": [_present(r) for r in table["streets"]],
                "ranked": ranked,
                "below": below,
                "previous_day": day - timedelta(days=1),
                "next_day": day + timedelta(days=1) if day < _today() else None,
            }
        )
    return render(request, "hotline/rankings.html", context)


EXPORT_COLUMNS = [
    "Rank",
    "Previous month's rank",
    "Street or township",
    "District",
    "Requests",
    "Valid call-backs",
    "Response rate (%)",
    "Resolution rate (%)",
    "Satisfaction rate (%)",
    "Composite score",
    "Category",
    "Remark",
]


def _export_headers(monthly: bool) -> list[str]:
    labels = {
        "Rank": _("Rank"),
        "Previous month's rank": _("Previous month's rank"),
        "Street or township": _("Street or township"),
        "District": _("District"),
        "Requests": _("Requests"),
        "Valid call-backs": _("Valid call-backs"),
        "Response rate (%)": _("Response rate (%)"),
        "Resolution rate (%)": _("Resolution rate (%)"),
        "Satisfaction rate (%)": _("Satisfaction rate (%)"),
        "Composite score": _("Composite score"),
        "Category": _("Category"),
        "Remark": _("Remark"),
    }
    columns = EXPORT_COLUMNS if monthly else [c for c in EXPORT_COLUMNS if "month" not in c]
    return [labels[c] for c in columns if monthly or c != "Category"]


def _export_row(row, monthly: bool) -> list:
    def pct(value):
        return None if value is None else (Decimal(value) * 100).quantize(Decimal("0.01"))

    values = [
        row.rank,
        row.previous_rank,
        row.street,
        row.district,
        row.volume,
        row.valid,
        pct(row.response_rate),
        pct(row.resolution_rate),
        pct(row.satisfaction_rate),
        pct(row.composite),
        "、".join(str(RankCategory(c).label) for c in row.categories),
        "" if row.rank is not None else _("Below the minimum of valid call-backs"),
    ]
    if not monthly:
        del values[10]  # category
        del values[1]  # previous rank
    return values


@login_required
def rankings_export(request):
    kind = request.GET.get("format", "csv")
    if kind not in exports.FORMATS:
        return exports.bad_request(_("Choose the format: csv or xlsx."))
    form = RankingsForm(request.GET)
    if not form.is_valid():
        return exports.bad_request(
            " ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    monthly = form.cleaned_data["day"] is None
    day, (year, month) = _choose_period(form)
    if monthly:
        rows = rates.monthly(year, month)["streets"]
        name = f"12345-ranking-{year}-{month:02d}"
    else:
        rows = rates.daily(day)["streets"]
        name = f"12345-rates-{day.isoformat()}"
    return exports.table(
        kind,
        headers=_export_headers(monthly),
        # an empty value is an empty text in the sheet (nothing in the CSV, as None would be)
        rows=[["" if v is None else v for v in _export_row(row, monthly)] for row in rows],
        name=name,
        sheet=name[-10:] if not monthly else f"{year}-{month:02d}",
        freeze="C2" if monthly else "B2",
    )


# --- a street's drill-down -------------------------------------------------------------------

SERIES = [
    ("composite", "Composite score", "#c0392b"),
    ("response_rate", "Response rate", "#2e86de"),
    ("resolution_rate", "Resolution rate", "#27ae60"),
    ("satisfaction_rate", "Satisfaction rate", "#e67e22"),
]


def _series_label(key):
    return {
        "composite": _("Composite score"),
        "response_rate": _("Response rate"),
        "resolution_rate": _("Resolution rate"),
        "satisfaction_rate": _("Satisfaction rate"),
    }[key]


def _trend_chart(days) -> dict:
    """30 days of a street's rates as SVG geometry (0–100 %); days without a valid call-back
    break the lines."""
    chart = LineChart(points=len(days), height=240, maximum=1)
    series = []
    for key, _msgid, color in SERIES:
        segments, dots = chart.line(
            [getattr(day, key) for day in days],
            lambda i, value: {"text": percent(value), "day": days[i].day},
        )
        series.append(
            {
                "key": key,
                "name": _series_label(key),
                "color": color,
                "segments": segments,
                "dots": dots,
            }
        )
    return {
        **chart.frame(),
        "grid": chart.grid((f"{v}%", v / 100) for v in (0, 25, 50, 75, 100)),
        "days": [
            {"x": chart.x(i), "label": d.day.strftime("%m-%d")}
            for i, d in enumerate(days)
            if i % 5 == 0 or i == len(days) - 1
        ],
        "series": series,
        "empty": not any(s["dots"] for s in series),
    }


@login_required
def street_detail(request, pk):
    user = request.user
    street = get_object_or_404(Street.objects.visible_to(user).select_related("district"), pk=pk)
    today = _today()
    month = rates.monthly(today.year, today.month)
    row = next((r for r in month["streets"] if r.street_id == street.pk), None)
    ranked_count = sum(1 for r in month["streets"] if r.rank is not None)
    trend = rates.street_trend(street.pk, days=30, end=today)
    recent = (
        ServiceRequest.objects.visible_to(user)
        .filter(street=street)
        .select_related("category")
        .order_by("-received_at", "-id")[:20]
    )
    return render(
        request,
        "hotline/street_detail.html",
        {
            "street": street,
            "row": _present(row) if row else None,
            "ranked_count": ranked_count,
            "month_code": f"{today.year}-{today.month:02d}",
            "chart": _trend_chart(trend),
            "recent": list(recent),
            "now": timezone.now(),
            "formula": _formula(),
            "is_operator": services.is_operator(user),
        },
    )


@login_required
@require_POST
def request_photo_add(request, pk):
    """Photos added on the request's page by the 12345 centre or the street handling it."""
    service_request = get_object_or_404(_requests(request.user), pk=pk)
    if not services.may_add_photo(request.user, service_request):
        raise PermissionDenied(_("Only those who handle the request add photos to it."))
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("photos", [])) or _("Choose a photo.")
        )
        return redirect("hotline:request", pk=pk)
    try:
        validate_photos(form.cleaned_data["photos"])
        with transaction.atomic():
            for photo in form.cleaned_data["photos"]:
                services.add_photo(request.user, service_request, photo)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Photos added."))
    return redirect("hotline:request", pk=pk)
