"""The department score (部门考核), computed from the rows, never accumulated.

For a department and a period (YYYY-MM, YYYY-Qn, YYYY in Asia/Shanghai), the whistles that
count are those blown in the period and resolved or closed; their check-ins of the department
give every component (docs/evaluation.md explains the formula with a worked example):

    score = w_on_time × on-time rate
          + w_rating × (mean rating − 1) / 4
          + w_not_overdue × (1 − overdue share)
          − w_veto × vetoes not overturned,        never below 0 (weights: EVALUATION_WEIGHTS)

`recompute(department_id, period)` computes one score from scratch; the incremental path
(after an evaluation, a veto or its review) recomputes the three periods of that whistle, the
nightly task every recent period: the same function, so both give the same numbers.
"""

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Department
from core.periods import BEIJING, Period, parse_period, periods_of
from dispatch.models import CheckIn
from whistle.choices import WhistleStatus

from .choices import COUNTING_VETOES, EvaluationStatus, Timeliness
from .models import ConfirmedPeriod, DepartmentScore, Evaluation

COUNTED = (WhistleStatus.RESOLVED, WhistleStatus.CLOSED)


def timeliness(check_in) -> tuple[str, int | None, int | None]:
    """(timeliness, late seconds, seconds to check in) of a check-in."""
    if check_in.checked_in_at is not None:
        seconds = max(0, int((check_in.checked_in_at - check_in.summoned_at).total_seconds()))
        if check_in.checked_in_at <= check_in.deadline:
            return Timeliness.ON_TIME, None, seconds
        late = int((check_in.checked_in_at - check_in.deadline).total_seconds())
        return Timeliness.LATE, late, seconds
    if check_in.overdue_at is not None:
        return Timeliness.NO_SHOW, None, None
    return Timeliness.NOT_NEEDED, None, None


