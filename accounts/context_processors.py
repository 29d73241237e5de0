from django.utils.translation import gettext as _

from .choices import Role
from .scope import scope_of


def navigation(request):
    """What the header offers this person, and the texts the page scripts show."""
    scope = scope_of(getattr(request, "user", None))
    return {
        "nav": {
            "street": bool(scope.roles & {Role.STREET_OFFICIAL, Role.COMMITTEE_MEMBER}),
            "dispatcher": Role.DEPARTMENT_DISPATCHER in scope.roles,
        },
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
