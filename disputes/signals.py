"""What the disputes app keeps in step with the other apps' changes."""

from django.dispatch import receiver

from mediation.models.regions import Region, region_moved, rewritten_path


@receiver(region_moved, sender=Region)
def rewrite_dispute_paths(sender, old_path: str, new_path: str, **kwargs):
    """A dispute keeps a copy of its region's path for the visibility filter; a move rewrites the copies."""
    from disputes.models import Dispute

    Dispute.objects.filter(region_path__startswith=old_path).update(
        region_path=rewritten_path("region_path", old_path, new_path)
    )
