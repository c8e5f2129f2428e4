"""The joint meeting form (联席会议, task 28): date, title, convening unit, chair, attending units, issues,
decisions, tasks. The convening unit is one of the user's visible units (the office by default)."""

from __future__ import annotations

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from mediation.choices import UnitKind
from mediation.models import Unit
from tasks_plan.models import JointMeeting, PlanTask
from tasks_plan.models.meetings import the_office


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number}. {obj.content[:40]}"


class JointMeetingForm(forms.ModelForm):
    class Meta:
        model = JointMeeting
        fields = [
            "held_on",
            "title",
            "convened_by",
            "chaired_by",
            "attendees",
            "issues",
            "decisions",
            "tasks",
        ]
        field_classes = {"tasks": TaskChoiceField}
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attendees": forms.CheckboxSelectMultiple,
            "tasks": forms.CheckboxSelectMultiple,
            "issues": forms.Textarea(attrs={"rows": 4}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_convened_by(self):
        convened_by = self.cleaned_data.get("convened_by")
        if convened_by is None:
            office = the_office()
            if office is None:
                raise forms.ValidationError(_("Name the unit that convened the meeting."))
            return Unit.objects.get(pk=office)
        return convened_by

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Member units first, then the other units, then the street/town governments, as in the matrix.
        group = Case(
            When(is_member_unit=True, then=Value(0)),
            When(kind=UnitKind.STREET_GOVERNMENT, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        self.fields["attendees"].queryset = Unit.objects.filter(is_active=True).order_by(group, "pk")
        conveners = Unit.objects.filter(is_active=True)
        if user is not None:
            conveners = conveners.visible_to(user)
        if self.instance.pk:
            conveners = conveners | Unit.objects.filter(pk=self.instance.convened_by_id)
        self.fields["convened_by"].queryset = conveners.order_by(group, "pk")
        self.fields["convened_by"].required = False
        self.fields["convened_by"].empty_label = _("The grand-mediation office")
        # The current plan's tasks, and any task of an earlier plan the meeting already concerns.
        current = PlanTask.objects.filter(plan__is_current=True)
        if self.instance.pk:
            current = current | PlanTask.objects.filter(meetings=self.instance)
        self.fields["tasks"].queryset = current.distinct().order_by("plan", "number")
        self.fields["convened_by"].widget.attrs["class"] = "form-select"
        for name in ("title", "chaired_by", "held_on", "issues", "decisions"):
            self.fields[name].widget.attrs["class"] = "form-control"
        for name in ("attendees", "tasks"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
