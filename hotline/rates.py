"""The three rates of 接诉即办 and the rankings (domain.md; every number configurable).

From the latest call-back of each request, counted on the (Beijing) date it was made:
    valid         = call-backs where the citizen was reached
    response      = contacted by the street / valid
    resolution    = resolved / valid
    satisfaction  = (satisfied + 0.9 × basically satisfied) / valid
    composite     = 0.1 × response + 0.5 × resolution + 0.4 × satisfaction
Volume is the number of requests dispatched to the street, by the date they were received.
Each aggregate is one GROUP BY over indexed columns (bench/rankings.py measures it).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q

from accounts.models import Street
from core.periods import BEIJING, previous_month

from .choices import RankCategory, Satisfaction
from .models import CallBack, ServiceRequest

FOUR = Decimal("0.0001")


@dataclass
class StreetRates:
    street_id: int
    street: str = ""
    district: str = ""
    volume: int = 0
    valid: int = 0
    contacted: int = 0
    resolved: int = 0
    satisfied: int = 0
    basic: int = 0
    response_rate: Decimal | None = None
    resolution_rate: Decimal | None = None
    satisfaction_rate: Decimal | None = None
    composite: Decimal | None = None
    rank: int | None = None
    previous_rank: int | None = None
    categories: list = field(default_factory=list)

    def finish(self):
        weights = settings.HOTLINE_RATE_WEIGHTS
        basic = Decimal(str(settings.HOTLINE_BASIC_SATISFIED_WEIGHT))
        if self.valid:
            v = Decimal(self.valid)
            self.response_rate = (self.contacted / v).quantize(FOUR)
            self.resolution_rate = (self.resolved / v).quantize(FOUR)
            self.satisfaction_rate = ((self.satisfied + basic * self.basic) / v).quantize(FOUR)
            self.composite = (
                Decimal(str(weights["response"])) * self.response_rate
                + Decimal(str(weights["resolution"])) * self.resolution_rate
                + Decimal(str(weights["satisfaction"])) * self.satisfaction_rate
            ).quantize(FOUR)
        return self


def day_bounds(first: date, after: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, time.min, BEIJING),
        datetime.combine(after, time.min, BEIJING),
    )


def month_range(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    return first, after


def volumes(first: date, after: date, street_ids=None) -> dict[int, int]:
    start, end = day_bounds(first, after)
    rows = ServiceRequest.objects.filter(
        received_at__gte=start, received_at__lt=end, street__isnull=False
    )
    if street_ids is not None:
        rows = rows.filter(street_id__in=street_ids)
    return dict(rows.values_list("street_id").annotate(n=Count("id")).values_list("street_id", "n"))


def rates(first: date, after: date, street_ids=None) -> dict[int, StreetRates]:
    """The rates of every street with a volume or a call-back in [first, after)."""
    callbacks = CallBack.objects.filter(
        latest=True, reached=True, called_on__gte=first, called_on__lt=after
    )
    if street_ids is not None:
        callbacks = callbacks.filter(street_id__in=street_ids)
    out: dict[int, StreetRates] = {}
    for row in callbacks.values("street_id").annotate(
        valid=Count("id"),
        contacted=Count("id", filter=Q(contacted=True)),
        resolved=Count("id", filter=Q(resolved=True)),
        satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basic=Count("id", filter=Q(satisfaction=Satisfaction.BASIC)),
    ):
        out[row["street_id"]] = StreetRates(**row)
    for street_id, n in volumes(first, after, street_ids).items():
        out.setdefault(street_id, StreetRates(street_id=street_id)).volume = n
    names = Street.objects.filter(pk__in=out).values_list("pk", "name", "district__name")
    for pk, name, district in names:
        out[pk].street, out[pk].district = name, district
    return {k: v.finish() for k, v in out.items()}


def _ranked(table: dict[int, StreetRates]) -> list[StreetRates]:
    """Rank the streets with at least HOTLINE_RANK_MIN_CALLBACKS valid call-backs by composite
    (a street with a single request cannot top the table); the others follow, unranked."""
    minimum = settings.HOTLINE_RANK_MIN_CALLBACKS
    eligible = sorted(
        (r for r in table.values() if r.valid >= minimum and r.composite is not None),
        key=lambda r: (-r.composite, -r.valid, r.street_id),
    )
    for i, r in enumerate(eligible, 1):
        r.rank = i
    rest = sorted(
        (r for r in table.values() if r.rank is None), key=lambda r: (-r.volume, r.street_id)
    )
    return eligible + rest


def top_by_volume(table: dict[int, StreetRates], n: int) -> list[StreetRates]:
    return sorted(table.values(), key=lambda r: (-r.volume, r.street_id))[:n]


def daily(day: date, top: int = 10) -> dict:
    """The day's table: the top streets by volume, and every street's rates."""
    table = rates(day, day + timedelta(days=1))
    return {"day": day, "top": top_by_volume(table, top), "streets": _ranked(table)}


def monthly(year: int, month: int) -> dict:
    """The month's ranking of all streets with the categories 先进 / 进步 / 整改 / 治理类."""
    first, after = month_range(year, month)
    table = rates(first, after)
    ranked = _ranked(table)
    py, pm = previous_month(year, month)
    previous_table = rates(*month_range(py, pm))
    previous = {r.street_id: r.rank for r in _ranked(previous_table)}
    # volumes of the last three months (this one included) for 治理类
    months = [(year, month), (py, pm), previous_month(py, pm)]
    top_n = settings.HOTLINE_GOVERNANCE_TOP
    in_top = {}
    for y, m in months:
        if (y, m) == (year, month):
            vols = {r.street_id: r.volume for r in table.values()}
        elif (y, m) == (py, pm):  # counted already with last month's rates
            vols = {r.street_id: r.volume for r in previous_table.values()}
        else:
            vols = volumes(*month_range(y, m))
        for street_id, _n in sorted(vols.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]:
            in_top[street_id] = in_top.get(street_id, 0) + 1
    ranked_count = sum(1 for r in ranked if r.rank)
    for r in ranked:
        r.previous_rank = previous.get(r.street_id)
        if r.rank is not None:
            if r.rank <= settings.HOTLINE_ADVANCED_TOP:
                r.categories.append(RankCategory.ADVANCED)
            if r.previous_rank and r.previous_rank - r.rank >= settings.HOTLINE_IMPROVED_PLACES:
                r.categories.append(RankCategory.IMPROVED)
            if (
                r.rank > ranked_count - settings.HOTLINE_RECTIFY_BOTTOM
                and r.rank > settings.HOTLINE_ADVANCED_TOP
            ):
                r.categories.append(RankCategory.RECTIFY)
        if in_top.get(r.street_id, 0) >= settings.HOTLINE_GOVERNANCE_MONTHS:
            r.categories.append(RankCategory.GOVERNANCE)
    return {"year": year, "month": month, "streets": ranked}


def street_trend(street_id: int, days: int = 30, end: date | None = None) -> list[StreetRates]:
    """A street's daily rates over the last `days` days (one query per aggregate)."""
    end = end or datetime.now(BEIJING).date()
    first = end - timedelta(days=days - 1)
    callbacks = (
        CallBack.objects.filter(
            latest=True, reached=True, street_id=street_id, called_on__gte=first, called_on__lte=end
        )
        .values("called_on")
        .annotate(
            valid=Count("id"),
            contacted=Count("id", filter=Q(contacted=True)),
            resolved=Count("id", filter=Q(resolved=True)),
            satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            basic=Count("id", filter=Q(satisfaction=Satisfaction.BASIC)),
        )
    )
    by_day = {row.pop("called_on"): row for row in callbacks}
    out = []
    for i in range(days):
        day = first + timedelta(days=i)
        r = StreetRates(street_id=street_id, **by_day.get(day, {})).finish()
        r.day = day
        out.append(r)
    return out
