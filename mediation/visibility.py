"""Helpers around the one visibility rule (mediation/scoping.py), for every app: they call `visible_to` and nothing
else, so they follow the rule whatever its internals.

- `scoped(queryset, user, through)`: a queryset reduced to what the user may see, by its model's own rule or by
  the rule of the parent at `through` (an Assignment through its dispute).
- `visible_pks(model, user, pks)`: which of these objects the user may open (one query).
- `visible_subjects(user, alerts)`: which alerts' subjects (a dispute, an assignment, a patrol duty, a plan row)
  the user may open, so a notification names its subject only then. A model without a rule of its own is scoped
  through the parent its app registers with `scope_through` (an assignment through its dispute); a subject of a
  model with neither counts as not visible.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

# "app_label.model" → the field of the scoped parent its objects are seen through (registered by each app).
SCOPED_THROUGH: dict[str, str] = {}
# Models whose alerts name only what is published anyway (a plan task's number and its units, the plan's own
# text): a notification about one the reader cannot open keeps its text and loses only its link.
NAMED_IN_PUBLIC: set[str] = set()


def named_in_public(model) -> None:
    NAMED_IN_PUBLIC.add(model._meta.label_lower)


def is_named_in_public(content_type_id: int) -> bool:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return model is not None and model._meta.label_lower in NAMED_IN_PUBLIC


def scope_through(model, field: str) -> None:
    """Declare that `model`'s objects are seen through their scoped parent at `field`."""
    SCOPED_THROUGH[model._meta.label_lower] = field


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


def visible_subjects(user, alerts) -> set[tuple[int, int]]:
    """(content type id, object id) of the alerts' subjects that `user` may open (one query per kind of subject)."""
    by_type: dict[int, set[int]] = {}
    for alert in alerts:
        by_type.setdefault(alert.content_type_id, set()).add(alert.object_id)
    visible: set[tuple[int, int]] = set()
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        queryset = model._default_manager.filter(pk__in=ids)
        through = SCOPED_THROUGH.get(model._meta.label_lower)
        if not through and not hasattr(queryset, "visible_to"):
            continue
        visible.update((type_id, pk) for pk in scoped(queryset, user, through).values_list("pk", flat=True))
    return visible
