"""Stands in for the explicit-grant fix of the visibility filter (mediation/scoping.py, the lead's part): the
granted ids are resolved by index before the list's query, as issue 9 asks. Without it every list query
re-runs guardian's subquery over all disputes, and the lists' own cost cannot be seen. Imported by pages.py and
plans.py only when BENCH_STAND_IN_GRANTS=1."""

from django.contrib.contenttypes.models import ContentType
from guardian.models import GroupObjectPermission, UserObjectPermission

from mediation import scoping


def _granted_ids(self, user):
    ct = ContentType.objects.get_for_model(self.model)
    codename = f"view_{self.model._meta.model_name}"
    direct = UserObjectPermission.objects.filter(user=user, content_type=ct, permission__codename=codename)
    grouped = GroupObjectPermission.objects.filter(
        group__user=user, content_type=ct, permission__codename=codename
    )
    ids = direct.values_list("object_pk", flat=True).union(grouped.values_list("object_pk", flat=True))
    return [int(pk) for pk in ids]


scoping.ScopedQuerySet._granted_ids = _granted_ids
