"""Who is told about 12345 requests (no citizen's contact in any message)."""

from django.db.models import Q

from core.roles import STREET_ROLES, Role
from notifications.audiences import district_role, link, tell

DISPATCHED = "hotline.dispatched"
RETURNED = "hotline.returned"
OVERDUE = "hotline.overdue"
REOPENED = "hotline.reopened"


def _street(street_id) -> Q:
    return Q(memberships__role__in=STREET_ROLES, memberships__street_id=street_id)


def _operators() -> Q:
    return Q(memberships__role=Role.HOTLINE_OPERATOR)


def _link(request) -> str:
    return link("hotline:request", "api:service-request-detail", request.pk)


def dispatched(request) -> None:
    from django.utils.translation import gettext as _

    tell(
        _street(request.street_id),
        kind=DISPATCHED,
        compose=lambda: (
            _("12345 request %(number)s: %(category)s")
            % {"number": request.number, "category": request.category.name},
            request.description[:200],
        ),
        link=_link(request),
        dedupe_key=f"request:{request.pk}:dispatched:{request.dispatched_at.isoformat()}",
    )


def returned(request) -> None:
    from django.utils.translation import gettext as _

    tell(
        _operators(),
        kind=RETURNED,
        compose=lambda: (
            _("Request %(number)s returned by %(street)s")
            % {"number": request.number, "street": request.street.name},
            request.return_reason[:200],
        ),
        link=_link(request),
        dedupe_key=f"request:{request.pk}:returned:{request.returned_at.isoformat()}",
    )


def overdue(row) -> None:
    from django.utils.translation import gettext as _

    request = row.request
    tell(
        _street(row.street_id) | district_role(Role.DISTRICT_REVIEWER, row.street.district_id),
        kind=OVERDUE,
        compose=lambda: (
            _("Overdue: request %(number)s (%(deadline)s)")
            % {"number": request.number, "deadline": row.get_kind_display()},
            request.category.name,
        ),
        link=_link(request),
        dedupe_key=f"request-deadline:{row.pk}:overdue",
    )


def reopened(request) -> None:
    from django.utils.translation import gettext as _

    tell(
        _street(request.street_id),
        kind=REOPENED,
        compose=lambda: (
            _("Request %(number)s reopened: the citizen is dissatisfied")
            % {"number": request.number},
            request.category.name,
        ),
        link=_link(request),
        dedupe_key=f"request:{request.pk}:reopened:{request.reopened + 1}",
    )
