"""Every write of evaluation/: evaluate a check-in, veto, review a veto, let the window lapse,
adjust and confirm scores. Atomic, checked, on the whistle's timeline, scores recomputed after
commit (Celery)."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import Power, Role, TimelineEventType
from accounts.grants import with_power
from accounts.models import Station
from accounts.scope import scope_of
from config.errors import Conflict
from dispatch import deadlines
from dispatch.models import CheckIn
from whistle.choices import ALLOWED_FROM, EventType
from whistle.services import record_event

from . import scoring
from .choices import EvaluationStatus, VetoStatus
from .models import ConfirmedPeriod, DepartmentScore, Evaluation, EvaluationWindow

EVALUABLE = ALLOWED_FROM["evaluate"]  # whistle/choices.py: the one table of actions


def may_evaluate(user, street_id) -> bool:
    """The street's party committee evaluates the departments it summoned (评价权)."""
    return scope_of(user).has_role(Role.COMMITTEE_MEMBER, street_id)


def veto_check(user, street_id):
    """The veto is a granted power (否决权) on the department's station in the street: on the
    check-in's station, or, for a check-in without one, on the station of its department in
    the street. Returns the test for any check-in of that street's whistles, after one query
    (the whistle's page asks it for every check-in)."""
    rows = list(
        with_power(
            user, Power.VETO_DEPARTMENT, Station.objects.filter(street_id=street_id)
        ).values_list("pk", "department_id")
    )
    stations, departments = {pk for pk, _d in rows}, {d for _pk, d in rows}
    return lambda c: c.station_id in stations if c.station_id else c.department_id in departments


def may_veto(user, check_in) -> bool:
    return veto_check(user, check_in.whistle.street_id)(check_in)


def may_review(user, district_id) -> bool:
    """The reviewers of that district (a city department's scores have no district reviewer
    here: `has_role(role, None)` would mean "anywhere")."""
    return district_id is not None and scope_of(user).has_role(Role.DISTRICT_REVIEWER, district_id)


def require_evaluator(user, check_in):
    if not may_evaluate(user, check_in.whistle.street_id):
        raise PermissionDenied(
            _("Only the party committee of %(street)s evaluates the departments it summoned.")
            % {"street": check_in.whistle.street.name}
        )


def require_reviewer(user, district_id):
    if not may_review(user, district_id):
        raise PermissionDenied(_("Only the district's reviewers review vetoes and scores."))


def _rating(errors, name, value):
    try:
        number = int(value)
        if isinstance(value, bool) or str(number) != str(value).strip() or not 1 <= number <= 5:
            raise ValueError
    except (TypeError, ValueError):
        errors[name] = _("Give a rating from 1 to 5.")
        return None
    return number


def send_rescore(department_id, blown_at):
    """Recompute the department's scores of the whistle's periods in Celery."""
    from .tasks import recompute_for_whistle

    try:
        recompute_for_whistle.delay([department_id], blown_at.isoformat())
    except Exception:  # a broker outage must not fail the evaluation: compute it here
        scoring.recompute_for_whistle([department_id], blown_at)


def _rescore_after_commit(department_id, blown_at):
    transaction.on_commit(lambda: send_rescore(department_id, blown_at))


