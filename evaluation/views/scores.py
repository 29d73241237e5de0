"""The district's department scores (部门考核) for a period: the ranking and its trend, the
export, the confirmation that locks them."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.models import District
from accounts.scope import scope_of
from config.errors import Conflict
from core import exports
from core.charts import LineChart
from core.ids import MAX_ID
from core.periods import months_ending

from .. import scoring, services
from ..models import DepartmentScore
from ._common import _may_review, minutes, percent, period_label

TREND_DEPARTMENTS = 5
TREND_MONTHS = 12
PALETTE = ["#b71c1c", "#1565c0", "#1b7f3b", "#b26a00", "#6a1b9a"]


def _two_places(value) -> str:
    return "—" if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _period_choices(selected: str) -> list[dict]:
    """The picker: the last 12 months, 8 quarters, 3 years (and the selected one)."""
    now = timezone.now()
    month, quarter, year = scoring.periods_of(now)
    months = months_ending(month, 12)[::-1]
    quarters, y, q = [], int(quarter[:4]), int(quarter[6])
    for _i in range(8):
        quarters.append(f"{y}-Q{q}")
        q -= 1
        if q == 0:
            y, q = y - 1, 4
    years = [str(int(year) - i) for i in range(3)]
    groups = [
        {"label": _("Month"), "codes": months},
        {"label": _("Quarter"), "codes": quarters},
        {"label": _("Year"), "codes": years},
    ]
    if (
        selected
        and scoring.parse_period(selected)
        and not any(selected in g["codes"] for g in groups)
    ):
        groups.insert(0, {"label": _("Chosen"), "codes": [selected]})
    return [
        {
            "label": g["label"],
            "options": [{"code": c, "label": period_label(c)} for c in g["codes"]],
        }
        for g in groups
    ]


def _positive_id(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID and str(number) == str(value).strip() else None


def _choose(request, params):
    """(districts, district, period code, errors) from ?district=&period=. A district id outside
    the person's scope is a 404; a malformed one or a bad period is an error."""
    user = request.user
    districts = list(District.objects.visible_to(user).order_by("id"))
    errors = {}
    district = None
    raw = params.get("district")
    if raw not in (None, ""):
        pk = _positive_id(raw)
        if pk is None:
            errors["district"] = _("Choose a district from the list.")
        else:
            district = next((d for d in districts if d.pk == pk), None)
            if district is None:
                raise Http404
    elif districts:
        home = scope_of(user).home_district_ids
        district = next((d for d in districts if d.pk in home), districts[0])
    code = params.get("period") or scoring.periods_of(timezone.now())[0]
    if scoring.parse_period(code) is None:
        errors["period"] = _("Write the period as YYYY-MM, YYYY-Qn or YYYY.")
        code = None
    return districts, district, code, errors


def _ranking(user, district, code) -> list[DepartmentScore]:
    """The district's departments by final score; those summoned fewer than
    EVALUATION_RANK_MIN_CHECK_INS times in the period come after, without a rank (as the
    12345 ranking leaves out streets with too few call-backs)."""
    rows = list(
        DepartmentScore.objects.visible_to(user)
        .filter(district=district, period=code)
        .select_related("department")
        .annotate(final=Coalesce(F("adjusted_score"), F("score")))
        .order_by("-final", "department_id")
    )
    minimum = settings.EVALUATION_RANK_MIN_CHECK_INS
    ranked = [row for row in rows if row.check_ins >= minimum]
    rows = ranked + [row for row in rows if row.check_ins < minimum]  # each part by score
    for i, row in enumerate(rows):
        row.rank = i + 1 if i < len(ranked) else None
        row.p50_minutes = minutes(row.check_in_seconds_p50)
        row.p90_minutes = minutes(row.check_in_seconds_p90)
        row.on_time_percent = percent(row.on_time_rate)
        row.overdue_percent = percent(row.overdue_share)
        row.means = " / ".join(
            _two_places(v) for v in (row.mean_response, row.mean_cooperation, row.mean_result)
        )
        row.mean = _two_places(row.mean_rating)
    return rows


