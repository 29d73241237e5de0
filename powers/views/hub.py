"""The powers' hub: what this person can do with the powers, one section per role they hold."""

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone

from accounts.choices import Power, Role, StationMode
from accounts.grants import with_power
from accounts.models import DispatchedAgency, PowerGrant, Station, StationedOfficer, Street
from core.roles import DISTRICT_ROLES

from ..models import MajorMatter, OfficerAssessment, Opinion
from ._common import (
    HUB_ROWS,
    _matters,
    _may_publish_somewhere,
    _open_first,
    _orders,
    _recommendations,
    _roles_units,
)

MODE_ORDER = [StationMode.RESIDENT, StationMode.STATIONED, StationMode.ON_CALL]  # 1, 4, N


@login_required
def index(request):
    """What this person can do with the powers, one section per role they hold."""
    user = request.user
    now = timezone.now()
    context = {"now": now, "Power": Power}

    committee_streets = _roles_units(user, Role.COMMITTEE_MEMBER)
    if committee_streets:
        streets = list(Street.objects.filter(pk__in=committee_streets).order_by("id"))
        grants = (
            PowerGrant.objects.filter(street_id__in=committee_streets, revoked_at=None)
            .select_related("street")
            .order_by("street_id", "power")
        )
        held = {}
        for g in grants:
            held.setdefault(g.street_id, {})[g.power] = g
        own_opinion = Opinion.objects.filter(matter=OuterRef("pk"), street_id__in=committee_streets)
        context["committee"] = {
            "streets": [
                {
                    "street": s,
                    "powers": [
                        {"power": p, "grant": held.get(s.pk, {}).get(p.value)} for p in Power
                    ],
                }
                for s in streets
            ],
            "stations": sorted(
                with_power(
                    user,
                    Power.COORDINATE_DEPARTMENTS,
                    Station.objects.filter(street_id__in=committee_streets),
                ).select_related("department", "street"),
                key=lambda s: (s.street_id, MODE_ORDER.index(s.mode), s.department_id),
            ),
            "agencies": list(
                with_power(
                    user,
                    Power.RECOMMEND_PERSONNEL,
                    DispatchedAgency.objects.filter(street_id__in=committee_streets),
                )
                .select_related("department", "street")
                .order_by("street_id", "id")
            ),
            "officers": list(
                with_power(
                    user,
                    Power.ASSESS_STATIONED_STAFF,
                    StationedOfficer.objects.filter(street_id__in=committee_streets, active=True),
                )
                .select_related("department", "street")
                .order_by("street_id", "department_id", "id")
            ),
            "orders": list(
                _open_first(_orders(user).filter(street_id__in=committee_streets))[:HUB_ROWS]
            ),
            "recommendations": list(
                _open_first(_recommendations(user).filter(street_id__in=committee_streets))[
                    :HUB_ROWS
                ]
            ),
            "matters": list(
                with_power(user, Power.ADVISE_MAJOR_MATTER, _matters(user))
                .filter(opinions_until__gt=now)
                .exclude(Exists(own_opinion))
                .order_by("opinions_until", "id")[:HUB_ROWS]
            ),
        }

    departments = _roles_units(user, Role.DEPARTMENT_DISPATCHER)
    if departments:
        context["department"] = {
            "orders": list(
                _open_first(_orders(user).filter(department_id__in=departments))[:HUB_ROWS]
            ),
            "recommendations": list(
                _open_first(_recommendations(user).filter(department_id__in=departments))[:HUB_ROWS]
            ),
            "assessments": list(
                OfficerAssessment.objects.filter(department_id__in=departments)
                .select_related("officer", "street")
                .order_by("-assessed_at", "-id")[:HUB_ROWS]
            ),
        }

    district_ids = _roles_units(user, *DISTRICT_ROLES)
    admin_ids = _roles_units(user, Role.DISTRICT_ADMIN)
    if district_ids or user.is_superuser:
        in_district = Q() if user.is_superuser else Q(street__district_id__in=district_ids)
        published = MajorMatter.objects.all()
        awaiting = Opinion.objects.filter(answered_at=None)
        if not user.is_superuser:
            published = published.filter(district_id__in=district_ids)
            awaiting = awaiting.filter(matter__district_id__in=admin_ids)
        context["district"] = {
            "may_grant": user.is_superuser or bool(admin_ids),
            "may_publish": _may_publish_somewhere(user),
            "matters": list(
                published.select_related("district")
                .prefetch_related(Prefetch("streets", queryset=Street.objects.order_by("id")))
                .order_by("-published_at", "-id")[:HUB_ROWS]
            ),
            "opinions": list(
                awaiting.select_related("matter", "street").order_by("submitted_at", "id")[
                    :HUB_ROWS
                ]
            ),
            "overdue_orders": list(
                _orders(user)
                .filter(in_district, answered_at=None, overdue_at__isnull=False)
                .order_by("deadline", "id")[:HUB_ROWS]
            ),
            "overdue_recommendations": list(
                _recommendations(user)
                .filter(in_district, answered_at=None, overdue_at__isnull=False)
                .order_by("deadline", "id")[:HUB_ROWS]
            ),
        }
    return render(request, "powers/index.html", context)