@transaction.atomic
def evaluate(
    user, check_in, *, response, cooperation, result, comment="", veto=False, veto_reason=""
) -> Evaluation:
    _lock_whistle(check_in.whistle_id)  # one at a time with the window's lapse
    check_in = CheckIn.objects.select_related("whistle__street", "department", "station").get(
        pk=check_in.pk
    )
    whistle = check_in.whistle
    require_evaluator(user, check_in)
    if veto and not may_veto(user, check_in):
        raise PermissionDenied(
            _("%(street)s does not hold the veto (否决权) over %(department)s.")
            % {"street": whistle.street.name, "department": check_in.department.name}
        )
    if whistle.status not in EVALUABLE:
        raise Conflict(
            _("Departments are evaluated once the whistle is resolved (it is now “%(status)s”).")
            % {"status": whistle.get_status_display()},
            "not_resolved",
        )
    errors = {}
    ratings = {
        name: _rating(errors, name, value)
        for name, value in (
            ("response", response),
            ("cooperation", cooperation),
            ("result", result),
        )
    }
    veto_reason = (veto_reason or "").strip()
    if veto and not veto_reason:
        errors["veto_reason"] = _("A veto needs its reason.")
    if errors:
        raise ValidationError(errors)
    kind, late, seconds = scoring.timeliness(check_in)
    now = timezone.now()
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                check_in=check_in,
                whistle=whistle,
                street_id=whistle.street_id,
                department_id=check_in.department_id,
                status=EvaluationStatus.EVALUATED,
                timeliness=kind,
                late_seconds=late,
                check_in_seconds=seconds,
                comment=(comment or "").strip(),
                evaluated_by=user,
                evaluated_at=now,
                veto_status=VetoStatus.PENDING if veto else VetoStatus.NONE,
                veto_reason=veto_reason if veto else "",
                **ratings,
            )
    except IntegrityError:
        raise Conflict(_("This check-in has already been evaluated."), "evaluated") from None
    record_event(
        whistle.pk,
        EventType.CHECK_IN_EVALUATED,
        now,
        actor=user,
        check_in_id=check_in.pk,
        department=check_in.department_id,
        timeliness=kind,
        **ratings,
    )
    if veto:
        record_event(
            whistle.pk,
            EventType.DEPARTMENT_VETOED,
            now,
            actor=user,
            check_in_id=check_in.pk,
            department=check_in.department_id,
            reason=veto_reason,
        )
    from . import notify

    notify.evaluated(evaluation)
    _rescore_after_commit(check_in.department_id, whistle.blown_at)
    return evaluation


@transaction.atomic
def review_veto(user, evaluation, *, upheld, reason) -> Evaluation:
    evaluation = Evaluation.objects.select_related("whistle__street", "department").get(
        pk=evaluation.pk
    )
    require_reviewer(user, evaluation.whistle.street.district_id)
    reason = (reason or "").strip()
    if not isinstance(upheld, bool):
        raise ValidationError({"upheld": _("Say whether the veto is upheld.")})
    if not reason:
        raise ValidationError({"reason": _("Give the reason of the review.")})
    now = timezone.now()
    status = VetoStatus.UPHELD if upheld else VetoStatus.OVERTURNED
    if not Evaluation.objects.filter(pk=evaluation.pk, veto_status=VetoStatus.PENDING).update(
        veto_status=status,
        veto_reviewed_by=user,
        veto_reviewed_at=now,
        veto_review_reason=reason,
    ):
        raise Conflict(_("There is no veto awaiting review on this evaluation."), "no_pending_veto")
    evaluation.refresh_from_db()
    record_event(
        evaluation.whistle_id,
        EventType.VETO_REVIEWED,
        now,
        actor=user,
        check_in_id=evaluation.check_in_id,
        department=evaluation.department_id,
        upheld=upheld,
        reason=reason,
    )
    from . import notify

    notify.veto_reviewed(evaluation)
    _rescore_after_commit(evaluation.department_id, evaluation.whistle.blown_at)
    return evaluation


# --- the evaluation window (deadline engine) ------------------------------------------------


def _lock_whistle(whistle_id) -> None:
    """Evaluations of a whistle and the lapse of its window happen one at a time (the same
    lock as the loop's: FOR NO KEY UPDATE of the whistle row)."""
    from whistle.models import Whistle

    list(
        Whistle.objects.select_for_update(no_key=True)
        .filter(pk=whistle_id)
        .values_list("pk", flat=True)
    )


def open_window(whistle, now) -> None:
    """Inside the transaction that resolves the whistle: the window opens, and every summoned
    department's scores count the whistle now (not only once it is evaluated)."""
    for department_id in set(whistle.check_ins.values_list("department_id", flat=True)):
        _rescore_after_commit(department_id, whistle.blown_at)
    window, created = EvaluationWindow.objects.get_or_create(
        whistle=whistle,
        defaults={"deadline": now + timedelta(hours=settings.EVALUATION_WINDOW_HOURS)},
    )
    if created:
        deadlines.schedule(window)


