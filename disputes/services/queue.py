"""My to-do queue (待办): what waits for the user, as querysets.

The rules are the authority module's (disputes.services.authority) in their queryset form, each under the scope
of the permission the work needs, so a whole queue is a handful of queries instead of a check per row, and a
section shows exactly what the workflow would let the user do. Every queryset is also limited to disputes the
user can see (the one visibility rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from disputes.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, Status
from disputes.services import authority
from disputes.services.workflow import disputes_for, without_stabilization
from disputes.services.workflow.table import ASSESS, HANDLE
from mediation.scoping import NOTHING, Scope

HANDLE_PERMISSION = HANDLE
ASSESS_PERMISSION = ASSESS


def _visible_ids(user):
    from disputes.models import Dispute

    return Dispute.objects.visible_to(user).values("pk")


def assignments_for(user) -> QuerySet:
    """Assignments addressed to the user's handling memberships, on disputes the user can see."""
    from disputes.models import Assignment

    scope = Scope.for_user(user, HANDLE)
    addressed = authority.assignee_q(scope)
    if scope.user_id is None or addressed is NOTHING:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(addressed)
        .filter(dispute__in=_visible_ids(user))
        .select_related(
            "dispute__category",
            "dispute__platform",
            "to_unit",
            "to_organization",
            "from_platform",
        )
    )


def to_dispatch(user) -> QuerySet:
    """Open disputes of the platforms the user controls that wait for assessment or assignment."""
    return (
        authority.disputes_with_right(user, [(ASSESS, "control")])
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
    to_stabilize: QuerySet | None = None


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
            .filter(dispute__in=disputes_for(user, "answer_supervision").values("pk"))
            .select_related("dispute__category", "issued_by")
            .order_by("answer_due_at", "pk")
        )
    if user.has_perm(ASSESS_PERMISSION):
        dispatch = to_dispatch(user)
        queue.to_assess = dispatch.filter(status__in=[Status.REGISTERED, Status.REPORTED_UP]).order_by(
            "created_at", "pk"
        )
        queue.to_assign = dispatch.filter(status=Status.ASSESSED).order_by("risk_grade", "created_at", "pk")
        # Red and orange disputes of the platforms the user controls with no stabilization record (稳控) in force.
        queue.to_stabilize = (
            without_stabilization(authority.disputes_with_right(user, [(ASSESS, "control")]))
            .select_related("category", "platform")
            .order_by("risk_grade", "created_at", "pk")
        )
    return queue
