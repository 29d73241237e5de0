"""Where each person of the front line starts: a steward's home, a chief's queue, a street's
overview, a district's comparison."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, District, Street
from accounts.scope import scope_of
from core.periods import BEIJING
from core.roles import DISTRICT_ROLES

from ..models import Adoption, Patrol
from ..scope import frontline_of
from ._common import reports_of


@login_required
def index(request):
    user = request.user
    me = frontline_of(user)
    scope = scope_of(user)
    if me.steward_id and not (me.chief_alley_ids or scope.street_ids):
        return steward_home(request)
    if me.chief_alley_ids and not scope.street_ids:
        return redirect("community:queue")
    if scope.street_ids and len(scope.street_ids) == 1 and not scope.district_ids:
        return redirect("community:street", pk=next(iter(scope.street_ids)))
    districts = District.objects.visible_to(user)
    if not scope.everything:
        districts = districts.filter(pk__in=[u for r, u in scope.role_units if r in DISTRICT_ROLES])
    if len(districts) == 1 and not scope.street_ids:
        return redirect("community:district", pk=districts[0].pk)
    streets = (
        Street.objects.filter(
            Q(pk__in=scope.street_ids) | Q(alleys__isnull=False, district__in=districts)
        )
        .distinct()
        .select_related("district")
    )
    communities = list(Community.objects.filter(pk__in=me.staff_community_ids))
    if communities and not (streets or districts):
        return redirect("community:community", pk=communities[0].pk)
    if not (streets or districts or communities or me.anything):
        raise PermissionDenied(
            _("The front line is for the streets, their districts and their people.")
        )
    return render(
        request,
        "community/index.html",
        {"streets": streets, "districts": districts, "communities": communities},
    )


def steward_home(request):
    user = request.user
    me = frontline_of(user)
    adoptions = list(
        Adoption.objects.filter(steward_id=me.steward_id, end=None)
        .select_related("alley__community")
        .order_by("alley_id")
    )
    month_start = timezone.localtime(timezone.now(), BEIJING).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    patrols = Patrol.objects.filter(steward_id=me.steward_id, started_at__gte=month_start)
    return render(
        request,
        "community/steward_home.html",
        {
            "adoptions": adoptions,
            "reports": reports_of(user).filter(steward_id=me.steward_id)[:20],
            "patrols_this_month": patrols.aggregate(n=Count("pk"))["n"],
            "steward": user.steward,
        },
    )
