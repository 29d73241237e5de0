"""What the 12345 pages share: today in Beijing, rates as text, the requests in the person's
scope, who may blow a whistle from a request, the ranking's formula and rows."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from core.formats import percent
from core.periods import BEIJING
from dispatch import services as dispatch_services

from .. import services
from ..choices import RankCategory
from ..models import ServiceRequest


def _today() -> date:
    return timezone.localdate(timezone.now(), BEIJING)


def score(value) -> str:
    if value is None:
        return "—"
    return str((Decimal(value) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _requests(user):
    return ServiceRequest.objects.visible_to(user).select_related(
        "category", "street__district", "community", "whistle"
    )


def may_blow(user, service_request) -> bool:
    return (
        service_request.street_id is not None
        and services.handles_for_street(user, service_request.street_id)
        and dispatch_services.may_coordinate(user, service_request.street_id)
    )


def _formula():
    weights = settings.HOTLINE_RATE_WEIGHTS
    return {
        "response": weights["response"],
        "resolution": weights["resolution"],
        "satisfaction": weights["satisfaction"],
        "basic": settings.HOTLINE_BASIC_SATISFIED_WEIGHT,
        "minimum": settings.HOTLINE_RANK_MIN_CALLBACKS,
        "advanced": settings.HOTLINE_ADVANCED_TOP,
        "rectify": settings.HOTLINE_RECTIFY_BOTTOM,
        "improved": settings.HOTLINE_IMPROVED_PLACES,
        "governance_top": settings.HOTLINE_GOVERNANCE_TOP,
        "governance_months": settings.HOTLINE_GOVERNANCE_MONTHS,
    }


def _present(row):
    """A StreetRates for a template: percentages as text and categories as labels."""
    row.response_text = percent(row.response_rate)
    row.resolution_text = percent(row.resolution_rate)
    row.satisfaction_text = percent(row.satisfaction_rate)
    row.composite_text = score(row.composite)
    row.category_badges = [
        {"code": c, "label": RankCategory(c).label} for c in getattr(row, "categories", [])
    ]
    if row.rank is not None and row.previous_rank is not None:
        row.moved = row.previous_rank - row.rank
    else:
        row.moved = None
    return row
