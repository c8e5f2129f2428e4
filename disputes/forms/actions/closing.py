"""After the outcome: the forms for feedback (反馈), follow-up visits (回访), archiving, reopening."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.choices import FeedbackTarget, Performance, Satisfaction
from disputes.forms.actions.base import ActionForm, reason_field, text_field
from disputes.forms.intake import DateInput
from disputes.services import workflow


class FeedbackForm(ActionForm):
    action = "feedback"
    target = forms.ChoiceField(label=_("To"), choices=FeedbackTarget.choices, widget=forms.RadioSelect)
    channel = forms.CharField(label=_("Channel (phone, visit, document …)"), max_length=50)
    content = text_field(_("Content"))

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.give_feedback, target=data["target"], channel=data["channel"], content=data["content"]
        )


class FollowUpForm(ActionForm):
    action = "follow_up"
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    performance = forms.ChoiceField(
        label=_("Performance of the agreement"),
        choices=[("", "---------"), *Performance.choices],
        required=False,
    )
    notes = text_field(_("Notes"), required=False)

    def setup(self):
        self.initial.setdefault("visited_on", timezone.localdate())

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.follow_up,
            visited_on=data["visited_on"],
            satisfaction=data["satisfaction"],
            performance=data["performance"],
            notes=data["notes"],
        )


class ArchiveForm(ActionForm):
    action = "archive"
    submit_label = _("Archive the case")

    def submit(self):
        return self.call(workflow.archive)


class ReopenForm(ActionForm):
    action = "reopen"
    reason = reason_field()

    def submit(self):
        return self.call(workflow.reopen, reason=self.cleaned_data["reason"])
