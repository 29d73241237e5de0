"""Who is told what about whistles and check-ins (docs/notifications.md).

Each function runs inside the transaction of the change it reports (the outbox): summoned
(the department's dispatchers, and its duty contact by SMS), reminded before the deadline
(the same), overdue (the department's leaders who have accounts, its dispatchers, the street's
officials and the district's reviewers), resolved (the summoned departments' dispatchers: they
may leave). Texts are written in the platform's language (LANGUAGE_CODE), whoever's request
caused them; each event has a dedupe key, so repeating it notifies nobody twice.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import Role
from accounts.models import DepartmentLeader
from notifications.services import notify, notify_phone

from .models import CheckIn

SUMMONED = "check_in.summoned"
REMINDER = "check_in.reminder"
OVERDUE = "check_in.overdue"
RESOLVED = "whistle.resolved"
CANCELLED = "whistle.cancelled"

STREET_ROLES = (Role.STREET_OFFICIAL, Role.COMMITTEE_MEMBER)


def _users(condition: Q):
    return get_user_model().objects.filter(condition)


def _dispatchers(department_id) -> Q:
    return Q(memberships__role=Role.DEPARTMENT_DISPATCHER, memberships__department_id=department_id)


def _link(page: str, api: str, pk: int) -> str:
    try:
        return reverse(page, args=[pk])
    except NoReverseMatch:  # the pages are not installed: the API's view of it
        return reverse(api, args=[pk])


def _check_in_link(check_in) -> str:
    return _link("dispatch:check-in", "api:check-in-detail", check_in.pk)


def _whistle_link(whistle) -> str:
    return _link("dispatch:whistle", "api:whistle-detail", whistle.pk)


def _hhmm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _about(check_in) -> dict:
    whistle = check_in.whistle
    return {
        "street": whistle.street.name,
        "department": check_in.department.name,
        "number": whistle.number,
        "title": whistle.title,
        "location": whistle.location,
        "time": _hhmm(check_in.deadline),
    }


def _duty_phone(check_in) -> list[str]:
    station = check_in.station
    return [station.duty_phone] if station is not None and station.duty_phone else []


def summoned(check_in) -> None:
    """A new summons: the department's dispatchers (their queue alerts) and its duty contact."""
    with translation.override(settings.LANGUAGE_CODE):
        about = _about(check_in)
        title = _("%(street)s summons %(department)s: on site by %(time)s") % about
        body = _("Whistle %(number)s: %(title)s. Place: %(location)s.") % about
    key = f"summoned:{check_in.pk}"
    notify(
        _users(_dispatchers(check_in.department_id)),
        kind=SUMMONED,
        title=title,
        body=body,
        link=_check_in_link(check_in),
        dedupe_key=key,
    )
    notify_phone(_duty_phone(check_in), kind=SUMMONED, title=title, body=body, dedupe_key=key)


def reminder(check_in, minutes: int, now) -> None:
    """Nobody is on site yet and the deadline is near."""
    left = max(1, -(-int((check_in.deadline - now).total_seconds()) // 60))  # rounded up
    with translation.override(settings.LANGUAGE_CODE):
        about = {**_about(check_in), "count": left}
        title = (
            ngettext(
                "%(count)d minute left: %(department)s is not on site at %(street)s",
                "%(count)d minutes left: %(department)s is not on site at %(street)s",
                left,
            )
            % about
        )
        body = (
            _("Whistle %(number)s: %(title)s. Place: %(location)s. Be there by %(time)s.") % about
        )
    key = f"reminder:{check_in.pk}:{minutes}"
    notify(
        _users(_dispatchers(check_in.department_id)),
        kind=REMINDER,
        title=title,
        body=body,
        link=_check_in_link(check_in),
        dedupe_key=key,
    )
    notify_phone(_duty_phone(check_in), kind=REMINDER, title=title, body=body, dedupe_key=key)


def overdue(check_in) -> None:
    """The deadline passed with nobody on site: escalate."""
    check_in = CheckIn.objects.select_related("department", "whistle__street").get(pk=check_in.pk)
    whistle = check_in.whistle
    with translation.override(settings.LANGUAGE_CODE):
        about = {**_about(check_in), "summoned": _hhmm(check_in.summoned_at)}
        title = _("Overdue: %(department)s was not on site at %(street)s by %(time)s") % about
        body = (
            _("Whistle %(number)s: %(title)s. Place: %(location)s. Summoned at %(summoned)s.")
            % about
        )
    leaders = DepartmentLeader.objects.filter(
        department_id=check_in.department_id, user__isnull=False
    ).values("user_id")
    recipients = _users(
        Q(pk__in=leaders)
        | _dispatchers(check_in.department_id)
        | Q(memberships__role__in=STREET_ROLES, memberships__street_id=whistle.street_id)
        | Q(
            memberships__role=Role.DISTRICT_REVIEWER,
            memberships__district_id=whistle.street.district_id,
        )
    )
    notify(
        recipients,
        kind=OVERDUE,
        title=title,
        body=body,
        link=_whistle_link(whistle),
        dedupe_key=f"overdue:{check_in.pk}",
    )


def _tell_each_department(whistle, kind: str, compose) -> None:
    """One notification to the dispatchers of each department the whistle summoned;
    `compose(department_id, name)` gives (title, body), written in the platform's language."""
    names = {
        c.department_id: c.department.name for c in whistle.check_ins.select_related("department")
    }
    for department_id, name in names.items():
        with translation.override(settings.LANGUAGE_CODE):
            title, body = compose(department_id, name)
        notify(
            _users(_dispatchers(department_id)),
            kind=kind,
            title=title,
            body=body,
            link=_whistle_link(whistle),
            dedupe_key=f"{kind.split('.')[-1]}:{whistle.pk}:{department_id}",
        )


def resolved(whistle) -> None:
    """The whistle is resolved: each summoned department's dispatchers learn that their people
    may leave the site, or need not come any more."""
    on_site = {
        c.department_id
        for c in whistle.check_ins.all()
        if c.checked_in_at is not None and c.released_at is None
    }

    def compose(department_id, name):
        about = {"number": whistle.number, "department": name}
        title = (
            _("%(number)s is resolved: %(department)s may leave the site")
            if department_id in on_site
            else _("%(number)s is resolved: %(department)s need not come any more")
        ) % about
        body = whistle.title
        if whistle.resolution:
            body = _("%(title)s. Resolution: %(resolution)s") % {
                "title": whistle.title,
                "resolution": whistle.resolution,
            }
        return title, body

    _tell_each_department(whistle, RESOLVED, compose)


def cancelled(whistle) -> None:
    """The whistle is cancelled: each summoned department's dispatchers learn that nobody needs
    to come (or stay) any more."""

    def compose(department_id, name):
        title = _("%(number)s is cancelled: %(department)s need not come") % {
            "number": whistle.number,
            "department": name,
        }
        body = _("%(title)s. Reason: %(reason)s") % {
            "title": whistle.title,
            "reason": whistle.cancel_reason,
        }
        return title, body

    _tell_each_department(whistle, CANCELLED, compose)
