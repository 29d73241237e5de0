from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# What a delivery waits for: to be claimed (pending, from `next_attempt_at`) or for a claim
# whose lease ran out (sending, `next_attempt_at` is then the end of the lease).
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