def _trend(user, district, code, rows) -> dict | None:
    """Final score per month for the last 12 months of the top departments, as SVG geometry
    (one query for every row)."""
    top = rows[:TREND_DEPARTMENTS]
    if not top:
        return None
    period = scoring.parse_period(code)
    last = period.end - timedelta(days=1)
    last_month = min(f"{last.year}-{last.month:02d}", scoring.periods_of(timezone.now())[0])
    months = months_ending(last_month, TREND_MONTHS)
    values = {}
    for department_id, month, score, adjusted in (
        DepartmentScore.objects.visible_to(user)
        .filter(district=district, department_id__in=[r.department_id for r in top])
        .filter(period__in=months)
        .values_list("department_id", "period", "score", "adjusted_score")
    ):
        values[(department_id, month)] = adjusted if adjusted is not None else score
    chart = LineChart(points=len(months), height=260, maximum=100)
    series = []
    for n, row in enumerate(top):
        segments, dots = chart.line(
            [values.get((row.department_id, month)) for month in months],
            lambda i, value: {"value": value, "month": months[i]},
        )
        series.append(
            {
                "name": row.department.name,
                "color": PALETTE[n % len(PALETTE)],
                "segments": segments,
                "dots": dots,
            }
        )
    return {
        **chart.frame(),
        "grid": chart.grid((v, v) for v in (0, 25, 50, 75, 100)),
        "months": [
            {"x": chart.x(i), "label": m if i == 0 or m.endswith("-01") else m[5:], "code": m}
            for i, m in enumerate(months)
        ],
        "series": series,
        "first": months[0],
        "last": months[-1],
    }


@login_required
def scores(request):
    user = request.user
    districts, district, code, errors = _choose(request, request.GET)
    rows = _ranking(user, district, code) if district and not errors else []
    may_review = district is not None and _may_review(user, district.pk)
    query = urlencode({"district": district.pk, "period": code}) if district and code else ""
    return render(
        request,
        "evaluation/scores.html",
        {
            "districts": districts,
            "district": district,
            "period": code,
            "period_label": period_label(code) if code else "",
            "period_groups": _period_choices(code or request.GET.get("period", "")),
            "errors": errors,
            "rows": rows,
            "trend": _trend(user, district, code, rows) if rows else None,
            "may_review": may_review,
            "open_count": sum(1 for r in rows if r.confirmed_at is None),
            "query": query,
            "weights": scoring.weights(),
            "rank_minimum": settings.EVALUATION_RANK_MIN_CHECK_INS,
            "unranked": sum(1 for r in rows if r.rank is None),
        },
    )


EXPORT_COLUMNS = [
    ("rank", "Rank"),
    ("department", "Department"),
    ("final", "Final score"),
    ("score", "Computed score"),
    ("adjusted", "Adjusted"),
    ("adjustment_reason", "Reason for the adjustment"),
    ("on_time_rate", "On-time rate (%)"),
    ("p50", "Time to check in, median (min)"),
    ("p90", "Time to check in, 90% within (min)"),
    ("overdue", "Overdue"),
    ("overdue_share", "Overdue share (%)"),
    ("mean_response", "Mean response"),
    ("mean_cooperation", "Mean cooperation"),
    ("mean_result", "Mean result"),
    ("mean_rating", "Mean rating"),
    ("vetoes", "Number of vetoes"),
    ("whistles", "Whistles served"),
    ("check_ins", "Summonses"),
    ("rated", "Evaluations with ratings"),
    ("lapsed", "Evaluations lapsed"),
    ("confirmed", "Confirmed"),
]


