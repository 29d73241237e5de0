"""双报到, feedback to employers (向党员所在单位反馈): per period (DUAL_FEEDBACK_PERIOD, a
quarter by default, in Beijing time) and per employer unit, a report on every member of the unit
registered with any community of the city: their registrations, the activities they were
checked in at and the hours served, and the members who served at none (约束机制).

How reports come to be, on the platform's one deadline engine (docs/deadlines.md):

1. `ensure_reports()` makes the `EmployerReport` rows (one per unit and period, idempotent: a
   unique constraint and a look-up of the existing rows) for every unit with a member whose
   registration is open during the period, and schedules them. Beat runs it nightly
   (`community.ensure_employer_reports`, 00:10 Beijing), for the current period and the one
   before it: a unit whose first member registered on the period's last evening, after that
   night's run, still gets its report (made after its deadline, it is due at once, and the
   next sweep generates it).
2. The row's deadline is the period's end (Beijing). The engine marks it there, by its timer or
   by the sweep, exactly once (its conditional UPDATE); `on_report_due` then freezes the
   figures into the row (`figures`, `generated_at`), records the `employer_report` event and
   tells the unit's contact, in the marking transaction.

Nightly creation rather than creation on a member's registration keeps `dual` untouched and
writes nothing per registration; the engine alone decides when a report is final. Until then,
the same computation (`employer_figures`) gives a live preview.

Figures name members and communities, and count activities and hours: never a phone or an
address (the snapshot is read by the unit, the streets and the district)."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TimelineEventType as T
from accounts.models import Community
from accounts.scope import scope_of
from accounts.services import record
from core.exports import table
from core.periods import BEIJING, Period, parse_period, periods_of
from dispatch import deadlines

from . import notify
from .choices import RegistrationStatus
from .dual import idle_members
from .models import EmployerReport, MemberRegistration, PartyUnit, SignUp, UnitRegistration

KINDS = ("month", "quarter", "year")  # the index in core.periods.periods_of
TENTH = Decimal("0.1")


# --- periods ---------------------------------------------------------------------------------


def period_of(moment=None, kind: str | None = None) -> str:
    """The code of the feedback period a moment falls in (Beijing): 2026-11, 2026-Q4, 2026."""
    kind = kind or settings.DUAL_FEEDBACK_PERIOD
    return periods_of(moment or timezone.now())[KINDS.index(kind)]


def _kind_of(code: str) -> str:
    return "year" if len(code) == 4 else "quarter" if "Q" in code else "month"


def _period(code: str) -> Period:
    period = parse_period(code)
    if period is None:
        raise ValueError(f"not a period: {code!r}")
    return period


def _previous(code: str) -> str:
    start, _end = _period(code).bounds
    return period_of(start - timedelta(seconds=1), _kind_of(code))


def _open_during(start, end) -> Q:
    """Member registrations open at some time in [start, end)."""
    return Q(registered_at__lt=end) & (Q(ended_at=None) | Q(ended_at__gte=start))


# --- the rows --------------------------------------------------------------------------------


def ensure_reports(period: str | None = None) -> int:
    """Make the missing reports of `period` (by default the current period and the one before
    it, see the module's docstring) for every unit with a member registered during it, and
    schedule them on the deadline engine. Safe to run twice, or two at once (the unique
    constraint; conflicts are ignored). Returns how many rows it made."""
    codes = [period] if period else [period_of(), _previous(period_of())]
    made = 0
    for code in codes:
        start, end = _period(code).bounds
        employers = MemberRegistration.objects.filter(_open_during(start, end)).values(
            "member__employer_id"
        )
        missing = list(
            PartyUnit.objects.filter(pk__in=employers)
            .exclude(pk__in=EmployerReport.objects.filter(period=code).values("unit_id"))
            .values_list("pk", flat=True)
        )
        if not missing:
            continue
        now = timezone.now()
        with transaction.atomic():
            EmployerReport.objects.bulk_create(
                [
                    EmployerReport(
                        unit_id=pk, period=code, starts_at=start, deadline=end, created_at=now
                    )
                    for pk in missing
                ],
                ignore_conflicts=True,
            )
            for report in EmployerReport.objects.filter(
                period=code, unit_id__in=missing, generated_at=None
            ).only("pk", "deadline"):
                deadlines.schedule(report)
        made += len(missing)
    return made


# --- the figures -----------------------------------------------------------------------------


def _day(moment) -> str | None:
    return moment.astimezone(BEIJING).date().isoformat() if moment else None


def _hours(value) -> Decimal:
    return Decimal(value or 0).quantize(TENTH, ROUND_HALF_UP)


def employer_figures(unit, period: str) -> dict:
    """The live figures of `unit` for `period` (a code): every member of the unit with a
    registration open during the period, their registrations (community, status), the
    activities they were checked in at that started in the period (anywhere) and their hours;
    the members marked idle (`dual.idle_members`); the totals. Three queries, whatever the
    number of members (grouped in the database). JSON-ready: hours as strings ("2.5")."""
    found = _period(period)
    start, end = found.bounds
    registrations = (
        MemberRegistration.objects.filter(_open_during(start, end), member__employer=unit)
        .order_by("member_id", "registered_at", "pk")
        .values(
            "member_id",
            "member__name",
            "community__name",
            "status",
            "registered_at",
            "ended_at",
        )
    )
    served = (
        SignUp.objects.filter(
            member__employer=unit,
            checked_in_at__isnull=False,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .values("member_id", "member__name")
        .annotate(activities=Count("pk"), hours=Sum("hours"))
        .order_by()
    )
    idle = (
        idle_members(Community.objects.all(), start, end)
        .filter(member__employer=unit)
        .order_by("member__name", "member_id")
        .values("member_id", "member__name", "community__name")
    )
    idle = list(idle)
    idle_ids = {row["member_id"] for row in idle}

    members: dict[int, dict] = {}

    def member(pk, name) -> dict:
        return members.setdefault(
            pk,
            {
                "member": pk,
                "name": name,
                "registrations": [],
                "communities": [],
                "status": "",
                "activities": 0,
                "hours": Decimal("0"),
                "idle": pk in idle_ids,
            },
        )

    for row in registrations:
        entry = member(row["member_id"], row["member__name"])
        entry["registrations"].append(
            {
                "community": row["community__name"],
                "status": row["status"],
                "registered": _day(row["registered_at"]),
                "ended": _day(row["ended_at"]),
            }
        )
        if row["community__name"] not in entry["communities"]:
            entry["communities"].append(row["community__name"])
        entry["status"] = row["status"]  # the latest registration's
    for row in served:
        entry = member(row["member_id"], row["member__name"])
        entry["activities"] = row["activities"]
        entry["hours"] = _hours(row["hours"])

    rows = sorted(members.values(), key=lambda m: (m["name"], m["member"]))
    hours = sum((m["hours"] for m in rows), Decimal("0"))
    totals = {
        "members": len(rows),
        "confirmed": sum(m["status"] == RegistrationStatus.CONFIRMED for m in rows),
        "activities": sum(m["activities"] for m in rows),
        "hours": str(hours),
        "idle": len(idle),
    }
    for entry in rows:
        entry["hours"] = str(entry["hours"])
    return {
        "unit": unit.name,
        "period": found.code,
        "first_day": found.start.isoformat(),
        "last_day": (found.end - timedelta(days=1)).isoformat(),
        "members": rows,
        "idle": [
            {"member": r["member_id"], "name": r["member__name"], "community": r["community__name"]}
            for r in idle
        ],
        "totals": totals,
    }


def on_report_due(report, now) -> None:
    """The deadline engine's `on_overdue`: the period has ended; once per report (the engine's
    conditional UPDATE), in the marking transaction. The figures are frozen into the row, the
    event recorded (counts only), the unit's contact told."""
    figures = employer_figures(report.unit, report.period)
    if not EmployerReport.objects.filter(pk=report.pk, generated_at=None).update(
        generated_at=now, figures=figures
    ):
        return
    report.generated_at, report.figures = now, figures
    totals = figures["totals"]
    record(
        T.EMPLOYER_REPORT,
        report,
        at=now,
        unit=report.unit_id,
        period=report.period,
        members=totals["members"],
        activities=totals["activities"],
        hours=totals["hours"],
        idle=totals["idle"],
    )
    notify.employer_report(report, totals)


