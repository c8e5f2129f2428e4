"""Authority over a dispute: who may act on it, as a predicate and as a queryset filter from the same rule.

An action of the transition table names one or more *rights*: a permission and an authority. A user holds a
right over a dispute when a current membership whose role carries the permission gives that authority over the
dispute (the permission's scope, ``Scope.for_user(user, perm)``). The authorities:

- ``control``: the membership staffs the controlling platform, or its territory covers that platform (or, before
  routing, the dispute's region);
- ``assignee``: an open assignment of the dispute is addressed to the membership's unit or organization (or to
  an organization in its territory);
- ``handle``: the same, for an open or a completed assignment (the handler stays the handler after the outcome);
- ``above``: the territory covers the controlling platform (or the dispute's region), or the user is the leader
  in charge (包案领导);
- ``view``: anyone who can see the dispute.

``holds()`` answers for one dispute (the workflow, the buttons of a page); ``q()`` gives the same rule as a
filter on disputes (queues, plan indicators). An authority the module does not know holds for nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from disputes.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus
from mediation.scoping import NOTHING, Scope, any_of

AUTHORITIES = frozenset({"control", "assignee", "handle", "above", "view"})
HANDLED_STATUSES = (*OPEN_ASSIGNMENT_STATUSES, AssignmentStatus.COMPLETED)


@dataclass(frozen=True)
class Addressee:
    """Whom one assignment is addressed to, with what the rules read of it."""

    status: str
    unit_id: int | None
    organization_id: int | None
    organization_path: str | None

    def reaches(self, scope: Scope) -> bool:
        if scope.everything:
            return True
        if self.unit_id:
            return self.unit_id in scope.unit_ids
        return self.organization_id in scope.organization_ids or scope.covers_path(self.organization_path)


@dataclass(frozen=True)
class Facts:
    """What the authority rules read of one dispute, loaded once (one query for its assignments)."""

    dispute_id: int
    region_path: str
    platform_id: int | None
    platform_path: str | None
    leader_id: int | None
    addressees: tuple[Addressee, ...]

    @classmethod
    def of(cls, dispute) -> Facts:
        from disputes.models import Assignment

        rows = (
            Assignment.objects.filter(dispute_id=dispute.pk, status__in=HANDLED_STATUSES)
            .order_by("pk")
            .values_list("status", "to_unit_id", "to_organization_id", "to_organization__region__path")
        )
        platform = dispute.platform if dispute.platform_id else None
        return cls(
            dispute_id=dispute.pk,
            region_path=dispute.region_path,
            platform_id=dispute.platform_id,
            platform_path=platform.region.path if platform else None,
            leader_id=dispute.leader_id,
            addressees=tuple(Addressee(*row) for row in rows),
        )


def holds(scope: Scope, authority: str, facts: Facts, user_id: int | None) -> bool:
    """Whether a scope gives `authority` over the dispute described by `facts`."""
    if scope.user_id is None or authority not in AUTHORITIES:
        return False
    if scope.everything:
        return True
    if authority == "control":
        if facts.platform_id is None:
            return scope.covers_path(facts.region_path)
        return facts.platform_id in scope.organization_ids or scope.covers_path(facts.platform_path)
    if authority == "assignee":
        return any(a.status in OPEN_ASSIGNMENT_STATUSES and a.reaches(scope) for a in facts.addressees)
    if authority == "handle":
        return any(a.reaches(scope) for a in facts.addressees)
    if authority == "above":
        return facts.leader_id == user_id or scope.covers_path(facts.platform_path or facts.region_path)
    # "view": the caller has found the dispute through visible_to already.
    return True


def assignee_q(scope: Scope, prefix: str = "") -> Q:
    """Assignments addressed to the scope: the queryset form of `Addressee.reaches`."""
    if scope.everything:
        return Q()
    return any_of(
        scope.units_q(f"{prefix}to_unit"),
        scope.organizations_q(f"{prefix}to_organization"),
        (
            Q(**{f"{prefix}to_organization__isnull": False})
            & scope.region_q(f"{prefix}to_organization__region__path")
            if scope.region_paths
            else None
        ),
    )


def q(scope: Scope, authority: str, user_id: int | None) -> Q:
    """The disputes over which a scope gives `authority`, as a filter (the queryset form of `holds`)."""
    from disputes.models import Assignment

    if scope.user_id is None or authority not in AUTHORITIES:
        return NOTHING
    if scope.everything or authority == "view":
        return Q()
    if authority == "control":
        return any_of(
            (Q(platform__isnull=True) & scope.region_q("region_path")) if scope.region_paths else None,
            scope.organizations_q("platform"),
            scope.region_q("platform__region__path"),
        )
    if authority in ("assignee", "handle"):
        statuses = OPEN_ASSIGNMENT_STATUSES if authority == "assignee" else HANDLED_STATUSES
        addressed = assignee_q(scope)
        if addressed is NOTHING:
            return NOTHING
        return Q(pk__in=Assignment.objects.filter(addressed, status__in=statuses).values("dispute_id"))
    # "above"
    return any_of(
        Q(leader_id=user_id),
        (Q(platform__isnull=True) & scope.region_q("region_path")) if scope.region_paths else None,
        scope.region_q("platform__region__path"),
    )


# --- rights: a permission with an authority ----------------------------------------------------------------------


def has_right(user, rights: Iterable[tuple[str, str]], facts: Facts) -> bool:
    """Whether `user` holds any of the (permission, authority) rights over the dispute."""
    return any(holds(Scope.for_user(user, perm), authority, facts, user.pk) for perm, authority in rights)


def rights_q(user, rights: Iterable[tuple[str, str]]) -> Q:
    return any_of(*(q(Scope.for_user(user, perm), authority, user.pk) for perm, authority in rights))


def disputes_with_right(
    user, rights: Iterable[tuple[str, str]], queryset: QuerySet | None = None
) -> QuerySet:
    """The disputes `user` sees and holds one of `rights` over."""
    from disputes.models import Dispute

    queryset = Dispute.objects.all() if queryset is None else queryset
    condition = rights_q(user, rights)
    if condition is NOTHING:
        return queryset.none()
    return queryset.visible_to(user).filter(condition)
