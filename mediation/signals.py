from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from mediation.models import Membership
from mediation.scoping import Scope

OWN_APPS = {"mediation", "disputes", "tasks_plan"}


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance, **kwargs):
    """The cached scope of the user object at hand is stale; other requests read memberships afresh anyway."""
    Scope.forget(instance.user)


def roles_after_migrate(sender, **kwargs):
    if sender.label not in OWN_APPS:
        return
    from mediation.roles import sync_roles

    sync_roles(strict=False)