def _headers():
    # the msgids of EXPORT_COLUMNS, marked for makemessages here
    labels = {
        "Rank": _("Rank"),
        "Department": _("Department"),
        "Final score": _("Final score"),
        "Computed score": _("Computed score"),
        "Adjusted": _("Adjusted"),
        "Reason for the adjustment": _("Reason for the adjustment"),
        "On-time rate (%)": _("On-time rate (%)"),
        "Time to check in, median (min)": _("Time to check in, median (min)"),
        "Time to check in, 90% within (min)": _("Time to check in, 90% within (min)"),
        "Overdue": _("Overdue"),
        "Overdue share (%)": _("Overdue share (%)"),
        "Mean response": _("Mean response"),
        "Mean cooperation": _("Mean cooperation"),
        "Mean result": _("Mean result"),
        "Mean rating": _("Mean rating"),
        "Number of vetoes": _("Number of vetoes"),
        "Whistles served": _("Whistles served"),
        "Summonses": _("Summonses"),
        "Evaluations with ratings": _("Evaluations with ratings"),
        "Evaluations lapsed": _("Evaluations lapsed"),
        "Confirmed": _("Confirmed"),
    }
    return [labels[msgid] for _key, msgid in EXPORT_COLUMNS]


def _export_values(row) -> list:
    def number(value, places="0.01"):
        return None if value is None else Decimal(value).quantize(Decimal(places))

    def pct(value):
        return None if value is None else (Decimal(value) * 100).quantize(Decimal("0.1"))

    def mins(seconds):
        return None if seconds is None else Decimal(minutes(seconds))

    yes, no = _("Yes"), _("No")
    values = {
        "rank": row.rank,
        "department": row.department.name,
        "final": number(row.final_score),
        "score": number(row.score),
        "adjusted": yes if row.adjusted_score is not None else no,
        "adjustment_reason": row.adjustment_reason,
        "on_time_rate": pct(row.on_time_rate),
        "p50": mins(row.check_in_seconds_p50),
        "p90": mins(row.check_in_seconds_p90),
        "overdue": row.overdue,
        "overdue_share": pct(row.overdue_share),
        "mean_response": number(row.mean_response, "0.001"),
        "mean_cooperation": number(row.mean_cooperation, "0.001"),
        "mean_result": number(row.mean_result, "0.001"),
        "mean_rating": number(row.mean_rating, "0.001"),
        "vetoes": row.vetoes,
        "whistles": row.whistles,
        "check_ins": row.check_ins,
        "rated": row.rated,
        "lapsed": row.lapsed,
        "confirmed": yes if row.confirmed_at is not None else no,
    }
    return [values[key] for key, _msgid in EXPORT_COLUMNS]


@login_required
def scores_export(request):
    user = request.user
    kind = request.GET.get("format", "csv")
    if kind not in exports.FORMATS:
        return exports.bad_request(_("Choose the format: csv or xlsx."))
    _districts, district, code, errors = _choose(request, request.GET)
    if errors:
        return exports.bad_request(" ".join(str(e) for e in errors.values()))
    if district is None:
        return exports.bad_request(_("Choose a district from the list."))
    return exports.table(
        kind,
        headers=_headers(),
        rows=[_export_values(row) for row in _ranking(user, district, code)],
        name=f"department-scores-{district.code or district.pk}-{code}",
        sheet=code,
        freeze="C2",
    )


@login_required
@require_POST
def scores_confirm(request):
    user = request.user
    if not scope_of(user).has_role(Role.DISTRICT_REVIEWER):
        raise PermissionDenied(_("Only the district's reviewers review vetoes and scores."))
    _districts, district, code, errors = _choose(request, request.POST)
    if errors or not request.POST.get("district") or not request.POST.get("period"):
        messages.error(request, " ".join(str(e) for e in errors.values()) or _("Nothing done."))
        return redirect("evaluation:scores")
    services.require_reviewer(user, district.pk)
    target = (
        f"{reverse('evaluation:scores')}?{urlencode({'district': district.pk, 'period': code})}"
    )
    try:
        count = services.confirm_period(user, district, code)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "Confirmed: %(count)d score of %(district)s for %(period)s is now locked.",
                "Confirmed: %(count)d scores of %(district)s for %(period)s are now locked.",
                count,
            )
            % {"count": count, "district": district.name, "period": period_label(code)},
        )
    return redirect(target)
