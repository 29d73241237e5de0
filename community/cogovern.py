"""Co-governance: the party-building coordination committees of districts, streets and
communities (党建协调委员会), their members, meetings and follow-up items (on the deadline
engine); the three lists (resources, needs, projects) with matching, nearest first; and the four
two-ways as records (needs from both sides, services and communication both ways, the mutual
evaluation of each period, published to the committee).

Who acts for a committee: a district's administrators for the district's; the street's people
for the street's; the community's staff and the street's people for a community's. A unit's
contact gives the unit's side of the evaluation."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TimelineEventType as T
from accounts.scope import scope_of
from accounts.services import record
from config.errors import Conflict
from core.periods import parse_period
from core.roles import Role
from dispatch import deadlines

from .choices import (
    CommitteeLevel,
    Direction,
    NeedSource,
    ProjectStatus,
    RegistrationStatus,
    ResourceCategory,
)
from .models import (
    Attendance,
    Committee,
    CommitteeMember,
    Exchange,
    FollowUp,
    ListNeed,
    Meeting,
    MutualEvaluation,
    Project,
    Resource,
    UnitRegistration,
)
from .services import _coordinate, _raise, _text, acts_for_street, may_record_visits


def street_of(committee):
    return committee.street


def acts_for_committee(user, committee) -> bool:
    """A district's administrators for the district's, the street's people for the street's,
    the community's staff and the street's people for a community's (docs/dual.md). The city
    sees every committee and runs none."""
    scope = scope_of(user)
    if committee.level == CommitteeLevel.DISTRICT:
        return scope.has_role(Role.DISTRICT_ADMIN, committee.district_id)
    if committee.level == CommitteeLevel.STREET:
        return acts_for_street(user, committee.street_id)
    return may_record_visits(user, committee.community)


def require_committee(user, committee):
    if not acts_for_committee(user, committee):
        raise PermissionDenied(_("Only those who run the committee do this."))


def _units_of_area(committee):
    """The units registered (and confirmed) with the committee's street, or with any street
    of its district: those that may sit on it and offer resources."""
    registrations = UnitRegistration.objects.filter(status=RegistrationStatus.CONFIRMED)
    if committee.level == CommitteeLevel.DISTRICT:
        return registrations.filter(street__district_id=committee.district_id).values("unit_id")
    return registrations.filter(street_id=committee.street_id).values("unit_id")


@transaction.atomic
def create_committee(
    user,
    *,
    level,
    district=None,
    street=None,
    community=None,
    name,
    director_name,
    director_title,
    director_from_above=True,
) -> Committee:
    errors = {}
    if level == CommitteeLevel.DISTRICT and district is not None:
        allowed = scope_of(user).has_role(Role.DISTRICT_ADMIN, district.pk)
        street = community = None
    elif level == CommitteeLevel.STREET and street is not None:
        allowed = acts_for_street(user, street.pk)
        district = community = None
    elif level == CommitteeLevel.COMMUNITY and community is not None:
        street, district = community.street, None
        allowed = may_record_visits(user, community)
    else:
        raise ValidationError(
            {"level": _("Choose the level and its district, street or community.")}
        )
    if not allowed:
        raise PermissionDenied(_("Only those who run the level set up its committee."))
    name = _text(errors, "name", name, _("Name the committee."), 100)
    director_name = _text(errors, "director_name", director_name, _("Name the director."), 60)
    director_title = _text(
        errors, "director_title", director_title, _("Give the director's post."), 100
    )
    _raise(errors)
    try:
        with transaction.atomic():
            committee = Committee.objects.create(
                level=level,
                district=district,
                street=street,
                community=community,
                name=name,
                director_name=director_name,
                director_title=director_title,
                director_from_above=bool(director_from_above),
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError({"level": _("This level already has its committee.")}) from None
    record(T.COMMITTEE_CREATED, committee, actor=user, street=street, level=level)
    return committee


@transaction.atomic
def add_member(user, committee, *, organisation, representative, post="", unit=None, since=None):
    require_committee(user, committee)
    errors = {}
    if unit is not None and not _units_of_area(committee).filter(unit_id=unit.pk).exists():
        errors["unit"] = _("The unit is not registered in the committee's area.")
    organisation = _text(
        errors, "organisation", organisation or (unit.name if unit else ""), _("Name it."), 100
    )
    representative = _text(
        errors, "representative", representative, _("Name the representative."), 60
    )
    post = _text(errors, "post", post, "", 100, required=False)
    _raise(errors)
    member = CommitteeMember.objects.create(
        committee=committee,
        unit=unit,
        organisation=organisation,
        representative=representative,
        post=post,
        since=since or timezone.localdate(),
    )
    record(
        T.COMMITTEE_MEMBER_ADDED, committee, actor=user, street=committee.street, member=member.pk
    )
    return member


@transaction.atomic
def hold_meeting(
    user, committee, *, held_at, agenda, place="", decisions="", present=(), follow_ups=()
) -> Meeting:
    """A meeting as it was held: agenda, who came (every member is marked present or not),
    decisions, and follow-up items (title, owner, due) on the deadline engine."""
    require_committee(user, committee)
    errors = {}
    agenda = _text(errors, "agenda", agenda, _("Give the agenda."), 4000)
    now = timezone.now()
    if held_at is None or held_at > now + timedelta(days=1):
        errors["held_at"] = _("Record a meeting that was held.")
    members = {m.pk: m for m in committee.members.filter(until=None)}
    present_ids = {getattr(p, "pk", p) for p in present}
    if present_ids - set(members):
        errors["present"] = _("Only the committee's members attend.")
    items = []
    for i, item in enumerate(follow_ups):
        title, owner, due = item
        if not (title or "").strip():
            errors[f"follow_ups.{i}.title"] = _("Say what is to be done.")
        if getattr(owner, "pk", None) not in members:
            errors[f"follow_ups.{i}.owner"] = _("The owner is a member of the committee.")
        if due is None or due <= now:
            errors[f"follow_ups.{i}.deadline"] = _("The due date is in the future.")
        items.append((title.strip()[:200] if title else "", owner, due))
    _raise(errors)
    meeting = Meeting.objects.create(
        committee=committee,
        held_at=held_at,
        place=(place or "").strip()[:200],
        agenda=agenda,
        decisions=(decisions or "").strip(),
        recorded_by=user,
        recorded_at=now,
    )
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, member=m, present=pk in present_ids)
            for pk, m in members.items()
        ]
    )
    for title, owner, due in items:
        deadlines.schedule(
            FollowUp.objects.create(meeting=meeting, title=title, owner=owner, deadline=due)
        )
    record(
        T.MEETING_HELD, meeting, actor=user, street=committee.street, at=now, follow_ups=len(items)
    )
    return meeting


@transaction.atomic
def complete_follow_up(user, item, *, note="") -> FollowUp:
    require_committee(user, item.meeting.committee)
    now = timezone.now()
    deadlines.mark_due(FollowUp.objects.filter(pk=item.pk), now)
    if not FollowUp.objects.filter(pk=item.pk, done_at=None).update(
        done_at=now, done_note=(note or "").strip()
    ):
        raise Conflict(_("This item is already done."), "state")
    record(T.FOLLOW_UP_DONE, item, actor=user, street=item.meeting.committee.street, at=now)
    item.refresh_from_db()
    return item


def on_follow_up_overdue(item, now) -> None:
    record(T.FOLLOW_UP_OVERDUE, item, street=item.meeting.committee.street, at=now)


# --- the three lists -------------------------------------------------------------------------


@transaction.atomic
def list_resource(
    user, committee, *, unit, category, title, capacity="", latitude=None, longitude=None
) -> Resource:
    """资源清单: by the committee's runners or by the unit's contact."""
    if not (acts_for_committee(user, committee) or (unit and unit.contact_user_id == user.pk)):
        raise PermissionDenied(_("Only the committee's runners and the unit list its resources."))
    errors = {}
    if unit is None or not _units_of_area(committee).filter(unit_id=unit.pk).exists():
        errors["unit"] = _("The unit is not registered in the committee's area.")
    if category not in ResourceCategory.values:
        errors["category"] = _("Choose a category.")
    title = _text(errors, "title", title, _("Say what is offered."), 120)
    latitude = _coordinate(errors, "latitude", latitude, 90)
    longitude = _coordinate(errors, "longitude", longitude, 180)
    _raise(errors)
    resource = Resource.objects.create(
        committee=committee,
        unit=unit,
        category=category,
        title=title,
        capacity=(capacity or "").strip()[:60],
        latitude=latitude,
        longitude=longitude,
        created_at=timezone.now(),
    )
    record(T.RESOURCE_LISTED, resource, actor=user, street=committee.street, unit=unit.pk)
    return resource


@transaction.atomic
def list_need(
    user,
    committee,
    *,
    source,
    category,
    title,
    unit=None,
    community_need=None,
    latitude=None,
    longitude=None,
) -> ListNeed:
    """需求清单, collected from both sides: the community's (the committee's runners) or a
    unit's (its contact, or the runners for it)."""
    errors = {}
    if source == NeedSource.UNIT:
        if unit is None or not _units_of_area(committee).filter(unit_id=unit.pk).exists():
            errors["unit"] = _("The unit is not registered in the committee's area.")
        allowed = acts_for_committee(user, committee) or (
            unit is not None and unit.contact_user_id == user.pk
        )
    elif source == NeedSource.COMMUNITY:
        allowed = acts_for_committee(user, committee)
        unit = None
        if community_need is not None and community_need.community.street_id != committee.street_id:
            errors["community_need"] = _("The need is not of the committee's area.")
    else:
        raise ValidationError({"source": _("Say whose need it is.")})
    if not allowed:
        raise PermissionDenied(_("Only the committee's runners and the unit list its needs."))
    if category not in ResourceCategory.values:
        errors["category"] = _("Choose what kind of resource is needed.")
    title = _text(errors, "title", title, _("Say what is needed."), 120)
    latitude = _coordinate(errors, "latitude", latitude, 90)
    longitude = _coordinate(errors, "longitude", longitude, 180)
    _raise(errors)
    need = ListNeed.objects.create(
        committee=committee,
        source=source,
        unit=unit,
        community_need=community_need,
        category=category,
        title=title,
        latitude=latitude,
        longitude=longitude,
        created_at=timezone.now(),
    )
    record(T.NEED_LISTED, need, actor=user, street=committee.street, source=source)
    return need


