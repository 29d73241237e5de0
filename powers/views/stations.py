"""统筹协调和督办权 at a station: the street issues supervision orders to the department."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Power, Role
from accounts.models import Station
from accounts.scope import scope_of
from core.forms import apply_service_errors

from .. import services
from ..forms import IssueOrderForm, local_minutes
from ._common import _open_first, _orders


@login_required
def station(request, pk):
    user = request.user
    station = get_object_or_404(
        Station.objects.visible_to(user)
        .select_related("street__district", "department")
        .with_powers_of(user, Power.COORDINATE_DEPARTMENTS),
        pk=pk,
    )
    may_issue = station.has_coordinate_departments
    if request.method == "POST" and not may_issue:
        raise PermissionDenied(
            _("Your street's party committee does not hold this power over %(object)s: %(power)s.")
            % {"object": station, "power": Power.COORDINATE_DEPARTMENTS.label}
        )
    form = IssueOrderForm(
        request.POST or None,
        initial={"deadline": local_minutes(services.order_deadline_default())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = services.issue_order(user, station=station, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Supervision order sent to %(department)s.")
                % {"department": station.department.name},
            )
            return redirect("powers:order", pk=order.pk)
    orders = _open_first(_orders(user).filter(station=station))[:50]
    return render(
        request,
        "powers/station.html",
        {
            "station": station,
            "orders": list(orders),
            "form": form if may_issue else None,
            "may_blow": scope_of(user).has_role(Role.COMMITTEE_MEMBER, station.street_id)
            and may_issue,
            "now": timezone.now(),
        },
    )
