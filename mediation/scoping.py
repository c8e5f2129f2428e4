"""The one visibility rule of the platform, and the scope of every right.

A user sees:
1. everything in the region subtrees their memberships give them (a region membership, the territory of
   a street/town government or of the office they belong to, the region of a platform they staff);
2. what belongs to their own units and mediation organizations;
3. single objects granted to them explicitly with django-guardian (the rare cross-region case).

A right (a Django permission such as ``disputes.assess_dispute``) holds only inside the memberships whose role
carries it: ``Scope.for_user(user, perm)`` is the scope of just those memberships, so a dispatcher in one street
who is a grid worker in another is a dispatcher only in the first. Without ``perm`` the scope is that of every
current membership: what the user may see.

Memberships are read with their dates on every request (``Membership.objects.current()``), so a membership
that starts or ends on a date takes effect that day without anything being saved. A role's permissions are
those of its group (kept by ``mediation.roles.sync_roles``); users are not put in the role groups.

Every model's queryset maps a scope onto its own fields in ``scope_q()``; ``visible_to(user[, perm])`` is the
only way views, API, exports and reports filter.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Q

_CACHE_ATTR = "_dadukou_access"

NOTHING = Q(pk__in=[])


def any_of(*parts: Q | None) -> Q:
    """OR of the parts that can match; matches nothing (NOTHING) when none can, so an empty scope fails closed."""
    given = [p for p in parts if p is not None and p is not NOTHING]
    return functools.reduce(operator.or_, given) if given else NOTHING


@dataclass(frozen=True)
class Reach:
    """What one membership covers: region subtrees, a unit, an organization."""

    role: str
    region_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    organization_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Scope:
    """What one user may see or do (for one permission), as region paths and ids."""

    user_id: int | None
    everything: bool = False
    region_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    organization_ids: frozenset[int] = field(default_factory=frozenset)
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_user(cls, user, perm: str | None = None) -> Scope:
        """The user's scope: of all current memberships, or of those whose role carries `perm`."""
        access = Access.of(user)
        if access is None:
            return cls(user_id=None)
        return access.scope(perm)

    @classmethod
    def forget(cls, user) -> None:
        """Drop what was cached on the user object, e.g. after the user's memberships changed."""
        for attr in (_CACHE_ATTR, "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            if hasattr(user, attr):
                delattr(user, attr)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_paths or self.unit_ids or self.organization_ids)

    @property
    def ancestor_paths(self) -> tuple[str, ...]:
        """Paths strictly above the user's regions (the levels they report up to)."""
        found: set[str] = set()
        for path in self.region_paths:
            ids = [p for p in path.strip("/").split("/") if p]
            found.update("/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids) - 1))
        return tuple(sorted(found))

    def region_q(self, path_lookup: str) -> Q:
        """Q for rows whose region path (reached by `path_lookup`) lies in one of the subtrees (NOTHING if none)."""
        if not self.region_paths:
            return NOTHING
        return any_of(*(Q(**{f"{path_lookup}__startswith": path}) for path in self.region_paths))

    def region_ids(self) -> list[int]:
        """The ids of the regions in the scope's subtrees, read once per scope (a request's scopes are kept on
        its user's Access). A filter `region_id IN (these)` lets the planner estimate from a table's own
        statistics, where a join on the region's path is estimated blind (see docs/ARCHITECTURE.md)."""
        if "region_ids" not in self._memo:
            from mediation.models import Region

            q = self.region_q("path")
            ids = [] if q is NOTHING else Region.objects.filter(q).order_by("pk").values_list("pk", flat=True)
            self._memo["region_ids"] = list(ids)
        return self._memo["region_ids"]

    def ids_q(self, lookup: str, ids) -> Q:
        return Q(**{f"{lookup}__in": sorted(ids)}) if ids else NOTHING

    def units_q(self, lookup: str) -> Q:
        return self.ids_q(lookup, self.unit_ids)

    def organizations_q(self, lookup: str) -> Q:
        return self.ids_q(lookup, self.organization_ids)

    def covers_path(self, path: str | None) -> bool:
        return self.everything or bool(path) and any(path.startswith(p) for p in self.region_paths)


@dataclass(frozen=True)
class Access:
    """A user's current memberships (as reaches) and the permissions of each role: read once per user object."""

    user_id: int
    superuser: bool
    reaches: tuple[Reach, ...]
    role_permissions: dict[str, frozenset[str]]
    grants: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    _scopes: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, user) -> Access | None:
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        cached = getattr(user, _CACHE_ATTR, None)
        if cached is None:
            cached = cls._build(user)
            setattr(user, _CACHE_ATTR, cached)
        return cached

    @classmethod
    def _build(cls, user) -> Access:
        if user.is_superuser:
            return cls(user_id=user.pk, superuser=True, reaches=(), role_permissions={})
        from mediation.models import Membership
        from mediation.roles import role_permissions

        rows = (
            Membership.objects.current()
            .filter(user=user)
            .values_list(
                "role",
                "region__path",
                "unit_id",
                "unit__kind",
                "unit__region__path",
                "organization_id",
                "organization__kind",
                "organization__region__path",
            )
        )
        reaches = tuple(_reach(*row) for row in rows)
        perms = role_permissions() if reaches else {}
        return cls(
            user_id=user.pk, superuser=False, reaches=reaches, role_permissions=perms, grants=_grants(user)
        )

    @property
    def permissions(self) -> frozenset[str]:
        """Every permission some current membership carries (for menus and page gates)."""
        return frozenset().union(*(self.role_permissions.get(r.role, ()) for r in self.reaches))

    def scope(self, perm: str | None = None) -> Scope:
        """The scope of all memberships, or of those carrying `perm` (one object per perm, kept)."""
        if perm not in self._scopes:
            self._scopes[perm] = self._scope(perm)
        return self._scopes[perm]

    def _scope(self, perm: str | None) -> Scope:
        if self.superuser:
            return Scope(user_id=self.user_id, everything=True)
        reaches = [r for r in self.reaches if perm is None or perm in self.role_permissions.get(r.role, ())]
        return Scope(
            user_id=self.user_id,
            region_paths=_outermost({p for r in reaches for p in r.region_paths}),
            unit_ids=frozenset().union(*(r.unit_ids for r in reaches)),
            organization_ids=frozenset().union(*(r.organization_ids for r in reaches)),
        )


