"""A campaign's whistles and supervision orders, and its figures (docs/campaigns.md).

Putting a whistle or an order into a campaign needs the right to record for the campaign
(accounts.campaigns.may_record) and an object of a street the campaign covers. The figures
are read in a fixed number of queries, whatever the number of whistles."""

from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.campaigns import require_record
from accounts.choices import TimelineEventType
from accounts.models import CampaignPost, IndicatorReading, Street
from accounts.services import record
from config.errors import Conflict
from dispatch.models import CheckIn
from whistle.choices import EventType
from whistle.models import Whistle
from whistle.services import record_event

from .models import SupervisionOrder


def _covered(campaign, street_id, field_name):
    if campaign.streets.filter(pk=street_id).exists():
        return
    if field_name == "whistle":
        message = _("This campaign does not cover the street of this whistle.")
    else:
        message = _("This campaign does not cover the street of this supervision order.")
    raise ValidationError({field_name: message})


@transaction.atomic
def link_whistle(actor, campaign, whistle):
    """Put a whistle of a covered street into the campaign (in another campaign: 409)."""
    require_record(actor, campaign)
    _covered(campaign, whistle.street_id, "whistle")
    if whistle.campaign_id == campaign.pk:
        return whistle
    if not Whistle.objects.filter(pk=whistle.pk, campaign=None).update(campaign=campaign):
        raise Conflict(_("This whistle belongs to another campaign."), code="linked")
    whistle.campaign = campaign
    now = timezone.now()
    record_event(whistle.pk, EventType.CAMPAIGN_LINKED, now, actor=actor, campaign=campaign.pk)
    record(
        TimelineEventType.CAMPAIGN_LINKED,
        campaign,
        actor=actor,
        at=now,
        street=whistle.street,
        whistle=whistle.pk,
    )
    return whistle


@transaction.atomic
def link_order(actor, campaign, order):
    """Put a supervision order of a covered street into the campaign."""
    require_record(actor, campaign)
    _covered(campaign, order.street_id, "order")
    if order.campaign_id == campaign.pk:
        return order
    if not SupervisionOrder.objects.filter(pk=order.pk, campaign=None).update(campaign=campaign):
        raise Conflict(_("This order belongs to another campaign."), code="linked")
    order.campaign = campaign
    now = timezone.now()
    record(TimelineEventType.CAMPAIGN_LINKED, order, actor=actor, at=now, campaign=campaign.pk)
    record(
        TimelineEventType.CAMPAIGN_LINKED,
        campaign,
        actor=actor,
        at=now,
        street=order.street,
        order=order.pk,
    )
    return order


# --- figures -----------------------------------------------------------------------------------


def day_count(campaign, today=None) -> int:
    """Days from the start to the end, both counted (or to today while running)."""
    last = campaign.ends_on or (today or timezone.localdate())
    return max(0, (last - campaign.starts_on).days + 1)


@dataclass
class DepartmentRecord:
    """A department's check-ins across the campaign's whistles (each summons its own)."""

    department_id: int
    name: str
    summoned: int = 0
    on_time: int = 0  # on site by the deadline
    late: int = 0  # on site after the deadline
    never_arrived: int = 0  # marked overdue, never on site
    waiting: int = 0  # the clock still runs
    released: int = 0  # released before anyone came
    rows: list = field(default_factory=list, repr=False)


def department_records(whistles_qs) -> list[DepartmentRecord]:
    """One aggregate query over the check-ins of the whistles (counted as dispatch counts
    on time: on site at or before the deadline)."""
    on_site = Q(checked_in_at__isnull=False)
    rows = (
        CheckIn.objects.filter(whistle__in=whistles_qs)
        .values("department_id", "department__name")
        .annotate(
            summoned=Count("id"),
            on_time=Count("id", filter=on_site & Q(checked_in_at__lte=F("deadline"))),
            late=Count("id", filter=on_site & Q(checked_in_at__gt=F("deadline"))),
            never=Count("id", filter=Q(checked_in_at=None, overdue_at__isnull=False)),
            released=Count(
                "id", filter=Q(checked_in_at=None, overdue_at=None, released_at__isnull=False)
            ),
            waiting=Count("id", filter=Q(checked_in_at=None, overdue_at=None, released_at=None)),
        )
        .order_by("department__name", "department_id")
    )
    return [
        DepartmentRecord(
            department_id=r["department_id"],
            name=r["department__name"],
            summoned=r["summoned"],
            on_time=r["on_time"],
            late=r["late"],
            never_arrived=r["never"],
            released=r["released"],
            waiting=r["waiting"],
        )
        for r in rows
    ]


def campaign_whistles(campaign):
    return (
        Whistle.objects.filter(campaign=campaign)
        .select_related("street")
        .order_by("-blown_at", "-id")
    )


def campaign_orders(campaign):
    return (
        SupervisionOrder.objects.filter(campaign=campaign)
        .select_related("street", "department")
        .order_by("-issued_at", "-id")
    )


def with_details(queryset):
    """The campaign queryset with what its page and its API show, prefetched."""
    return queryset.select_related("district", "created_by").prefetch_related(
        Prefetch("streets", queryset=Street.objects.order_by("id")),
        Prefetch(
            "posts",
            queryset=CampaignPost.objects.select_related("user", "department").order_by(
                "role", "id"
            ),
        ),
        "counters__updated_by",
        Prefetch(
            "indicators__readings",
            queryset=IndicatorReading.objects.select_related("recorded_by").order_by("on"),
        ),
    )


@dataclass
class Chart:
    """An indicator's readings as an inline SVG polyline (no script, no inline style)."""

    width: int
    height: int
    points: str
    dots: list
    lower_is_better: bool = True


def chart(readings, width=320, height=120, pad=16) -> Chart | None:
    readings = list(readings)
    if len(readings) < 2:
        return None
    values = [float(r.value) for r in readings]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / (len(readings) - 1)
    dots = []
    for i, (r, v) in enumerate(zip(readings, values, strict=True)):
        x = pad + i * step
        y = pad + (v - low) / span * (height - 2 * pad)  # higher value further down (a class)
        dots.append({"x": round(x, 1), "y": round(y, 1), "reading": r})
    points = " ".join(f"{d['x']},{d['y']}" for d in dots)
    return Chart(width=width, height=height, points=points, dots=dots)


def figures(campaign, today=None) -> dict:
    """Everything the campaign's page shows, in a fixed number of queries."""
    whistles = list(campaign_whistles(campaign))
    posts = list(campaign.posts.all())
    indicators = []
    for indicator in campaign.indicators.all():
        readings = list(indicator.readings.all())
        indicators.append({"indicator": indicator, "readings": readings, "chart": chart(readings)})
    by_role = OrderedDict()
    for post in posts:
        by_role.setdefault(post.role, []).append(post)
    return {
        "days": day_count(campaign, today),
        "running": campaign.ends_on is None,
        "whistles": whistles,
        "orders": list(campaign_orders(campaign)),
        "departments": department_records(Whistle.objects.filter(campaign=campaign)),
        "posts": posts,
        "counters": list(campaign.counters.all()),
        "indicators": indicators,
    }
