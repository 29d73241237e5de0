"""Intake: the operator takes a request (with its photos) and dispatches it straight to the
street the address or the community points to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.forms import apply_service_errors

from .. import services
from ..forms import IntakeForm, SuggestForm


@login_required
def request_new(request):
    user = request.user
    services.require_operator(user)
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
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
                photos=data["photos"],
            )
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
