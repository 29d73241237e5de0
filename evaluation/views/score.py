"""One department's score: its components, the formula step by step, the check-ins behind
it, and the district's adjustment."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import Conflict
from core.forms import apply_service_errors
from dispatch.models import CheckIn

from .. import scoring, services
from ..choices import EvaluationStatus, VetoStatus
from ..forms import AdjustForm
from ..models import DepartmentScore, Evaluation
from ._common import _may_review, minutes, percent, period_label, timeliness_words

DRILL_PAGE_SIZE = 100


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
