"""The street's duty list (街道职责清单): versions, the list in force, suggestions, citing.

A version is published by the city (district empty) or by a district. A street follows the
newest version of its district whose `effective_from` has come, else the city's newest one
(docs/duties.md). Every write is a service here with a timeline event; the citing of an item on a
whistle or a 12345 request lives with those (dispatch/duties.py, hotline/duties.py), since
accounts/ sits below them, and uses `require_citable` from here.
"""

from collections import Counter
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.periods import BEIJING
from core.roles import Role

from .choices import DutyRole, TimelineEventType
from .models import DutyItem, DutyList, DutySection
from .scope import scope_of
from .services import record

# The category codes an item may answer: the higher apps register a callable returning their
# codes (whistle/ its categories, hotline/ its 12345 request categories), as SEED_EXTENSIONS.
CATEGORY_SOURCES: list = []


def known_categories() -> set[str]:
    codes = set()
    for source in CATEGORY_SOURCES:
        codes.update(str(c) for c in source())
    return codes


def today() -> date:
    return timezone.now().astimezone(BEIJING).date()


# --- who may --------------------------------------------------------------------------------


def may_publish(user, district) -> bool:
    """The city's people (its operators, the superuser) publish the city's list; a district's
    administrators publish their district's."""
    scope = scope_of(user)
    if district is None:
        return bool(scope.city_ids) or getattr(user, "is_superuser", False)
    return scope.everything or scope.has_role(Role.DISTRICT_ADMIN, district.pk)


def publishable_districts(user):
    """The districts `user` may publish for (None for the city first when allowed)."""
    from .models import District

    scope = scope_of(user)
    units = [None] if may_publish(user, None) else []
    districts = District.objects.order_by("id")
    if not scope.everything:
        ids = [unit for role, unit in scope.role_units if role == Role.DISTRICT_ADMIN]
        districts = districts.filter(id__in=ids)
    return units + list(districts)


def lists_visible_to(user):
    """The city's lists for everyone signed in; a district's to the people of that district and
    the city."""
    scope = scope_of(user)
    lists = DutyList.objects.select_related("district")
    if scope.everything:
        return lists
    if not getattr(user, "is_authenticated", False):
        return lists.none()
    return lists.filter(Q(district=None) | Q(district_id__in=scope.home_district_ids))


# --- reading ------------------------------------------------------------------------------------


def list_in_force(street, day: date | None = None) -> DutyList | None:
    """The version a street follows on `day` (Beijing date): its district's newest in force,
    else the city's newest in force. One query."""
    day = day or today()
    return (
        DutyList.objects.filter(
            Q(district_id=street.district_id) | Q(district=None), effective_from__lte=day
        )
        .order_by(F("district_id").asc(nulls_last=True), "-effective_from", "-id")
        .first()
    )


def items_in_force(street, day: date | None = None):
    duty_list = list_in_force(street, day)
    if duty_list is None:
        return DutyItem.objects.none()
    return DutyItem.objects.filter(duty_list=duty_list).select_related("section")


def suggest(items, category: str | None) -> list[DutyItem]:
    """The items answering `category` (any of its codes), the organising ones first."""
    if not category:
        return []
    order = {DutyRole.ORGANISE: 0, DutyRole.LEAD: 1, DutyRole.ASSIST: 2}
    found = [i for i in items if category in (i.categories or [])]
    return sorted(found, key=lambda i: (order.get(i.role, 3), i.number))


def suggested_items(street, category: str | None, day: date | None = None) -> list[DutyItem]:
    return suggest(list(items_in_force(street, day)), category)


def role_shares(items) -> dict[str, dict]:
    """Per role: count and percentage (rounded), over the given items."""
    counts = Counter(i.role if hasattr(i, "role") else i for i in items)
    total = sum(counts.values())
    return {
        role: {
            "label": str(label),
            "count": counts.get(role, 0),
            "percent": round(100 * counts.get(role, 0) / total) if total else 0,
        }
        for role, label in DutyRole.choices
    }


def item_by_id(pk):
    """The duty item of an id from a body (None for none); no such item names `duty_item`."""
    if pk is None:
        return None
    item = DutyItem.objects.filter(pk=pk).select_related("duty_list").first()
    if item is None:
        raise ValidationError({"duty_item": _("No such duty item.")})
    return item


def require_citable(item, street, day: date) -> None:
    """The item must belong to the list the street follows on `day`, else the field is named."""
    if item is None:
        return
    duty_list = list_in_force(street, day)
    if duty_list is None or item.duty_list_id != duty_list.pk:
        raise ValidationError(
            {
                "duty_item": _("This duty item is not on the duty list in force for %(street)s.")
                % {"street": street.name}
            }
        )


# --- writing ------------------------------------------------------------------------------------


@transaction.atomic
def publish(
    actor,
    *,
    district,
    version: str,
    title: str,
    effective_from: date,
    sections: list[tuple[int, str]],
    items: list[dict],
    at=None,
) -> DutyList:
    """A new version of the duty list, sections and items at once. `items` are dicts with
    section (number), number, title, role, categories."""
    if actor is not None and not may_publish(actor, district):
        raise PermissionDenied(_("You cannot publish a duty list for this unit."))
    errors = {}
    version = (version or "").strip()
    title = (title or "").strip()
    if not version:
        errors["version"] = _("Give the version, e.g. 2025.")
    elif DutyList.objects.filter(district=district, version=version).exists():
        errors["version"] = _("Version %(version)s is already published.") % {"version": version}
    if not title:
        errors["title"] = _("Give the list a title.")
    if effective_from is None:
        errors["effective_from"] = _("Give the date the list is in force from.")
    if not items:
        errors["file"] = _("The list has no items.")
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    duty_list = DutyList.objects.create(
        district=district,
        version=version,
        title=title,
        effective_from=effective_from,
        published_at=now,
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    by_number = {}
    for number, section_title in sections:
        by_number[number] = DutySection.objects.create(
            duty_list=duty_list, number=number, title=section_title
        )
    DutyItem.objects.bulk_create(
        DutyItem(
            duty_list=duty_list,
            section=by_number[i["section"]],
            number=i["number"],
            title=i["title"],
            role=i["role"],
            categories=list(i.get("categories") or []),
        )
        for i in items
    )
    record(
        TimelineEventType.DUTY_LIST_PUBLISHED,
        duty_list,
        actor=actor,
        at=now,
        version=version,
        district=district.pk if district else None,
        sections=len(sections),
        items=len(items),
    )
    return duty_list
