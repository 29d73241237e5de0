"""One request's page and its small forms: dispatch, accept, contact, reply, return, and the
call-back (回访)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import timeline
from config.errors import Conflict
from core.forms import apply_service_errors

from .. import services
from ..choices import DeadlineKind, RequestStatus, Satisfaction, allowed_actions
from ..forms import (
    ActionForm,
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
