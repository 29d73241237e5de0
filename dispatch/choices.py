from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckInStatus(models.TextChoices):
    PENDING = "pending", _("Summoned")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ON_SITE = "on_site", _("On site")
    RELEASED = "released", _("Released")
