"""Pages of the evaluation (评价), the vetoes (否决) and the department scores (部门考核).

Every object is looked up through `visible_to(request.user)` first (outside the person's
scope: 404); in scope without the role or the power: 403; then the service decides (its
ValidationError goes back on the form, a Conflict becomes a message and a redirect)."""

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
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
from core.forms import apply_service_errors
from core.ids import MAX_ID
from core.periods import months_ending
from dispatch.models import CheckIn
from whistle.choices import WhistleStatus
from whistle.models import Whistle

from . import scoring, services
from .choices import EvaluationStatus, Timeliness, VetoStatus
from .forms import AdjustForm, EvaluateForm, VetoReviewForm
from .models import DepartmentScore, Evaluation, EvaluationWindow

PAGE_SIZE = 20
DRILL_PAGE_SIZE = 100
TREND_DEPARTMENTS = 5
TREND_MONTHS = 12
PALETTE = ["#b71c1c", "#1565c0", "#1b7f3b", "#b26a00", "#6a1b9a"]


# --- small helpers ---------------------------------------------------------------------------


def _may_review(user, district_id) -> bool:
    # services.may_review(user, None) is true for a reviewer of any district: a score without
    # a district is reviewed by nobody here.
    return district_id is not None and services.may_review(user, district_id)


def _whole_minutes(seconds) -> int:
    return int(Decimal(seconds / 60).quantize(Decimal(1), ROUND_HALF_UP))


