"""Every write of the powers' objects: one function per use case, atomic, checking the power
on the object (django-guardian, via accounts.grants), recording a timeline event and writing
the notifications in the same transaction. HTML views and the API both call these."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Power, Role, TimelineEventType
from accounts.grants import holds_power, holds_power_anywhere
from accounts.scope import scope_of
from accounts.services import record
from config.errors import Conflict
from core.periods import parse_period
from dispatch import deadlines
from notifications import audiences

from .choices import AssessmentGrade, PersonnelAction, PersonnelDecision, RecordKind
from .models import (
    MajorMatter,
    OfficerAssessment,
    OfficerRecord,
    Opinion,
    PersonnelRecommendation,
    SupervisionOrder,
)

ORDER_ISSUED = "power.order_issued"
ORDER_ANSWERED = "power.order_answered"
ORDER_OVERDUE = "power.order_overdue"
MATTER_PUBLISHED = "power.matter_published"
OPINION_SUBMITTED = "power.opinion_submitted"
OPINION_ANSWERED = "power.opinion_answered"
PERSONNEL_RECOMMENDED = "power.personnel_recommended"
PERSONNEL_ANSWERED = "power.personnel_answered"
PERSONNEL_OVERDUE = "power.personnel_overdue"


# --- who may act -----------------------------------------------------------------------------


def require_power(user, power: Power, obj, field: str | None = None):
    """The committee's power on `obj`: a PermissionDenied (403) when the object came in the
    URL, a ValidationError naming `field` (400) when its id came in a body."""
    if holds_power(user, power, obj):
        return
    message = _(
        "Your street's party committee does not hold this power over %(object)s: %(power)s."
    ) % {
        "object": obj,
        "power": power.label,
    }
    if field:
        raise ValidationError({field: message})
    raise PermissionDenied(message)


def may_use(user, power: Power) -> bool:
    """Holds `power` on anything at all (the pages and endpoints that create the power's
    objects answer 403 to everyone else)."""
    return holds_power_anywhere(user, power)


def answers_for(user, department_id) -> bool:
    return scope_of(user).has_role(Role.DEPARTMENT_DISPATCHER, department_id)


def require_department(user, obj):
    if not answers_for(user, obj.department_id):
        raise PermissionDenied(
            _("Only %(department)s answers this.") % {"department": obj.department.name}
        )


def may_publish(user, district=None) -> bool:
    """District administrators publish their district's major matters; the city's are
    published by the platform's administrators (superusers)."""
    if user.is_superuser:
        return True
    return district is not None and scope_of(user).has_role(Role.DISTRICT_ADMIN, district.pk)


def may_answer_opinion(user, opinion) -> bool:
    district_id = opinion.matter.district_id
    if district_id is None:
        return bool(user.is_superuser)
    return bool(user.is_superuser) or scope_of(user).has_role(Role.DISTRICT_ADMIN, district_id)


