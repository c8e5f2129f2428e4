"""Stabilization (稳控): the form to record or update a red or orange dispute's stabilization."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.forms.actions.base import ActionForm, text_field
from disputes.forms.intake import DateInput
from disputes.services import workflow
from disputes.services.warnings import WARN_AT_ONCE


class RecordStabilizationForm(ActionForm):
    """A new record supersedes the one in force; the page shows both."""

    action = "record_stabilization"
    person_in_charge = forms.CharField(label=_("Person in charge"), max_length=100)
    measures = text_field(_("Stabilization measures"))
    starts_on = forms.DateField(label=_("In place from"), widget=DateInput())
    review_on = forms.DateField(label=_("Next review on"), widget=DateInput())
    review_notes = text_field(_("Review outcome"), required=False, rows=2)

    def setup(self):
        current = next((r for r in self.dispute.stabilizations.all() if r.superseded_at is None), None)
        if current is not None:
            self.initial.setdefault("person_in_charge", current.person_in_charge)
            self.initial.setdefault("measures", current.measures)
            self.initial.setdefault("starts_on", current.starts_on)
        else:
            self.initial.setdefault("starts_on", timezone.localdate())

    def applies(self) -> bool:
        return self.dispute.risk_grade in WARN_AT_ONCE

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.record_stabilization,
            person_in_charge=data["person_in_charge"],
            measures=data["measures"],
            starts_on=data["starts_on"],
            review_on=data["review_on"],
            review_notes=data["review_notes"],
        )
