"""One small form per workflow action on the dispute page.

Each form parses the input of one action and hands it to its function in disputes.services.workflow,
with the `version` the page was rendered with; the workflow decides whether the action may be taken.

The modules follow the workflow package's phases: base (the base form and the labels), assessment,
assignment, stabilization, supervision, consent, sessions, outcome, closing; this package holds the registry of
the page's forms.
"""

from __future__ import annotations

from disputes.forms.actions.assessment import (
    AssessForm,
    LinkForm,
    MergeForm,
    ReassessRiskForm,
    RerouteForm,
    SetLeaderForm,
    UserChoiceField,
    VoidForm,
)
from disputes.forms.actions.assignment import (
    AcceptForm,
    AddCoHandlerForm,
    AssignForm,
    AssignmentActionForm,
    AssignmentChoiceField,
    LimitFieldsMixin,
    ReassignForm,
    ReportUpForm,
    ReturnForm,
    TargetChoiceField,
    resolve_target,
    target_choices,
)
from disputes.forms.actions.base import ACTION_LABELS, ActionForm, action_label
from disputes.forms.actions.closing import ArchiveForm, FeedbackForm, FollowUpForm, ReopenForm
from disputes.forms.actions.consent import PartyChoiceField, RecordConsentForm, ReferForm, TerminateForm
from disputes.forms.actions.outcome import (
    ApplyConfirmationForm,
    RecordConfirmationForm,
    RecordCourtProgressForm,
    RecordNotarizationForm,
    RecordOutcomeForm,
    RecordPerformanceForm,
)
from disputes.forms.actions.sessions import (
    ExtendForm,
    MediatorsField,
    NotifyRightsForm,
    PartiesField,
    RecordSessionForm,
)
from disputes.forms.actions.stabilization import RecordStabilizationForm
from disputes.forms.actions.supervision import (
    AnswerSupervisionForm,
    GuideForm,
    SuperviseForm,
    SupervisionChoiceField,
)
from disputes.services import workflow

ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AssessForm,
        RerouteForm,
        SetLeaderForm,
        VoidForm,
        MergeForm,
        LinkForm,
        ReassessRiskForm,
        RecordStabilizationForm,
        AssignForm,
        ReassignForm,
        AddCoHandlerForm,
        AcceptForm,
        ReturnForm,
        ReportUpForm,
        GuideForm,
        SuperviseForm,
        AnswerSupervisionForm,
        RecordConsentForm,
        NotifyRightsForm,
        RecordSessionForm,
        ExtendForm,
        RecordOutcomeForm,
        RecordPerformanceForm,
        ApplyConfirmationForm,
        RecordCourtProgressForm,
        RecordConfirmationForm,
        RecordNotarizationForm,
        TerminateForm,
        FeedbackForm,
        FollowUpForm,
        ArchiveForm,
        ReferForm,
        ReopenForm,
    )
}

# Actions that ride on another transition of the workflow (set_leader is allowed where reroute is).
TRANSITION_OF = {"set_leader": "reroute", "link": "assess"}


def page_actions(dispute, user) -> list[str]:
    """The action forms to show: exactly those the workflow allows the user now, in the table's order."""
    allowed = set(workflow.allowed_actions(dispute, user))
    return [name for name in ACTION_FORMS if TRANSITION_OF.get(name, name) in allowed]


def forms_for(dispute, user, bound: ActionForm | None = None) -> list[ActionForm]:
    result = []
    for name in page_actions(dispute, user):
        if bound is not None and bound.action == name:
            result.append(bound)
            continue
        form = ACTION_FORMS[name](dispute=dispute, user=user)
        if form.applies():
            result.append(form)
    return result


__all__ = [
    "ACTION_FORMS",
    "ACTION_LABELS",
    "AcceptForm",
    "ActionForm",
    "AddCoHandlerForm",
    "AnswerSupervisionForm",
    "ApplyConfirmationForm",
    "ArchiveForm",
    "AssessForm",
    "AssignForm",
    "AssignmentActionForm",
    "AssignmentChoiceField",
    "ExtendForm",
    "FeedbackForm",
    "FollowUpForm",
    "GuideForm",
    "LimitFieldsMixin",
    "LinkForm",
    "MediatorsField",
    "MergeForm",
    "NotifyRightsForm",
    "PartiesField",
    "PartyChoiceField",
    "ReassessRiskForm",
    "ReassignForm",
    "ReferForm",
    "RecordConfirmationForm",
    "RecordConsentForm",
    "RecordCourtProgressForm",
    "RecordNotarizationForm",
    "RecordOutcomeForm",
    "RecordPerformanceForm",
    "RecordSessionForm",
    "RecordStabilizationForm",
    "ReopenForm",
    "ReportUpForm",
    "RerouteForm",
    "ReturnForm",
    "SetLeaderForm",
    "SuperviseForm",
    "SupervisionChoiceField",
    "TerminateForm",
    "TRANSITION_OF",
    "TargetChoiceField",
    "UserChoiceField",
    "VoidForm",
    "action_label",
    "forms_for",
    "page_actions",
    "resolve_target",
    "target_choices",
]
