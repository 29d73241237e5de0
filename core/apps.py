from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        # the schema extension of BoundedDecimalField registers itself when its module is read
        from . import fields  # noqa: F401
