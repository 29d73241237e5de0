"""The list of 12345 requests: the street's open work first, the centre's newest first."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import scope_of
from core.filters import filtered
from core.roles import DISTRICT_ROLES, STREET_ROLES

from .. import services
from ..choices import OPEN_STATUSES, DeadlineKind, RequestStatus
from ..filters import RequestFilter
from ..models import RequestDeadline, ServiceRequest

PAGE_SIZE = 25


def uses_hotline(user) -> bool:
    """The 12345 pages are for the operators, the streets and the districts (the departments
    answer whistles, not requests)."""
    roles = scope_of(user).roles
    return services.is_operator(user) or any(r in roles for r in STREET_ROLES + DISTRICT_ROLES)


def _require_hotline_user(user):
    if not uses_hotline(user):
        raise PermissionDenied(_("The 12345 requests are for operators, streets and districts."))


def _open_deadlines():
    return Prefetch(
        "deadlines",
        queryset=RequestDeadline.objects.filter(met_at=None, cancelled_at=None).order_by(
            "deadline", "id"
        ),
        to_attr="open_deadlines",
    )


@login_required
def request_list(request):
    user = request.user
    _require_hotline_user(user)
    scope = scope_of(user)
    base = ServiceRequest.objects.visible_to(user).select_related("category", "street")
    filterset, rows = filtered(RequestFilter, request, base)  # the API's filter too
    is_street = bool(scope.street_ids) and not services.is_operator(user)
    if is_street:
        # the street's work first: what is still open, the oldest first
        rows = rows.annotate(
            closed_last=Case(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("closed_last", "received_at", "id")
    else:
        rows = rows.order_by("-received_at", "-id")
    page = Paginator(rows.prefetch_related(_open_deadlines()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "hotline/request_list.html",
        {
            "form": filterset.form,
            "page": page,
            "query": query.urlencode(),
            "is_operator": services.is_operator(user),
            "now": timezone.now(),
            "DeadlineKind": DeadlineKind,
            "RequestStatus": RequestStatus,
        },
    )
