"""My to-do queue (待办): what waits for the user, as querysets.

The authority rules are the workflow's (`disputes.services.workflow._is_assignee`, `_handles`, `_controls`),
expressed here at queryset level so a whole queue is a handful of queries instead of a check per row.
Every queryset is also limited to disputes the user can see (the one visibility rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from disputes.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, Status
from disputes.services.workflow import TRANSITIONS
from mediation.scoping import Scope

HANDLE_PERMISSION = "disputes.handle_dispute"
ASSESS_PERMISSION = "disputes.assess_dispute"


def assignee_q(scope: Scope, prefix: str = "") -> Q:
    """Assignments addressed to the user: the queryset form of `workflow._is_assignee`.

    A unit's assignment belongs to its members only; an organization's also to those whose territory
    covers the organization's region.
    """
    if scope.everything:
        return Q()
    return (
        Q(**{f"{prefix}to_unit__in": scope.unit_ids})
        | Q(**{f"{prefix}to_organization__in": scope.organization_ids})
        | (
            Q(**{f"{prefix}to_organization__isnull": False})
            & scope.region_q(f"{prefix}to_organization__region__path")
        )
    )


def controls_q(scope: Scope) -> Q:
    """Disputes whose controlling platform the user staffs or whose territory covers it (`workflow._controls`)."""
    if scope.everything:
        return Q()
    return (
        (Q(platform__isnull=True) & scope.region_q("region_path"))
        | Q(platform__in=scope.organization_ids)
        | scope.region_q("platform__region__path")
    )


def _visible_ids(user):
    from disputes.models import Dispute

    return Dispute.objects.visible_to(user).values("pk")


def assignments_for(user) -> QuerySet:
    """Assignments addressed to the user, on disputes the user can see."""
    from disputes.models import Assignment

    scope = Scope.for_user(user)
    if scope.user_id is None:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(assignee_q(scope))
        .filter(dispute__in=_visible_ids(user))
        .select_related(
            "dispute__category",
            "dispute__platform",
            "to_unit",
            "to_organization",
            "from_platform",
        )
    )


def handled_disputes(user) -> QuerySet:
    """Ids of disputes the user handles or handled (`workflow._handles`)."""
    from disputes.models import Assignment

    scope = Scope.for_user(user)
    statuses = [*OPEN_ASSIGNMENT_STATUSES, AssignmentStatus.COMPLETED]
    return Assignment.objects.filter(assignee_q(scope), status__in=statuses).values("dispute_id")


def to_dispatch(user) -> QuerySet:
    """Open disputes of the platforms the user controls that wait for assessment or assignment."""
    from disputes.models import Dispute

    scope = Scope.for_user(user)
    return (
        Dispute.objects.visible_to(user)
        .filter(controls_q(scope))
        .filter(status__in=[Status.REGISTERED, Status.ASSESSED, Status.REPORTED_UP])
        .select_related("category", "platform")
    )


@dataclass
class Queue:
    """The sections of one user's queue. A section is None when the user's role has no such work."""

    to_accept: QuerySet | None = None
    in_mediation: QuerySet | None = None
    overdue: QuerySet | None = None
    supervisions: QuerySet | None = None
    to_assess: QuerySet | None = None
    to_assign: QuerySet | None = None


def queue_for(user, now=None) -> Queue:
    """The user's queue. Sections of assignments are disjoint: an overdue one is listed under 已逾期 only."""
    from disputes.models import Supervision

    now = now or timezone.now()
    queue = Queue()
    if user.has_perm(HANDLE_PERMISSION):
        mine = assignments_for(user).filter(dispute__status__in=[Status.ASSIGNED, Status.IN_PROGRESS])
        queue.to_accept = mine.filter(status=AssignmentStatus.PENDING, due_at__gte=now).order_by(
            "accept_due_at", "pk"
        )
        queue.in_mediation = mine.filter(status=AssignmentStatus.ACCEPTED, due_at__gte=now).order_by(
            "due_at", "pk"
        )
        queue.overdue = mine.filter(status__in=OPEN_ASSIGNMENT_STATUSES, due_at__lt=now).order_by(
            "due_at", "pk"
        )
        queue.supervisions = (
            Supervision.objects.filter(answered_at__isnull=True)
            .filter(dispute__in=handled_disputes(user))
            .filter(dispute__in=_visible_ids(user))
            .filter(dispute__status__in=TRANSITIONS["answer_supervision"].sources)
            .select_related("dispute__category", "issued_by")
            .order_by("answer_due_at", "pk")
        )
    if user.has_perm(ASSESS_PERMISSION):
        dispatch = to_dispatch(user)
        queue.to_assess = dispatch.filter(status__in=[Status.REGISTERED, Status.REPORTED_UP]).order_by(
            "created_at", "pk"
        )
        queue.to_assign = dispatch.filter(status=Status.ASSESSED).order_by("risk_grade", "created_at", "pk")
    return queue
