"""Forms of the patrol pages: the patrol report and the filters of the lists. They only parse input;
disputes.services.patrols decides what a report may say."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.forms.intake import StyledFormMixin
from disputes.models import Dispute, PatrolDuty
from disputes.services import patrols
from mediation.choices import RegionLevel

NIL, FOUND = "nil", "found"
LEVEL_CHOICES = [(str(level), RegionLevel(level).label) for level in patrols.CADENCE_BY_LEVEL]


class PatrolReportForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Result of the patrol"),
        choices=[(NIL, _("Nothing found (nil report, 零报告)")), (FOUND, _("Disputes found"))],
        widget=forms.RadioSelect,
    )
    disputes = forms.ModelMultipleChoiceField(
        label=_("Disputes found"),
        queryset=Dispute.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Disputes in this region registered recently."),
    )
    numbers = forms.CharField(
        label=_("Other dispute numbers"),
        required=False,
        max_length=500,
        help_text=_("Numbers of other disputes found, separated by commas or spaces, e.g. DDK-2026-000123."),
    )
    risk_notes = forms.CharField(
        label=_("Risk notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Tensions seen that are not (yet) disputes: people, places, dates to watch."),
    )

    def __init__(self, *args, duty, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["disputes"].queryset = patrols.candidate_disputes(duty, user)
        self.fields["disputes"].label_from_instance = lambda d: f"{d.number} {d.title}"
        if not self.fields["disputes"].queryset.exists():
            del self.fields["disputes"]
        self.style_widgets()

    def clean_numbers(self):
        text = self.cleaned_data["numbers"].replace("，", ",").replace(",", " ")
        found, unknown = patrols.disputes_by_number(self.user, text.split())
        if unknown:
            raise forms.ValidationError(
                _("No dispute visible to you has the number %(numbers)s.") % {"numbers": ", ".join(unknown)}
            )
        return found

    @property
    def is_nil(self) -> bool:
        return self.cleaned_data["outcome"] == NIL

    def dispute_ids(self) -> list[int]:
        chosen = list(self.cleaned_data.get("disputes") or []) + self.cleaned_data["numbers"]
        return [d.pk for d in chosen]


class PatrolFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *PatrolDuty.Status.choices]
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("Any")), *LEVEL_CHOICES])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["level"]:
            queryset = queryset.filter(region__level=int(data["level"]))
        return queryset


class ComplianceForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def values(self) -> tuple[int, int]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("year") or today.year, int(data.get("level") or RegionLevel.STREET)
