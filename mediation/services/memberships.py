"""Membership rules.

A user's rights come from their current memberships, read at request time (mediation.scoping), so nothing has to
be kept in step when a membership is added, ended or reaches its end date.
"""

from __future__ import annotations

from django.db import transaction

from mediation.scoping import Scope


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
    Scope.forget(user)
    return membership
