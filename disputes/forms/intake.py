"""The intake form (登记表): the dispute, its attachments and any number of parties (a formset).

The forms only parse input; disputes.services.intake.register decides what is valid. The party form asks
the same service functions about ID numbers and phones so the error appears next to the field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dadukou.kernel.errors import WorkflowError
from dadukou.kernel.validators import clean_phone
from disputes.choices import PartyKind, PartyRole, RiskFlag, Source, Vulnerability
from disputes.models import Attachment, Category
from disputes.services import intake
from disputes.services.attachments import ALLOWED_EXTENSIONS
from mediation.choices import RegionLevel
from mediation.models import Region


class StyledFormMixin:
    """Bootstrap classes on every widget (templates render a form with disputes/_form.html)."""

    def style_widgets(self):
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; the attachments service checks type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS), "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def region_choices(user) -> list:
    """The regions the user may register in, street level and below, grouped by street, with full names."""
    regions = list(
        Region.objects.visible_to(user)
        .filter(level__gte=RegionLevel.STREET, is_active=True)
        .order_by("code")
        .only("pk", "path", "level", "name")
    )
    ids = {int(i) for r in regions for i in r.path.strip("/").split("/")}
    names = dict(Region.objects.filter(pk__in=ids, level__gt=RegionLevel.DISTRICT).values_list("pk", "name"))
    groups: dict[str, list] = {}
    for region in regions:
        chain = [int(i) for i in region.path.strip("/").split("/") if int(i) in names]
        groups.setdefault(names[chain[0]], []).append((region.pk, " / ".join(names[i] for i in chain)))
    return [("", "---------"), *groups.items()]


class DisputeIntakeForm(StyledFormMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True).order_by("sort_order", "name")
    )
    source = forms.ChoiceField(
        label=_("Source channel"), choices=[c for c in Source.choices if c[0] != Source.API]
    )
    region = forms.TypedChoiceField(
        label=_("Region (street, community or grid)"),
        coerce=int,
        help_text=_("Choose as precisely as you can, down to the grid."),
    )
    address = forms.CharField(label=_("Address"), max_length=200)
    occurred_at = forms.DateTimeField(label=_("Occurred at"), widget=DateTimeLocalInput())
    title = forms.CharField(label=_("Summary"), max_length=100)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    people_involved = forms.IntegerField(label=_("People involved"), min_value=1, initial=1)
    amount = forms.DecimalField(
        label=_("Amount involved (yuan)"), max_digits=14, decimal_places=2, min_value=0, initial=0
    )
    risk_flags = forms.MultipleChoiceField(
        label=_("Risk flags"),
        choices=RiskFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachment_kind = forms.ChoiceField(
        label=_("Kind of the attached files"),
        choices=Attachment.Kind.choices,
        initial=Attachment.Kind.APPLICATION,
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, JPG, PNG, Word, Excel, MP3 or M4A; several files at once are fine."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user)
        self.style_widgets()

    def clean_region(self):
        return Region.objects.get(pk=self.cleaned_data["region"])

    def dispute_data(self) -> intake.DisputeData:
        data = self.cleaned_data
        return intake.DisputeData(
            category=data["category"],
            source=data["source"],
            region=data["region"],
            address=data["address"],
            occurred_at=data["occurred_at"],
            title=data["title"],
            description=data["description"],
            people_involved=data["people_involved"],
            amount=data["amount"],
            risk_flags=list(data["risk_flags"]),
        )


CONSENT_CHOICES = [("unknown", _("Not asked yet")), ("yes", _("Yes")), ("no", _("No, refuses"))]
CONSENT_VALUES = {"unknown": None, "yes": True, "no": False}


class PartyForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Person or organization"), choices=PartyKind.choices, initial="person")
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices, initial=PartyRole.APPLICANT)
    name = forms.CharField(label=_("Name"), max_length=100)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        help_text=_("Resident ID number; for an organization, its unified social credit code."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    consent = forms.ChoiceField(label=_("Consents to mediation"), choices=CONSENT_CHOICES, initial="unknown")
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities (sensitive personal information)"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean(self):
        data = super().clean()
        # The intake service is the authority on ID numbers and phones; asking it here only puts the
        # message next to the field. register() checks everything again.
        checks = (
            ("id_number", lambda v: intake.clean_party_id(v, data.get("kind") or PartyKind.PERSON)),
            ("phone", clean_phone),
        )
        for name, check in checks:
            if data.get(name):
                try:
                    data[name] = check(data[name])
                except WorkflowError as exc:
                    self.add_error(name, exc.message)
        return data

    def party_data(self) -> intake.PartyData:
        data = self.cleaned_data
        return intake.PartyData(
            name=data["name"],
            role=data["role"],
            kind=data["kind"],
            id_number=data.get("id_number", ""),
            phone=data.get("phone", ""),
            address=data.get("address", ""),
            consents_to_mediation=CONSENT_VALUES[data["consent"]],
            vulnerabilities=list(data["vulnerabilities"]),
        )


PartyFormSet = forms.formset_factory(PartyForm, extra=1, can_delete=True, max_num=50, validate_max=True)


def filled_parties(formset) -> list[intake.PartyData]:
    """The parties the user filled in (an untouched extra form or a removed one is not a party)."""
    return [
        form.party_data()
        for form in formset.forms
        if form.has_changed() and not form.cleaned_data.get("DELETE")
    ]
