"""The one visibility rule of the platform.

A user sees:
1. everything in the region subtrees their memberships give them (a region membership, the territory of
   a street/town government or of the office they belong to, the region of a platform they staff);
2. what belongs to their own units and mediation organizations;
3. single objects granted to them explicitly with django-guardian (the rare cross-region case).

`Scope.for_user(user)` computes this once per user object; every model's queryset maps it onto its own
fields in `scope_q()`, and `visible_to(user)` is the only way views, API, exports and reports filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Q

_CACHE_ATTR = "_dadukou_scope"


@dataclass(frozen=True)
class Scope:
    """What one user may see, as region paths and ids."""

    user_id: int | None
    everything: bool = False
    region_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    organization_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def for_user(cls, user) -> Scope:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls(user_id=None)
        cached = getattr(user, _CACHE_ATTR, None)
        if cached is not None:
            return cached
        scope = cls._build(user)
        setattr(user, _CACHE_ATTR, scope)
        return scope

    @classmethod
    def forget(cls, user) -> None:
        """Drop the cached scope, e.g. after the user's memberships changed."""
        if hasattr(user, _CACHE_ATTR):
            delattr(user, _CACHE_ATTR)

    @classmethod
    def _build(cls, user) -> Scope:
        from mediation.choices import OrganizationKind, UnitKind
        from mediation.models import Membership

        if user.is_superuser:
            return cls(user_id=user.pk, everything=True)
        paths: set[str] = set()
        unit_ids: set[int] = set()
        organization_ids: set[int] = set()
        territorial_units = {UnitKind.STREET_GOVERNMENT, UnitKind.OFFICE}
        rows = (
            Membership.objects.current()
            .filter(user=user)
            .values_list(
                "region__path",
                "unit_id",
                "unit__kind",
                "unit__region__path",
                "organization_id",
                "organization__kind",
                "organization__region__path",
            )
        )
        for region_path, unit_id, unit_kind, unit_path, org_id, org_kind, org_path in rows:
            if region_path:
                paths.add(region_path)
            if unit_id:
                unit_ids.add(unit_id)
                if unit_kind in territorial_units and unit_path:
                    paths.add(unit_path)
            if org_id:
                organization_ids.add(org_id)
                if org_kind == OrganizationKind.PLATFORM and org_path:
                    paths.add(org_path)
        return cls(
            user_id=user.pk,
            region_paths=_outermost(paths),
            unit_ids=frozenset(unit_ids),
            organization_ids=frozenset(organization_ids),
        )

    @property
    def ancestor_paths(self) -> tuple[str, ...]:
        """Paths strictly above the user's regions (the levels they report up to)."""
        found: set[str] = set()
        for path in self.region_paths:
            ids = [p for p in path.strip("/").split("/") if p]
            found.update("/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids) - 1))
        return tuple(sorted(found))

    def region_q(self, path_lookup: str) -> Q:
        """Q for rows whose region path (reached by `path_lookup`) lies in one of the user's subtrees."""
        q = Q(pk__in=[])
        for path in self.region_paths:
            q |= Q(**{f"{path_lookup}__startswith": path})
        return q

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.region_paths)


def _outermost(paths: set[str]) -> tuple[str, ...]:
    """Drop paths nested inside another path of the set: one prefix filter covers them."""
    kept = [p for p in sorted(paths) if not any(p != o and p.startswith(o) for o in paths)]
    return tuple(kept)


class ScopedQuerySet(models.QuerySet):
    """Base queryset with the visibility rule. Subclasses say how a Scope maps onto their rows."""

    def scope_q(self, scope: Scope) -> Q:  # pragma: no cover - every subclass defines it
        raise NotImplementedError(f"{type(self).__name__} must define scope_q()")

    def visible_to(self, user) -> models.QuerySet:
        scope = Scope.for_user(user)
        if scope.user_id is None:
            return self.none()
        if scope.everything:
            return self.all()
        return self.filter(self.scope_q(scope) | Q(pk__in=self._granted_ids(user)))

    def _granted_ids(self, user):
        """Primary keys granted to `user` (directly or through a group) with django-guardian."""
        from guardian.shortcuts import get_objects_for_user

        opts = self.model._meta
        granted = get_objects_for_user(
            user,
            f"{opts.app_label}.view_{opts.model_name}",
            klass=self.model._default_manager.all(),
            accept_global_perms=False,
            with_superuser=False,
        )
        return granted.values("pk")


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
