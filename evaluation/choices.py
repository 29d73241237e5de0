from django.db import models
from django.utils.translation import gettext_lazy as _


class Timeliness(models.TextChoices):
    """Derived from the check-in against its 30-minute deadline."""

    ON_TIME = "on_time", _("On site in time")
    LATE = "late", _("Late")
    NO_SHOW = "no_show", _("Never on site (overdue)")
    NOT_NEEDED = "not_needed", _("Released before the deadline")


class EvaluationStatus(models.TextChoices):
    EVALUATED = "evaluated", _("Evaluated")
    LAPSED = "lapsed", _("Not evaluated (window lapsed)")


class VetoStatus(models.TextChoices):
    NONE = "", _("No veto")
    PENDING = "pending", _("Veto awaiting review")
    UPHELD = "upheld", _("Veto upheld")
    OVERTURNED = "overturned", _("Veto overturned")


COUNTING_VETOES = (VetoStatus.PENDING, VetoStatus.UPHELD)  # a veto counts until overturned