def _text(errors: dict, name: str, value, message: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = message
    elif limit and len(value) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def _raise(errors: dict):
    if errors:
        raise ValidationError(errors)


# --- 统筹协调和督办权: supervision orders ------------------------------------------------------


def order_deadline_default():
    return timezone.now() + timedelta(hours=settings.POWERS_ORDER_DEFAULT_HOURS)


@transaction.atomic
def issue_order(user, *, station, title, content, deadline=None) -> SupervisionOrder:
    require_power(user, Power.COORDINATE_DEPARTMENTS, station, field="station")
    now = timezone.now()
    errors = {}
    title = _text(errors, "title", title, _("Say in a few words what must be done."), 120)
    content = _text(errors, "content", content, _("Say what the department must do."))
    deadline = deadline or now + timedelta(hours=settings.POWERS_ORDER_DEFAULT_HOURS)
    if deadline <= now:
        errors["deadline"] = _("The deadline must be in the future.")
    elif deadline > now + timedelta(days=365):
        errors["deadline"] = _("The deadline must be within a year.")
    _raise(errors)
    order = SupervisionOrder.objects.create(
        station=station,
        street_id=station.street_id,
        department_id=station.department_id,
        title=title,
        content=content,
        issued_by=user,
        issued_at=now,
        deadline=deadline,
    )
    record(
        TimelineEventType.ORDER_ISSUED,
        order,
        actor=user,
        street=station.street,
        at=now,
        department=station.department_id,
        deadline=deadline.isoformat(),
    )
    deadlines.schedule(order)
    due = timezone.localtime(deadline).strftime("%m-%d %H:%M")
    audiences.tell(
        audiences.dispatchers(station.department_id) | audiences.leaders(station.department_id),
        kind=ORDER_ISSUED,
        compose=lambda: (
            _("Supervision order from %(street)s: %(title)s")
            % {"street": station.street.name, "title": title},
            _("Answer by %(due)s.") % {"due": due},
        ),
        link=audiences.link("powers:order", "api:supervision-order-detail", order.pk),
        dedupe_key=f"order:{order.pk}:issued",
    )
    return order


@transaction.atomic
def answer_order(user, order, *, reply) -> SupervisionOrder:
    require_department(user, order)
    errors = {}
    reply = _text(errors, "reply", reply, _("Say what the department did or will do."))
    _raise(errors)
    now = timezone.now()
    deadlines.mark_due(SupervisionOrder.objects.filter(pk=order.pk), now)  # a due mark first
    if not SupervisionOrder.objects.filter(pk=order.pk, answered_at=None).update(
        reply=reply, answered_by=user, answered_at=now
    ):
        raise Conflict(_("This supervision order was already answered."))
    order.refresh_from_db()
    record(
        TimelineEventType.ORDER_ANSWERED,
        order,
        actor=user,
        street=order.street,
        at=now,
        late=order.overdue_at is not None,
    )
    audiences.tell(
        audiences.committee(order.street_id),
        kind=ORDER_ANSWERED,
        compose=lambda: (
            _("%(department)s answered the supervision order: %(title)s")
            % {"department": order.department.name, "title": order.title},
            reply[:200],
        ),
        link=audiences.link("powers:order", "api:supervision-order-detail", order.pk),
        dedupe_key=f"order:{order.pk}:answered",
    )
    return order


def on_order_overdue(order, now) -> None:
    """Inside the marking transaction: the timeline and the escalation."""
    record(TimelineEventType.ORDER_OVERDUE, order, street=order.street, at=now)
    street = order.street
    audiences.tell(
        audiences.dispatchers(order.department_id)
        | audiences.leaders(order.department_id)
        | audiences.committee(order.street_id)
        | audiences.district_role(Role.DISTRICT_REVIEWER, street.district_id),
        kind=ORDER_OVERDUE,
        compose=lambda: (
            _("Overdue: %(department)s did not answer the supervision order of %(street)s")
            % {"department": order.department.name, "street": street.name},
            order.title,
        ),
        link=audiences.link("powers:order", "api:supervision-order-detail", order.pk),
        dedupe_key=f"order:{order.pk}:overdue",
    )


# --- 意见建议权: major matters and opinions ---------------------------------------------------


@transaction.atomic
def publish_matter(user, *, district, title, description, streets, opinions_until) -> MajorMatter:
    """A district (or, with `district` None, the city) publishes a major matter naming the
    streets it touches; their committees holding the power may then give opinions."""
    if not may_publish(user, district):
        raise PermissionDenied(_("Only district administrators publish major matters."))
    now = timezone.now()
    errors = {}
    title = _text(errors, "title", title, _("Give the matter a title."), 120)
    description = _text(errors, "description", description, _("Describe the matter."))
    streets = list(dict.fromkeys(streets or []))
    if not streets:
        errors["streets"] = _("Name at least one street the matter touches.")
    elif district is not None:
        foreign = [s.name for s in streets if s.district_id != district.pk]
        if foreign:
            errors["streets"] = _("Not streets of %(district)s: %(names)s.") % {
                "district": district.name,
                "names": "、".join(foreign),
            }
    if opinions_until is None or opinions_until <= now:
        errors["opinions_until"] = _("Opinions must be accepted until a time in the future.")
    _raise(errors)
    matter = MajorMatter.objects.create(
        district=district,
        title=title,
        description=description,
        opinions_until=opinions_until,
        published_by=user,
        published_at=now,
    )
    matter.streets.set(streets)
    from accounts.services import sync_object

    sync_object(matter)  # the named streets' committees holding the power may now advise
    record(
        TimelineEventType.MATTER_PUBLISHED,
        matter,
        actor=user,
        at=now,
        streets=[s.pk for s in streets],
    )
    until = timezone.localtime(opinions_until).strftime("%Y-%m-%d %H:%M")
    for street in streets:
        audiences.tell(
            audiences.committee(street.pk),
            kind=MATTER_PUBLISHED,
            compose=lambda street=street: (
                _("Major matter for %(street)s: %(title)s")
                % {"street": street.name, "title": title},
                _("Opinions are accepted until %(until)s.") % {"until": until},
            ),
            link=audiences.link("powers:matter", "api:major-matter-detail", matter.pk),
            dedupe_key=f"matter:{matter.pk}:published:{street.pk}",
        )
    return matter


@transaction.atomic
def submit_opinion(user, matter, *, content) -> Opinion:
    require_power(user, Power.ADVISE_MAJOR_MATTER, matter)
    now = timezone.now()
    if now > matter.opinions_until:
        raise Conflict(
            _("Opinions on this matter were accepted until %(until)s.")
            % {"until": timezone.localtime(matter.opinions_until).strftime("%Y-%m-%d %H:%M")}
        )
    errors = {}
    content = _text(errors, "content", content, _("Write the opinion."))
    _raise(errors)
    # the street whose committee group carries the permission on this matter (not merely
    # any named street whose committee the person sits on)
    street = (
        matter.streets.filter(
            committee__user=user,
            committee__majormattergroupobjectpermission__content_object=matter,
        )
        .order_by("pk")
        .first()
    )
    opinion = Opinion.objects.create(
        matter=matter, street=street, content=content, submitted_by=user, submitted_at=now
    )
    record(
        TimelineEventType.OPINION_SUBMITTED,
        opinion,
        actor=user,
        street=street,
        at=now,
        matter=matter.pk,
    )
    if matter.district_id:
        to = audiences.district_role(Role.DISTRICT_ADMIN, matter.district_id)
    else:
        from django.db.models import Q

        to = Q(is_superuser=True)
    audiences.tell(
        to,
        kind=OPINION_SUBMITTED,
        compose=lambda: (
            _("Opinion of %(street)s on %(title)s")
            % {"street": street.name, "title": matter.title},
            content[:200],
        ),
        link=audiences.link("powers:matter", "api:major-matter-detail", matter.pk),
        dedupe_key=f"opinion:{opinion.pk}:submitted",
    )
    return opinion


@transaction.atomic
def answer_opinion(user, opinion, *, answer) -> Opinion:
    if not may_answer_opinion(user, opinion):
        raise PermissionDenied(_("Only the publisher of the matter answers its opinions."))
    errors = {}
    answer = _text(errors, "answer", answer, _("Write the answer."))
    _raise(errors)
    now = timezone.now()
    if not Opinion.objects.filter(pk=opinion.pk, answered_at=None).update(
        answer=answer, answered_by=user, answered_at=now
    ):
        raise Conflict(_("This opinion was already answered."))
    opinion.refresh_from_db()
    record(TimelineEventType.OPINION_ANSWERED, opinion, actor=user, street=opinion.street, at=now)
    audiences.tell(
        audiences.committee(opinion.street_id),
        kind=OPINION_ANSWERED,
        compose=lambda: (
            _("Your opinion on %(title)s was answered") % {"title": opinion.matter.title},
            answer[:200],
        ),
        link=audiences.link("powers:matter", "api:major-matter-detail", opinion.matter_id),
        dedupe_key=f"opinion:{opinion.pk}:answered",
    )
    return opinion


# --- 人事建议权: personnel recommendations ----------------------------------------------------


@transaction.atomic
def recommend_personnel(user, *, agency, action, subject, reason) -> PersonnelRecommendation:
    require_power(user, Power.RECOMMEND_PERSONNEL, agency, field="agency")
    errors = {}
    if action not in PersonnelAction.values:
        errors["action"] = _("Choose appointment, transfer, reward or punishment.")
    subject = (subject or "").strip() or agency.leader_name
    if len(subject) > 60:
        errors["subject"] = _("At most %(limit)d characters.") % {"limit": 60}
    reason = _text(errors, "reason", reason, _("Give the reasons for the recommendation."))
    _raise(errors)
    now = timezone.now()
    rec = PersonnelRecommendation.objects.create(
        agency=agency,
        street_id=agency.street_id,
        department_id=agency.department_id,
        action=action,
        subject=subject,
        reason=reason,
        recommended_by=user,
        recommended_at=now,
        deadline=now + timedelta(days=settings.POWERS_PERSONNEL_ANSWER_DAYS),
    )
    record(
        TimelineEventType.PERSONNEL_RECOMMENDED,
        rec,
        actor=user,
        street=agency.street,
        at=now,
        agency=agency.pk,
        action=action,
    )
    deadlines.schedule(rec)
    due = timezone.localtime(rec.deadline).strftime("%Y-%m-%d")
    audiences.tell(
        audiences.dispatchers(agency.department_id) | audiences.leaders(agency.department_id),
        kind=PERSONNEL_RECOMMENDED,
        compose=lambda: (
            _("Personnel recommendation from %(street)s about %(agency)s")
            % {"street": agency.street.name, "agency": agency.name},
            _("%(action)s: %(subject)s. Answer by %(due)s.")
            % {"action": rec.get_action_display(), "subject": subject, "due": due},
        ),
        link=audiences.link("powers:recommendation", "api:personnel-recommendation-detail", rec.pk),
        dedupe_key=f"personnel:{rec.pk}:recommended",
    )
    return rec


@transaction.atomic
def answer_recommendation(user, rec, *, decision, reply) -> PersonnelRecommendation:
    require_department(user, rec)
    errors = {}
    if decision not in PersonnelDecision.values:
        errors["decision"] = _("Choose adopted, partly adopted or not adopted.")
    reply = _text(errors, "reply", reply, _("Explain the decision."))
    _raise(errors)
    now = timezone.now()
    deadlines.mark_due(PersonnelRecommendation.objects.filter(pk=rec.pk), now)
    if not PersonnelRecommendation.objects.filter(pk=rec.pk, answered_at=None).update(
        decision=decision, reply=reply, answered_by=user, answered_at=now
    ):
        raise Conflict(_("This recommendation was already answered."))
    rec.refresh_from_db()
    record(
        TimelineEventType.PERSONNEL_ANSWERED,
        rec,
        actor=user,
        street=rec.street,
        at=now,
        decision=decision,
        late=rec.overdue_at is not None,
    )
    audiences.tell(
        audiences.committee(rec.street_id),
        kind=PERSONNEL_ANSWERED,
        compose=lambda: (
            _("%(department)s answered your personnel recommendation: %(decision)s")
            % {"department": rec.department.name, "decision": rec.get_decision_display()},
            reply[:200],
        ),
        link=audiences.link("powers:recommendation", "api:personnel-recommendation-detail", rec.pk),
        dedupe_key=f"personnel:{rec.pk}:answered",
    )
    return rec


def on_recommendation_overdue(rec, now) -> None:
    record(TimelineEventType.PERSONNEL_OVERDUE, rec, street=rec.street, at=now)
    audiences.tell(
        audiences.dispatchers(rec.department_id)
        | audiences.leaders(rec.department_id)
        | audiences.committee(rec.street_id)
        | audiences.district_role(Role.DISTRICT_REVIEWER, rec.street.district_id),
        kind=PERSONNEL_OVERDUE,
        compose=lambda: (
            _("Overdue: %(department)s did not answer the personnel recommendation of %(street)s")
            % {"department": rec.department.name, "street": rec.street.name},
            str(rec),
        ),
        link=audiences.link("powers:recommendation", "api:personnel-recommendation-detail", rec.pk),
        dedupe_key=f"personnel:{rec.pk}:overdue",
    )


# --- 日常管理考核权: the stationed-staff assessment --------------------------------------------


@transaction.atomic
def record_officer(user, *, officer, date, kind, note="") -> OfficerRecord:
    require_power(user, Power.ASSESS_STATIONED_STAFF, officer, field="officer")
    errors = {}
    today = timezone.localdate()
    if date is None:
        errors["date"] = _("Give the date.")
    elif date > today:
        errors["date"] = _("The date cannot be in the future.")
    elif date < today - timedelta(days=366):
        errors["date"] = _("The date is more than a year ago.")
    if kind not in RecordKind.values:
        errors["kind"] = _("Choose what is recorded.")
    _raise(errors)
    now = timezone.now()
    entry = OfficerRecord.objects.create(
        officer=officer,
        street_id=officer.street_id,
        department_id=officer.department_id,
        date=date,
        kind=kind,
        note=(note or "").strip(),
        recorded_by=user,
        recorded_at=now,
    )
    record(
        TimelineEventType.OFFICER_RECORDED,
        officer,
        actor=user,
        street=officer.street,
        at=now,
        record=entry.pk,
        kind=kind,
        date=date.isoformat(),
    )
    return entry


@transaction.atomic
def assess_officer(user, *, officer, period, score, grade, comment="") -> OfficerAssessment:
    require_power(user, Power.ASSESS_STATIONED_STAFF, officer, field="officer")
    errors = {}
    period = (period or "").strip()
    parsed = parse_period(period)  # the scores' periods (core.periods)
    if parsed is None:
        errors["period"] = _("Write the period as YYYY-MM, YYYY-Qn or YYYY.")
    elif parsed.end - timedelta(days=1) > timezone.localdate() + timedelta(days=31):
        errors["period"] = _("This period has not come yet.")
    try:
        score = Decimal(str(score)).quantize(Decimal("0.1"))
        if not score.is_finite() or not 0 <= score <= 100:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["score"] = _("The score is a number from 0 to 100.")
    if grade not in AssessmentGrade.values:
        errors["grade"] = _("Choose a grade.")
    _raise(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            assessment = OfficerAssessment.objects.create(
                officer=officer,
                street_id=officer.street_id,
                department_id=officer.department_id,
                period=period,
                score=score,
                grade=grade,
                comment=(comment or "").strip(),
                assessed_by=user,
                assessed_at=now,
            )
    except IntegrityError:
        raise Conflict(
            _("%(officer)s was already assessed for %(period)s.")
            % {"officer": officer.name, "period": period}
        ) from None
    record(
        TimelineEventType.OFFICER_ASSESSED,
        officer,
        actor=user,
        street=officer.street,
        at=now,
        assessment=assessment.pk,
        period=period,
        score=str(score),
        grade=grade,
    )
    return assessment
