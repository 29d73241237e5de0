"""Special campaigns (专项行动, docs/campaigns.md): who sees and who acts, and every write of
a campaign's own rows (set up, change, end, the command post and the party branch, results
and indicator readings). Each write is atomic and puts one event on the campaign's timeline.

Putting whistles and supervision orders into a campaign, and the campaign's figures, live in
powers/campaigns.py (they read the higher apps' rows)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict

from .choices import CampaignRole, Role, TimelineEventType
from .models import (
    Campaign,
    CampaignCounter,
    CampaignIndicator,
    CampaignPost,
    IndicatorReading,
)
from .scope import scope_of
from .services import record

LEADERS = (CampaignRole.COMMANDER, CampaignRole.DEPUTY_COMMANDER)
BRANCH = (CampaignRole.BRANCH_SECRETARY, CampaignRole.BRANCH_MEMBER)


# --- who sees, who acts ----------------------------------------------------------------------


def visible_campaigns(user):
    """Everyone who sees the district sees its campaigns (the covered streets' people work in
    it); the people of the command post and the branch see theirs; the city sees all."""
    scope = scope_of(user)
    campaigns = Campaign.objects.all()
    if scope.everything:
        return campaigns
    if not getattr(user, "is_authenticated", False):
        return campaigns.none()
    return campaigns.filter(
        Q(district_id__in=scope.home_district_ids)
        | Q(pk__in=CampaignPost.objects.filter(user=user).values("campaign_id"))
    )


def may_set_up(user, district) -> bool:
    """The district's administrators (and the superuser, for the city) set up and change."""
    if not getattr(user, "is_authenticated", False):
        return False
    district_id = getattr(district, "pk", district)
    return user.is_superuser or scope_of(user).has_role(Role.DISTRICT_ADMIN, district_id)


def may_set_up_somewhere(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or scope_of(user).has_role(Role.DISTRICT_ADMIN)
    )


