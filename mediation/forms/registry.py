"""Forms of the registry pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from mediation.scoping import today


class AsOfForm(forms.Form):
    """The date a page is "as of": any day up to today; today when none (or a bad one) is given."""

    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def __init__(self, data=None, *, field_name: str = "as_of", **kwargs):
        super().__init__(data, **kwargs)
        if field_name != "as_of":
            self.fields[field_name] = self.fields.pop("as_of")
        self.fields[field_name].initial = today()
        self.field_name = field_name

    def clean(self):
        data = super().clean()
        day = data.get(self.field_name)
        if day and day > today():
            self.add_error(self.field_name, _("Choose a date no later than today."))
        return data

    @property
    def day(self) -> dt.date:
        if self.is_bound and self.is_valid() and self.cleaned_data.get(self.field_name):
            return self.cleaned_data[self.field_name]
        return today()


class YearForm(forms.Form):
    """A calendar year, for the per-year training compliance."""

    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2000,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = today().year

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year and year > today().year:
            raise forms.ValidationError(_("Choose a year no later than this one."))
        return year

    @property
    def chosen_year(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return today().year

    @property
    def as_of(self) -> dt.date:
        """31 December of the year, or today for the current year (the year so far)."""
        if self.chosen_year == today().year:
            return today()
        return dt.date(self.chosen_year, 12, 31)


class UnmaskForm(forms.Form):
    """Why the user needs a mediator's ID number and phone in full (the reason is logged)."""

    reason = forms.CharField(
        label=_("Reason for showing the personal data in full"),
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
