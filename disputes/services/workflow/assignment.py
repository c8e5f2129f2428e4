"""Assignment (交办): assign, co-handlers, reassign, accept, return, report up.

Nothing here deletes an assignment: a reassigned, returned or reported-up one stays, marked withdrawn or
returned, as the case's history.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.choices import AssignmentRole, AssignmentStatus, DayType, RiskGrade
from disputes.services import calendar, routing
from disputes.services.authority import Addressee
from disputes.services.calendar import time_limit
from disputes.services.workflow import targets
from disputes.services.workflow.base import begin, finish, require
from disputes.services.workflow.table import HANDLE
from mediation.scoping import Scope


def new_assignment(dispute, user, *, to, role, limit_days, day_type, note, status=AssignmentStatus.PENDING):
    from disputes.models import Assignment, TimeLimit
    from mediation.models import MediationOrganization, Unit

    if not isinstance(to, (Unit, MediationOrganization)):
        raise WorkflowError("invalid_target", _("Assign to a unit or a mediation organization."))
    if limit_days is None:
        limit_days, default_type = time_limit(
            TimeLimit.COMPLEXITY_KEYS.get(dispute.complexity, TimeLimit.Key.GENERAL)
        )
        day_type = day_type or default_type
    try:
        limit_days = int(limit_days)
    except (TypeError, ValueError) as exc:
        raise WorkflowError("invalid_limit", _("The time limit must be at least one day.")) from exc
    if limit_days < 1:
        raise WorkflowError("invalid_limit", _("The time limit must be at least one day."))
    if day_type not in DayType.values:
        raise WorkflowError("invalid_day_type", _("Count the limit in working days or calendar days."))
    now = timezone.now()
    accept_days, accept_type = time_limit(TimeLimit.Key.ACCEPTANCE)
    accept = calendar.deadline(now, accept_days, accept_type)
    due = calendar.deadline(now, limit_days, day_type)
    accepted = status == AssignmentStatus.ACCEPTED
    return Assignment.objects.create(
        dispute=dispute,
        from_platform=dispute.platform,
        to_unit=to if isinstance(to, Unit) else None,
        to_organization=to if isinstance(to, MediationOrganization) else None,
        role=role,
        status=status,
        limit_days=limit_days,
        day_type=day_type,
        accept_limit_days=accept_days,
        accept_day_type=accept_type,
        accept_due_at=accept.at,
        due_at=due.at,
        due_date_estimated=due.estimated,
        note=note,
        assigned_by=user,
        accepted_by=user if accepted else None,
        accepted_at=now if accepted else None,
    )


def _withdraw(assignments) -> list[int]:
    withdrawn = []
    for assignment in assignments:
        assignment.status = AssignmentStatus.WITHDRAWN
        assignment.save(update_fields=["status"])
        withdrawn.append(assignment.pk)
    return withdrawn


@transaction.atomic
def assign(dispute_id, user, *, version, to, limit_days=None, day_type=None, co_handlers=(), note=""):
    """交办: from the controlling platform to a unit or organization, with a time limit; co-handlers optional."""
    step = begin(dispute_id, "assign", user, version)
    dispute = step.dispute
    if dispute.risk_grade == RiskGrade.RED and dispute.leader_id is None:
        raise WorkflowError(
            "leader_required", _("A red dispute needs a leader in charge (包案领导) before assignment.")
        )
    co_handlers = list(co_handlers)
    for target in [to, *co_handlers]:
        targets.check_assignee(user, dispute, target)
    lead = new_assignment(
        dispute, user, to=to, role=AssignmentRole.LEAD, limit_days=limit_days, day_type=day_type, note=note
    )
    for other in co_handlers:
        new_assignment(
            dispute,
            user,
            to=other,
            role=AssignmentRole.CO_HANDLER,
            limit_days=lead.limit_days,
            day_type=lead.day_type,
            note=note,
        )
    dispute.due_at, dispute.due_date_estimated = lead.due_at, lead.due_date_estimated
    return finish(
        step,
        note,
        {"to": str(to), "assignment": lead.pk, "co_handlers": [str(c) for c in co_handlers]},
    )


@transaction.atomic
def add_co_handler(dispute_id, user, *, version, to, note=""):
    step = begin(dispute_id, "add_co_handler", user, version)
    dispute = step.dispute
    lead = dispute.lead_assignment
    if lead is None:
        raise WorkflowError("no_assignment", _("Assign a lead handler first."))
    targets.check_assignee(user, dispute, to)
    co = new_assignment(
        dispute,
        user,
        to=to,
        role=AssignmentRole.CO_HANDLER,
        limit_days=lead.limit_days,
        day_type=lead.day_type,
        note=note,
    )
    return finish(step, note, {"to": str(to), "assignment": co.pk})


@transaction.atomic
def reassign(dispute_id, user, *, version, to, reason, limit_days=None, day_type=None):
    """Withdraw the current lead assignment and assign anew; the old row stays as history."""
    step = begin(dispute_id, "reassign", user, version)
    dispute = step.dispute
    require(reason, "reason_required", _("Give the reason for reassigning."))
    targets.check_assignee(user, dispute, to)
    withdrawn = _withdraw(dispute.current_assignments.filter(role=AssignmentRole.LEAD))
    lead = new_assignment(
        dispute, user, to=to, role=AssignmentRole.LEAD, limit_days=limit_days, day_type=day_type, note=reason
    )
    dispute.due_at, dispute.due_date_estimated = lead.due_at, lead.due_date_estimated
    return finish(step, reason, {"to": str(to), "assignment": lead.pk, "withdrawn": withdrawn})


def _assignment_for(step, assignment_id):
    assignment = (
        step.dispute.assignments.filter(pk=assignment_id).select_related("to_organization__region").first()
    )
    if assignment is None or not assignment.is_open:
        raise WorkflowError("no_open_assignment", _("This assignment is no longer open."))
    addressee = Addressee(
        assignment.status,
        assignment.to_unit_id,
        assignment.to_organization_id,
        assignment.to_organization.region.path if assignment.to_organization_id else None,
    )
    if not addressee.reaches(Scope.for_user(step.user, HANDLE)):
        raise Forbidden("forbidden", _("This assignment is not addressed to you."))
    return assignment


def _branch(assignment) -> str:
    return "lead" if assignment.role == AssignmentRole.LEAD else "co_handler"


@transaction.atomic
def accept(dispute_id, user, *, version, assignment_id):
    step = begin(dispute_id, "accept", user, version)
    assignment = _assignment_for(step, assignment_id)
    if assignment.status != AssignmentStatus.PENDING:
        raise WorkflowError("already_accepted", _("This assignment has already been accepted."))
    assignment.status, assignment.accepted_by, assignment.accepted_at = (
        AssignmentStatus.ACCEPTED,
        user,
        timezone.now(),
    )
    assignment.save(update_fields=["status", "accepted_by", "accepted_at"])
    return finish(step, "", {"assignment": assignment.pk}, branch=_branch(assignment))


@transaction.atomic
def return_assignment(dispute_id, user, *, version, assignment_id, reason):
    """退回: the assignee returns it with a reason; it goes back to the dispatcher."""
    step = begin(dispute_id, "return", user, version)
    dispute = step.dispute
    require(reason, "reason_required", _("Give the reason for returning."))
    assignment = _assignment_for(step, assignment_id)
    if assignment.status != AssignmentStatus.PENDING:
        raise WorkflowError(
            "already_accepted", _("An accepted assignment cannot be returned; report up instead.")
        )
    assignment.status, assignment.return_reason, assignment.returned_at = (
        AssignmentStatus.RETURNED,
        reason.strip(),
        timezone.now(),
    )
    assignment.save(update_fields=["status", "return_reason", "returned_at"])
    if assignment.role == AssignmentRole.LEAD:
        _withdraw(dispute.current_assignments)
        dispute.due_at = None
    return finish(step, reason, {"assignment": assignment.pk}, branch=_branch(assignment))


@transaction.atomic
def report_up(dispute_id, user, *, version, reason):
    """上报: what the lower platform cannot resolve goes to the platform one level up."""
    step = begin(dispute_id, "report_up", user, version)
    dispute = step.dispute
    require(reason, "reason_required", _("Say why the dispute is reported up."))
    current_level = dispute.platform.region.level
    if current_level <= 2:
        raise WorkflowError("top_level", _("The district platform is the highest level."))
    upper = routing.platform_for(dispute.platform.region, current_level - 1)
    if upper is None:
        raise WorkflowError("no_platform", _("No platform above this one."))
    withdrawn = _withdraw(dispute.current_assignments)
    dispute.platform, dispute.handling_level, dispute.due_at = upper, upper.region.level, None
    return finish(step, reason, {"platform_name": upper.name, "withdrawn": withdrawn})


def complete_current(dispute, report: str, now) -> None:
    """End the dispute's current assignments with the outcome's report (the outcome, or a termination)."""
    for assignment in dispute.current_assignments:
        assignment.status, assignment.completed_at, assignment.result_report = (
            AssignmentStatus.COMPLETED,
            now,
            report,
        )
        assignment.save(update_fields=["status", "completed_at", "result_report"])
