"""The organisation pages and each role's home page."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from . import hooks
from .choices import Role, StationMode, UnitType
from .models import Department, District, Membership, Station, Street
from .scope import scope_of


@login_required
def home(request):
    """What this person does next, one card per role they hold. A department dispatcher and
    nothing else lands on the live queue."""
    if scope_of(request.user).roles == {Role.DEPARTMENT_DISPATCHER}:
        return redirect("dispatch:queue")
    for start_page in hooks.start_pages:
        page = start_page(request.user)
        if page:
            return redirect(page)
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("city", "district", "street__district", "department__district")
        .order_by("id")
    )
    cards = []
    seen = set()
    for m in memberships:
        # A street official on the committee gets one street card, marked as committee.
        key = (m.unit_type, m.unit_id)
        if key in seen:
            continue
        seen.add(key)
        roles = [x.get_role_display() for x in memberships if (x.unit_type, x.unit_id) == key]
        cards.append({"unit_type": m.unit_type, "unit": m.unit, "roles": roles, "membership": m})
    scope = scope_of(request.user)
    return render(
        request,
        "accounts/home.html",
        {
            "cards": cards,
            "is_committee": Role.COMMITTEE_MEMBER in scope.roles,
            "sees_everything": scope.everything,
            "UnitType": UnitType,
        },
    )


@login_required
def org_index(request):
    districts = (
        District.objects.visible_to(request.user)
        .annotate(street_count=Count("streets", distinct=True))
        .annotate(department_count=Count("departments", distinct=True))
        .order_by("id")
    )
    return render(request, "accounts/org_index.html", {"districts": districts})


@login_required
def district_detail(request, pk):
    district = get_object_or_404(District.objects.visible_to(request.user), pk=pk)
    streets = district.streets.annotate(station_count=Count("stations")).order_by("id")
    departments = district.departments.annotate(station_count=Count("stations")).order_by("id")
    return render(
        request,
        "accounts/district_detail.html",
        {"district": district, "streets": streets, "departments": departments},
    )


MODE_ORDER = [StationMode.RESIDENT, StationMode.STATIONED, StationMode.ON_CALL]


@login_required
def street_detail(request, pk):
    street = get_object_or_404(
        Street.objects.visible_to(request.user).select_related("district"), pk=pk
    )
    stations = list(street.stations.select_related("department").order_by("department_id"))
    groups = [
        {
            "mode": mode,
            "label": StationMode(mode).label,
            "stations": [s for s in stations if s.mode == mode],
        }
        for mode in MODE_ORDER
    ]
    return render(
        request,
        "accounts/street_detail.html",
        {
            "street": street,
            "groups": groups,
            "communities": street.communities.order_by("id"),
            "agencies": street.agencies.select_related("department").order_by("id"),
            "officers": street.officers.filter(active=True)
            .select_related("department")
            .order_by("id"),
        },
    )


@login_required
def department_detail(request, pk):
    department = get_object_or_404(
        Department.objects.visible_to(request.user)
        .select_related("district")
        .prefetch_related("leaders"),
        pk=pk,
    )
    stations = (
        Station.objects.filter(department=department).select_related("street").order_by("street_id")
    )
    return render(
        request,
        "accounts/department_detail.html",
        {
            "department": department,
            "stations": stations,
            "agencies": department.agencies.select_related("street").order_by("id"),
            "officers": department.officers.filter(active=True)
            .select_related("street")
            .order_by("street_id", "id"),
        },
    )


@require_http_methods(["GET", "POST"])
def logout_view(request):
    """GET asks to confirm (a link cannot sign anyone out by surprise); POST signs out."""
    if request.method == "POST":
        if request.user.is_authenticated:  # signing out ends the API tokens too
            Token.objects.filter(user=request.user).delete()
        logout(request)
        return redirect("login")
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "registration/logout_confirm.html")
