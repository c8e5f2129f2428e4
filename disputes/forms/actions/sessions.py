"""Mediation: the forms for the rights notice, the sessions, and extending the time limit with the parties'
consent.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.choices import SessionMode
from disputes.forms.actions.base import ActionForm, reason_field, text_field
from disputes.forms.intake import DateTimeLocalInput
from disputes.services import workflow
from disputes.services.workflow import targets


class NotifyRightsForm(ActionForm):
    action = "notify_rights"
    note = text_field(_("How the parties were told (written notice, read out …)"), required=False, rows=2)
    submit_label = _("Record the notice")

    def applies(self) -> bool:
        return self.dispute.rights_notified_at is None

    def submit(self):
        return self.call(workflow.notify_rights, note=self.cleaned_data["note"])


class MediatorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class RecordSessionForm(ActionForm):
    action = "record_session"
    held_at = forms.DateTimeField(label=_("Held at"), widget=DateTimeLocalInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices)
    location = forms.CharField(label=_("Place or link"), max_length=200, required=False)
    mediators = MediatorsField(
        label=_("Mediators"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Empty: you."),
    )
    participants = text_field(_("Participants"), rows=2)
    minutes = text_field(_("Minutes"), rows=6)

    def setup(self):
        self.fields["mediators"].queryset = targets.session_mediators(self.dispute).order_by("username")
        self.initial.setdefault("held_at", timezone.localtime().replace(second=0, microsecond=0))

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.record_session,
            held_at=data["held_at"],
            mode=data["mode"],
            location=data["location"],
            participants=data["participants"],
            minutes=data["minutes"],
            mediators=list(data["mediators"]),
        )


class PartiesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_role_display()})"


class ExtendForm(ActionForm):
    action = "extend"
    new_due_at = forms.DateTimeField(label=_("New deadline"), widget=DateTimeLocalInput())
    reason = reason_field()
    consent_note = text_field(_("How both parties consented"), rows=2)
    consenting_parties = PartiesField(label=_("Consenting parties"), queryset=None)

    def setup(self):
        self.fields["consenting_parties"].queryset = self.dispute.parties.all()

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.extend,
            new_due_at=data["new_due_at"],
            reason=data["reason"],
            consent_note=data["consent_note"],
            consenting_party_ids=[p.pk for p in data["consenting_parties"]],
        )
