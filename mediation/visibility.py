"""Helpers around the one visibility rule (mediation/scoping.py), for every app: they call `visible_to` and nothing
else, so they follow the rule whatever its internals.

- `scoped(queryset, user, through)`: a queryset reduced to what the user may see, by its model's own rule or by
  the rule of the parent at `through` (an Assignment through its dispute).
- `visible_pks(model, user, pks)`: which of these objects the user may open (one query).
"""

from __future__ import annotations

from django.db.models import QuerySet


def is_scoped(model) -> bool:
    return hasattr(model._default_manager.all(), "visible_to")


def scoped(queryset: QuerySet, user, through: str | None = None) -> QuerySet:
    """`queryset` reduced to what `user` may see: by its own rule, or by its parent's at `through`."""
    if through:
        parent = queryset.model._meta.get_field(through).related_model
        return queryset.filter(**{f"{through}__in": parent._default_manager.visible_to(user).values("pk")})
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    return queryset


def visible_pks(model, user, pks) -> set[int]:
    pks = {pk for pk in pks if pk}
    if not pks:
        return set()
    return set(model._default_manager.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))
