"""Assessment (研判) and routing (分流): grade, route, name the leader, void, merge, link."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import WorkflowError
from disputes.choices import RiskFlag, RiskGrade, Status
from disputes.services import risk, routing, warnings
from disputes.services.workflow import targets
from disputes.services.workflow.base import begin, finish, record_on, require


@transaction.atomic
def assess(
    dispute_id,
    user,
    *,
    version,
    complexity,
    risk_flags=None,
    grade_override=None,
    override_reason="",
    category=None,
    note="",
):
    """研判: grade the risk by the rules (overridable with a reason), set complexity, and route."""
    from disputes.models import Category, TimeLimit

    step = begin(dispute_id, "assess", user, version)
    dispute = step.dispute
    if complexity not in TimeLimit.COMPLEXITY_KEYS:
        raise WorkflowError("invalid_complexity", _("Choose the complexity: simple, general or complex."))
    flags = list(risk_flags if risk_flags is not None else dispute.risk_flags)
    unknown = set(flags) - set(RiskFlag.values)
    if unknown:
        raise WorkflowError(
            "invalid_flag", _("Unknown risk flag: %(flags)s") % {"flags": ", ".join(sorted(unknown))}
        )
    if category is not None:
        if (
            not isinstance(category, Category)
            or not Category.objects.filter(pk=category.pk, is_active=True).exists()
        ):
            raise WorkflowError("inactive_category", _("This category is no longer used."))
        dispute.category = category
    dispute.risk_flags = flags
    dispute.complexity = complexity
    facts = risk.facts_for(dispute, timezone.localdate())
    dispute.in_sensitive_period = facts.in_sensitive_period
    dispute.risk_grade_by_rules = risk.grade(facts)
    if grade_override is not None and int(grade_override) != dispute.risk_grade_by_rules:
        if int(grade_override) not in RiskGrade.values:
            raise WorkflowError("invalid_grade", _("Unknown risk grade."))
        require(
            override_reason,
            "override_reason_required",
            _("Give the reason for grading differently from the rules."),
        )
        dispute.risk_grade = int(grade_override)
        dispute.risk_override_reason = override_reason.strip()
    else:
        dispute.risk_grade = dispute.risk_grade_by_rules
        dispute.risk_override_reason = ""
    route = routing.route(dispute)
    if step.before["status"] == Status.REPORTED_UP:
        route = _not_below(route, dispute.platform)
    _apply_route(dispute, route)
    extra = {
        "rules_matched": facts.matched,
        "repeat_disputes": facts.repeat_disputes,
        "complexity": complexity,
        "routing_rule": dispute.routing_rule_id,
    }
    dispute = finish(step, note, extra)
    warnings.sync_warnings(dispute, reason=note)
    return dispute


def _not_below(route, platform):
    """A dispute reported up stays at least at the platform it was reported to, whatever the rules say."""
    if route.platform is not None and route.platform.region.level > platform.region.level:
        return dataclasses.replace(route, platform=platform, level=platform.region.level)
    return route


def _apply_route(dispute, route):
    if route.platform is None:
        raise WorkflowError("no_platform", _("No comprehensive mediation platform covers this region yet."))
    dispute.routing_rule = route.rule
    dispute.handling_level = (
        route.level if route.platform.region.level == route.level else route.platform.region.level
    )
    dispute.platform = route.platform
    dispute.save()
    dispute.responsible_units.set(route.units)
    if not route.needs_leader and dispute.risk_grade != RiskGrade.RED:
        return
    if dispute.leader_id is None:
        dispute.leader = _default_leader(dispute)


def _default_leader(dispute):
    """The platform's supervisor, if one is registered; the dispatcher names one otherwise."""
    from mediation.choices import Role
    from mediation.models import Membership

    membership = (
        Membership.objects.current()
        .filter(role=Role.SUPERVISOR)
        .filter(region__path=dispute.platform.region.path)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def reroute(dispute_id, user, *, version, platform, reason, units=None, leader=None):
    """A dispatcher sends the dispute to another platform (and units), with a reason."""
    step = begin(dispute_id, "reroute", user, version)
    dispute = step.dispute
    require(reason, "reason_required", _("Give the reason for re-routing."))
    targets.check_platform(user, dispute, platform)
    if units is not None:
        units = targets.check_units(user, dispute, units)
    if leader is not None:
        targets.check_leader(user, dispute, leader)
        dispute.leader = leader
    dispute.platform = platform
    dispute.handling_level = platform.region.level
    dispute.routing_rule = None
    dispute.save()
    if units is not None:
        dispute.responsible_units.set(units)
    dispute = finish(step, reason, {"platform_name": platform.name})
    warnings.raise_early_warning(dispute)
    return dispute


@transaction.atomic
def reassess_risk(dispute_id, user, *, version, grade, reason):
    """Re-assess the risk grade at any open stage, with a reason (task 23: 分级管理, 防止转化升级).

    A grade raised to orange or red warns the new grade's recipients at once; the open warnings of the grade left
    behind are withdrawn (marked, kept). The status does not move; the Event holds the grade before and after.
    """
    step = begin(dispute_id, "reassess_risk", user, version)
    dispute = step.dispute
    try:
        grade = int(grade)
    except (TypeError, ValueError) as exc:
        raise WorkflowError("invalid_grade", _("Unknown risk grade.")) from exc
    if grade not in RiskGrade.values:
        raise WorkflowError("invalid_grade", _("Unknown risk grade."))
    reason = require(reason, "reason_required", _("Give the reason for re-assessing the risk grade.")).strip()
    before = dispute.risk_grade
    if grade == before:
        raise WorkflowError("grade_unchanged", _("The dispute already has this risk grade."))
    dispute.risk_grade = grade
    dispute.risk_override_reason = "" if grade == dispute.risk_grade_by_rules else reason[:200]
    if grade == RiskGrade.RED and dispute.leader_id is None and dispute.platform_id:
        dispute.leader = _default_leader(dispute)
    dispute = finish(step, reason, {"grade_before": before, "grade_after": grade})
    warnings.sync_warnings(dispute, reason=reason)
    return dispute


@transaction.atomic
def set_leader(dispute_id, user, *, version, leader):
    """Name the leader in charge (包案领导): a supervisor of the controlling region or one above it."""
    step = begin(dispute_id, "set_leader", user, version)
    targets.check_leader(user, step.dispute, leader)
    step.dispute.leader = leader
    return finish(step, str(leader), {"leader": leader.pk})


@transaction.atomic
def void(dispute_id, user, *, version, reason):
    """作废: a wrong entry is voided with a reason, never deleted."""
    step = begin(dispute_id, "void", user, version)
    step.dispute.void_reason = require(reason, "reason_required", _("Give the reason for voiding.")).strip()
    return finish(step, reason)


@transaction.atomic
def merge(dispute_id, user, *, version, into, reason=""):
    """The same dispute reported twice: this one is merged into the other, which keeps the case."""
    step = begin(dispute_id, "merge", user, version)
    dispute = step.dispute
    targets.check_merge_partner(user, dispute, into)
    dispute.duplicate_of = into
    dispute.linked.add(into)
    record_on(
        into,
        "merged_in",
        user,
        _("%(number)s merged into this dispute") % {"number": dispute.number},
        {"dispute": dispute.pk},
    )
    return finish(step, reason, {"into": into.number, "into_id": into.pk})


@transaction.atomic
def link(dispute, other, user, note=""):
    """Link two related disputes (e.g. the same conflict from two sides) without merging them.

    The user must control the first and see the second; nothing changes status, so no version is asked for.
    """
    step = begin(dispute.pk, "link", user, None)
    targets.check_link_partner(user, step.dispute, other)
    step.dispute.linked.add(other)
    record_on(other, "link", user, note or step.dispute.number, {"dispute": step.dispute.pk})
    return finish(step, note or other.number, {"other": other.pk})
