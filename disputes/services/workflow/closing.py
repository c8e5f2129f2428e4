"""After the outcome: feedback (反馈), follow-up visits (回访), archiving, reopening.

Sending a case back to mediation (an unsatisfied follow-up, a reopening) keeps everything it had: the completed
assignment stays completed with its result report, and a new accepted assignment to the same handler carries
the new round, with a new time limit; the outcome that is set aside stays in the Event's `before`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import WorkflowError
from disputes.choices import (
    AssignmentRole,
    AssignmentStatus,
    FeedbackTarget,
    Outcome,
    Performance,
    Satisfaction,
)
from disputes.services.workflow.assignment import new_assignment
from disputes.services.workflow.base import begin, finish, require


def _needs_platform_feedback(dispute) -> bool:
    """Task 26: what a platform assigned gets its result reported back to that platform."""
    return dispute.assignments.exclude(status=AssignmentStatus.WITHDRAWN).exists()


@transaction.atomic
def give_feedback(dispute_id, user, *, version, target, channel, content):
    from disputes.models import Feedback

    step = begin(dispute_id, "feedback", user, version)
    dispute = step.dispute
    if target not in FeedbackTarget.values:
        raise WorkflowError("invalid_target", _("Feedback goes to the parties or to the assigning platform."))
    require(channel, "channel_required", _("Say how the feedback was given."))
    require(content, "content_required", _("Write the feedback."))
    Feedback.objects.create(dispute=dispute, target=target, channel=channel, content=content, given_by=user)
    given = set(dispute.feedbacks.values_list("target", flat=True))
    needed = {FeedbackTarget.PARTIES} | (
        {FeedbackTarget.PLATFORM} if _needs_platform_feedback(dispute) else set()
    )
    branch = "complete" if needed <= given else "partial"
    return finish(step, content, {"target": target}, branch=branch)


def _set_aside_outcome(step) -> dict:
    """Clear the outcome for a new round of mediation; what is set aside goes into the Event."""
    dispute = step.dispute
    set_aside = {
        "outcome": dispute.outcome,
        "resolved_at": dispute.resolved_at.isoformat() if dispute.resolved_at else None,
        "agreement": dispute.agreement.pk if dispute.agreement else None,
    }
    step.before["set_aside"] = set_aside
    dispute.outcome, dispute.resolved_at = "", None
    return set_aside


def _new_round(dispute, user, note) -> int | None:
    """A new accepted lead assignment to whoever completed the last one, with a fresh time limit."""
    last = (
        dispute.assignments.filter(role=AssignmentRole.LEAD, status=AssignmentStatus.COMPLETED)
        .select_related("to_unit", "to_organization")
        .order_by("-completed_at", "-pk")
        .first()
    )
    if last is None:
        return None
    round_ = new_assignment(
        dispute,
        user,
        to=last.to_unit or last.to_organization,
        role=AssignmentRole.LEAD,
        limit_days=last.limit_days,
        day_type=last.day_type,
        note=note,
        status=AssignmentStatus.ACCEPTED,
    )
    dispute.due_at, dispute.due_date_estimated = round_.due_at, round_.due_date_estimated
    return round_.pk


@transaction.atomic
def follow_up(dispute_id, user, *, version, visited_on, satisfaction, performance="", notes=""):
    """回访. Unsatisfied parties or an unperformed agreement send the dispute back to mediation."""
    from disputes.models import FollowUp

    step = begin(dispute_id, "follow_up", user, version)
    dispute = step.dispute
    if satisfaction not in Satisfaction.values:
        raise WorkflowError("invalid_satisfaction", _("Record the parties' satisfaction."))
    if performance and performance not in Performance.values:
        raise WorkflowError("invalid_performance", _("Unknown performance state."))
    if visited_on is None or visited_on > timezone.localdate():
        raise WorkflowError("future_visit", _("A visit cannot be recorded before it happens."))
    FollowUp.objects.create(
        dispute=dispute,
        visited_on=visited_on,
        satisfaction=satisfaction,
        performance=performance,
        notes=notes,
        visited_by=user,
    )
    agreement = dispute.agreement
    if agreement and performance:
        agreement.performance, agreement.performance_checked_on = performance, visited_on
        agreement.save(update_fields=["performance", "performance_checked_on"])
    remediate = satisfaction == Satisfaction.UNSATISFIED or performance == Performance.UNPERFORMED
    extra = {"satisfaction": satisfaction, "performance": performance, "remediation": remediate}
    if remediate:
        _set_aside_outcome(step)
        extra["assignment"] = _new_round(dispute, user, notes or _("Re-mediation after the follow-up visit"))
    return finish(step, notes, extra, branch="remediate" if remediate else "satisfied")


@transaction.atomic
def archive(dispute_id, user, *, version):
    step = begin(dispute_id, "archive", user, version)
    dispute = step.dispute
    last = dispute.follow_ups.order_by("-visited_on", "-pk").first()
    if dispute.outcome == Outcome.SUCCESS and last is None:
        raise WorkflowError("follow_up_required", _("Visit the parties (回访) before archiving."))
    dispute.closed_at = timezone.now()
    return finish(step)


@transaction.atomic
def reopen(dispute_id, user, *, version, reason):
    step = begin(dispute_id, "reopen", user, version)
    dispute = step.dispute
    require(reason, "reason_required", _("Give the reason for reopening."))
    step.before["closed_at"] = dispute.closed_at.isoformat() if dispute.closed_at else None
    dispute.closed_at = None
    _set_aside_outcome(step)
    return finish(step, reason, {"assignment": _new_round(dispute, user, reason)})
