"""The dispute workflow: every state change of a dispute goes through these functions.

Views, the API, admin actions and Celery tasks all call them. Each action:
1. locks the dispute row and checks the version the user saw (two people cannot both win silently);
2. checks the transition table and that the user holds one of the action's rights over this dispute — a
   permission through a membership that gives the authority the table names (disputes.services.authority);
3. checks every object it is handed (targets, partners, platforms, leaders, parties: workflow.targets);
4. changes the rows and appends an Event, in one transaction — or raises WorkflowError and changes nothing.

The modules follow the loop: table (the transitions), base (the machinery), assessment, assignment,
stabilization, supervision, consent, sessions, outcome, closing.
"""

from disputes.services.workflow.assessment import (
    assess,
    link,
    merge,
    reassess_risk,
    reroute,
    set_leader,
    void,
)
from disputes.services.workflow.assignment import (
    accept,
    add_co_handler,
    assign,
    reassign,
    report_up,
    return_assignment,
)
from disputes.services.workflow.base import allowed_actions, disputes_for, may
from disputes.services.workflow.closing import archive, follow_up, give_feedback, reopen
from disputes.services.workflow.consent import record_consent, refer, terminate
from disputes.services.workflow.outcome import (
    apply_confirmation,
    confirmation_window_closes,
    record_confirmation,
    record_court_progress,
    record_notarization,
    record_outcome,
    record_performance,
)
from disputes.services.workflow.sessions import extend, notify_rights, record_session
from disputes.services.workflow.stabilization import (
    lacks_stabilization,
    record_stabilization,
    without_stabilization,
)
from disputes.services.workflow.supervision import answer_supervision, guide, supervise
from disputes.services.workflow.table import TRANSITIONS, Transition, state_diagram

__all__ = [
    "TRANSITIONS",
    "Transition",
    "accept",
    "add_co_handler",
    "allowed_actions",
    "answer_supervision",
    "apply_confirmation",
    "archive",
    "assess",
    "assign",
    "confirmation_window_closes",
    "disputes_for",
    "extend",
    "follow_up",
    "give_feedback",
    "guide",
    "link",
    "may",
    "merge",
    "lacks_stabilization",
    "notify_rights",
    "reassess_risk",
    "reassign",
    "refer",
    "record_confirmation",
    "record_consent",
    "record_court_progress",
    "record_notarization",
    "record_outcome",
    "record_performance",
    "record_session",
    "record_stabilization",
    "reopen",
    "report_up",
    "reroute",
    "return_assignment",
    "set_leader",
    "state_diagram",
    "supervise",
    "terminate",
    "void",
    "without_stabilization",
]
