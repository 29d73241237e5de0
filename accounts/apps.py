from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisation and accounts")

    def ready(self):
        from . import signals  # noqa: F401
        from .grants import register_accounts_powers

        register_accounts_powers()
