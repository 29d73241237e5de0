"""Who is told about the front line (no steward's phone or address in any message)."""

from django.db.models import Q

from core.roles import STREET_ROLES
from notifications.audiences import link, tell

FILED = "frontline.filed"
OVERDUE = "frontline.overdue"
OUTCOME = "frontline.outcome"
CHIEF = "frontline.chief"


def _chief(alley_id) -> Q:
    from .models import AlleyChief

    return Q(pk__in=AlleyChief.objects.filter(alley_id=alley_id, until=None).values("user_id"))


def _street(street_id) -> Q:
    return Q(memberships__role__in=STREET_ROLES, memberships__street_id=street_id)


def _steward(report) -> Q:
    if report.steward_id is None:
        return Q(pk=report.reported_by_id)
    return Q(steward__pk=report.steward_id, steward__left_on=None)


def _link(report) -> str:
    return link("community:report", "api:frontline-report-detail", report.pk)


def filed(report) -> None:
    from django.utils.translation import gettext as _

    tell(
        _chief(report.alley_id),
        kind=FILED,
        compose=lambda: (
            _("Report %(number)s in %(alley)s: %(category)s")
            % {
                "number": report.number,
                "alley": report.alley.name,
                "category": report.get_category_display(),
            },
            report.text,
        ),
        link=_link(report),
        dedupe_key=f"frontline:{report.pk}:filed",
    )


def overdue(report) -> None:
    from django.utils.translation import gettext as _

    tell(
        _chief(report.alley_id) | _street(report.street_id),
        kind=OVERDUE,
        compose=lambda: (
            _("Untouched: report %(number)s in %(alley)s")
            % {"number": report.number, "alley": report.alley.name},
            report.text,
        ),
        link=_link(report),
        dedupe_key=f"frontline:{report.pk}:overdue",
    )


def outcome(report) -> None:
    """The steward hears what became of their report (accepted, fixed, escalated)."""
    from django.utils.translation import gettext as _

    def compose():
        title = _("Your report %(number)s: %(status)s") % {
            "number": report.number,
            "status": report.get_status_display(),
        }
        body = report.outcome or report.text
        if report.whistle_id:
            body = _("Whistle %(number)s summons the departments.") % {
                "number": report.whistle.number
            }
        return title, body[:200]

    tell(
        _steward(report),
        kind=OUTCOME,
        compose=compose,
        link=_link(report),
        dedupe_key=f"frontline:{report.pk}:{report.status}",
    )


def whistle_resolved(report, whistle) -> None:
    from django.utils.translation import gettext as _

    tell(
        _steward(report),
        kind=OUTCOME,
        compose=lambda: (
            _("Your report %(number)s: the whistle is resolved") % {"number": report.number},
            (whistle.resolution or "")[:200],
        ),
        link=_link(report),
        dedupe_key=f"frontline:{report.pk}:whistle-resolved:{whistle.resolved_at:%Y%m%d%H%M%S}",
    )


def chief_assigned(term) -> None:
    from django.utils.translation import gettext as _

    tell(
        Q(pk=term.user_id),
        kind=CHIEF,
        compose=lambda: (
            _("You are now the chief of %(alley)s") % {"alley": term.alley.name},
            term.alley.street.name,
        ),
        link=link("community:alley", "api:alley-detail", term.alley_id),
        dedupe_key=f"alley-chief:{term.pk}",
    )


EMPLOYER_REPORT = "dual.employer_report"


def employer_report(report, totals) -> None:
    """向党员所在单位反馈: the unit's contact hears that the period's report is ready (counts
    only; the figures are read in the report). No page to link yet: the link stays empty."""
    from django.utils.translation import gettext as _

    if report.unit.contact_user_id is None:
        return
    tell(
        Q(pk=report.unit.contact_user_id),
        kind=EMPLOYER_REPORT,
        compose=lambda: (
            _("%(unit)s: the report on your party members for %(period)s")
            % {"unit": report.unit.name, "period": report.period},
            _(
                "%(members)s members registered in communities; %(activities)s activities, "
                "%(hours)s hours of service; %(idle)s members served at no activity."
            )
            % totals,
        ),
        link="",
        dedupe_key=f"employer-report:{report.pk}",
    )
