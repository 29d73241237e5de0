"""The district's duty figures page: whistles by duty section and role, per street and period,
and the whistles citing items the street leads itself (docs/duties.md)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import District
from accounts.scope import scope_of
from core.periods import parse_period
from core.roles import DISTRICT_ROLES

from . import duties
from .api_duties import default_period


@login_required
def duty_figures(request):
    if not duties.may_see_figures(request.user):
        raise PermissionDenied(_("The figures are for the district and the city."))
    scope = scope_of(request.user)
    if scope.everything:
        districts = list(District.objects.order_by("id"))
    else:
        ids = {u for r, u in scope.role_units if r in DISTRICT_ROLES}
        districts = list(District.objects.filter(id__in=ids).order_by("id"))
    raw = request.GET.get("district", "")
    district = next((d for d in districts if str(d.pk) == raw), None) or (
        districts[0] if districts else None
    )
    error = ""
    code = request.GET.get("period") or default_period()
    period = parse_period(code)
    if period is None:
        error = _("Write the period as YYYY-MM, YYYY-Qn or YYYY.")
        code = default_period()
        period = parse_period(code)
    rows = duties.figures(
        duties.figure_streets(request.user, district.pk if district else -1), period
    )
    return render(
        request,
        "dispatch/duty_figures.html",
        {
            "rows": rows,
            "districts": districts,
            "district": district,
            "period": code,
            "error": error,
        },
    )
