"""The outcome of mediation and the agreement: the forms for success or failure, performance, judicial
confirmation (司法确认) and notarization (公证).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.choices import (
    AgreementForm,
    ConfirmationResult,
    FailureGuidance,
    Outcome,
    Performance,
    Prevention,
)
from disputes.forms.actions.base import ActionForm, text_field
from disputes.forms.actions.sessions import PartiesField
from disputes.forms.intake import DateInput
from disputes.services import workflow
from disputes.services.workflow.targets import PRINCIPAL_ROLES


class RecordOutcomeForm(ActionForm):
    action = "record_outcome"
    # Termination (终止调解) is an action of its own, "terminate".
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o, label) for o, label in Outcome.choices if o != Outcome.TERMINATED],
        widget=forms.RadioSelect,
    )
    # Success: the agreement (人民调解法 Art. 28–30).
    agreement_form = forms.ChoiceField(
        label=_("Agreement form"),
        choices=AgreementForm.choices,
        initial=AgreementForm.WRITTEN,
        required=False,
    )
    facts = text_field(_("Facts and points in dispute"), required=False)
    terms = text_field(_("Agreed terms"), required=False)
    performance_method = text_field(_("How and when it is performed"), required=False, rows=2)
    performance_due_on = forms.DateField(label=_("Perform by"), widget=DateInput(), required=False)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    effective_on = forms.DateField(label=_("Took effect on"), widget=DateInput(), required=False)
    signed_by_all = forms.BooleanField(
        label=_("Signed by all parties and the mediator, sealed"), required=False
    )
    # Failure: the guidance given.
    failure_guidance = forms.ChoiceField(
        label=_("Guidance given (if mediation failed)"),
        choices=[("", "---------"), *FailureGuidance.choices],
        required=False,
    )
    preventions = forms.MultipleChoiceField(
        label=_("Prevention outcomes"),
        choices=Prevention.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = text_field(_("Note"), required=False, rows=2)

    SUCCESS_FIELDS = (
        "agreement_form",
        "facts",
        "terms",
        "performance_method",
        "performance_due_on",
        "amount",
        "effective_on",
        "signed_by_all",
    )

    def setup(self):
        self.initial.setdefault("effective_on", timezone.localdate())

    def submit(self):
        data = self.cleaned_data
        agreement = None
        if data["outcome"] == Outcome.SUCCESS:
            agreement = {
                "form": data["agreement_form"],
                "facts": data["facts"],
                "terms": data["terms"],
                "performance_method": data["performance_method"],
                "performance_due_on": data["performance_due_on"],
                "amount": data["amount"] or 0,
                "effective_on": data["effective_on"],
                "signed_by_all": data["signed_by_all"],
            }
        return self.call(
            workflow.record_outcome,
            outcome=data["outcome"],
            note=data["note"],
            preventions=list(data["preventions"]),
            failure_guidance=data["failure_guidance"] if data["outcome"] == Outcome.FAILURE else "",
            agreement=agreement,
        )


def _agreement(dispute):
    return getattr(dispute, "agreement", None)


class RecordPerformanceForm(ActionForm):
    action = "record_performance"
    performance = forms.ChoiceField(label=_("Performance"), choices=Performance.choices)
    note = text_field(_("Note"), required=False, rows=2)

    def applies(self) -> bool:
        return _agreement(self.dispute) is not None

    def submit(self):
        return self.call(
            workflow.record_performance,
            performance=self.cleaned_data["performance"],
            note=self.cleaned_data["note"],
        )


class ApplyConfirmationForm(ActionForm):
    action = "apply_confirmation"
    applied_on = forms.DateField(label=_("Applied on"), widget=DateInput())
    court = forms.CharField(label=_("Court"), max_length=100, initial=_("Dadukou District People's Court"))
    parties = PartiesField(label=_("Parties who applied (jointly)"), queryset=None)

    def setup(self):
        self.initial.setdefault("applied_on", timezone.localdate())
        self.fields["parties"].queryset = self.dispute.parties.all()
        self.initial.setdefault(
            "parties", [p.pk for p in self.dispute.parties.all() if p.role in PRINCIPAL_ROLES]
        )

    def applies(self) -> bool:
        agreement = _agreement(self.dispute)
        return (
            agreement is not None
            and agreement.confirmation_applied_on is None
            and agreement.form == AgreementForm.WRITTEN
            and agreement.signed_by_all
        )

    def submit(self):
        return self.call(
            workflow.apply_confirmation,
            applied_on=self.cleaned_data["applied_on"],
            court=self.cleaned_data["court"],
            party_ids=[p.pk for p in self.cleaned_data["parties"]],
        )


class RecordCourtProgressForm(ActionForm):
    action = "record_court_progress"
    accepted_on = forms.DateField(
        label=_("The court accepted the application on"), widget=DateInput(), required=False
    )
    extended = forms.BooleanField(
        label=_("The court extended its decision period by 10 days (president's approval)"), required=False
    )
    submit_label = _("Record the court's progress")

    def applies(self) -> bool:
        agreement = _agreement(self.dispute)
        return (
            agreement is not None
            and agreement.confirmation_applied_on is not None
            and agreement.confirmation_decided_on is None
            and not (agreement.confirmation_accepted_on and agreement.confirmation_extended)
        )

    def submit(self):
        return self.call(
            workflow.record_court_progress,
            accepted_on=self.cleaned_data["accepted_on"],
            extended=self.cleaned_data["extended"],
        )


class RecordConfirmationForm(ActionForm):
    action = "record_confirmation"
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(c, label) for c, label in ConfirmationResult.choices if c != ConfirmationResult.PENDING],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    next_steps = text_field(
        _("What the parties may do next (when not confirmed; Art. 33's wording if left empty)"),
        required=False,
        rows=2,
    )

    def setup(self):
        self.initial.setdefault("decided_on", timezone.localdate())

    def applies(self) -> bool:
        agreement = _agreement(self.dispute)
        return agreement is not None and agreement.confirmation_applied_on is not None

    def submit(self):
        return self.call(
            workflow.record_confirmation,
            result=self.cleaned_data["result"],
            decided_on=self.cleaned_data["decided_on"],
            next_steps=self.cleaned_data["next_steps"],
        )


class RecordNotarizationForm(ActionForm):
    action = "record_notarization"
    notarized_on = forms.DateField(label=_("Notarized on"), widget=DateInput())
    office = forms.CharField(label=_("Notary office"), max_length=100)

    def setup(self):
        self.initial.setdefault("notarized_on", timezone.localdate())

    def applies(self) -> bool:
        return _agreement(self.dispute) is not None

    def submit(self):
        return self.call(
            workflow.record_notarization,
            notarized_on=self.cleaned_data["notarized_on"],
            office=self.cleaned_data["office"],
        )
