from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhistleConfig(AppConfig):
    name = "whistle"
    verbose_name = _("Whistles")

    def ready(self):
        # the duty list's items answer whistle categories (accounts/duties.py)
        from accounts.duties import CATEGORY_SOURCES

        if _whistle_categories not in CATEGORY_SOURCES:
            CATEGORY_SOURCES.append(_whistle_categories)


def _whistle_categories():
    from .choices import Category

    return Category.values