def minutes(seconds) -> str:
    """Seconds as minutes with one decimal ("12.5"), or "—"."""
    if seconds is None:
        return "—"
    return str(Decimal(seconds / 60).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _two_places(value) -> str:
    return "—" if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def percent(ratio) -> str:
    if ratio is None:
        return "—"
    return f"{(Decimal(ratio) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def timeliness_words(check_in) -> tuple[str, str]:
    """(kind, words) of a check-in: "On site in time, 12 min", "Late by 8 min", ..."""
    kind, late, seconds = scoring.timeliness(check_in)
    if kind == Timeliness.ON_TIME:
        return kind, _("On site in time, %(minutes)s min") % {"minutes": _whole_minutes(seconds)}
    if kind == Timeliness.LATE:
        return kind, _("Late by %(minutes)s min") % {"minutes": max(1, math.ceil(late / 60))}
    if kind == Timeliness.NO_SHOW:
        return kind, str(Timeliness.NO_SHOW.label)
    if check_in.released_at is not None:
        return kind, str(Timeliness.NOT_NEEDED.label)
    return "waiting", _("Not on site yet")


def period_label(code) -> str:
    period = scoring.parse_period(code)
    if period is None:
        return code
    if len(code) == 7 and code[5] == "Q":
        return _("Q%(quarter)s %(year)s") % {"year": code[:4], "quarter": code[6]}
    if len(code) == 7:
        return _("%(month)s/%(year)s") % {"year": code[:4], "month": int(code[5:])}
    return _("Year %(year)s") % {"year": code}


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


# --- the whistle: evaluating the departments it summoned ---------------------------------------


def _whistle_page(request, whistle, bound=None, status=200):
    """The whistle's evaluation page; `bound` is (check-in id, form) after an invalid post."""
    user = request.user
    check_ins = list(
        CheckIn.objects.visible_to(user)
        .filter(whistle=whistle)
        .select_related("department")
        .annotate(evaluated=Exists(Evaluation.objects.filter(check_in=OuterRef("pk"))))
        .order_by("id")
    )
    evaluations = {
        e.check_in_id: e
        for e in Evaluation.objects.visible_to(user)
        .filter(whistle=whistle)
        .select_related("evaluated_by", "veto_reviewed_by")
    }
    window = EvaluationWindow.objects.filter(whistle=whistle).first()
    may_evaluate = services.may_evaluate(user, whistle.street_id)
    evaluable = may_evaluate and whistle.status in services.EVALUABLE
    may_veto_check_in = (
        services.veto_check(user, whistle.street_id) if evaluable else (lambda c: False)
    )
    rows = []
    for c in check_ins:
        kind, words = timeliness_words(c)
        may_veto = may_veto_check_in(c)
        form = None
        if evaluable and not c.evaluated:
            form = bound[1] if bound and bound[0] == c.pk else EvaluateForm(check_in_id=c.pk)
        rows.append(
            {
                "check_in": c,
                "kind": kind,
                "words": words,
                "evaluation": evaluations.get(c.pk),
                "form": form,
                "may_veto": may_veto,
            }
        )
    waiting = sum(1 for c in check_ins if not c.evaluated)
    return render(
        request,
        "evaluation/whistle.html",
        {
            "whistle": whistle,
            "rows": rows,
            "window": window,
            "waiting": waiting,
            "may_evaluate": may_evaluate,
            "evaluable": evaluable,
            "now": timezone.now(),
            "WhistleStatus": WhistleStatus,
            "EvaluationStatus": EvaluationStatus,
            "VetoStatus": VetoStatus,
        },
        status=status,
    )


@login_required
def whistle(request, pk):
    whistle = get_object_or_404(
        Whistle.objects.visible_to(request.user).select_related("street"), pk=pk
    )
    return _whistle_page(request, whistle)


@login_required
@require_POST
def evaluate(request, pk):
    user = request.user
    check_in = get_object_or_404(
        CheckIn.objects.visible_to(user).select_related("whistle__street", "department", "station"),
        pk=pk,
    )
    services.require_evaluator(user, check_in)
    target = f"{reverse('evaluation:whistle', args=[check_in.whistle_id])}#check-in-{pk}"
    # said before the form is checked: the page would show no form to put its errors on
    if check_in.whistle.status not in services.EVALUABLE:
        messages.error(
            request,
            _("Departments are evaluated once the whistle is resolved (it is now “%(status)s”).")
            % {"status": check_in.whistle.get_status_display()},
        )
        return redirect(target)
    if Evaluation.objects.filter(check_in=check_in).exists():
        messages.error(request, _("This check-in has already been evaluated."))
        return redirect(target)
    form = EvaluateForm(request.POST, check_in_id=pk)
    if form.fields["veto"].clean(request.POST.get("veto")) and not services.may_veto(
        user, check_in
    ):
        raise PermissionDenied(
            _("%(street)s does not hold the veto (否决权) over %(department)s.")
            % {"street": check_in.whistle.street.name, "department": check_in.department.name}
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluate(
                user,
                check_in,
                response=data["response"],
                cooperation=data["cooperation"],
                result=data["result"],
                comment=data["comment"],
                veto=data["veto"],
                veto_reason=data["veto_reason"],
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(target)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if data["veto"]:
                messages.success(
                    request,
                    _("%(department)s evaluated and vetoed; the district will review the veto.")
                    % {"department": check_in.department.name},
                )
            else:
                messages.success(
                    request,
                    _("%(department)s evaluated.") % {"department": check_in.department.name},
                )
            return redirect(target)
    return _whistle_page(request, check_in.whistle, bound=(check_in.pk, form))


# --- vetoes and their review by the district ---------------------------------------------------


@login_required
def vetoes(request):
    user = request.user
    queryset = (
        Evaluation.objects.visible_to(user)
        .exclude(veto_status=VetoStatus.NONE)
        .select_related("whistle", "street", "department", "evaluated_by", "veto_reviewed_by")
        .annotate(
            pending_first=Case(
                When(veto_status=VetoStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "-evaluated_at", "-id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for e in page:
        e.may_review = e.veto_status == VetoStatus.PENDING and _may_review(
            user, e.street.district_id
        )
    return render(
        request,
        "evaluation/vetoes.html",
        {"page": page, "query": "", "form": VetoReviewForm(), "VetoStatus": VetoStatus},
    )


@login_required
@require_POST
def veto_review(request, pk):
    user = request.user
    evaluation = get_object_or_404(
        Evaluation.objects.visible_to(user).select_related("whistle", "street", "department"),
        pk=pk,
    )
    if not _may_review(user, evaluation.street.district_id):
        raise PermissionDenied(_("Only the district's reviewers review vetoes and scores."))
    target = f"{reverse('evaluation:vetoes')}#veto-{pk}"
    form = VetoReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    upheld = form.cleaned_data["decision"] == "uphold"
    try:
        services.review_veto(user, evaluation, upheld=upheld, reason=form.cleaned_data["reason"])
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        words = (
            _("The veto on %(department)s (whistle %(number)s) was upheld")
            if upheld
            else _("The veto on %(department)s (whistle %(number)s) was overturned")
        )
        messages.success(
            request,
            words % {"department": evaluation.department.name, "number": evaluation.whistle.number},
        )
    return redirect(target)


# --- department scores -------------------------------------------------------------------------


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
    rows.sort(key=lambda row: row.check_ins < minimum)  # stable: each part stays by score
    ranked = [row for row in rows if row.check_ins >= minimum]
    for rank, row in enumerate(ranked, 1):
        row.rank = rank
    for row in rows:
        row.rank = getattr(row, "rank", None)
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


# --- one department's score: components, formula, drill-down, adjustment ----------------------


def _scores(user):
    return DepartmentScore.objects.visible_to(user).select_related(
        "department", "district", "adjusted_by", "confirmed_by"
    )


def _minutes_or_dash(seconds) -> str:
    if seconds is None:
        return "—"
    return _("%(minutes)s min") % {"minutes": minutes(seconds)}


def _components(score) -> list[dict]:
    def mean(value):
        return "—" if value is None else str(Decimal(value).quantize(Decimal("0.01")))

    return [
        {
            "label": _("Whistles served"),
            "value": score.whistles,
            "meaning": _(
                "Whistles blown in the period, resolved or closed, that summoned the department."
            ),
        },
        {
            "label": _("Summonses"),
            "value": score.check_ins,
            "meaning": _("Its check-ins on these whistles (one per summons)."),
        },
        {
            "label": _("Summonses with a timeliness"),
            "value": score.timed,
            "meaning": _(
                "Summonses not released before the deadline: those that count for timeliness."
            ),
        },
        {
            "label": _("On site in time"),
            "value": score.on_time,
            "meaning": _("Checked in (报到) within the %(minutes)s-minute deadline.")
            % {"minutes": settings.WHISTLE_CHECKIN_DEADLINE_SECONDS // 60},
        },
        {
            "label": _("On-time rate"),
            "value": percent(score.on_time_rate),
            "meaning": _("On site in time ÷ summonses with a timeliness."),
        },
        {
            "label": _("Overdue"),
            "value": score.overdue,
            "meaning": _("Summonses still without a check-in when the deadline passed."),
        },
        {
            "label": _("Overdue share"),
            "value": percent(score.overdue_share),
            "meaning": _("Overdue ÷ summonses with a timeliness."),
        },
        {
            "label": _("Time to check in, median"),
            "value": _minutes_or_dash(score.check_in_seconds_p50),
            "meaning": _("Half of the check-ins came within this time after the summons."),
        },
        {
            "label": _("Time to check in, 90% within"),
            "value": _minutes_or_dash(score.check_in_seconds_p90),
            "meaning": _("Nine check-ins in ten came within this time."),
        },
        {
            "label": _("Evaluations with ratings"),
            "value": score.rated,
            "meaning": _("Check-ins the street's party committee evaluated."),
        },
        {
            "label": _("Evaluations lapsed"),
            "value": score.lapsed,
            "meaning": _(
                "Not evaluated before the window closed: they count for timeliness, not ratings."
            ),
        },
        {
            "label": _("Mean response"),
            "value": mean(score.mean_response),
            "meaning": _("Ratings from 1 to 5."),
        },
        {
            "label": _("Mean cooperation"),
            "value": mean(score.mean_cooperation),
            "meaning": _("Ratings from 1 to 5."),
        },
        {
            "label": _("Mean result"),
            "value": mean(score.mean_result),
            "meaning": _("Ratings from 1 to 5."),
        },
        {
            "label": _("Mean rating"),
            "value": mean(score.mean_rating),
            "meaning": _("The mean of the three ratings of each evaluation."),
        },
        {
            "label": _("Number of vetoes"),
            "value": score.vetoes,
            "meaning": _("Vetoes awaiting review or upheld (an overturned veto does not count)."),
        },
    ]


def _steps(score) -> dict:
    """The formula applied to the stored components, step by step."""
    t = scoring.terms(score.on_time_rate, score.mean_rating, score.overdue_share, score.vetoes)
    w, rate, rating, share = t.weights, t.on_time_rate, t.mean_rating, t.overdue_share
    q2 = Decimal("0.01")
    on_time, rated, not_overdue, veto, total = t.on_time, t.rating, t.not_overdue, t.veto, t.total
    result = scoring.formula(
        score.on_time_rate, score.mean_rating, score.overdue_share, score.vetoes
    )
    steps = [
        {
            "label": _("On time"),
            "expression": f"{w['on_time']} × {rate}",
            "value": on_time.quantize(q2),
            "note": _("No summons to judge timeliness by: the rate counts as 100%.")
            if score.on_time_rate is None
            else "",
        },
        {
            "label": _("Ratings"),
            "expression": f"{w['rating']} × ({rating} − 1) ÷ 4",
            "value": rated.quantize(q2),
            "note": _("No rating: the mean counts as 3 (neutral).")
            if score.mean_rating is None
            else "",
        },
        {
            "label": _("Not overdue"),
            "expression": f"{w['not_overdue']} × (1 − {share})",
            "value": not_overdue.quantize(q2),
            "note": "",
        },
        {
            "label": _("Vetoes"),
            "expression": f"− {w['veto']} × {score.vetoes}",
            "value": (-veto).quantize(q2),
            "note": "",
        },
    ]
    return {
        "steps": steps,
        "sum": total.quantize(q2),
        "result": result,
        "floored": total < 0,
        "matches": result == score.score,
    }


def _score_page(request, score, form=None, status=200):
    user = request.user
    start, end = scoring.parse_period(score.period).bounds
    check_ins = (
        CheckIn.objects.visible_to(user)
        .filter(
            department_id=score.department_id,
            whistle__status__in=scoring.COUNTED,
            whistle__blown_at__gte=start,
            whistle__blown_at__lt=end,
        )
        .select_related("whistle__street")
        .order_by("whistle__blown_at", "id")
    )
    page = Paginator(check_ins, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page)
    evaluations = {
        e.check_in_id: e
        for e in Evaluation.objects.visible_to(user).filter(check_in__in=[c.pk for c in shown])
    }
    rows = []
    for c in shown:
        kind, words = timeliness_words(c)
        _kind, _late, seconds = scoring.timeliness(c)
        rows.append(
            {
                "check_in": c,
                "kind": kind,
                "words": words,
                "minutes": minutes(seconds),
                "evaluation": evaluations.get(c.pk),
            }
        )
    may_review = _may_review(user, score.district_id)
    if form is None and may_review and score.confirmed_at is None:
        form = AdjustForm(
            initial={"adjusted_score": score.adjusted_score, "reason": score.adjustment_reason}
        )
    return render(
        request,
        "evaluation/score.html",
        {
            "score": score,
            "period_label": period_label(score.period),
            "components": _components(score),
            "formula": _steps(score),
            "weights": scoring.weights(),
            "page": page,
            "rows": rows,
            "hidden": max(0, score.check_ins - page.paginator.count),
            "query": "",
            "may_review": may_review,
            "form": form if may_review and score.confirmed_at is None else None,
            "EvaluationStatus": EvaluationStatus,
            "VetoStatus": VetoStatus,
        },
        status=status,
    )


@login_required
def score(request, pk):
    return _score_page(request, get_object_or_404(_scores(request.user), pk=pk))


@login_required
@require_POST
def score_adjust(request, pk):
    user = request.user
    score = get_object_or_404(_scores(user), pk=pk)
    if not _may_review(user, score.district_id):
        raise PermissionDenied(_("Only the district's reviewers review vetoes and scores."))
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            services.adjust_score(
                user,
                score,
                adjusted_score=form.cleaned_data["adjusted_score"],
                reason=form.cleaned_data["reason"],
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("evaluation:score", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Adjusted score of %(department)s recorded beside the computed score.")
                % {"department": score.department.name},
            )
            return redirect("evaluation:score", pk=pk)
    elif score.confirmed_at is not None:
        messages.error(request, _("This period is confirmed and locked."))
        return redirect("evaluation:score", pk=pk)
    return _score_page(request, score, form=form)
