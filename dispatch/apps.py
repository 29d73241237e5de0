from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch and check-ins")

    def ready(self):
        from whistle.querysets import visibility_extensions

        from . import deadlines, reminders, services
        from .models import CheckIn, CheckInReminder
        from .querysets import whistles_of_departments

        visibility_extensions.append(whistles_of_departments)
        deadlines.register(CheckIn, on_overdue=services.on_check_in_overdue)
        deadlines.register(CheckInReminder, on_overdue=reminders.remind)