def on_window_lapsed(window, now) -> None:
    """Inside the marking transaction: every check-in not evaluated is recorded as lapsed
    (it counts for timeliness, not for ratings)."""
    whistle = window.whistle
    _lock_whistle(whistle.pk)
    missing = list(CheckIn.objects.filter(whistle=whistle, evaluation__isnull=True).order_by("id"))
    for check_in in missing:
        kind, late, seconds = scoring.timeliness(check_in)
        Evaluation.objects.create(
            check_in=check_in,
            whistle=whistle,
            street_id=whistle.street_id,
            department_id=check_in.department_id,
            status=EvaluationStatus.LAPSED,
            timeliness=kind,
            late_seconds=late,
            check_in_seconds=seconds,
            evaluated_at=now,
        )
    if missing:
        record_event(
            whistle.pk,
            EventType.EVALUATION_LAPSED,
            now,
            check_ins=[c.pk for c in missing],
        )
        for department_id in {c.department_id for c in missing}:
            _rescore_after_commit(department_id, whistle.blown_at)


def close_guard(whistle) -> str | None:
    waiting = CheckIn.objects.filter(whistle=whistle, evaluation__isnull=True).count()
    if not waiting:
        return None
    window = EvaluationWindow.objects.filter(whistle=whistle).first()
    until = timezone.localtime(window.deadline).strftime("%Y-%m-%d %H:%M") if window else "—"
    return ngettext(
        "%(count)d summoned department still to be evaluated (evaluations close at %(until)s).",
        "%(count)d summoned departments still to be evaluated (evaluations close at %(until)s).",
        waiting,
    ) % {"count": waiting, "until": until}


# --- the district's review of scores ----------------------------------------------------------


def _locked_score(score) -> DepartmentScore:
    score = DepartmentScore.objects.select_for_update().get(pk=score.pk)
    if (
        score.confirmed_at is not None
        or ConfirmedPeriod.objects.filter(
            district_id=score.district_id, period=score.period
        ).exists()
    ):
        raise Conflict(_("This period is confirmed and locked."), "confirmed")
    return score


@transaction.atomic
def adjust_score(user, score, *, adjusted_score, reason) -> DepartmentScore:
    require_reviewer(user, score.district_id)
    score = _locked_score(score)
    errors = {}
    try:
        value = Decimal(str(adjusted_score)).quantize(Decimal("0.01"))
        if not value.is_finite() or not 0 <= value <= 100:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["adjusted_score"] = _("The adjusted score is a number from 0 to 100.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the adjustment.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    DepartmentScore.objects.filter(pk=score.pk).update(
        adjusted_score=value, adjustment_reason=reason, adjusted_by=user, adjusted_at=now
    )
    score.refresh_from_db()
    _record_score_event(
        user, score, TimelineEventType.SCORE_ADJUSTED, now, adjusted=str(value), reason=reason
    )
    return score


@transaction.atomic
def confirm_period(user, district, period) -> int:
    """Lock every score of the district's departments for the period."""
    require_reviewer(user, district.pk)
    if scoring.parse_period(period) is None:
        raise ValidationError({"period": _("Write the period as YYYY-MM, YYYY-Qn or YYYY.")})
    now = timezone.now()
    scores = list(
        DepartmentScore.objects.select_for_update().filter(
            district=district, period=period, confirmed_at=None
        )
    )
    if not scores:
        raise Conflict(_("Nothing to confirm: no open score for this period."), "nothing")
    try:
        with transaction.atomic():
            ConfirmedPeriod.objects.create(
                district=district, period=period, confirmed_by=user, confirmed_at=now
            )
    except IntegrityError:
        raise Conflict(_("This period is confirmed and locked."), "confirmed") from None
    DepartmentScore.objects.filter(pk__in=[s.pk for s in scores]).update(
        confirmed_by=user, confirmed_at=now
    )
    for score in scores:
        _record_score_event(user, score, TimelineEventType.SCORE_CONFIRMED, now)
    return len(scores)


def _record_score_event(user, score, kind, now, **data):
    from accounts.services import record

    record(kind, score, actor=user, at=now, period=score.period, **data)
