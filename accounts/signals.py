"""Keep each street's party-committee group in step with the committee memberships,
however a membership changes (service, admin, import)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Membership, User
from .services import sync_committee_groups


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    sync_committee_groups(instance.user_id)


@receiver(m2m_changed, sender=User.groups.through)
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A committee group edited by hand (admin, shell) is put back in step with the
    memberships: powers follow memberships, nothing else."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    user_ids = pk_set if reverse and pk_set else ([instance.pk] if not reverse else [])
    if reverse and action == "post_clear":
        user_ids = Membership.objects.filter(street__committee=instance).values_list(
            "user_id", flat=True
        )
    for user_id in set(user_ids):
        sync_committee_groups(user_id)
