"""Pages of the loop: the street blows and follows its whistle live; the department's queue
shows summonses live and acknowledges; the responder reports on site from a phone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.models import Street
from accounts.scope import scope_of
from accounts.views_offices import assign, offices_of
from config.errors import Conflict
from core import idempotency
from core.filters import filtered
from core.forms import apply_service_errors
from whistle.choices import WhistleStatus, allowed_actions
from whistle.models import Event, Whistle

from . import duties, live, services
from .choices import CheckInStatus
from .filters import CheckInFilter, WhistleFilter
from .forms import (
    AcknowledgeForm,
    ArriveForm,
    BlowWhistleForm,
    CancelForm,
    ResolveForm,
    SummonForm,
)
from .models import CheckIn
from .querysets import may_see_responder


def _streets_of(user):
    """The streets where the person may blow (a committee member holding the power to
    coordinate), in a stable order."""
    scope = scope_of(user)
    ids = sorted({unit for role, unit in scope.role_units if role == Role.COMMITTEE_MEMBER})
    return [
        s
        for s in Street.objects.filter(pk__in=ids).select_related("district").order_by("id")
        if services.may_coordinate(user, s.pk)
    ]


def _whistles(user):
    return Whistle.objects.visible_to(user).select_related("street")


def _detail_queryset(user):
    return _whistles(user).prefetch_related(
        Prefetch("check_ins", queryset=CheckIn.objects.select_related("department").order_by("id")),
        Prefetch("events", queryset=Event.objects.select_related("actor").order_by("at", "id")),
        "photos",
    )


# --- the street ------------------------------------------------------------------------------


@login_required
def whistle_list(request):
    filterset, whistles = filtered(WhistleFilter, request, _whistles(request.user))
    page = Paginator(whistles.order_by("-blown_at", "-id"), 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dispatch/whistle_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_blow": bool(_streets_of(request.user)),
        },
    )


@login_required
def whistle_new(request):
    streets = _streets_of(request.user)
    if not streets:
        raise PermissionDenied(
            _(
                "Only the party committee of a street granted the power to coordinate departments blows whistles."
            )
        )
    street = next((s for s in streets if str(s.pk) == request.GET.get("street")), streets[0])
    form = BlowWhistleForm(
        request.POST or None, request.FILES or None, street=street, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def blow():
            with transaction.atomic():
                whistle = services.blow_whistle(
                    request.user, street=street, photos=data["photos"], **form.whistle_fields()
                )
                if data.get("duty_item"):  # 街道职责清单
                    duties.cite_on_whistle(request.user, whistle, data["duty_item"])
            return whistle

        try:
            pk, repeated = idempotency.once(request.user, data["idempotency_key"], blow)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if repeated:
                messages.info(request, _("This whistle was already blown from this form."))
                return redirect("dispatch:whistle", pk=pk)
            whistle = Whistle.objects.get(pk=pk)
            messages.success(request, form.blown(whistle))
            return redirect("dispatch:whistle", pk=whistle.pk)
    return render(
        request,
        "dispatch/whistle_new.html",
        {
            "form": form,
            "street": street,
            "streets": streets,
            "kind_categories": form.kind_categories(),
        },
    )


def _whistle_context(request, whistle):
    can_act = services.acts_for_street(request.user, whistle.street_id)
    check_ins = list(whistle.check_ins.all())
    return {
        "whistle": whistle,
        "check_ins": check_ins,
        # who goes: not shown to the other departments summoned to the same whistle
        "responders_visible": {c.pk for c in check_ins if may_see_responder(request.user, c)},
        "events": list(whistle.events.all()),
        "now": timezone.now(),
        "can_act": can_act,
        # the street's actions its status allows (whistle/choices.py ALLOWED_FROM)
        "actions": allowed_actions(whistle.status) & {"summon", "resolve", "cancel", "close"},
        "summon_form": SummonForm(street=whistle.street, user=request.user)
        if services.may_coordinate(request.user, whistle.street_id)
        else None,
        "resolve_form": ResolveForm(),
        "cancel_form": CancelForm(),
        "WhistleStatus": WhistleStatus,
        "CheckInStatus": CheckInStatus,
    }


@login_required
def whistle_detail(request, pk):
    whistle = get_object_or_404(_detail_queryset(request.user), pk=pk)
    context = _whistle_context(request, whistle)
    if services.acts_for_street(request.user, whistle.street_id):  # 六办一队三中心
        context.update(
            office_choices=offices_of(whistle.street_id),
            office_current=whistle.office_id,
            office_action=reverse("dispatch:whistle-office", args=[whistle.pk]),
        )
    return render(request, "dispatch/whistle_detail.html", context)


@login_required
@require_POST
def whistle_office(request, pk):
    """Give the whistle to an office of its street (the street's people)."""
    whistle = get_object_or_404(_whistles(request.user), pk=pk)
    services.require_street(request.user, whistle)
    return assign(
        request,
        whistle,
        services.assign_office,
        redirect("dispatch:whistle", pk=pk),
    )


@login_required
def whistle_live(request, pk):
    """The part of the whistle page that changes: polled every few seconds by HTMX."""
    whistle = get_object_or_404(_detail_queryset(request.user), pk=pk)
    return render(request, "dispatch/whistle_detail.html#live", _whistle_context(request, whistle))


def _act_on_whistle(request, pk, act):
    """Run a street action posted from a page that showed the whistle in some state: if the
    whistle changed meanwhile, say so and change nothing."""
    whistle = get_object_or_404(_whistles(request.user), pk=pk)
    services.require_street(request.user, whistle)
    seen = request.POST.get("seen_status")
    if seen and seen != whistle.status:
        messages.error(
            request,
            _(
                "This whistle changed meanwhile (it is now “%(status)s”); nothing was done. Check the page and try again."
            )
            % {"status": whistle.get_status_display()},
        )
        return redirect("dispatch:whistle", pk=pk)
    try:
        done = act(whistle)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        if done:
            messages.success(request, done)
    return redirect("dispatch:whistle", pk=pk)


def _cleaned(form) -> dict:
    """The form's data, or its errors raised as a ValidationError (shown as messages)."""
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form.cleaned_data


@login_required
@require_POST
def whistle_summon(request, pk):
    def act(whistle):
        services.require_coordinate(request.user, whistle)
        data = _cleaned(SummonForm(request.POST, street=whistle.street, user=request.user))
        created = services.summon(request.user, whistle, list(data["departments"]))
        return ngettext(
            "%(count)d department summoned.", "%(count)d departments summoned.", len(created)
        ) % {"count": len(created)}

    return _act_on_whistle(request, pk, act)


@login_required
@require_POST
def whistle_resolve(request, pk):
    def act(whistle):
        services.resolve(request.user, whistle, **_cleaned(ResolveForm(request.POST)))
        return _("Resolved. The departments on site may now leave.")

    return _act_on_whistle(request, pk, act)


@login_required
@require_POST
def whistle_cancel(request, pk):
    def act(whistle):
        services.cancel(request.user, whistle, **_cleaned(CancelForm(request.POST)))
        return _("The whistle was cancelled.")

    return _act_on_whistle(request, pk, act)


@login_required
@require_POST
def whistle_close(request, pk):
    def act(whistle):
        services.close(request.user, whistle)
        return _("The whistle was closed.")

    return _act_on_whistle(request, pk, act)


# --- the department --------------------------------------------------------------------------


LIVE_PARAM = "live"  # the queue fragment's token (dispatch/live.py)


def _require_dispatcher(user):
    if Role.DEPARTMENT_DISPATCHER not in scope_of(user).roles:
        raise PermissionDenied(_("The queue is for department dispatchers."))


def _queue_context(request):
    scope = scope_of(request.user)
    live_token = live.token(scope.department_ids)  # before the rows: no change is missed
    base = (
        CheckIn.objects.filter(department_id__in=scope.department_ids)
        .select_related("department", "whistle__street")
        .order_by("deadline", "id")
    )
    data = request.GET.copy()
    data.pop(LIVE_PARAM, None)
    filters_query = data.urlencode()
    show = data.pop("show", ["open"])[-1]
    filterset = CheckInFilter(data or None, queryset=base, request=request)
    check_ins = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    if show == "open":
        check_ins = check_ins.exclude(status=CheckInStatus.RELEASED)
    live_query = "&".join(
        part for part in (filters_query, live_token and urlencode({LIVE_PARAM: live_token})) if part
    )
    return {
        "filter": filterset,
        "show": show,
        "filters_query": filters_query,
        "live_query": live_query,
        "live_every_ms": live.LIVE_POLL_MS if live_token else live.LIVE_FALLBACK_MS,
        "check_ins": list(check_ins[:200]),
        "now": timezone.now(),
        "ack_form": AcknowledgeForm(),
        "CheckInStatus": CheckInStatus,
    }


@login_required
def queue(request):
    _require_dispatcher(request.user)
    return render(request, "dispatch/queue.html", _queue_context(request))


def queue_items(request):
    """The queue's fragment. While nothing changed since the fragment the page holds (its
    token's versions), 204 from the cache alone: no session, no user, no query."""
    if live.unchanged(request.GET.get(LIVE_PARAM, "")):
        response = HttpResponse(status=204)
        response["Cache-Control"] = "private, no-store"
        return response
    return _queue_items(request)


@login_required
def _queue_items(request):
    _require_dispatcher(request.user)
    return render(request, "dispatch/queue.html#items", _queue_context(request))


def _check_ins(user):
    return CheckIn.objects.visible_to(user).select_related("department", "whistle__street")


@login_required
@require_POST
def check_in_acknowledge(request, pk):
    check_in = get_object_or_404(_check_ins(request.user), pk=pk)
    services.require_department(request.user, check_in)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name who goes, then acknowledge."))
    else:
        try:
            before = check_in.status
            check_in = services.acknowledge(request.user, check_in, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            if before != CheckInStatus.PENDING:
                messages.info(
                    request,
                    _("Already acknowledged: %(name)s is on the way.")
                    % {"name": check_in.responder_name},
                )
            else:
                messages.success(
                    request,
                    _("Acknowledged: %(name)s goes to %(number)s.")
                    % {"name": check_in.responder_name, "number": check_in.whistle.number},
                )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("dispatch:queue")
    return redirect(next_url)


@login_required
def check_in_page(request, pk):
    """The responder's phone page: report on site (报到) with the position, then leave."""
    check_in = get_object_or_404(_check_ins(request.user), pk=pk)
    may_act = services.acts_for_department(request.user, check_in.department_id)
    form = ArriveForm(request.POST or None)
    if request.method == "POST":
        services.require_department(request.user, check_in)
        if form.is_valid():
            try:
                check_in = services.arrive(
                    request.user,
                    check_in,
                    latitude=form.cleaned_data["latitude"],
                    longitude=form.cleaned_data["longitude"],
                )
            except Conflict as exc:
                messages.error(request, exc.message)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if check_in.on_time:
                    messages.success(request, _("Reported on site in time."))
                else:
                    messages.warning(request, _("Reported on site, after the deadline."))
                return redirect("dispatch:check-in", pk=pk)
    return render(
        request,
        "dispatch/check_in.html",
        {
            "check_in": check_in,
            "whistle": check_in.whistle,
            "form": form,
            "may_act": may_act,
            "now": timezone.now(),
            "CheckInStatus": CheckInStatus,
        },
    )


@login_required
@require_POST
def check_in_leave(request, pk):
    check_in = get_object_or_404(_check_ins(request.user), pk=pk)
    services.require_department(request.user, check_in)
    try:
        services.leave(request.user, check_in)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You have left the site. Thank you."))
    return redirect("dispatch:check-in", pk=pk)
