"""The transition table: the whole truth of what each action may do.

Every action names its source statuses, its target (a status; ``None`` when the status stays; or, for an action
whose result depends on what happened, one target per named *branch*), and the rights that allow it — a
permission and an authority (disputes.services.authority), any one of which suffices. The workflow sets a
dispute's status only through ``Transition.target_for(branch)``, so no code path can move a dispute outside
this table, and ``state_diagram()`` derives every possible move from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured

from disputes.choices import OPEN_STATUSES, Status
from disputes.services.authority import AUTHORITIES

S = Status
ALL_STATUSES = frozenset(Status.values)

ASSESS = "disputes.assess_dispute"
HANDLE = "disputes.handle_dispute"
SUPERVISE = "disputes.supervise_dispute"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    # A status, None (the status stays), or {branch: status or None} when the result depends on the case.
    target: str | None | Mapping[str, str | None]
    rights: tuple[tuple[str, str], ...]
    branches: frozenset[str] = field(default=frozenset())

    @property
    def permissions(self) -> tuple[str, ...]:
        return tuple(perm for perm, _authority in self.rights)

    def target_for(self, branch: str | None = None) -> str | None:
        """The status this action leads to (None: unchanged). A branching action must name its branch."""
        if isinstance(self.target, Mapping):
            if branch not in self.target:
                raise ImproperlyConfigured(f"unknown branch {branch!r}; the table has {sorted(self.target)}")
            return self.target[branch]
        if branch is not None:
            raise ImproperlyConfigured(f"this action has no branches (got {branch!r})")
        return self.target

    def targets(self) -> set[str | None]:
        return set(self.target.values()) if isinstance(self.target, Mapping) else {self.target}


def _t(sources, target, *rights: tuple[str, str]) -> Transition:
    if isinstance(target, dict):
        target = MappingProxyType(dict(target))
        branches = frozenset(target)
    else:
        branches = frozenset()
    return Transition(frozenset(sources), target, tuple(rights), branches)


_CONTROL = (ASSESS, "control")
_ASSIGNEE = (HANDLE, "assignee")
_HANDLE = (HANDLE, "handle")
_ABOVE = (SUPERVISE, "above")

_BEFORE_OUTCOME = {S.REGISTERED, S.ASSESSED, S.ASSIGNED, S.IN_PROGRESS, S.REPORTED_UP}

TRANSITIONS: dict[str, Transition] = {
    # Assessment and routing, by the controlling platform.
    "assess": _t({S.REGISTERED, S.ASSESSED, S.REPORTED_UP}, S.ASSESSED, _CONTROL),
    "reroute": _t({S.REGISTERED, S.ASSESSED, S.REPORTED_UP}, S.ASSESSED, _CONTROL),
    "set_leader": _t({S.REGISTERED, S.ASSESSED, S.REPORTED_UP}, None, _CONTROL),
    "void": _t({S.REGISTERED, S.ASSESSED}, S.VOIDED, _CONTROL),
    "merge": _t({S.REGISTERED, S.ASSESSED}, S.MERGED, _CONTROL),
    "link": _t(ALL_STATUSES - {S.VOIDED}, None, _CONTROL),
    # The risk grade can be re-assessed at any open stage, with a reason, by the controlling platform or the
    # handler; a red or orange dispute's stabilization (稳控) is recorded and updated by the same (task 23).
    "reassess_risk": _t(OPEN_STATUSES, None, _CONTROL, _HANDLE),
    "record_stabilization": _t(OPEN_STATUSES, None, _CONTROL, _HANDLE),
    # Assignment.
    "assign": _t({S.ASSESSED}, S.ASSIGNED, _CONTROL),
    "reassign": _t({S.ASSIGNED, S.IN_PROGRESS}, S.ASSIGNED, _CONTROL),
    "add_co_handler": _t({S.ASSIGNED, S.IN_PROGRESS}, None, _CONTROL),
    # The lead handler's acceptance starts the mediation; a co-handler's changes nothing.
    "accept": _t({S.ASSIGNED, S.IN_PROGRESS}, {"lead": S.IN_PROGRESS, "co_handler": None}, _ASSIGNEE),
    # The lead's return sends it back to the dispatcher; a co-handler's return only ends their part.
    "return": _t({S.ASSIGNED}, {"lead": S.ASSESSED, "co_handler": None}, _ASSIGNEE),
    # The platform's dispatcher, or the handler who accepted it and cannot resolve it.
    "report_up": _t({S.ASSESSED, S.IN_PROGRESS}, S.REPORTED_UP, _CONTROL, _HANDLE),
    # Guidance and supervision from above.
    "guide": _t({S.ASSESSED, S.ASSIGNED, S.IN_PROGRESS, S.REPORTED_UP}, None, _ABOVE),
    "supervise": _t({S.ASSIGNED, S.IN_PROGRESS}, None, _ABOVE),
    "answer_supervision": _t({S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.FAILED}, None, _HANDLE),
    # Consent and its end (人民调解法 Art. 17, 23, 26): a party's consent, refusal or withdrawal at any stage
    # before the outcome; a refusal or withdrawal ends the mediation without a session (终止调解).
    "record_consent": _t(_BEFORE_OUTCOME, None, _CONTROL, _HANDLE),
    "terminate": _t(_BEFORE_OUTCOME, S.FAILED, _CONTROL, _HANDLE),
    # Mediation.
    "notify_rights": _t({S.IN_PROGRESS}, None, _HANDLE),
    "record_session": _t({S.IN_PROGRESS}, None, _HANDLE),
    "extend": _t({S.IN_PROGRESS}, None, _HANDLE),
    "record_outcome": _t({S.IN_PROGRESS}, {"success": S.RESOLVED, "failure": S.FAILED}, _HANDLE),
    # The agreement.
    "record_performance": _t({S.RESOLVED, S.FED_BACK}, None, _HANDLE),
    "apply_confirmation": _t({S.RESOLVED, S.FED_BACK}, None, _HANDLE),
    "record_court_progress": _t({S.RESOLVED, S.FED_BACK, S.ARCHIVED}, None, _HANDLE),
    "record_confirmation": _t({S.RESOLVED, S.FED_BACK, S.ARCHIVED}, None, _HANDLE),
    "record_notarization": _t({S.RESOLVED, S.FED_BACK, S.ARCHIVED}, None, _HANDLE),
    # Feedback is complete once the parties (and the assigning platform, where one assigned it) are told.
    # The controlling platform closes too: a case terminated before it was assigned has no handler.
    "feedback": _t(
        {S.RESOLVED, S.FAILED, S.FED_BACK}, {"complete": S.FED_BACK, "partial": None}, _HANDLE, _CONTROL
    ),
    # An unsatisfied party or an unperformed agreement sends the dispute back to mediation (re-mediation).
    "follow_up": _t({S.FED_BACK}, {"remediate": S.IN_PROGRESS, "satisfied": None}, _HANDLE),
    "archive": _t({S.FED_BACK}, S.ARCHIVED, _HANDLE, _CONTROL),
    # A case that ended without agreement handed to the court, arbitration or an administrative body.
    "refer": _t({S.FAILED, S.FED_BACK}, S.ARCHIVED, _HANDLE, _CONTROL),
    "reopen": _t({S.ARCHIVED, S.FAILED}, S.IN_PROGRESS, _ABOVE),
}


def state_diagram() -> set[tuple[str, str, str]]:
    """Every (source status, action, resulting status) the table allows."""
    return {
        (source, action, target or source)
        for action, transition in TRANSITIONS.items()
        for source in transition.sources
        for target in transition.targets()
    }


def _check_table() -> None:
    """Fail at import on a table that names an unknown status, authority or an empty right."""
    for action, transition in TRANSITIONS.items():
        unknown = (transition.sources | {t for t in transition.targets() if t}) - ALL_STATUSES
        if unknown or not transition.sources:
            raise ImproperlyConfigured(f"{action}: unknown statuses {sorted(unknown)}")
        if not transition.rights:
            raise ImproperlyConfigured(f"{action}: no right allows it")
        for perm, authority in transition.rights:
            if authority not in AUTHORITIES or not perm.startswith("disputes."):
                raise ImproperlyConfigured(f"{action}: unknown right {perm!r}/{authority!r}")


_check_table()