def report_figures(report) -> dict:
    """The frozen figures once generated; before, the live preview."""
    if report.generated_at is not None:
        return report.figures
    return employer_figures(report.unit, report.period)


# --- reading: the printable page and the spreadsheet ------------------------------------------


def _status_label(code: str) -> str:
    return str(RegistrationStatus(code).label) if code in RegistrationStatus.values else ""


def report_context(report) -> dict:
    """What the printable page shows: the unit, the period, whether final, a row per member
    (statuses in words, hours as numbers), the idle and the totals."""
    figures = report_figures(report)
    members = [
        {
            **m,
            "hours": Decimal(m["hours"]),
            "status_label": _status_label(m["status"]),
            "registrations": [
                {**r, "status_label": _status_label(r["status"])} for r in m["registrations"]
            ],
        }
        for m in figures["members"]
    ]
    return {
        "report": report,
        "unit": report.unit,
        "period": report.period,
        "first_day": figures["first_day"],
        "last_day": figures["last_day"],
        "final": report.generated_at is not None,
        "generated_at": report.generated_at,
        "members": members,
        "idle": figures["idle"],
        "totals": {**figures["totals"], "hours": Decimal(figures["totals"]["hours"])},
    }


def report_xlsx(report) -> bytes:
    """The report as a spreadsheet (core.exports: text never runs as a formula): a row per
    member, then the totals."""
    context = report_context(report)
    headers = [
        _("Name"),
        _("Communities registered with"),
        _("Status"),
        _("Activities attended"),
        _("Hours"),
        _("Served at no activity"),
    ]
    rows = [
        [
            m["name"],
            "、".join(m["communities"]),
            m["status_label"],
            m["activities"],
            m["hours"],
            _("yes") if m["idle"] else "",
        ]
        for m in context["members"]
    ]
    totals = context["totals"]
    rows.append(
        [
            _("Total: %(count)s members") % {"count": totals["members"]},
            "",
            "",
            totals["activities"],
            totals["hours"],
            totals["idle"],
        ]
    )
    name = f"employer-report-{report.unit_id}-{report.period}"
    return table(
        "xlsx", headers=headers, rows=rows, name=name, sheet=report.period, freeze="B2"
    ).content


# --- who sees which reports -------------------------------------------------------------------


def employer_view(user):
    """The reports a person sees: the unit's contact their unit's; the street's people (and
    the district's, for their district's streets) those of the units registered with their
    streets during the report's period; the city every report. Anyone else none."""
    reports = EmployerReport.objects.select_related("unit")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return reports.none()
    scope = scope_of(user)
    if scope.everything:
        return reports
    seen = Q(unit__contact_user=user)
    if scope.street_ids or scope.district_ids:
        registered = UnitRegistration.objects.filter(
            Q(street_id__in=scope.street_ids) | Q(street__district_id__in=scope.district_ids),
            Q(ended_at=None) | Q(ended_at__gte=OuterRef("starts_at")),
            unit=OuterRef("unit_id"),
            registered_at__lt=OuterRef("deadline"),
        )
        seen |= Exists(registered)
    return reports.filter(seen)
