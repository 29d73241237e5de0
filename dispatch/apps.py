from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch and check-ins")

    def ready(self):
        from whistle.querysets import visibility_extensions

        from . import checks, deadlines, reminders, services  # noqa: F401 (checks registers)
        from .models import CheckIn, CheckInReminder
        from .querysets import whistles_of_departments

        visibility_extensions.append(whistles_of_departments)
        deadlines.register(CheckIn, on_overdue_many=services.on_check_ins_overdue)
        deadlines.register(CheckInReminder, on_overdue_many=reminders.remind)
