from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """The first answer to a creating POST sent with an `Idempotency-Key` header: the same key
    from the same user answers it again and creates nothing more (core.idempotency)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # method, path and body of the first request
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # made by dispatch's migrations, when the keys served whistles alone; the model moved,
        # the table stayed (core/migrations/0001_initial.py)
        db_table = "dispatch_idempotencykey"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self):
        return f"{self.user_id}: {self.key}"
