"""The dispute workflow: every state change of a dispute goes through these functions.

Views, the API, admin actions and Celery tasks all call them. Each action:
1. locks the dispute row and checks the version the user saw (two people cannot both win silently);
2. checks the transition table, the user's permission and their authority over this dispute;
3. changes the rows and appends an Event, in one transaction — or raises WorkflowError and changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Conflict, Forbidden, WorkflowError
from disputes.choices import (
    AgreementForm,
    AssignmentRole,
    AssignmentStatus,
    ConfirmationResult,
    DayType,
    FailureGuidance,
    FeedbackTarget,
    Outcome,
    PartyRole,
    Performance,
    Prevention,
    RiskFlag,
    RiskGrade,
    Satisfaction,
    SessionMode,
    Status,
    SupervisionLevel,
)
from disputes.services import calendar, risk, routing, warnings
from mediation.scoping import Scope

S = Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    permission: str  # one permission, or several separated by commas (any of them)
    authority: str  # "control": the controlling platform; "handle": the handler; "view": anyone who sees it


def _t(sources, target, permission, authority):
    permission = ",".join(f"disputes.{p}" for p in permission.split(","))
    return Transition(frozenset(sources), target, permission, authority)


def _permitted(user, transition) -> bool:
    return any(user.has_perm(p) for p in transition.permission.split(","))


# The allowed transitions, in one table.
TRANSITIONS: dict[str, Transition] = {
    "assess": _t({S.REGISTERED, S.ASSESSED, S.REPORTED_UP}, S.ASSESSED, "assess_dispute", "control"),
    "reroute": _t({S.REGISTERED, S.ASSESSED, S.REPORTED_UP}, S.ASSESSED, "assess_dispute", "control"),
    "void": _t({S.REGISTERED, S.ASSESSED}, S.VOIDED, "assess_dispute", "control"),
    "merge": _t({S.REGISTERED, S.ASSESSED}, S.MERGED, "assess_dispute", "control"),
    "assign": _t({S.ASSESSED}, S.ASSIGNED, "assess_dispute", "control"),
    "reassign": _t({S.ASSIGNED, S.IN_PROGRESS}, S.ASSIGNED, "assess_dispute", "control"),
    "add_co_handler": _t({S.ASSIGNED, S.IN_PROGRESS}, None, "assess_dispute", "control"),
    "accept": _t({S.ASSIGNED, S.IN_PROGRESS}, S.IN_PROGRESS, "handle_dispute", "assignee"),
    "return": _t({S.ASSIGNED}, S.ASSESSED, "handle_dispute", "assignee"),
    # The platform's dispatcher, or the handler who accepted it and cannot resolve it.
    "report_up": _t(
        {S.ASSESSED, S.IN_PROGRESS}, S.REPORTED_UP, "assess_dispute,handle_dispute", "control_or_handle"
    ),
    "guide": _t({S.ASSESSED, S.ASSIGNED, S.IN_PROGRESS, S.REPORTED_UP}, None, "supervise_dispute", "above"),
    "supervise": _t({S.ASSIGNED, S.IN_PROGRESS}, None, "supervise_dispute", "above"),
    "answer_supervision": _t(
        {S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.FAILED}, None, "handle_dispute", "handle"
    ),
    "notify_rights": _t({S.IN_PROGRESS}, None, "handle_dispute", "handle"),
    "record_session": _t({S.IN_PROGRESS}, None, "handle_dispute", "handle"),
    "extend": _t({S.IN_PROGRESS}, None, "handle_dispute", "handle"),
    "record_outcome": _t({S.IN_PROGRESS}, None, "handle_dispute", "handle"),
    "record_performance": _t({S.RESOLVED, S.FED_BACK}, None, "handle_dispute", "handle"),
    "apply_confirmation": _t({S.RESOLVED, S.FED_BACK}, None, "handle_dispute", "handle"),
    "record_confirmation": _t({S.RESOLVED, S.FED_BACK, S.ARCHIVED}, None, "handle_dispute", "handle"),
    "record_notarization": _t({S.RESOLVED, S.FED_BACK, S.ARCHIVED}, None, "handle_dispute", "handle"),
    "feedback": _t({S.RESOLVED, S.FAILED, S.FED_BACK}, None, "handle_dispute", "handle"),
    "follow_up": _t({S.FED_BACK}, None, "handle_dispute", "handle"),
    "archive": _t({S.FED_BACK}, S.ARCHIVED, "handle_dispute", "handle"),
    "reopen": _t({S.ARCHIVED, S.FAILED}, S.IN_PROGRESS, "supervise_dispute", "above"),
}


def allowed_actions(dispute, user) -> list[str]:
    """The actions `user` may take on `dispute` now (for showing only the buttons that work)."""
    result = []
    for action, transition in TRANSITIONS.items():
        if dispute.status not in transition.sources or not _permitted(user, transition):
            continue
        if _has_authority(user, dispute, transition.authority):
            result.append(action)
    return result


# --- authority -------------------------------------------------------------------------------------------


def _controls(user, dispute) -> bool:
    """The user staffs the controlling platform, or their territory covers it."""
    scope = Scope.for_user(user)
    if scope.everything:
        return True
    if dispute.platform_id is None:
        return scope.covers_path(dispute.region_path)
    return dispute.platform_id in scope.organization_ids or scope.covers_path(dispute.platform.region.path)


def _is_assignee(user, assignment) -> bool:
    scope = Scope.for_user(user)
    if scope.everything:
        return True
    if assignment.to_unit_id:
        return assignment.to_unit_id in scope.unit_ids
    org = assignment.to_organization
    return org.pk in scope.organization_ids or scope.covers_path(org.region.path)


def _handles(user, dispute) -> bool:
    return any(_is_assignee(user, a) for a in dispute.current_assignments) or any(
        _is_assignee(user, a)
        for a in dispute.assignments.filter(status=AssignmentStatus.COMPLETED).select_related(
            "to_organization__region"
        )
    )


def _above(user, dispute) -> bool:
    """A supervisor whose territory covers the controlling platform (or the dispute), or the leader in charge."""
    if dispute.leader_id == user.pk:
        return True
    scope = Scope.for_user(user)
    path = dispute.platform.region.path if dispute.platform_id else dispute.region_path
    return scope.everything or scope.covers_path(path)


def _has_authority(user, dispute, authority: str) -> bool:
    if authority == "control":
        return _controls(user, dispute)
    if authority == "assignee":
        return any(_is_assignee(user, a) for a in dispute.current_assignments)
    if authority == "handle":
        return _handles(user, dispute)
    if authority == "control_or_handle":
        return (user.has_perm("disputes.assess_dispute") and _controls(user, dispute)) or (
            user.has_perm("disputes.handle_dispute") and _handles(user, dispute)
        )
    if authority == "above":
        return _above(user, dispute)
    return True


# --- the machinery of every action ---------------------------------------------------------------------------


def _snapshot(dispute) -> dict:
    return {
        "status": dispute.status,
        "risk_grade": dispute.risk_grade,
        "platform": dispute.platform_id,
        "due_at": dispute.due_at.isoformat() if dispute.due_at else None,
        "version": dispute.version,
    }


def _begin(dispute_id: int, action: str, user, version: int | None):
    """Lock the dispute, check version, transition, permission and authority. Call inside a transaction."""
    from disputes.models import Dispute

    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("platform__region", "category", "region")
        .get(pk=dispute_id)
    )
    if version is not None and dispute.version != version:
        raise Conflict(
            "version_conflict",
            _("Someone else changed this dispute in the meantime. Reload the page and try again."),
        )
    transition = TRANSITIONS[action]
    if dispute.status not in transition.sources:
        raise WorkflowError(
            "invalid_transition",
            _("This action is not possible while the dispute is “%(status)s”.")
            % {"status": dispute.get_status_display()},
        )
    if user is not None:
        if not _permitted(user, transition) or not _has_authority(user, dispute, transition.authority):
            raise Forbidden("forbidden", _("You may not take this action on this dispute."))
    return dispute, transition, _snapshot(dispute)


def _finish(dispute, transition, action: str, user, before: dict, note: str = "", extra: dict | None = None):
    from disputes.models import Event

    if transition.target:
        dispute.status = transition.target
    dispute.version += 1
    dispute.save()
    after = _snapshot(dispute) | (extra or {})
    Event.objects.create(dispute=dispute, action=action, actor=user, note=note, before=before, after=after)
    return dispute


def _require(value, code: str, message: str):
    if value in (None, "", [], ()) or (isinstance(value, str) and not value.strip()):
        raise WorkflowError(code, message)
    return value


def _limit(key: str) -> tuple[int, str]:
    from disputes.models import TimeLimit

    row = TimeLimit.objects.filter(key=key).first()
    defaults = {
        TimeLimit.Key.SIMPLE: (1, DayType.WORKING),
        TimeLimit.Key.GENERAL: (7, DayType.WORKING),
        TimeLimit.Key.COMPLEX: (20, DayType.WORKING),
        TimeLimit.Key.ACCEPTANCE: (1, DayType.WORKING),
        TimeLimit.Key.MEDIATION: (30, DayType.CALENDAR),
        TimeLimit.Key.SUPERVISION_ANSWER: (3, DayType.WORKING),
        TimeLimit.Key.JUDICIAL_CONFIRMATION: (30, DayType.CALENDAR),
    }
    return (row.days, row.day_type) if row else defaults[key]


# --- assessment and routing --------------------------------------------------------------------------------


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
    from disputes.models import TimeLimit

    dispute, transition, before = _begin(dispute_id, "assess", user, version)
    if complexity not in TimeLimit.COMPLEXITY_KEYS:
        raise WorkflowError("invalid_complexity", _("Choose the complexity: simple, general or complex."))
    flags = list(risk_flags if risk_flags is not None else dispute.risk_flags)
    unknown = set(flags) - set(RiskFlag.values)
    if unknown:
        raise WorkflowError(
            "invalid_flag", _("Unknown risk flag: %(flags)s") % {"flags": ", ".join(sorted(unknown))}
        )
    if category is not None:
        dispute.category = category
    dispute.risk_flags = flags
    dispute.complexity = complexity
    facts = risk.facts_for(dispute, timezone.localdate())
    dispute.in_sensitive_period = facts.in_sensitive_period
    dispute.risk_grade_by_rules = risk.grade(facts)
    if grade_override is not None and int(grade_override) != dispute.risk_grade_by_rules:
        if int(grade_override) not in RiskGrade.values:
            raise WorkflowError("invalid_grade", _("Unknown risk grade."))
        _require(
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
    if before["status"] == S.REPORTED_UP:
        route = _not_below(route, dispute.platform)
    _apply_route(dispute, route)
    extra = {
        "rules_matched": facts.matched,
        "repeat_disputes": facts.repeat_disputes,
        "complexity": complexity,
        "routing_rule": dispute.routing_rule_id,
    }
    dispute = _finish(dispute, transition, "assess", user, before, note, extra)
    warnings.raise_early_warning(dispute)
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
    dispute, transition, before = _begin(dispute_id, "reroute", user, version)
    _require(reason, "reason_required", _("Give the reason for re-routing."))
    from mediation.choices import OrganizationKind

    if platform.kind != OrganizationKind.PLATFORM:
        raise WorkflowError(
            "not_a_platform", _("Disputes are routed to comprehensive mediation platforms only.")
        )
    dispute.platform = platform
    dispute.handling_level = platform.region.level
    dispute.routing_rule = None
    if leader is not None:
        dispute.leader = leader
    dispute.save()
    if units is not None:
        dispute.responsible_units.set(units)
    dispute = _finish(dispute, transition, "reroute", user, before, reason, {"platform_name": platform.name})
    warnings.raise_early_warning(dispute)
    return dispute


@transaction.atomic
def set_leader(dispute_id, user, *, version, leader):
    dispute, transition, before = _begin(dispute_id, "reroute", user, version)
    dispute.leader = leader
    return _finish(
        dispute,
        Transition(transition.sources, None, "", ""),
        "set_leader",
        user,
        before,
        str(leader),
        {"leader": leader.pk},
    )


@transaction.atomic
def void(dispute_id, user, *, version, reason):
    """作废: a wrong entry is voided with a reason, never deleted."""
    dispute, transition, before = _begin(dispute_id, "void", user, version)
    dispute.void_reason = _require(reason, "reason_required", _("Give the reason for voiding.")).strip()
    return _finish(dispute, transition, "void", user, before, reason)


@transaction.atomic
def merge(dispute_id, user, *, version, into, reason=""):
    """The same dispute reported twice: this one is merged into the other, which keeps the case."""
    dispute, transition, before = _begin(dispute_id, "merge", user, version)
    if into.pk == dispute.pk or into.status in (S.VOIDED, S.MERGED):
        raise WorkflowError("invalid_merge_target", _("Merge into another dispute that is still valid."))
    dispute.duplicate_of = into
    dispute.linked.add(into)
    _record_on(into, "merged_in", user, _("%(number)s merged into this dispute") % {"number": dispute.number})
    return _finish(dispute, transition, "merge", user, before, reason, {"into": into.number})


@transaction.atomic
def link(dispute, other, user, note=""):
    """Link two related disputes (e.g. the same conflict from two sides) without merging them."""
    from disputes.models import Dispute

    if user is not None and not (
        user.has_perm("disputes.assess_dispute")
        and _controls(user, dispute)
        and Dispute.objects.visible_to(user).filter(pk=other.pk).exists()
    ):
        raise Forbidden("forbidden", _("You may not take this action on this dispute."))
    if dispute.pk == other.pk:
        raise WorkflowError("invalid_link", _("A dispute cannot be linked to itself."))
    dispute.linked.add(other)
    _record_on(dispute, "link", user, note or other.number)
    _record_on(other, "link", user, note or dispute.number)


def _record_on(dispute, action, user, note="", after=None):
    from disputes.models import Event

    Event.objects.create(dispute=dispute, action=action, actor=user, note=note, after=after or {})


# --- assignment --------------------------------------------------------------------------------------------


def _new_assignment(dispute, user, *, to, role, limit_days, day_type, note):
    from disputes.models import Assignment, TimeLimit
    from mediation.models import MediationOrganization, Unit

    if not isinstance(to, (Unit, MediationOrganization)):
        raise WorkflowError("invalid_target", _("Assign to a unit or a mediation organization."))
    if limit_days is None:
        limit_days, default_type = _limit(
            TimeLimit.COMPLEXITY_KEYS.get(dispute.complexity, TimeLimit.Key.GENERAL)
        )
        day_type = day_type or default_type
    if int(limit_days) < 1:
        raise WorkflowError("invalid_limit", _("The time limit must be at least one day."))
    if day_type not in DayType.values:
        raise WorkflowError("invalid_day_type", _("Count the limit in working days or calendar days."))
    now = timezone.now()
    accept_days, accept_type = _limit(TimeLimit.Key.ACCEPTANCE)
    accept = calendar.deadline(now, accept_days, accept_type)
    due = calendar.deadline(now, int(limit_days), day_type)
    return Assignment.objects.create(
        dispute=dispute,
        from_platform=dispute.platform,
        to_unit=to if isinstance(to, Unit) else None,
        to_organization=to if isinstance(to, MediationOrganization) else None,
        role=role,
        limit_days=int(limit_days),
        day_type=day_type,
        accept_due_at=accept.at,
        due_at=due.at,
        due_date_estimated=due.estimated,
        note=note,
        assigned_by=user,
    )


@transaction.atomic
def assign(dispute_id, user, *, version, to, limit_days=None, day_type=None, co_handlers=(), note=""):
    """交办: from the controlling platform to a unit or organization, with a time limit; co-handlers optional."""
    dispute, transition, before = _begin(dispute_id, "assign", user, version)
    if dispute.risk_grade == RiskGrade.RED and dispute.leader_id is None:
        raise WorkflowError(
            "leader_required", _("A red dispute needs a leader in charge (包案领导) before assignment.")
        )
    lead = _new_assignment(
        dispute, user, to=to, role=AssignmentRole.LEAD, limit_days=limit_days, day_type=day_type, note=note
    )
    for other in co_handlers:
        _new_assignment(
            dispute,
            user,
            to=other,
            role=AssignmentRole.CO_HANDLER,
            limit_days=lead.limit_days,
            day_type=lead.day_type,
            note=note,
        )
    dispute.due_at, dispute.due_date_estimated = lead.due_at, lead.due_date_estimated
    return _finish(
        dispute,
        transition,
        "assign",
        user,
        before,
        note,
        {"to": str(to), "assignment": lead.pk, "co_handlers": [str(c) for c in co_handlers]},
    )


@transaction.atomic
def add_co_handler(dispute_id, user, *, version, to, note=""):
    dispute, transition, before = _begin(dispute_id, "add_co_handler", user, version)
    lead = dispute.lead_assignment
    if lead is None:
        raise WorkflowError("no_assignment", _("Assign a lead handler first."))
    co = _new_assignment(
        dispute,
        user,
        to=to,
        role=AssignmentRole.CO_HANDLER,
        limit_days=lead.limit_days,
        day_type=lead.day_type,
        note=note,
    )
    return _finish(
        dispute, transition, "add_co_handler", user, before, note, {"to": str(to), "assignment": co.pk}
    )


@transaction.atomic
def reassign(dispute_id, user, *, version, to, reason, limit_days=None, day_type=None):
    """Withdraw the current lead assignment and assign anew; the old row stays as history."""
    dispute, transition, before = _begin(dispute_id, "reassign", user, version)
    _require(reason, "reason_required", _("Give the reason for reassigning."))
    for old in dispute.current_assignments.filter(role=AssignmentRole.LEAD):
        old.status = AssignmentStatus.WITHDRAWN
        old.save(update_fields=["status"])
    lead = _new_assignment(
        dispute, user, to=to, role=AssignmentRole.LEAD, limit_days=limit_days, day_type=day_type, note=reason
    )
    dispute.due_at, dispute.due_date_estimated = lead.due_at, lead.due_date_estimated
    return _finish(
        dispute, transition, "reassign", user, before, reason, {"to": str(to), "assignment": lead.pk}
    )


def _assignment_for(dispute, assignment_id, user):
    assignment = (
        dispute.assignments.filter(pk=assignment_id).select_related("to_organization__region").first()
    )
    if assignment is None or not assignment.is_open:
        raise WorkflowError("no_open_assignment", _("This assignment is no longer open."))
    if user is not None and not _is_assignee(user, assignment):
        raise Forbidden("forbidden", _("This assignment is not addressed to you."))
    return assignment


@transaction.atomic
def accept(dispute_id, user, *, version, assignment_id):
    dispute, transition, before = _begin(dispute_id, "accept", user, version)
    assignment = _assignment_for(dispute, assignment_id, user)
    if assignment.status != AssignmentStatus.PENDING:
        raise WorkflowError("already_accepted", _("This assignment has already been accepted."))
    assignment.status, assignment.accepted_by, assignment.accepted_at = (
        AssignmentStatus.ACCEPTED,
        user,
        timezone.now(),
    )
    assignment.save(update_fields=["status", "accepted_by", "accepted_at"])
    if assignment.role == AssignmentRole.CO_HANDLER:
        transition = Transition(transition.sources, None, "", "")
    return _finish(dispute, transition, "accept", user, before, "", {"assignment": assignment.pk})


@transaction.atomic
def return_assignment(dispute_id, user, *, version, assignment_id, reason):
    """退回: the assignee returns it with a reason; it goes back to the dispatcher."""
    dispute, transition, before = _begin(dispute_id, "return", user, version)
    _require(reason, "reason_required", _("Give the reason for returning."))
    assignment = _assignment_for(dispute, assignment_id, user)
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
        for co in dispute.current_assignments:
            co.status = AssignmentStatus.WITHDRAWN
            co.save(update_fields=["status"])
        dispute.due_at = None
    else:
        transition = Transition(transition.sources, None, "", "")
    return _finish(dispute, transition, "return", user, before, reason, {"assignment": assignment.pk})


@transaction.atomic
def report_up(dispute_id, user, *, version, reason):
    """上报: what the lower platform cannot resolve goes to the platform one level up."""
    dispute, transition, before = _begin(dispute_id, "report_up", user, version)
    _require(reason, "reason_required", _("Say why the dispute is reported up."))
    current_level = dispute.platform.region.level
    if current_level <= 2:
        raise WorkflowError("top_level", _("The district platform is the highest level."))
    upper = routing.platform_for(dispute.platform.region, current_level - 1)
    if upper is None:
        raise WorkflowError("no_platform", _("No platform above this one."))
    for open_assignment in dispute.current_assignments:
        open_assignment.status = AssignmentStatus.WITHDRAWN
        open_assignment.save(update_fields=["status"])
    dispute.platform, dispute.handling_level, dispute.due_at = upper, upper.region.level, None
    return _finish(dispute, transition, "report_up", user, before, reason, {"platform_name": upper.name})


# --- guidance and supervision ------------------------------------------------------------------------------


@transaction.atomic
def guide(dispute_id, user, *, text):
    dispute, transition, before = _begin(dispute_id, "guide", user, None)
    _require(text, "text_required", _("Write the guidance."))
    return _finish(dispute, transition, "guide", user, before, text)


@transaction.atomic
def supervise(dispute_id, user, *, level, notice):
    """督办: a notice the handler must answer in writing by the answer deadline."""
    from disputes.models import Supervision, TimeLimit

    dispute, transition, before = _begin(dispute_id, "supervise", user, None)
    _require(notice, "text_required", _("Write the supervision notice."))
    if int(level) not in SupervisionLevel.values:
        raise WorkflowError("invalid_level", _("Unknown supervision level."))
    days, day_type = _limit(TimeLimit.Key.SUPERVISION_ANSWER)
    supervision = Supervision.objects.create(
        dispute=dispute,
        assignment=dispute.lead_assignment,
        level=int(level),
        notice=notice,
        issued_by=user,
        answer_due_at=calendar.deadline(timezone.now(), days, day_type).at,
    )
    return _finish(
        dispute,
        transition,
        "supervise",
        user,
        before,
        notice,
        {"supervision": supervision.pk, "level": int(level)},
    )


@transaction.atomic
def answer_supervision(dispute_id, user, *, supervision_id, answer):
    dispute, transition, before = _begin(dispute_id, "answer_supervision", user, None)
    supervision = dispute.supervisions.filter(pk=supervision_id).first()
    if supervision is None or supervision.answered_at:
        raise WorkflowError("no_open_supervision", _("This supervision notice has been answered already."))
    supervision.answer = _require(answer, "text_required", _("Write the answer."))
    supervision.answered_by, supervision.answered_at = user, timezone.now()
    supervision.save(update_fields=["answer", "answered_by", "answered_at"])
    return _finish(
        dispute, transition, "answer_supervision", user, before, answer, {"supervision": supervision.pk}
    )


# --- mediation ---------------------------------------------------------------------------------------------


@transaction.atomic
def notify_rights(dispute_id, user, *, version, note=""):
    """权利义务告知, recorded before the first session."""
    dispute, transition, before = _begin(dispute_id, "notify_rights", user, version)
    if dispute.rights_notified_at:
        raise WorkflowError("already_notified", _("The rights and duties notice is already recorded."))
    dispute.rights_notified_at = timezone.now()
    return _finish(dispute, transition, "notify_rights", user, before, note)


@transaction.atomic
def record_session(
    dispute_id, user, *, version, held_at, mode, participants, minutes, location="", mediators=()
):
    from disputes.models import MediationSession

    dispute, transition, before = _begin(dispute_id, "record_session", user, version)
    if not dispute.rights_notified_at:
        raise WorkflowError(
            "rights_not_notified",
            _("Record the rights and duties notice to the parties before the first session."),
        )
    refusing = dispute.parties.filter(
        consents_to_mediation=False, role__in=[PartyRole.APPLICANT, PartyRole.RESPONDENT]
    )
    if refusing.exists():
        raise WorkflowError(
            "party_refuses", _("A party clearly refuses mediation; it cannot go on (人民调解法 Art. 17).")
        )
    if mode not in SessionMode.values:
        raise WorkflowError("invalid_mode", _("Choose how the session was held."))
    _require(minutes, "minutes_required", _("Write the minutes of the session."))
    _require(participants, "participants_required", _("List who took part."))
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        raise WorkflowError("future_session", _("A session cannot be recorded before it is held."))
    session = MediationSession.objects.create(
        dispute=dispute,
        held_at=held_at,
        mode=mode,
        location=location,
        participants=participants,
        minutes=minutes,
        recorded_by=user,
    )
    session.mediators.set(list(mediators) or [user])
    return _finish(
        dispute, transition, "record_session", user, before, "", {"session": session.pk, "mode": mode}
    )


@transaction.atomic
def extend(dispute_id, user, *, version, new_due_at, reason, consent_note, consenting_party_ids):
    """Extend the time limit: only with the consent of every applicant and respondent recorded."""
    from disputes.models import Extension

    dispute, transition, before = _begin(dispute_id, "extend", user, version)
    _require(reason, "reason_required", _("Give the reason for extending."))
    _require(consent_note, "consent_required", _("Record how the parties consented."))
    principal = set(
        dispute.parties.filter(role__in=[PartyRole.APPLICANT, PartyRole.RESPONDENT]).values_list(
            "pk", flat=True
        )
    )
    consenting = set(int(pk) for pk in consenting_party_ids)
    if not principal or not principal <= consenting:
        raise WorkflowError("consent_missing", _("Both parties must consent to an extension."))
    if dispute.due_at and new_due_at <= dispute.due_at:
        raise WorkflowError("not_later", _("The new deadline must be later than the current one."))
    extension = Extension.objects.create(
        dispute=dispute,
        old_due_at=dispute.due_at or timezone.now(),
        new_due_at=new_due_at,
        reason=reason,
        consent_note=consent_note,
        recorded_by=user,
    )
    extension.consenting_parties.set(consenting & principal)
    dispute.due_at, dispute.extended = new_due_at, True
    lead = dispute.lead_assignment
    if lead:
        lead.due_at = new_due_at
        lead.save(update_fields=["due_at"])
    return _finish(
        dispute, transition, "extend", user, before, reason, {"new_due_at": new_due_at.isoformat()}
    )


# --- outcome and agreement ---------------------------------------------------------------------------------


@transaction.atomic
def record_outcome(
    dispute_id,
    user,
    *,
    version,
    outcome,
    note="",
    preventions=(),
    failure_guidance="",
    agreement: dict | None = None,
):
    """Success with an agreement (written per Art. 29 or oral) or failure with the guidance given."""
    from disputes.models import Agreement

    dispute, transition, before = _begin(dispute_id, "record_outcome", user, version)
    unknown = set(preventions) - set(Prevention.values)
    if unknown:
        raise WorkflowError("invalid_prevention", _("Unknown prevention outcome."))
    if not dispute.sessions.exists():
        raise WorkflowError("no_session", _("Record at least one mediation session first."))
    if outcome == Outcome.SUCCESS:
        if not agreement:
            raise WorkflowError(
                "agreement_required", _("A successful mediation needs its agreement recorded.")
            )
        form = agreement.get("form")
        if form not in AgreementForm.values:
            raise WorkflowError("invalid_agreement_form", _("An agreement is written or oral."))
        _require(agreement.get("terms"), "terms_required", _("Write the agreed terms."))
        if form == AgreementForm.WRITTEN:
            # 人民调解法 Art. 29: parties, facts and points in dispute, terms, how and when they are performed.
            _require(
                agreement.get("facts"),
                "facts_required",
                _("A written agreement states the facts and points in dispute."),
            )
            _require(
                agreement.get("performance_method"),
                "performance_method_required",
                _("A written agreement states how and when it is performed."),
            )
        previous = Agreement.objects.filter(dispute=dispute).first()
        if previous is not None:
            # Re-mediation replaces the agreement; the old terms stay in the timeline.
            before["previous_agreement"] = {
                "form": previous.form,
                "terms": previous.terms,
                "effective_on": previous.effective_on.isoformat(),
            }
            previous.delete()
        Agreement.objects.create(
            dispute=dispute,
            form=form,
            facts=agreement.get("facts", ""),
            terms=agreement["terms"],
            performance_method=agreement.get("performance_method", ""),
            performance_due_on=agreement.get("performance_due_on"),
            amount=Decimal(str(agreement.get("amount") or 0)),
            effective_on=agreement.get("effective_on") or timezone.localdate(),
            signed_by_all=bool(agreement.get("signed_by_all")),
            recorded_by=user,
        )
        dispute.failure_guidance = ""
        target = S.RESOLVED
    elif outcome == Outcome.FAILURE:
        if failure_guidance not in FailureGuidance.values:
            raise WorkflowError(
                "guidance_required",
                _("Record the guidance given: litigation, arbitration or administrative channels."),
            )
        dispute.failure_guidance = failure_guidance
        target = S.FAILED
    else:
        raise WorkflowError("invalid_outcome", _("The outcome is success or failure."))
    dispute.outcome, dispute.outcome_note, dispute.preventions = outcome, note, list(preventions)
    dispute.resolved_at = timezone.now()
    for assignment in dispute.current_assignments:
        assignment.status, assignment.completed_at, assignment.result_report = (
            AssignmentStatus.COMPLETED,
            timezone.now(),
            note,
        )
        assignment.save(update_fields=["status", "completed_at", "result_report"])
    transition = Transition(transition.sources, target, "", "")
    return _finish(
        dispute,
        transition,
        "record_outcome",
        user,
        before,
        note,
        {"outcome": outcome, "preventions": list(preventions), "failure_guidance": failure_guidance},
    )


def _agreement(dispute):
    agreement = getattr(dispute, "agreement", None)
    if agreement is None:
        raise WorkflowError("no_agreement", _("This dispute has no agreement."))
    return agreement


@transaction.atomic
def record_performance(dispute_id, user, *, version, performance, note=""):
    dispute, transition, before = _begin(dispute_id, "record_performance", user, version)
    agreement = _agreement(dispute)
    if performance not in Performance.values:
        raise WorkflowError("invalid_performance", _("Unknown performance state."))
    agreement.performance, agreement.performance_checked_on = performance, timezone.localdate()
    agreement.save(update_fields=["performance", "performance_checked_on"])
    return _finish(
        dispute, transition, "record_performance", user, before, note, {"performance": performance}
    )


def confirmation_window_closes(agreement) -> dt.date:
    """The last day to apply for judicial confirmation: 30 days after the agreement took effect (Art. 33)."""
    from disputes.models import TimeLimit

    days, _type = _limit(TimeLimit.Key.JUDICIAL_CONFIRMATION)
    return agreement.effective_on + dt.timedelta(days=days)


@transaction.atomic
def apply_confirmation(dispute_id, user, *, version, applied_on, court):
    dispute, transition, before = _begin(dispute_id, "apply_confirmation", user, version)
    agreement = _agreement(dispute)
    _require(court, "court_required", _("Name the court."))
    if agreement.confirmation_applied_on:
        raise WorkflowError("already_applied", _("Judicial confirmation has been applied for already."))
    if applied_on < agreement.effective_on or applied_on > confirmation_window_closes(agreement):
        raise WorkflowError(
            "window_closed",
            _("Judicial confirmation must be applied for within 30 days of the agreement taking effect."),
        )
    agreement.confirmation_applied_on, agreement.confirmation_court = applied_on, court
    agreement.confirmation_result = ConfirmationResult.PENDING
    agreement.save(update_fields=["confirmation_applied_on", "confirmation_court", "confirmation_result"])
    return _finish(dispute, transition, "apply_confirmation", user, before, court, {"applied_on": applied_on})


@transaction.atomic
def record_confirmation(dispute_id, user, *, version, result, decided_on):
    dispute, transition, before = _begin(dispute_id, "record_confirmation", user, version)
    agreement = _agreement(dispute)
    if not agreement.confirmation_applied_on:
        raise WorkflowError("not_applied", _("Record the application for judicial confirmation first."))
    if result not in (ConfirmationResult.CONFIRMED, ConfirmationResult.REJECTED):
        raise WorkflowError("invalid_result", _("The court confirms or rejects."))
    if decided_on < agreement.confirmation_applied_on:
        raise WorkflowError("invalid_date", _("The decision cannot precede the application."))
    agreement.confirmation_result, agreement.confirmation_decided_on = result, decided_on
    agreement.save(update_fields=["confirmation_result", "confirmation_decided_on"])
    return _finish(dispute, transition, "record_confirmation", user, before, "", {"result": result})


@transaction.atomic
def record_notarization(dispute_id, user, *, version, notarized_on, office):
    dispute, transition, before = _begin(dispute_id, "record_notarization", user, version)
    agreement = _agreement(dispute)
    agreement.notarized_on, agreement.notary_office = (
        notarized_on,
        _require(office, "office_required", _("Name the notary office.")),
    )
    agreement.save(update_fields=["notarized_on", "notary_office"])
    return _finish(
        dispute, transition, "record_notarization", user, before, office, {"notarized_on": notarized_on}
    )


# --- feedback, follow-up, archive --------------------------------------------------------------------------


def _needs_platform_feedback(dispute) -> bool:
    """Task 26: what a platform assigned gets its result reported back to that platform."""
    return dispute.assignments.exclude(status=AssignmentStatus.WITHDRAWN).exists()


@transaction.atomic
def give_feedback(dispute_id, user, *, version, target, channel, content):
    from disputes.models import Feedback

    dispute, transition, before = _begin(dispute_id, "feedback", user, version)
    if target not in FeedbackTarget.values:
        raise WorkflowError("invalid_target", _("Feedback goes to the parties or to the assigning platform."))
    _require(channel, "channel_required", _("Say how the feedback was given."))
    _require(content, "content_required", _("Write the feedback."))
    Feedback.objects.create(dispute=dispute, target=target, channel=channel, content=content, given_by=user)
    given = set(dispute.feedbacks.values_list("target", flat=True))
    needed = {FeedbackTarget.PARTIES} | (
        {FeedbackTarget.PLATFORM} if _needs_platform_feedback(dispute) else set()
    )
    if needed <= given:
        transition = Transition(transition.sources, S.FED_BACK, "", "")
    return _finish(dispute, transition, "feedback", user, before, content, {"target": target})


@transaction.atomic
def follow_up(dispute_id, user, *, version, visited_on, satisfaction, performance="", notes=""):
    """回访. Unsatisfied parties or an unperformed agreement send the dispute back to mediation."""
    from disputes.models import FollowUp

    dispute, transition, before = _begin(dispute_id, "follow_up", user, version)
    if satisfaction not in Satisfaction.values:
        raise WorkflowError("invalid_satisfaction", _("Record the parties' satisfaction."))
    if performance and performance not in Performance.values:
        raise WorkflowError("invalid_performance", _("Unknown performance state."))
    if visited_on > timezone.localdate():
        raise WorkflowError("future_visit", _("A visit cannot be recorded before it happens."))
    FollowUp.objects.create(
        dispute=dispute,
        visited_on=visited_on,
        satisfaction=satisfaction,
        performance=performance,
        notes=notes,
        visited_by=user,
    )
    agreement = getattr(dispute, "agreement", None)
    if agreement and performance:
        agreement.performance, agreement.performance_checked_on = performance, visited_on
        agreement.save(update_fields=["performance", "performance_checked_on"])
    remediate = satisfaction == Satisfaction.UNSATISFIED or performance == Performance.UNPERFORMED
    if remediate:
        transition = Transition(transition.sources, S.IN_PROGRESS, "", "")
        dispute.outcome, dispute.resolved_at = "", None
        _reopen_lead_assignment(dispute)
    return _finish(
        dispute,
        transition,
        "follow_up",
        user,
        before,
        notes,
        {"satisfaction": satisfaction, "performance": performance, "remediation": remediate},
    )


def _reopen_lead_assignment(dispute):
    lead = dispute.assignments.filter(role=AssignmentRole.LEAD, status=AssignmentStatus.COMPLETED).last()
    if lead:
        lead.status, lead.completed_at = AssignmentStatus.ACCEPTED, None
        lead.save(update_fields=["status", "completed_at"])


@transaction.atomic
def archive(dispute_id, user, *, version):
    dispute, transition, before = _begin(dispute_id, "archive", user, version)
    last = dispute.follow_ups.order_by("-visited_on", "-pk").first()
    if dispute.outcome == Outcome.SUCCESS and last is None:
        raise WorkflowError("follow_up_required", _("Visit the parties (回访) before archiving."))
    dispute.closed_at = timezone.now()
    return _finish(dispute, transition, "archive", user, before)


@transaction.atomic
def reopen(dispute_id, user, *, version, reason):
    dispute, transition, before = _begin(dispute_id, "reopen", user, version)
    _require(reason, "reason_required", _("Give the reason for reopening."))
    dispute.closed_at, dispute.outcome, dispute.resolved_at = None, "", None
    _reopen_lead_assignment(dispute)
    return _finish(dispute, transition, "reopen", user, before, reason)