def _area_resources(committee):
    """The resources a need of this committee may be matched with: those of the committees of
    the same street (the street's and its communities'), or of the district for a district's."""
    if committee.level == CommitteeLevel.DISTRICT:
        return Resource.objects.filter(
            Q(committee__district_id=committee.district_id)
            | Q(committee__street__district_id=committee.district_id)
        )
    return Resource.objects.filter(committee__street_id=committee.street_id)


def suggest_resources(need, limit: int = 10, among=None) -> list[Resource]:
    """The available resources whose category fits the need, nearest first (squared distance
    in degrees, longitude scaled for Beijing's latitude; those without a position last).
    `among`: only these (the resources the caller sees)."""
    resources = _area_resources(need.committee).filter(category=need.category, available=True)
    if among is not None:
        resources = resources.filter(pk__in=among.values("pk"))
    if need.latitude is None or need.longitude is None:
        return list(resources.select_related("unit").order_by("id")[:limit])
    lat, lng = need.latitude, need.longitude
    distance = ExpressionWrapper(
        (F("latitude") - Value(lat)) * (F("latitude") - Value(lat))
        + (F("longitude") - Value(lng)) * (F("longitude") - Value(lng)) * Value(0.58),
        output_field=DecimalField(max_digits=20, decimal_places=10),
    )
    return list(
        resources.annotate(
            missing=Case(When(latitude=None, then=Value(1)), default=Value(0)),
            distance=distance,
        )
        .select_related("unit")
        .order_by("missing", "distance", "id")[:limit]
    )


