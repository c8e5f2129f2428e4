"""The one visibility rule in the Django admin, for every app.

`ScopedAdminMixin` goes first in the bases of every ModelAdmin (and inline) of this project:

- `get_queryset` is `Model.objects.visible_to(request.user)` for a scoped model (one whose queryset derives from
  ScopedQuerySet); a model scoped through a parent (an Event through its dispute) names the parent's field in
  `scope_through`. A superuser sees everything (visible_to says so). So the changelist, the change page (a foreign
  object's page redirects to the admin index, as for a missing one), admin actions and autocomplete — which asks
  the related model's admin for its queryset — all see the same rows as the rest of the platform.
- Foreign-key and many-to-many choices (select, raw id, filter_horizontal) are narrowed the same way, so a form
  neither offers nor accepts a foreign object. On a change form the object's current relations stay among the
  many-to-many choices, so that saving a form never drops what the editor cannot see.
"""

from __future__ import annotations

from mediation.visibility import is_scoped, scoped


class ScopedAdminMixin:
    """get_queryset and relation choices by `visible_to(request.user)` (see the module docstring)."""

    scope_through: str | None = None

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.scope_through)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and is_scoped(related):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and is_scoped(related):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None or obj.pk is None:
            return form
        for field in obj._meta.many_to_many:
            formfield = form.base_fields.get(field.name)
            if formfield is None or not is_scoped(field.related_model):
                continue
            current = getattr(obj, field.name).values("pk")
            formfield.queryset = field.related_model._default_manager.filter(
                pk__in=formfield.queryset.values("pk")
            ) | field.related_model._default_manager.filter(pk__in=current)
        return form
