"""Guidance (指导) and supervision (督办) from above, and the form for the handler's written answer."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.choices import SupervisionLevel
from disputes.forms.actions.base import ActionForm, text_field
from disputes.services import workflow


class GuideForm(ActionForm):
    action = "guide"
    versioned = False
    text = text_field(_("Guidance"))

    def submit(self):
        return self.call(workflow.guide, text=self.cleaned_data["text"])


class SuperviseForm(ActionForm):
    action = "supervise"
    versioned = False
    level = forms.TypedChoiceField(
        label=_("Level"), choices=SupervisionLevel.choices, coerce=int, initial=SupervisionLevel.SUPERVISE
    )
    notice = text_field(_("Notice"))

    def submit(self):
        return self.call(
            workflow.supervise, level=self.cleaned_data["level"], notice=self.cleaned_data["notice"]
        )


class SupervisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_level_display()} · {timezone.localtime(obj.issued_at):%Y-%m-%d %H:%M}"


class AnswerSupervisionForm(ActionForm):
    action = "answer_supervision"
    versioned = False
    supervision = SupervisionChoiceField(label=_("Supervision notice"), queryset=None, empty_label=None)
    answer = text_field(_("Written answer"), rows=4)

    def setup(self):
        self.fields["supervision"].queryset = self.dispute.supervisions.filter(answered_at__isnull=True)

    def applies(self) -> bool:
        return self.fields["supervision"].queryset.exists()

    def submit(self):
        return self.call(
            workflow.answer_supervision,
            supervision_id=self.cleaned_data["supervision"].pk,
            answer=self.cleaned_data["answer"],
        )