@transaction.atomic
def match_project(user, committee, *, need, resources, title, owner) -> Project:
    """项目清单: a need matched with resources of the area (another street's: 400)."""
    require_committee(user, committee)
    errors = {}
    if need is None or need.committee_id != committee.pk:
        errors["need"] = _("The need is not on this committee's list.")
    resources = list(resources)
    if not resources:
        errors["resources"] = _("Choose at least one resource.")
    area = set(_area_resources(committee).values_list("pk", flat=True))
    if any(r.pk not in area for r in resources):
        errors["resources"] = _("A resource is not of the committee's area.")
    if owner is None or owner.committee_id != committee.pk or owner.until is not None:
        errors["owner"] = _("The owner is a member of the committee.")
    title = _text(errors, "title", title, _("Name the project."), 120)
    _raise(errors)
    project = Project.objects.create(
        committee=committee, need=need, title=title, owner=owner, created_at=timezone.now()
    )
    project.resources.set(resources)
    record(
        T.PROJECT_MATCHED,
        project,
        actor=user,
        street=committee.street,
        need=need.pk,
        resources=[r.pk for r in resources],
    )
    return project


ALLOWED_NEXT = {
    ProjectStatus.PLANNED: {ProjectStatus.RUNNING, ProjectStatus.STOPPED},
    ProjectStatus.RUNNING: {ProjectStatus.DONE, ProjectStatus.STOPPED},
}


