from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = _("12345 requests")

    def ready(self):
        from accounts.demo import SEED_EXTENSIONS
        from dispatch import deadlines

        from . import demo, services
        from .models import RequestDeadline

        deadlines.register(RequestDeadline, on_overdue=services.on_deadline_overdue)
        if demo.seed not in SEED_EXTENSIONS:
            SEED_EXTENSIONS.append(demo.seed)
        # the duty list's items answer 12345 categories too (accounts/duties.py)
        from accounts.duties import CATEGORY_SOURCES

        if _request_categories not in CATEGORY_SOURCES:
            CATEGORY_SOURCES.append(_request_categories)


def _request_categories():
    from .models import RequestCategory

    return RequestCategory.objects.values_list("code", flat=True)
