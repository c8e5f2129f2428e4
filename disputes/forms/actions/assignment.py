"""Assignment (交办): the forms to assign, reassign, add a co-handler, accept, return, report up, and the
targets they offer.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.choices import AssignmentStatus, DayType
from disputes.forms.actions.base import ActionForm, reason_field, text_field
from disputes.services import workflow
from disputes.services.workflow import targets
from mediation.models import MediationOrganization, Unit


def target_choices(dispute, user) -> list:
    """Units and mediation organizations the user sees, the dispute's responsible units first."""
    allowed_units = targets.assignable_units(user, dispute)
    responsible = list(dispute.responsible_units.filter(pk__in=allowed_units.values("pk")))
    units = allowed_units.exclude(pk__in=[u.pk for u in responsible])
    organizations = targets.assignable_organizations(user, dispute).select_related("region")
    groups = [
        (_("Responsible units (属事)"), [(f"unit-{u.pk}", u.name) for u in responsible]),
        (_("Units"), [(f"unit-{u.pk}", u.name) for u in units.order_by("kind", "name")]),
        (_("Mediation organizations"), [(f"org-{o.pk}", o.name) for o in organizations]),
    ]
    return [(label, options) for label, options in groups if options]


def resolve_target(value: str):
    kind, _sep, pk = value.partition("-")
    model = Unit if kind == "unit" else MediationOrganization
    return model.objects.get(pk=int(pk))


class TargetChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Assign to"))
        super().__init__(**kwargs)


class LimitFieldsMixin(forms.Form):
    limit_days = forms.IntegerField(
        label=_("Time limit (days)"),
        min_value=1,
        required=False,
        help_text=_("Empty: the default limit for the dispute's complexity."),
    )
    day_type = forms.ChoiceField(
        label=_("Counted in"), choices=[("", _("Default")), *DayType.choices], required=False
    )


class AssignForm(ActionForm, LimitFieldsMixin):
    action = "assign"
    to = TargetChoiceField()
    co_handlers = forms.MultipleChoiceField(
        label=_("Co-handlers"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    note = text_field(_("Instructions"), required=False, rows=2)

    def setup(self):
        choices = target_choices(self.dispute, self.user)
        self.fields["to"].choices = [("", "---------"), *choices]
        self.fields["co_handlers"].choices = choices

    def submit(self):
        data = self.cleaned_data
        co = [resolve_target(v) for v in data["co_handlers"] if v != data["to"]]
        return self.call(
            workflow.assign,
            to=resolve_target(data["to"]),
            limit_days=data["limit_days"],
            day_type=data["day_type"] or None,
            co_handlers=co,
            note=data["note"],
        )


class ReassignForm(ActionForm, LimitFieldsMixin):
    action = "reassign"
    to = TargetChoiceField(label=_("Reassign to"))
    reason = reason_field()

    def setup(self):
        self.fields["to"].choices = [("", "---------"), *target_choices(self.dispute, self.user)]

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.reassign,
            to=resolve_target(data["to"]),
            reason=data["reason"],
            limit_days=data["limit_days"],
            day_type=data["day_type"] or None,
        )


class AddCoHandlerForm(ActionForm):
    action = "add_co_handler"
    to = TargetChoiceField(label=_("Co-handler"))
    note = text_field(_("Instructions"), required=False, rows=2)

    def setup(self):
        self.fields["to"].choices = [("", "---------"), *target_choices(self.dispute, self.user)]

    def submit(self):
        return self.call(
            workflow.add_co_handler,
            to=resolve_target(self.cleaned_data["to"]),
            note=self.cleaned_data["note"],
        )


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_role_display()}: {obj.target} ({obj.get_status_display()})"


class AssignmentActionForm(ActionForm):
    """Accept or return: the open assignment the user answers for (the workflow checks it is theirs)."""

    assignment = AssignmentChoiceField(label=_("Assignment"), queryset=None, empty_label=None)

    def setup(self):
        self.fields["assignment"].queryset = self.dispute.assignments.filter(
            status=AssignmentStatus.PENDING
        ).select_related("to_unit", "to_organization")


class AcceptForm(AssignmentActionForm):
    action = "accept"

    def submit(self):
        return self.call(workflow.accept, assignment_id=self.cleaned_data["assignment"].pk)


class ReturnForm(AssignmentActionForm):
    action = "return"
    reason = reason_field()

    def submit(self):
        return self.call(
            workflow.return_assignment,
            assignment_id=self.cleaned_data["assignment"].pk,
            reason=self.cleaned_data["reason"],
        )


class ReportUpForm(ActionForm):
    action = "report_up"
    reason = text_field(_("Why it is reported up"))

    def submit(self):
        return self.call(workflow.report_up, reason=self.cleaned_data["reason"])
