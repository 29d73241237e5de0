from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Front line and community")

    def ready(self):
        from accounts import hooks as accounts_hooks
        from accounts.demo import SEED_EXTENSIONS
        from dispatch import deadlines, hooks

        from . import demo, feedback, scope, services
        from .models import EmployerReport, FrontlineReport

        deadlines.register(FrontlineReport, on_overdue=services.on_report_overdue)
        deadlines.register(EmployerReport, on_overdue=feedback.on_report_due)
        from . import cogovern
        from .models import FollowUp

        deadlines.register(FollowUp, on_overdue=cogovern.on_follow_up_overdue)
        if services.on_whistle_resolved not in hooks.resolved_hooks:
            hooks.resolved_hooks.append(services.on_whistle_resolved)
        from . import demo_dual

        for seed in (demo.seed, demo_dual.seed):
            if seed not in SEED_EXTENSIONS:
                SEED_EXTENSIONS.append(seed)
        if scope.start_page not in accounts_hooks.start_pages:
            accounts_hooks.start_pages.append(scope.start_page)
