from django.conf import settings
from django.utils.translation import gettext as _

from core.roles import FRONTLINE_ROLES

from .choices import Power, Role
from .grants import holds_power_anywhere
from .scope import scope_of


def navigation(request):
    """What the header offers this person, and the texts the page scripts show."""
    user = getattr(request, "user", None)
    scope = scope_of(user)
    staff = scope.roles - set(FRONTLINE_ROLES)  # the platform's offices, not the front line
    return {
        "nav": {
            # whistles and the organisation: for the offices (a steward or a chief has none)
            "offices": bool(staff or getattr(user, "is_superuser", False)),
            # blowing needs the power to coordinate (one query, only for committee members)
            "blow": Role.COMMITTEE_MEMBER in scope.roles
            and holds_power_anywhere(user, Power.COORDINATE_DEPARTMENTS),
            "dispatcher": Role.DEPARTMENT_DISPATCHER in scope.roles,
            # the 12345 requests: the operators, the streets and the districts
            "hotline": bool(
                scope.roles
                & {
                    Role.HOTLINE_OPERATOR,
                    Role.STREET_OFFICIAL,
                    Role.COMMITTEE_MEMBER,
                    Role.DISTRICT_REVIEWER,
                    Role.DISTRICT_ADMIN,
                }
                or getattr(user, "is_superuser", False)
            ),
            # the department scores: anyone with a role (each sees what concerns them)
            "scores": bool(staff or getattr(user, "is_superuser", False)),
            # the powers' hub: whoever uses, answers, grants or reviews them
            "powers": bool(
                staff - {Role.HOTLINE_OPERATOR}
                or getattr(getattr(request, "user", None), "is_superuser", False)
            ),
        },
        # the check-in window in every text that names it: the setting decides, not the text
        "checkin_minutes": settings.WHISTLE_CHECKIN_DEADLINE_SECONDS // 60,
        "js_i18n": {
            "left": _("%s left"),
            "late": _("%s late"),
            "locating": _("Finding your position…"),
            "located": _("Position recorded (±%s m)"),
            "noPosition": _("No position: the report is sent without it."),
            "newSummons": _("New summons"),
            "alertsOn": _("Alerts are on: a sound and a notification for each new summons."),
            "alertsOff": _("Alerts are off. Click “Enable alerts” once to hear new summonses."),
        },
    }