def _reach(role, region_path, unit_id, unit_kind, unit_path, org_id, org_kind, org_path) -> Reach:
    from mediation.choices import OrganizationKind, UnitKind

    paths: set[str] = set()
    if region_path:
        paths.add(region_path)
    if unit_id and unit_kind in (UnitKind.STREET_GOVERNMENT, UnitKind.OFFICE) and unit_path:
        paths.add(unit_path)
    if org_id and org_kind == OrganizationKind.PLATFORM and org_path:
        paths.add(org_path)
    return Reach(
        role=role,
        region_paths=tuple(sorted(paths)),
        unit_ids=frozenset([unit_id] if unit_id else []),
        organization_ids=frozenset([org_id] if org_id else []),
    )


def _outermost(paths: set[str]) -> tuple[str, ...]:
    """Drop paths nested inside another path of the set: one prefix filter covers them."""
    return tuple(p for p in sorted(paths) if not any(p != o and p.startswith(o) for o in paths))


class ScopedQuerySet(models.QuerySet):
    """Base queryset with the visibility rule. Subclasses say how a Scope maps onto their rows."""

    def scope_q(self, scope: Scope) -> Q:  # pragma: no cover - every subclass defines it
        raise NotImplementedError(f"{type(self).__name__} must define scope_q()")

    def visible_to(self, user, perm: str | None = None) -> models.QuerySet:
        """The rows `user` may see — or, with `perm`, the rows a membership carrying `perm` covers."""
        scope = Scope.for_user(user, perm)
        if scope.user_id is None:
            return self.none()
        if scope.everything:
            return self.all()
        granted = granted_ids(user, self.model, perm)
        q = any_of(
            self.scope_q(scope) if not scope.is_empty else None, Q(pk__in=granted) if granted else None
        )
        if q is NOTHING:
            return self.none()
        return self.filter(q)

    def covers(self, user, perm: str | None, obj) -> bool:
        """Whether `obj` is among ``visible_to(user, perm)`` (one query)."""
        return (
            obj is not None and obj.pk is not None and self.visible_to(user, perm).filter(pk=obj.pk).exists()
        )


def _grants(user) -> dict[tuple[str, str], frozenset[int]]:
    """Every object granted to `user` one by one with django-guardian (directly or via a group), in one query.

    Resolved to short id lists before any main query, so the visibility filter is a primary-key lookup instead
    of a subquery evaluated for every row.
    """
    from guardian.models import GroupObjectPermission, UserObjectPermission

    columns = ("content_type__app_label", "content_type__model", "permission__codename", "object_pk")
    rows = (
        UserObjectPermission.objects.filter(user_id=user.pk)
        .values_list(*columns)
        .union(GroupObjectPermission.objects.filter(group__user=user).values_list(*columns))
    )
    found: dict[tuple[str, str], set[int]] = {}
    for app_label, model, codename, object_pk in rows:
        found.setdefault((f"{app_label}.{model}", codename), set()).add(int(object_pk))
    return {key: frozenset(ids) for key, ids in found.items()}


def granted_ids(user, model, perm: str | None = None) -> list[int]:
    """Primary keys of `model` granted to `user` explicitly: ``view_<model>`` makes an object visible; a grant of
    `perm` itself extends that right to the object."""
    access = Access.of(user)
    if access is None:
        return []
    opts = model._meta
    codename = f"view_{opts.model_name}" if perm is None else perm.split(".", 1)[-1]
    return sorted(access.grants.get((opts.label_lower, codename), ()))


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
