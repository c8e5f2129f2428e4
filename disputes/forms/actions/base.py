"""What every action form shares: the base form (the dispute, the user, the version the page showed), the
labels of the timeline's actions and the field helpers.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.forms.intake import StyledFormMixin

# Every action code of the timeline, with its label. Workflow actions double as button labels.
ACTION_LABELS = {
    "register": _("Registered (登记)"),
    "assess": _("Assess (研判)"),
    "reroute": _("Re-route"),
    "set_leader": _("Set the leader in charge (包案领导)"),
    "void": _("Void (作废)"),
    "merge": _("Merge into another dispute"),
    "merged_in": _("Another dispute merged in"),
    "link": _("Linked"),
    "reassess_risk": _("Re-assess the risk grade"),
    "record_stabilization": _("Record stabilization (稳控)"),
    "assign": _("Assign (交办)"),
    "reassign": _("Reassign"),
    "add_co_handler": _("Add a co-handler"),
    "accept": _("Accept"),
    "return": _("Return (退回)"),
    "report_up": _("Report up (上报)"),
    "guide": _("Guide (指导)"),
    "supervise": _("Supervise (督办)"),
    "answer_supervision": _("Answer a supervision notice"),
    "record_consent": _("Record a party's consent (调解意愿)"),
    "terminate": _("Terminate the mediation (终止调解)"),
    "refer": _("Refer to another channel"),
    "notify_rights": _("Notify rights and duties"),
    "record_session": _("Record a mediation session"),
    "extend": _("Extend the time limit"),
    "record_outcome": _("Record the outcome"),
    "record_performance": _("Record performance"),
    "apply_confirmation": _("Apply for judicial confirmation"),
    "record_court_progress": _("Record the court's progress on the confirmation"),
    "record_confirmation": _("Record the judicial confirmation"),
    "record_notarization": _("Record notarization"),
    "feedback": _("Give feedback"),
    "follow_up": _("Follow-up visit (回访)"),
    "archive": _("Archive"),
    "reopen": _("Reopen"),
    "attach": _("Attached a file"),
    "view_personal_data": _("Viewed personal data in full"),
    "deadline_recounted": _("Deadline recounted on the holiday calendar"),
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


class ActionForm(StyledFormMixin, forms.Form):
    """The base of every action form: the dispute, the user and the version the page showed."""

    action: str = ""
    versioned = True
    submit_label = _("Submit")

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, dispute, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        kwargs.setdefault("initial", {}).setdefault("version", dispute.version)
        super().__init__(*args, **kwargs)
        self.dispute, self.user = dispute, user
        if not self.versioned:
            del self.fields["version"]
        self.setup()
        self.style_widgets()

    def setup(self):
        """Set the choices that depend on the dispute and the user."""

    def applies(self) -> bool:
        """Whether the form has anything to act on (e.g. a notice still to answer)."""
        return True

    @property
    def label(self):
        return action_label(self.action)

    def call(self, function, **kwargs):
        if self.versioned:
            kwargs["version"] = self.cleaned_data["version"]
        return function(self.dispute.pk, self.user, **kwargs)

    def submit(self):
        raise NotImplementedError


def reason_field(label=None):
    return forms.CharField(label=label or _("Reason"), max_length=300)


def text_field(label, required=True, rows=3):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))