@transaction.atomic
def update_project(user, project, *, status, result="") -> Project:
    require_committee(user, project.committee)
    sources = [s for s, targets in ALLOWED_NEXT.items() if status in targets]
    if status not in ProjectStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == ProjectStatus.DONE and not (result or "").strip():
        raise ValidationError({"result": _("Say what the project achieved.")})
    if not Project.objects.filter(pk=project.pk, status__in=sources).update(
        status=status, result=(result or "").strip()
    ):
        raise Conflict(_("The project cannot go to that status from where it is."), "state")
    record(T.PROJECT_UPDATED, project, actor=user, street=project.committee.street, status=status)
    project.refresh_from_db()
    return project


# --- the two-ways ------------------------------------------------------------------------------


@transaction.atomic
def record_exchange(user, committee, *, unit, direction, is_service, held_on, subject) -> Exchange:
    if not (acts_for_committee(user, committee) or (unit and unit.contact_user_id == user.pk)):
        raise PermissionDenied(_("Only the committee's runners and the unit record exchanges."))
    errors = {}
    if unit is None or not _units_of_area(committee).filter(unit_id=unit.pk).exists():
        errors["unit"] = _("The unit is not registered in the committee's area.")
    if direction not in Direction.values:
        errors["direction"] = _("Say which way it went.")
    if held_on is None or held_on > timezone.localdate():
        errors["held_on"] = _("Record what took place.")
    subject = _text(errors, "subject", subject, _("Say what it was."), 200)
    _raise(errors)
    exchange = Exchange.objects.create(
        committee=committee,
        unit=unit,
        direction=direction,
        is_service=bool(is_service),
        held_on=held_on,
        subject=subject,
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    record(T.EXCHANGE_RECORDED, exchange, actor=user, street=committee.street, unit=unit.pk)
    return exchange


@transaction.atomic
def evaluate(user, committee, *, unit, period, direction, score, comment="") -> MutualEvaluation:
    """Each period the area rates the unit (`to_unit`, by the committee's runners) and the unit
    rates the area (`from_unit`, by its contact)."""
    errors = {}
    if direction == Direction.TO_UNIT:
        allowed = acts_for_committee(user, committee)
    elif direction == Direction.FROM_UNIT:
        allowed = unit is not None and unit.contact_user_id == user.pk
    else:
        raise ValidationError({"direction": _("Say who rates whom.")})
    if not allowed:
        raise PermissionDenied(
            _("Each side rates the other: the area the unit, the unit the area.")
        )
    if unit is None or not _units_of_area(committee).filter(unit_id=unit.pk).exists():
        errors["unit"] = _("The unit is not registered in the committee's area.")
    if parse_period(period) is None:
        errors["period"] = _("Give a period: YYYY-MM, YYYY-Qn or YYYY.")
    if not isinstance(score, int) or not 1 <= score <= 5:
        errors["score"] = _("A score from 1 to 5.")
    _raise(errors)
    try:
        with transaction.atomic():
            evaluation = MutualEvaluation.objects.create(
                committee=committee,
                unit=unit,
                period=period,
                direction=direction,
                score=score,
                comment=(comment or "").strip(),
                by=user,
                at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError({"period": _("This side has rated this period already.")}) from None
    record(
        T.EVALUATION_GIVEN,
        evaluation,
        actor=user,
        street=committee.street,
        unit=unit.pk,
        direction=direction,
    )
    return evaluation


@transaction.atomic
def publish_evaluations(user, committee, period) -> list[dict]:
    """The period's evaluation report, published to the committee: per unit, both sides'
    scores (None where a side has not rated)."""
    require_committee(user, committee)
    if parse_period(period) is None:
        raise ValidationError({"period": _("Give a period: YYYY-MM, YYYY-Qn or YYYY.")})
    rows = MutualEvaluation.objects.filter(committee=committee, period=period)
    if not rows.exists():
        raise Conflict(_("Nobody has rated this period yet."), "state")
    now = timezone.now()
    rows.filter(published_at=None).update(published_at=now)
    record(T.EVALUATIONS_PUBLISHED, committee, actor=user, street=committee.street, period=period)
    return evaluation_report(committee, period)


def evaluation_report(committee, period, *, published_only=False) -> list[dict]:
    """Per unit, both sides' scores of the period (`published_only`: as published to the
    committee, without what was rated since)."""
    report: dict[int, dict] = {}
    rows = MutualEvaluation.objects.filter(committee=committee, period=period)
    if published_only:
        rows = rows.exclude(published_at=None)
    for e in rows.select_related("unit"):
        row = report.setdefault(
            e.unit_id, {"unit": e.unit.name, Direction.TO_UNIT: None, Direction.FROM_UNIT: None}
        )
        row[e.direction] = e.score
    return list(report.values())
