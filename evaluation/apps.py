from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation and department scores")

    def ready(self):
        from dispatch import deadlines, hooks

        from . import services
        from .models import EvaluationWindow

        hooks.close_guards.append(services.close_guard)
        hooks.resolved_hooks.append(services.open_window)
        deadlines.register(EvaluationWindow, on_overdue=services.on_window_lapsed)
