"""The form of the holiday-calendar page: it only parses the input; disputes.services.calendar_notice checks it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.forms.intake import DateInput, StyledFormMixin
from disputes.services.calendar_notice import FIRST_YEAR, LAST_YEAR, HolidayRange

RANGE_ROWS = 9  # the seven statutory holidays, and room for one more
WORKDAY_ROWS = 8


class CalendarNoticeForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    note = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_(
            "The notice's title and number, e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）."
        ),
    )
    text = forms.CharField(
        label=_("Pasted or imported lines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "One day or range a line: “2027-01-01 休 元旦”, “2027-02-05~2027-02-12 休 春节”, “2027-02-07 班”. "
            "休 (or 放假) is a day off, 班 (or 上班) a make-up working day; the name is optional; "
            "blank lines and lines starting with # are skipped."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(RANGE_ROWS):
            self.fields[f"range_{i}_name"] = forms.CharField(
                label=_("Holiday %(n)s: name") % {"n": i + 1}, required=False, max_length=50
            )
            self.fields[f"range_{i}_first"] = forms.DateField(
                label=_("Holiday %(n)s: first day") % {"n": i + 1}, required=False, widget=DateInput
            )
            self.fields[f"range_{i}_last"] = forms.DateField(
                label=_("Holiday %(n)s: last day") % {"n": i + 1}, required=False, widget=DateInput
            )
        for i in range(WORKDAY_ROWS):
            self.fields[f"workday_{i}"] = forms.DateField(
                label=_("Make-up working day %(n)s") % {"n": i + 1}, required=False, widget=DateInput
            )
        self.style_widgets()

    def range_rows(self):
        return [
            (self[f"range_{i}_name"], self[f"range_{i}_first"], self[f"range_{i}_last"])
            for i in range(RANGE_ROWS)
        ]

    def workday_fields(self):
        return [self[f"workday_{i}"] for i in range(WORKDAY_ROWS)]

    def notice_input(self) -> dict:
        """build()'s arguments from the cleaned data (rows left empty are skipped)."""
        data = self.cleaned_data
        ranges = [
            HolidayRange(
                data.get(f"range_{i}_name") or "", data.get(f"range_{i}_first"), data.get(f"range_{i}_last")
            )
            for i in range(RANGE_ROWS)
            if data.get(f"range_{i}_name") or data.get(f"range_{i}_first") or data.get(f"range_{i}_last")
        ]
        workdays = [data[f"workday_{i}"] for i in range(WORKDAY_ROWS) if data.get(f"workday_{i}")]
        return {
            "year": data["year"],
            "note": data["note"],
            "ranges": ranges,
            "workdays": workdays,
            "text": data.get("text") or "",
        }
