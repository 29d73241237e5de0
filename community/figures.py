"""The front line's figures, for the street's overview and the district's comparison (pages,
API and bench/frontline.py read the same functions). Each figure is one grouped query over
the street's or the district's rows: the number of queries does not grow with the data."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Community, Street
from core.periods import BEIJING

from .choices import OPEN_STATUSES, ReportStatus
from .models import (
    Adoption,
    Alley,
    AlleyChief,
    FrontlineReport,
    HouseholdCount,
    Patrol,
    Steward,
    Visit,
)

MONTHS = 6  # patrols per alley: this month and the five before
AGE_BUCKETS = [  # (code, label source, upper bound in hours; None: no bound)
    ("day", 24),
    ("three_days", 72),
    ("week", 168),
    ("older", None),
]


def _month_starts(today: date, months: int = MONTHS) -> list[date]:
    first = today.replace(day=1)
    starts = []
    for _i in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(starts))


def _beijing(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), BEIJING)


def bar() -> float:
    return settings.FRONTLINE_VISIT_BAR_PERCENT / 100


@dataclass
class VisitRate:
    community_id: int
    name: str
    street_id: int
    street_name: str = ""
    households: int | None = None  # None: not counted
    visited: int = 0

    @property
    def rate(self) -> float | None:
        if not self.households:
            return None
        return self.visited / self.households

    @property
    def below_bar(self) -> bool:
        return self.rate is None or self.rate < bar()


def visit_rates(communities, year: int) -> list[VisitRate]:
    """The yearly visit rate of each community (distinct households visited in the year over
    the year's household count, else the latest count before it); those below the bar (or not
    counted) first, lowest first. Three queries whatever the number of communities (one when
    there is none)."""
    rows = {
        c["pk"]: VisitRate(c["pk"], c["name"], c["street_id"], c["street__name"])
        for c in communities.values("pk", "name", "street_id", "street__name")
    }
    # The ids as a list, not a subquery: `community_id = ANY(…)` on the leading column of the
    # visits' (community, visited_on, household) index comes out ordered by community, so the
    # distinct count needs no sort of the year's visits (bench/frontline.py: a district of
    # 1 M visits in the year, 1.1 s with the subquery, 0.44 s with the list).
    ids = list(rows)
    counts = (
        HouseholdCount.objects.filter(community_id__in=ids, year__lte=year)
        .order_by("community_id", "-year")
        .values_list("community_id", "households")
    )
    for community_id, households in counts:
        if community_id in rows and rows[community_id].households is None:
            rows[community_id].households = households
    visited = (
        Visit.objects.filter(
            community_id__in=ids,
            visited_on__gte=date(year, 1, 1),
            visited_on__lt=date(year + 1, 1, 1),
        )
        .values("community_id")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("community_id", "n")
    )
    for community_id, n in visited:
        rows[community_id].visited = n
    return sorted(
        rows.values(),
        key=lambda r: (not r.below_bar, r.rate if r.rate is not None else -1, r.community_id),
    )


@dataclass
class AlleyRow:
    alley: Alley
    stewards: int
    open_reports: int
    patrols: list[int] = field(default_factory=list)  # per month of `months`


@dataclass
class StreetOverview:
    street: Street
    today: date
    months: list[date]
    alleys: list[AlleyRow]
    stewards_by_kind: dict[str, int]
    stewards_active: int
    reports_by_status: dict[str, int]
    open_by_age: dict[str, int]
    overdue_open: int
    visits: list[VisitRate]

    @property
    def alleys_without_steward(self) -> list[AlleyRow]:
        return [row for row in self.alleys if not row.stewards]

    @property
    def alleys_without_chief(self) -> list[AlleyRow]:
        return [row for row in self.alleys if not row.alley.chief_id]


def _age_case(now):
    whens = []
    for code, hours in AGE_BUCKETS:
        if hours is None:
            break
        whens.append(When(reported_at__gt=now - timedelta(hours=hours), then=Value(code)))
    return Case(*whens, default=Value(AGE_BUCKETS[-1][0]))


def street_overview(street, today: date | None = None) -> StreetOverview:
    """Stewards per alley, alleys without a steward, reports by status and age, patrols per
    alley per month, visit rates: nine queries whatever the street's size."""
    now = timezone.now()
    today = today or timezone.localdate(now, BEIJING)
    months = _month_starts(today)
    alleys = list(
        Alley.objects.filter(street=street)
        .select_related("community")
        .with_chief_and_stewards()
        .annotate(
            open_count=Subquery(
                FrontlineReport.objects.filter(alley=OuterRef("pk"), status__in=OPEN_STATUSES)
                .values("alley")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
        )
        .order_by("community_id", "id")
    )
    patrols = {}
    for alley_id, month, n in (
        Patrol.objects.filter(street=street, started_at__gte=_beijing(months[0]))
        .annotate(month=TruncMonth("started_at", tzinfo=BEIJING))
        .values("alley_id", "month")
        .annotate(n=Count("pk"))
        .values_list("alley_id", "month", "n")
    ):
        month_day = month.date() if isinstance(month, datetime) else month
        patrols[(alley_id, month_day)] = n
    rows = [
        AlleyRow(
            alley=a,
            stewards=a.steward_count or 0,
            open_reports=a.open_count or 0,
            patrols=[patrols.get((a.pk, m), 0) for m in months],
        )
        for a in alleys
    ]
    kinds = dict(
        Steward.objects.filter(street=street, left_on=None)
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    statuses = dict(
        FrontlineReport.objects.filter(street=street)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    open_reports = FrontlineReport.objects.filter(street=street, status__in=OPEN_STATUSES)
    ages = dict(
        open_reports.annotate(age=_age_case(now))
        .values("age")
        .annotate(n=Count("pk"))
        .values_list("age", "n")
    )
    # untouched too long: still new, past its time (an accepted report is being handled)
    overdue = open_reports.filter(status=ReportStatus.NEW, overdue_at__isnull=False).count()
    return StreetOverview(
        street=street,
        today=today,
        months=months,
        alleys=rows,
        stewards_by_kind=kinds,
        stewards_active=sum(kinds.values()),
        reports_by_status={s.value: statuses.get(s.value, 0) for s in ReportStatus},
        open_by_age={code: ages.get(code, 0) for code, _h in AGE_BUCKETS},
        overdue_open=overdue,
        visits=visit_rates(Community.objects.filter(street=street), today.year),
    )


@dataclass
class StreetRow:
    street: Street
    alleys: int = 0
    alleys_with_chief: int = 0
    alleys_without_steward: int = 0
    stewards: int = 0
    reports: int = 0  # filed in the last 30 days
    open_reports: int = 0
    overdue_open: int = 0
    patrols: int = 0  # this month
    households: int = 0
    visited: int = 0
    communities_below: int = 0

    @property
    def visit_rate(self) -> float | None:
        return self.visited / self.households if self.households else None


@dataclass
class DistrictComparison:
    today: date
    streets: list[StreetRow]
    communities: list[VisitRate]  # of every street, below the bar first


def district_comparison(district, today: date | None = None) -> DistrictComparison:
    """The district's streets side by side on the overview's figures: eight grouped queries
    whatever the number of streets, alleys, stewards or patrols."""
    now = timezone.now()
    today = today or timezone.localdate(now, BEIJING)
    streets = list(Street.objects.filter(district=district).order_by("id"))
    rows = {s.pk: StreetRow(street=s) for s in streets}
    in_district = Q(street__district=district)

    has_chief = AlleyChief.objects.filter(alley=OuterRef("pk"), until=None)
    has_steward = Adoption.objects.filter(alley=OuterRef("pk"), end=None)
    for r in (
        Alley.objects.filter(in_district)
        .values("street_id")
        .annotate(
            n=Count("pk"),
            chief=Sum(Case(When(Exists(has_chief), then=1), default=0)),
            lonely=Sum(Case(When(~Exists(has_steward), then=1), default=0)),
        )
    ):
        row = rows[r["street_id"]]
        row.alleys, row.alleys_with_chief, row.alleys_without_steward = (
            r["n"],
            r["chief"] or 0,
            r["lonely"] or 0,
        )
    for street_id, n in (
        Steward.objects.filter(in_district, left_on=None)
        .values("street_id")
        .annotate(n=Count("pk"))
        .values_list("street_id", "n")
    ):
        rows[street_id].stewards = n
    since = now - timedelta(days=30)
    for r in (
        FrontlineReport.objects.filter(in_district)
        .filter(Q(reported_at__gte=since) | Q(status__in=OPEN_STATUSES))
        .values("street_id")
        .annotate(
            recent=Count("pk", filter=Q(reported_at__gte=since)),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=Q(status=ReportStatus.NEW, overdue_at__isnull=False)),
        )
    ):
        row = rows[r["street_id"]]
        row.reports, row.open_reports, row.overdue_open = r["recent"], r["open"], r["overdue"]
    month_start = _beijing(today.replace(day=1))
    for street_id, n in (
        Patrol.objects.filter(in_district, started_at__gte=month_start)
        .values("street_id")
        .annotate(n=Count("pk"))
        .values_list("street_id", "n")
    ):
        rows[street_id].patrols = n
    communities = visit_rates(Community.objects.filter(street__district=district), today.year)
    for rate in communities:
        row = rows[rate.street_id]
        row.households += rate.households or 0
        row.visited += rate.visited if rate.households else 0
        row.communities_below += rate.below_bar
    return DistrictComparison(today=today, streets=list(rows.values()), communities=communities)
