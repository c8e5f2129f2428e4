"""The joint meeting form (联席会议, task 28): date, title, chair, attending units, issues, decisions, tasks."""

from __future__ import annotations

from django import forms
from django.db.models import Case, IntegerField, Value, When

from mediation.choices import UnitKind
from mediation.models import Unit
from tasks_plan.models import JointMeeting, PlanTask


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number}. {obj.content[:40]}"


class JointMeetingForm(forms.ModelForm):
    class Meta:
        model = JointMeeting
        fields = ["held_on", "title", "chaired_by", "attendees", "issues", "decisions", "tasks"]
        field_classes = {"tasks": TaskChoiceField}
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attendees": forms.CheckboxSelectMultiple,
            "tasks": forms.CheckboxSelectMultiple,
            "issues": forms.Textarea(attrs={"rows": 4}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Member units first, then the other units, then the street/town governments, as in the matrix.
        group = Case(
            When(is_member_unit=True, then=Value(0)),
            When(kind=UnitKind.STREET_GOVERNMENT, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        self.fields["attendees"].queryset = Unit.objects.filter(is_active=True).order_by(group, "pk")
        # The current plan's tasks, and any task of an earlier plan the meeting already concerns.
        current = PlanTask.objects.filter(plan__is_current=True)
        if self.instance.pk:
            current = current | PlanTask.objects.filter(meetings=self.instance)
        self.fields["tasks"].queryset = current.distinct().order_by("plan", "number")
        for name in ("title", "chaired_by", "held_on", "issues", "decisions"):
            self.fields[name].widget.attrs["class"] = "form-control"
        for name in ("attendees", "tasks"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