def nearest_rank(values: list[int], percent: int) -> int | None:
    """The smallest value such that `percent`% of the values are at most it ("90% within X")."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def _ratio(part, whole) -> Decimal | None:
    """Exact (28 significant digits); rounded only where stored."""
    return Decimal(part) / Decimal(whole) if whole else None


def _mean(values) -> Decimal | None:
    values = [Decimal(v) for v in values]
    if not values:
        return None
    return sum(values) / Decimal(len(values))


def _rounded(value, places: str):
    return None if value is None else value.quantize(Decimal(places), ROUND_HALF_UP)


def weights() -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in settings.EVALUATION_WEIGHTS.items()}


@dataclass(frozen=True)
class Terms:
    """The formula's inputs (with the defaults applied) and its four terms, unrounded: the one
    place the formula is written; the score page shows these same terms step by step."""

    weights: dict
    on_time_rate: Decimal
    mean_rating: Decimal
    overdue_share: Decimal
    vetoes: int

    @property
    def on_time(self) -> Decimal:
        return self.weights["on_time"] * self.on_time_rate

    @property
    def rating(self) -> Decimal:
        return self.weights["rating"] * (self.mean_rating - 1) / 4

    @property
    def not_overdue(self) -> Decimal:
        return self.weights["not_overdue"] * (1 - self.overdue_share)

    @property
    def veto(self) -> Decimal:
        return self.weights["veto"] * self.vetoes

    @property
    def total(self) -> Decimal:
        return self.on_time + self.rating + self.not_overdue - self.veto


def terms(on_time_rate, mean_rating, overdue_share, vetoes) -> Terms:
    """With nothing to judge timeliness by, the on-time rate counts as 100% and the overdue
    share as 0; with no ratings, the mean rating counts as 3 (neutral)."""
    return Terms(
        weights(),
        Decimal(1) if on_time_rate is None else Decimal(on_time_rate),
        Decimal(3) if mean_rating is None else Decimal(mean_rating),
        Decimal(0) if overdue_share is None else Decimal(overdue_share),
        vetoes,
    )


def formula(on_time_rate, mean_rating, overdue_share, vetoes) -> Decimal:
    """The default formula of domain.md (`terms`), rounded to 2 decimals, never below 0."""
    total = terms(on_time_rate, mean_rating, overdue_share, vetoes).total
    return max(Decimal(0), total).quantize(Decimal("0.01"), ROUND_HALF_UP)


def components(department_id: int, period: Period) -> dict | None:
    """Every component of the score, from the rows; None when no whistle counts."""
    start, end = period.bounds
    check_ins = list(
        CheckIn.objects.filter(
            department_id=department_id,
            whistle__status__in=COUNTED,
            whistle__blown_at__gte=start,
            whistle__blown_at__lt=end,
        ).only("id", "whistle_id", "summoned_at", "deadline", "checked_in_at", "overdue_at")
    )
    if not check_ins:
        return None
    evaluations = list(
        Evaluation.objects.filter(check_in__in=[c.pk for c in check_ins]).only(
            "status", "response", "cooperation", "result", "veto_status"
        )
    )
    kinds = [timeliness(c) for c in check_ins]
    on_time = sum(1 for t, _l, _s in kinds if t == Timeliness.ON_TIME)
    overdue = sum(1 for c in check_ins if c.overdue_at is not None)
    timed = sum(1 for t, _l, _s in kinds if t != Timeliness.NOT_NEEDED)
    seconds = [s for _t, _l, s in kinds if s is not None]
    rated = [e for e in evaluations if e.status == EvaluationStatus.EVALUATED]
    values = {
        "whistles": len({c.whistle_id for c in check_ins}),
        "check_ins": len(check_ins),
        "timed": timed,
        "on_time": on_time,
        "overdue": overdue,
        "on_time_rate": _ratio(on_time, timed),
        "overdue_share": _ratio(overdue, timed),
        "check_in_seconds_p50": nearest_rank(seconds, 50),
        "check_in_seconds_p90": nearest_rank(seconds, 90),
        "rated": len(rated),
        "lapsed": sum(1 for e in evaluations if e.status == EvaluationStatus.LAPSED),
        "mean_response": _mean(e.response for e in rated),
        "mean_cooperation": _mean(e.cooperation for e in rated),
        "mean_result": _mean(e.result for e in rated),
        "mean_rating": _mean(Decimal(e.response + e.cooperation + e.result) / 3 for e in rated),
        "vetoes": sum(1 for e in evaluations if e.veto_status in COUNTING_VETOES),
    }
    # the formula on the exact values; only the stored components are rounded
    values["score"] = formula(
        values["on_time_rate"], values["mean_rating"], values["overdue_share"], values["vetoes"]
    )
    for name in ("on_time_rate", "overdue_share"):
        values[name] = _rounded(values[name], "0.0001")
    for name in ("mean_response", "mean_cooperation", "mean_result", "mean_rating"):
        values[name] = _rounded(values[name], "0.001")
    return values


@transaction.atomic
def recompute(department_id: int, code: str) -> DepartmentScore | None:
    """Compute one score from scratch and store it, unless its period is confirmed (locked)."""
    period = parse_period(code)
    if period is None:
        raise ValueError(f"not a period: {code!r}")
    # one recompute of a department at a time (the lock holds even when no score row exists)
    district_id = (
        Department.objects.select_for_update()
        .filter(pk=department_id)
        .values_list("district_id", flat=True)
        .first()
    )
    existing = DepartmentScore.objects.filter(department_id=department_id, period=code).first()
    if existing is not None and existing.confirmed_at is not None:
        return existing
    if ConfirmedPeriod.objects.filter(district_id=district_id, period=code).exists():
        return existing  # the district confirmed the period: nothing moves, nothing appears
    values = components(department_id, period)
    if values is None:
        if existing is not None:
            existing.delete()
        return None
    values.update(district_id=district_id, computed_at=timezone.now())
    if existing is None:
        return DepartmentScore.objects.create(department_id=department_id, period=code, **values)
    changed = [k for k, v in values.items() if k != "computed_at" and getattr(existing, k) != v]
    if changed:
        for k in changed:
            setattr(existing, k, values[k])
        existing.computed_at = values["computed_at"]
        existing.save(update_fields=[*changed, "computed_at"])
    return existing


def recompute_for_whistle(department_ids, blown_at) -> None:
    for department_id in set(department_ids):
        for code in periods_of(blown_at):
            recompute(department_id, code)


def recent_periods(now=None) -> list[str]:
    """The periods a nightly recompute covers: this and last month, their quarters and years."""
    now = (now or timezone.now()).astimezone(BEIJING)
    last_month = now.replace(day=1) - timedelta(days=1)
    return sorted(set(periods_of(now) + periods_of(last_month)))


def recompute_all(codes=None) -> int:
    """From scratch: every department with a counted check-in in the periods (default: the
    recent ones)."""
    count = 0
    for code in codes or recent_periods():
        period = parse_period(code)
        start, end = period.bounds
        department_ids = set(
            CheckIn.objects.filter(
                whistle__status__in=COUNTED,
                whistle__blown_at__gte=start,
                whistle__blown_at__lt=end,
            ).values_list("department_id", flat=True)
        ) | set(DepartmentScore.objects.filter(period=code).values_list("department_id", flat=True))
        for department_id in sorted(department_ids):
            recompute(department_id, code)
            count += 1
    return count
