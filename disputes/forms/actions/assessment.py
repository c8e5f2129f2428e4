"""Assessment (研判) and routing (分流): the forms to grade, route, name the leader, void, merge, link."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from disputes.choices import Complexity, RiskFlag, RiskGrade
from disputes.forms.actions.base import ActionForm, reason_field, text_field
from disputes.models import Category, Dispute
from disputes.services import workflow
from disputes.services.workflow import targets
from mediation.models import MediationOrganization


class AssessForm(ActionForm):
    action = "assess"
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Complexity.choices)
    risk_flags = forms.MultipleChoiceField(
        label=_("Risk flags"), choices=RiskFlag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    grade_override = forms.TypedChoiceField(
        label=_("Risk grade (leave empty to follow the rules)"),
        choices=[("", _("By the rules")), *RiskGrade.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    override_reason = forms.CharField(label=_("Reason for a different grade"), max_length=200, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    note = text_field(_("Note"), required=False, rows=2)

    def setup(self):
        self.initial.setdefault("risk_flags", self.dispute.risk_flags)
        self.initial.setdefault("category", self.dispute.category_id)
        self.initial.setdefault("complexity", self.dispute.complexity or Complexity.GENERAL)

    def submit(self):
        data = self.cleaned_data
        category = data["category"]
        return self.call(
            workflow.assess,
            complexity=data["complexity"],
            risk_flags=data["risk_flags"],
            grade_override=data["grade_override"],
            override_reason=data["override_reason"],
            category=category if category and category.pk != self.dispute.category_id else None,
            note=data["note"],
        )


class RerouteForm(ActionForm):
    action = "reroute"
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=MediationOrganization.objects.none())
    reason = reason_field()

    def setup(self):
        self.fields["platform"].queryset = targets.platforms(self.user, self.dispute).exclude(
            pk=self.dispute.platform_id
        )

    def applies(self) -> bool:
        return self.fields["platform"].queryset.exists()

    def submit(self):
        return self.call(
            workflow.reroute, platform=self.cleaned_data["platform"], reason=self.cleaned_data["reason"]
        )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class SetLeaderForm(ActionForm):
    action = "set_leader"
    leader = UserChoiceField(label=_("Leader in charge"), queryset=get_user_model().objects.none())

    def setup(self):
        self.fields["leader"].queryset = targets.leaders(self.user, self.dispute).order_by("username")

    def applies(self) -> bool:
        return self.fields["leader"].queryset.exists()

    def submit(self):
        return self.call(workflow.set_leader, leader=self.cleaned_data["leader"])


class VoidForm(ActionForm):
    action = "void"
    reason = reason_field()

    def submit(self):
        return self.call(workflow.void, reason=self.cleaned_data["reason"])


class MergeForm(ActionForm):
    action = "merge"
    into = forms.CharField(label=_("Merge into dispute number"), max_length=20)
    reason = reason_field()

    def clean_into(self):
        number = self.cleaned_data["into"].strip().upper()
        target = Dispute.objects.visible_to(self.user).filter(number=number).first()
        if target is None:
            raise forms.ValidationError(_("No dispute with this number that you can see."))
        return target

    def submit(self):
        return self.call(workflow.merge, into=self.cleaned_data["into"], reason=self.cleaned_data["reason"])


class LinkForm(ActionForm):
    """Link a related dispute (e.g. the same conflict reported from the other side) without merging."""

    action = "link"
    versioned = False
    other = forms.CharField(label=_("Related dispute number"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_other(self):
        number = self.cleaned_data["other"].strip().upper()
        other = Dispute.objects.visible_to(self.user).filter(number=number).first()
        if other is None:
            raise forms.ValidationError(_("No dispute with this number that you can see."))
        return other

    def submit(self):
        return workflow.link(self.dispute, self.cleaned_data["other"], self.user, self.cleaned_data["note"])


class ReassessRiskForm(ActionForm):
    """Re-assess the risk grade at any open stage, with a reason (a raised grade warns anew)."""

    action = "reassess_risk"
    grade = forms.TypedChoiceField(label=_("New risk grade"), choices=RiskGrade.choices, coerce=int)
    reason = reason_field(_("Reason for re-assessing"))

    def setup(self):
        if self.dispute.risk_grade:
            self.fields["grade"].choices = [c for c in RiskGrade.choices if c[0] != self.dispute.risk_grade]

    def submit(self):
        return self.call(
            workflow.reassess_risk, grade=self.cleaned_data["grade"], reason=self.cleaned_data["reason"]
        )
