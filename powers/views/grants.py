"""The district grants its streets the four powers, and revokes them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Power
from accounts.models import PowerGrant, Street
from accounts.services import grant_power, may_grant, revoke_power
from config.errors import Conflict
from core.forms import apply_service_errors

from ..forms import GrantForm, RevokeForm
from ._common import HUB_ROWS, _admin_districts


def _grants_context(user, districts, form):
    streets = list(
        Street.objects.filter(district__in=districts).select_related("district").order_by("id")
    )
    active = {
        (g.street_id, g.power): g
        for g in PowerGrant.objects.filter(street__in=streets, revoked_at=None).select_related(
            "granted_by"
        )
    }
    rows = [
        {
            "street": s,
            "powers": [{"power": p, "grant": active.get((s.pk, p.value))} for p in Power],
        }
        for s in streets
    ]
    revoked = (
        PowerGrant.objects.filter(street__in=streets)
        .exclude(revoked_at=None)
        .select_related("street", "revoked_by")
        .order_by("-revoked_at", "-id")[:HUB_ROWS]
    )
    return {
        "districts": districts,
        "rows": rows,
        "form": form,
        "revoke_form": RevokeForm(),
        "revoked": list(revoked),
    }


@login_required
def grants(request):
    user = request.user
    districts = _admin_districts(user)
    if not districts:
        raise PermissionDenied(_("Only district administrators grant powers to streets."))
    streets = Street.objects.filter(district__in=districts).select_related("district")
    form = GrantForm(request.POST or None, streets=streets.order_by("id"))
    if request.method == "POST" and form.is_valid():
        street, power = form.cleaned_data["street"], form.cleaned_data["power"]
        if not may_grant(user, street):
            form.add_error(
                "street",
                _("%(street)s (%(district)s) is not a street of your district.")
                % {"street": street.name, "district": street.district.name},
            )
        else:
            try:
                grant_power(user, street, power, form.cleaned_data["note"])
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("powers:grants")
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Granted to %(street)s: %(power)s.")
                    % {"street": street.name, "power": Power(power).label},
                )
                return redirect(f"{reverse('powers:grants')}#street-{street.pk}")
    return render(request, "powers/grants.html", _grants_context(user, districts, form))


@login_required
@require_POST
def grant_revoke(request, pk):
    grant = get_object_or_404(
        PowerGrant.objects.visible_to(request.user).select_related("street__district"), pk=pk
    )
    if not may_grant(request.user, grant.street):
        raise PermissionDenied(_("Only the district's administrators revoke its streets' powers."))
    form = RevokeForm(request.POST)
    target = f"{reverse('powers:grants')}#street-{grant.street_id}"
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking, then revoke."))
        return redirect(target)
    try:
        revoke_power(request.user, grant, form.cleaned_data["reason"])
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Revoked from %(street)s: %(power)s.")
            % {"street": grant.street.name, "power": grant.get_power_display()},
        )
    return redirect(target)
