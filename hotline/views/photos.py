"""Photos added on a request's page by the 12345 centre or the street handling it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import PhotoForm
from ._common import _requests


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
        services.add_photos(request.user, service_request, form.cleaned_data["photos"])
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Photos added."))
    return redirect("hotline:request", pk=pk)
