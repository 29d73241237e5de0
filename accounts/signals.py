"""Keep each street's party-committee group in step with the committee memberships,
however a membership changes (service, admin, import)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import DispatchedAgency, Membership, Station, StationedOfficer, User
from .services import sync_committee_groups, sync_object


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


@receiver(post_save, sender=Station)
@receiver(post_save, sender=DispatchedAgency)
@receiver(post_save, sender=StationedOfficer)
def _governed_object_saved(sender, instance, raw=False, **kwargs):
    """A station, agency or officer added (or moved) later is covered by its street's grants
    at once. Bulk loads (seed_demo, import_org) call `sync_powers` themselves."""
    if not raw:
        sync_object(instance)
