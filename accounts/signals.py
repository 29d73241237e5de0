"""Keep each street's party-committee group in step with the committee memberships,
however a membership changes (service, admin, import)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership
from .services import sync_committee_groups


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    sync_committee_groups(instance.user_id)
