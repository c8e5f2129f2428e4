"""Forms of the task plan's pages. They parse input only; the rules are in tasks_plan/services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.forms.intake import MultipleFileField, StyledFormMixin
from tasks_plan.choices import ReportKind
from tasks_plan.services.progress import MAX_FIGURE_NAME, MAX_FIGURE_VALUE, MAX_PERIOD

FIGURE_ROWS = 5


class ProgressReportForm(StyledFormMixin, forms.Form):
    """A progress report: kind, period, text, a few named figures and evidence files."""

    kind = forms.ChoiceField(
        label=_("Kind of report"), choices=ReportKind.choices, initial=ReportKind.PROGRESS
    )
    period = forms.CharField(
        label=_("Period"), max_length=MAX_PERIOD, help_text=_("E.g. 2026年第3季度 or 2026-11.")
    )
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, JPG, PNG, Word, Excel, MP3 or M4A; several files at once are fine."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(FIGURE_ROWS):
            for part, label, length in (
                ("name", _("Figure %(n)d: name"), MAX_FIGURE_NAME),
                ("value", _("Figure %(n)d: value"), MAX_FIGURE_VALUE),
            ):
                label = label % {"n": i + 1}
                self.fields[f"figure_{part}_{i}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=length,
                    widget=forms.TextInput(attrs={"placeholder": label, "class": "form-control-sm"}),
                )
        self.style_widgets()

    @property
    def main_fields(self):
        return [self[name] for name in ("kind", "period", "text")]

    @property
    def figure_rows(self):
        return [(i + 1, self[f"figure_name_{i}"], self[f"figure_value_{i}"]) for i in range(FIGURE_ROWS)]

    def figures(self) -> list[tuple[str, str]]:
        """The figure rows as (name, value) pairs, in order; the service checks them."""
        return [
            (self.cleaned_data.get(f"figure_name_{i}", ""), self.cleaned_data.get(f"figure_value_{i}", ""))
            for i in range(FIGURE_ROWS)
        ]


class ReviewForm(StyledFormMixin, forms.Form):
    """The office's decision on a report: accept, or return with comments."""

    ACCEPT, RETURN = "accept", "return"

    decision = forms.ChoiceField(
        choices=[(ACCEPT, _("Accept the report")), (RETURN, _("Return the report with comments"))]
    )
    comments = forms.CharField(
        label=_("Review comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when returning the report."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()
