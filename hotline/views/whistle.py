"""A request that needs departments becomes a whistle, blown by the street from its page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from config.errors import Conflict
from core.forms import apply_service_errors
from dispatch.forms import BlowWhistleForm

from .. import services
from ..choices import ALLOWED_FROM
from ._common import _requests, may_blow


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
            whistle = services.blow_from_request(
                user, service_request, photos=data["photos"], **form.whistle_fields()
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("hotline:request", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, form.blown(whistle))
            return redirect("dispatch:whistle", pk=whistle.pk)
    return render(
        request,
        "hotline/request_whistle.html",
        {
            "r": service_request,
            "form": form,
            "street": street,
            "kind_categories": form.kind_categories(),
        },
    )