def may_record(user, campaign, street_ids=None) -> bool:
    """The commander and the deputies, and the officials of the covered streets, record
    results and readings and put the covered streets' whistles and orders in."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if street_ids is None:
        street_ids = set(campaign.streets.values_list("pk", flat=True))
    if scope_of(user).street_ids & set(street_ids):
        return True
    return CampaignPost.objects.filter(campaign=campaign, user=user, role__in=LEADERS).exists()


def _require_set_up(actor, district):
    if not may_set_up(actor, district):
        raise PermissionDenied(
            _("Only the administrators of %(district)s set up and change its campaigns.")
            % {"district": district}
        )


def require_record(actor, campaign):
    if not may_record(actor, campaign):
        raise PermissionDenied(
            _(
                "Only the command post's commanders and the covered streets' officials record "
                "for this campaign."
            )
        )


def _check_dates(starts_on, ends_on):
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A campaign cannot end before it starts.")})


def _check_streets(district, streets):
    if not streets:
        raise ValidationError({"streets": _("Name at least one street the campaign covers.")})
    others = [s.name for s in streets if s.district_id != district.pk]
    if others:
        raise ValidationError(
            {
                "streets": _("Not streets of %(district)s: %(streets)s.")
                % {"district": district, "streets": "、".join(others)}
            }
        )


def _required(field, value):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value


# --- the campaign ----------------------------------------------------------------------------


@transaction.atomic
def create_campaign(actor, *, name, district, streets, starts_on, ends_on=None, aims="", at=None):
    _require_set_up(actor, district)
    name = _required("name", name)
    streets = list(streets)
    _check_dates(starts_on, ends_on)
    _check_streets(district, streets)
    campaign = Campaign.objects.create(
        name=name,
        aims=aims or "",
        district=district,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=at or timezone.now(),
        created_by=actor,
    )
    campaign.streets.set(streets)
    record(
        TimelineEventType.CAMPAIGN_CREATED,
        campaign,
        actor=actor,
        at=at,
        name=name,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat() if ends_on else None,
        streets=[s.pk for s in streets],
    )
    return campaign


CHANGEABLE = ("name", "aims", "starts_on", "ends_on", "streets")


@transaction.atomic
def change_campaign(actor, campaign, **changes):
    """Change the name, aims, dates or covered streets; one event names what changed."""
    _require_set_up(actor, campaign.district)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This cannot be changed.")})
    if "name" in changes:
        changes["name"] = _required("name", changes["name"])
    starts_on = changes.get("starts_on", campaign.starts_on)
    ends_on = changes.get("ends_on", campaign.ends_on)
    if starts_on is None:
        raise ValidationError({"starts_on": _("This field is required.")})
    _check_dates(starts_on, ends_on)
    changed = {}
    for field in ("name", "aims", "starts_on", "ends_on"):
        if field in changes and getattr(campaign, field) != changes[field]:
            value = changes[field]
            setattr(campaign, field, value)
            changed[field] = value.isoformat() if isinstance(value, datetime.date) else value
    if "streets" in changes:
        streets = list(changes["streets"])
        _check_streets(campaign.district, streets)
        before = set(campaign.streets.values_list("pk", flat=True))
        if before != {s.pk for s in streets}:
            campaign.streets.set(streets)
            changed["streets"] = sorted(s.pk for s in streets)
    if not changed:
        return campaign
    fields = [f for f in changed if f != "streets"]
    if fields:
        campaign.save(update_fields=fields)
    record(TimelineEventType.CAMPAIGN_CHANGED, campaign, actor=actor, **changed)
    return campaign


@transaction.atomic
def end_campaign(actor, campaign, ends_on=None):
    """End a running campaign on `ends_on` (today by default); ended already: 409."""
    _require_set_up(actor, campaign.district)
    ends_on = ends_on or timezone.localdate()
    _check_dates(campaign.starts_on, ends_on)
    if not Campaign.objects.filter(pk=campaign.pk, ends_on=None).update(ends_on=ends_on):
        raise Conflict(_("This campaign has ended already."), code="ended")
    campaign.ends_on = ends_on
    record(TimelineEventType.CAMPAIGN_ENDED, campaign, actor=actor, ends_on=ends_on.isoformat())
    return campaign


@transaction.atomic
def add_post(actor, campaign, *, user, role, department=None):
    """Put a person on the command post or the temporary party branch (once per role)."""
    _require_set_up(actor, campaign.district)
    if role not in CampaignRole.values:
        raise ValidationError({"role": _("Choose a role of the command post or the branch.")})
    if user is None:
        raise ValidationError({"user": _("This field is required.")})
    if department is not None and department.district_id not in (None, campaign.district_id):
        raise ValidationError(
            {"department": _("Members come from the departments of the campaign's district.")}
        )
    if CampaignPost.objects.filter(campaign=campaign, user=user, role=role).exists():
        raise Conflict(_("This person holds this post already."), code="posted")
    post = CampaignPost.objects.create(
        campaign=campaign, user=user, role=role, department=department
    )
    record(
        TimelineEventType.CAMPAIGN_POST_ADDED,
        campaign,
        actor=actor,
        user=user.pk,
        role=role,
        department=department.pk if department else None,
    )
    return post


def _decimal(field, value):
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


@transaction.atomic
def set_counter(actor, campaign, *, name, value, unit="", source="", at=None):
    """Record a result: a new counter needs its unit and its source; setting it again changes
    the value (and the unit or source when given). Every change is on the timeline."""
    require_record(actor, campaign)
    name = _required("name", name)
    value = _decimal("value", value)
    if value < 0:
        raise ValidationError({"value": _("A count cannot be negative.")})
    unit, source = (unit or "").strip(), (source or "").strip()
    at = at or timezone.now()
    counter = CampaignCounter.objects.select_for_update().filter(campaign=campaign, name=name)
    counter = counter.first()
    if counter is None:
        _required("source", source)
        _required("unit", unit)
        counter = CampaignCounter.objects.create(
            campaign=campaign,
            name=name,
            unit=unit,
            source=source,
            value=value,
            updated_at=at,
            updated_by=actor,
        )
    else:
        unit, source = unit or counter.unit, source or counter.source
        if (counter.value, counter.unit, counter.source) == (value, unit, source):
            return counter
        counter.value, counter.unit, counter.source = value, unit, source
        counter.updated_at, counter.updated_by = at, actor
        counter.save(update_fields=["value", "unit", "source", "updated_at", "updated_by"])
    record(
        TimelineEventType.COUNTER_SET,
        campaign,
        actor=actor,
        at=at,
        counter=name,
        value=str(value),
        unit=unit,
        source=source,
    )
    return counter


@transaction.atomic
def add_indicator(actor, campaign, *, name, source, unit=""):
    require_record(actor, campaign)
    name = _required("name", name)
    source = _required("source", source)
    indicator, created = CampaignIndicator.objects.get_or_create(
        campaign=campaign, name=name, defaults={"source": source, "unit": (unit or "").strip()}
    )
    if not created:
        raise Conflict(_("This campaign follows this indicator already."), code="exists")
    record(
        TimelineEventType.CAMPAIGN_CHANGED,
        campaign,
        actor=actor,
        indicator=name,
        unit=indicator.unit,
        source=source,
    )
    return indicator


@transaction.atomic
def record_reading(actor, indicator, *, on, value, label="", at=None):
    """Record (or correct) the indicator's reading of a date."""
    campaign = indicator.campaign
    require_record(actor, campaign)
    if on is None:
        raise ValidationError({"on": _("This field is required.")})
    value = _decimal("value", value)
    label = (label or "").strip()
    at = at or timezone.now()
    reading, created = IndicatorReading.objects.select_for_update().get_or_create(
        indicator=indicator,
        on=on,
        defaults={"value": value, "label": label, "recorded_at": at, "recorded_by": actor},
    )
    if not created:
        if (reading.value, reading.label) == (value, label):
            return reading
        reading.value, reading.label, reading.recorded_at, reading.recorded_by = (
            value,
            label,
            at,
            actor,
        )
        reading.save(update_fields=["value", "label", "recorded_at", "recorded_by"])
    record(
        TimelineEventType.READING_RECORDED,
        campaign,
        actor=actor,
        at=at,
        indicator=indicator.name,
        on=on.isoformat(),
        value=str(value),
        label=label,
    )
    return reading
