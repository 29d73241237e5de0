"""One request's page and its small forms: dispatch, accept, contact, reply, return, and the
call-back (回访)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.duties import items_in_force, suggest
from accounts.services import timeline
from accounts.views_offices import assign, offices_of
from config.errors import Conflict
from core.forms import apply_service_errors

from .. import services
from ..choices import DeadlineKind, RequestStatus, Satisfaction, allowed_actions
from ..duties import cite_on_request
from ..forms import (
    AcceptForm,
    CallBackForm,
    ContactForm,
    DispatchForm,
    PhotoForm,
    ReplyForm,
    ReturnForm,
)
from ._common import _requests, may_blow


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


def _duty_choices(service_request):
    """The items of the street's list in force, those answering the category first."""
    items = list(items_in_force(service_request.street))
    suggested = suggest(items, service_request.category.code)
    return {"suggested": suggested, "items": items} if items else None


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
    allowed = allowed_actions(state)
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
    # the accept form's duty item select (街道职责清单), the category's items first
    context["duty_choices"] = _duty_choices(service_request) if can["accept"] else None
    if street_acts:  # 六办一队三中心
        context.update(
            office_choices=offices_of(service_request.street_id),
            office_current=service_request.office_id,
            office_action=reverse("hotline:office", args=[service_request.pk]),
        )
    return render(request, "hotline/request_detail.html", context, status=status)


@login_required
@require_POST
def request_office(request, pk):
    """The street gives the request to one of its offices."""
    service_request = get_object_or_404(_requests(request.user), pk=pk)
    services.require_street(request.user, service_request)
    return assign(
        request,
        service_request,
        services.assign_office,
        redirect("hotline:request", pk=pk),
    )


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
        with transaction.atomic():
            services.accept(request.user, service_request)
            if data.get("duty_item"):
                cite_on_request(request.user, service_request, data["duty_item"])
        return _("Accepted. Contact the citizen before the response deadline.")

    return _act(request, pk, _street, AcceptForm, act)


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
