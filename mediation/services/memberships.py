"""Membership rules: a user's groups follow their current memberships."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from mediation.roles import GROUP_NAMES
from mediation.scoping import Scope


def sync_user_groups(user) -> None:
    """Make the user's role groups match their current memberships (other groups are left alone)."""
    from mediation.models import Membership

    roles = set(Membership.objects.current().filter(user=user).values_list("role", flat=True))
    role_groups = {g.name: g for g in Group.objects.filter(name__in=GROUP_NAMES.values())}
    wanted = {role_groups[GROUP_NAMES[r]] for r in roles if GROUP_NAMES[r] in role_groups}
    current = set(user.groups.filter(name__in=GROUP_NAMES.values()))
    if wanted - current:
        user.groups.add(*(wanted - current))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    Scope.forget(user)


@transaction.atomic
def grant(user, role: str, *, region=None, unit=None, organization=None, title: str = ""):
    """Give `user` a role in a region, unit or organization (idempotent)."""
    from mediation.models import Membership

    membership, _ = Membership.objects.get_or_create(
        user=user,
        role=role,
        region=region,
        unit=unit,
        organization=organization,
        defaults={"title": title},
    )
    if not membership.is_active or membership.ended_on:
        membership.is_active, membership.ended_on = True, None
        membership.save(update_fields=["is_active", "ended_on"])
    sync_user_groups(user)
    return membership
