"""Consent and its end: the forms for a party's consent, refusal or withdrawal, for terminating the mediation
(终止调解) and for referring the case to another channel."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.choices import ConsentMode, FailureGuidance, TerminationReason
from disputes.forms.actions.base import ActionForm, text_field
from disputes.forms.intake import DateInput
from disputes.services import workflow

CONSENT_CHOICES = [("yes", _("Consents to mediation")), ("no", _("Refuses, or withdraws from, mediation"))]


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        consent = {True: _("consents"), False: _("refuses"), None: _("not recorded")}[
            obj.consents_to_mediation
        ]
        return f"{obj.name} ({obj.get_role_display()}; {consent})"


class RecordConsentForm(ActionForm):
    action = "record_consent"
    party = PartyChoiceField(label=_("Party"), queryset=None)
    consents = forms.ChoiceField(label=_("Answer"), choices=CONSENT_CHOICES, widget=forms.RadioSelect)
    mode = forms.ChoiceField(label=_("Given"), choices=ConsentMode.choices)
    note = text_field(_("Note"), required=False, rows=2)
    submit_label = _("Record the answer")

    def setup(self):
        self.fields["party"].queryset = self.dispute.parties.order_by("pk")

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.record_consent,
            party_id=data["party"].pk,
            consents=data["consents"] == "yes",
            mode=data["mode"],
            note=data["note"],
        )


class TerminateForm(ActionForm):
    action = "terminate"
    reason = forms.ChoiceField(label=_("Why mediation ends"), choices=TerminationReason.choices)
    channels = forms.MultipleChoiceField(
        label=_("Other channels the parties were told of"),
        choices=FailureGuidance.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    note = text_field(_("How it ended and what the parties were told"))
    submit_label = _("Terminate the mediation")

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.terminate, reason=data["reason"], channels=data["channels"], note=data["note"]
        )


class ReferForm(ActionForm):
    action = "refer"
    channel = forms.ChoiceField(label=_("Channel"), choices=FailureGuidance.choices)
    body = forms.CharField(label=_("Referred to (court, commission, office)"), max_length=100)
    referred_on = forms.DateField(label=_("Referred on"), widget=DateInput())
    note = text_field(_("Note"), required=False, rows=2)
    submit_label = _("Refer and archive")

    def setup(self):
        self.initial.setdefault("referred_on", timezone.localdate())

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.refer,
            channel=data["channel"],
            body=data["body"],
            referred_on=data["referred_on"],
            note=data["note"],
        )
