"""Who is told what about whistles and check-ins (docs/notifications.md).

Each function runs inside the transaction of the change it reports (the outbox): summoned
(the department's dispatchers, and its duty contact by SMS), reminded before the deadline
(the same), overdue (the department's leaders who have accounts, its dispatchers, the street's
officials and the district's reviewers), resolved (the summoned departments' dispatchers: they
may leave). Texts are written in the platform's language (LANGUAGE_CODE), whoever's request
caused them; each event has a dedupe key, so repeating it notifies nobody twice.
"""

from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import DepartmentLeader, Membership
from core.roles import STREET_ROLES, Role
from notifications.audiences import dispatchers as _dispatchers
from notifications.audiences import link as _link
from notifications.audiences import users as _users
from notifications.services import Message, notify, notify_many, notify_phone

SUMMONED = "check_in.summoned"
REMINDER = "check_in.reminder"
OVERDUE = "check_in.overdue"
RESOLVED = "whistle.resolved"
CANCELLED = "whistle.cancelled"


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


def _dispatchers_of(department_ids) -> dict[int, set]:
    """The dispatchers' user ids of each department, in one query."""
    found: dict[int, set] = defaultdict(set)
    members = Membership.objects.filter(
        role=Role.DEPARTMENT_DISPATCHER, department_id__in=set(department_ids)
    )
    for department_id, user_id in members.values_list("department_id", "user_id"):
        found[department_id].add(user_id)
    return found


def reminders(due, now) -> None:
    """Nobody is on site yet and the deadline is near: for each (check-in, minutes) of `due`
    (check-ins with department, station and whistle's street loaded), its department's
    dispatchers and duty contact, in a few queries whatever their number."""
    if not due:
        return
    dispatchers = _dispatchers_of(c.department_id for c, _minutes in due)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for check_in, minutes in due:
            left = max(1, -(-int((check_in.deadline - now).total_seconds()) // 60))  # rounded up
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
                _("Whistle %(number)s: %(title)s. Place: %(location)s. Be there by %(time)s.")
                % about
            )
            messages.append(
                Message(
                    kind=REMINDER,
                    title=title,
                    body=body,
                    link=_check_in_link(check_in),
                    dedupe_key=f"reminder:{check_in.pk}:{minutes}",
                    users=tuple(sorted(dispatchers[check_in.department_id])),
                    phones=tuple(_duty_phone(check_in)),
                    broadcast=True,
                )
            )
    notify_many(messages)


def _escalation_audiences(check_ins) -> dict[tuple, set]:
    """Who hears of a missed deadline, by unit, for all the check-ins in three queries: the
    department's leaders with accounts and its dispatchers, the street's officials, the
    district's reviewers."""
    departments = {c.department_id for c in check_ins}
    streets = {c.whistle.street_id for c in check_ins}
    districts = {c.whistle.street.district_id for c in check_ins}
    audiences: dict[tuple, set] = defaultdict(set)
    for department_id, users in _dispatchers_of(departments).items():
        audiences["department", department_id] |= users
    leaders = DepartmentLeader.objects.filter(department_id__in=departments, user__isnull=False)
    for department_id, user_id in leaders.values_list("department_id", "user_id"):
        audiences["department", department_id].add(user_id)
    members = Membership.objects.filter(
        Q(role__in=STREET_ROLES, street_id__in=streets)
        | Q(role=Role.DISTRICT_REVIEWER, district_id__in=districts)
    )
    for street_id, district_id, user_id in members.values_list(
        "street_id", "district_id", "user_id"
    ):
        unit = ("street", street_id) if street_id is not None else ("district", district_id)
        audiences[unit].add(user_id)
    return audiences


def overdue(check_ins) -> None:
    """Deadlines passed with nobody on site: escalate. For any number of check-ins (each with
    its department and its whistle's street loaded) in a few queries: a sweep of a city-wide
    emergency marks thousands at once."""
    if not check_ins:
        return
    audiences = _escalation_audiences(check_ins)
    links: dict[int, str] = {}  # per whistle: a burst summons many departments to each
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for check_in in check_ins:
            whistle = check_in.whistle
            if whistle.pk not in links:
                links[whistle.pk] = _whistle_link(whistle)
            about = {**_about(check_in), "summoned": _hhmm(check_in.summoned_at)}
            users = (
                audiences["department", check_in.department_id]
                | audiences["street", whistle.street_id]
                | audiences["district", whistle.street.district_id]
            )
            messages.append(
                Message(
                    kind=OVERDUE,
                    title=_("Overdue: %(department)s was not on site at %(street)s by %(time)s")
                    % about,
                    body=_(
                        "Whistle %(number)s: %(title)s. Place: %(location)s. Summoned at %(summoned)s."
                    )
                    % about,
                    link=links[whistle.pk],
                    dedupe_key=f"overdue:{check_in.pk}",
                    users=tuple(sorted(users)),
                    broadcast=True,
                )
            )
    notify_many(messages)


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
