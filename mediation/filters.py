"""Filters of the registry lists (organizations, mediators, expert pool, trainings).

Each FilterSet is given a queryset already limited by `visible_to(user)` and the request, so the choices it
offers (regions, organizations) are the user's visible ones too.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from mediation.choices import (
    Background,
    Gender,
    MediationField,
    MediatorStatus,
    OrganizationKind,
    RegionLevel,
    TrainingLevel,
)
from mediation.models import (
    Appointment,
    ExpertMembership,
    MediationOrganization,
    Mediator,
    Region,
    Training,
)
from mediation.scoping import today

MAX_QUERY_LENGTH = 100


def json_list_has(field: str, value: str) -> Q:
    """Rows whose JSON list `field` holds the string `value`.

    A text match on the quoted value rather than `__contains=[value]`: the embedded SQLite database has no
    JSON containment, and the values are slugs, so `"medical"` cannot match inside another value.
    """
    return Q(**{f"{field}__icontains": f'"{value}"'})


class ColumnChoiceIterator(forms.models.ModelChoiceIterator):
    """Options read as (pk, the label's columns) rather than one model instance each: a district's region filter
    has hundreds of options, and building an instance per option cost a list page more than its SQL."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, *values in self.queryset.values_list("pk", *self.field.label_columns):
            yield (pk, self.field.label_from_columns(*values))


class NamedChoiceField(forms.ModelChoiceField):
    """A model choice whose label is the object's name (its __str__), read as a column."""

    iterator = ColumnChoiceIterator
    label_columns = ("name",)

    def label_from_columns(self, name):
        return name


class RegionChoiceField(NamedChoiceField):
    """Regions indented by level, so the tree reads in a plain select (and on a phone)."""

    label_columns = ("level", "name")

    def label_from_instance(self, obj):
        return self.label_from_columns(obj.level, obj.name)

    def label_from_columns(self, level, name):
        return "\u3000" * max(level - RegionLevel.STREET, 0) + name


class NamedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = NamedChoiceField


class RegionFilter(django_filters.ModelChoiceFilter):
    field_class = RegionChoiceField


class AnyYesNo(forms.NullBooleanSelect):
    """A yes/no select whose empty choice reads "any" (a filter, not an unknown answer)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _yes_no(label, **kwargs):
    return django_filters.BooleanFilter(label=label, widget=AnyYesNo, **kwargs)


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _visible_regions(request):
    return (
        Region.objects.visible_to(request.user)
        .filter(level__in=[RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY])
        .order_by("code")
    )


def _visible_organizations(request):
    return MediationOrganization.objects.visible_to(request.user).order_by("name")


class QuickSelectMixin:
    """Renders a select's options in Python rather than one template per option.

    A district user's region filter has hundreds of options; Django renders each through its own template, which
    cost a list page more than its SQL. The markup is the same as Django's (escaped values and labels, boolean
    attributes as bare names)."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        parts = [format_html('<select name="{}"{}>', name, flatatt(final))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts += [self._option(v, text, selected) for v, text in label]
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))

    @staticmethod
    def _option(value, label, selected) -> str:
        value = "" if value is None else str(value)
        mark = " selected" if value in selected else ""
        return f'<option value="{escape(value)}"{mark}>{escape(label)}</option>'


class QuickSelect(QuickSelectMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickSelectMixin, forms.SelectMultiple):
    pass


class QuickInputMixin:
    """Renders an <input> in Python: Django's widget templates (input.html, attrs.html) cost a filter form of
    eleven fields more than the rest of the page's template. The same markup (value, then the attributes)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], name, shown, flatatt(widget["attrs"])
        )


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class QuickCheckboxInput(QuickInputMixin, forms.CheckboxInput):
    pass


QUICK = {
    forms.Select: QuickSelect,
    forms.SelectMultiple: QuickSelectMultiple,
    forms.TextInput: QuickTextInput,
    forms.DateInput: QuickDateInput,
    forms.CheckboxInput: QuickCheckboxInput,
}


class BootstrapFilterSet(django_filters.FilterSet):
    """Gives every widget its Bootstrap class, and plain selects and inputs the quick rendering."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            widget = field.widget
            if type(widget) in QUICK:
                widget.__class__ = QUICK[type(widget)]
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"


class OrganizationFilter(BootstrapFilterSet):
    """Kind, region subtree, field, active on a date (today unless changed), party organization, online."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        help_text=_("Name, address or contact person."),
        max_length=MAX_QUERY_LENGTH,
    )
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("Kind"))
    region = RegionFilter(queryset=_visible_regions, method="in_region", label=_("Region"))
    field = django_filters.ChoiceFilter(
        choices=MediationField.choices, method="covers_field", label=_("Field")
    )
    on = django_filters.DateFilter(
        method="active_on",
        label=_("Active on"),
        help_text=_("Leave empty to include organizations not yet established or dissolved."),
        widget=date_input(),
    )
    has_party_organization = _yes_no(_("Has its own party organization"))
    online_capable = _yes_no(_("Online/video mediation"))

    class Meta:
        model = MediationOrganization
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Without a date the list shows the organizations of today; an empty date (cleared by the user) means
        # any date.
        data = data.copy() if data is not None else {}
        if "on" not in data:
            data["on"] = today().isoformat()
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(address__icontains=value) | Q(contact_person__icontains=value)
        )

    def in_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path)

    def covers_field(self, queryset, name, value):
        return queryset.filter(json_list_has("fields", value))

    def active_on(self, queryset, name, value):
        return queryset.active_on(value)

    @property
    def day(self):
        """The date the list is "as of": the chosen one, or today when the list spans any date."""
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("on"):
            return self.form.cleaned_data["on"]
        return today()


class MediatorFilter(BootstrapFilterSet):
    """Organization served (today), full-time, background, party member, gender, status, expert, region."""

    q = django_filters.CharFilter(method="search", label=_("Name"), max_length=MAX_QUERY_LENGTH)
    organization = NamedChoiceFilter(
        queryset=_visible_organizations,
        method="serving",
        label=_("Organization"),
        help_text=_("Serving there today."),
    )
    full_time = _yes_no(_("Full-time"), method="by_full_time")
    background = django_filters.ChoiceFilter(
        choices=Background.choices, method="has_background", label=_("Background")
    )
    is_party_member = _yes_no(_("Party member"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Gender"))
    status = django_filters.ChoiceFilter(choices=MediatorStatus.choices, label=_("Status"))
    expert = _yes_no(_("Expert-pool member"), method="in_expert_pool")
    region = RegionFilter(queryset=_visible_regions, method="in_region", label=_("Region"))

    class Meta:
        model = Mediator
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def _appointments(self):
        appointments = Appointment.objects.on(today()).filter(mediator=OuterRef("pk"))
        organization = self.form.cleaned_data.get("organization")
        if organization is not None:
            appointments = appointments.filter(organization=organization)
        return appointments

    def serving(self, queryset, name, value):
        return queryset.filter(Exists(self._appointments()))

    def by_full_time(self, queryset, name, value):
        # Full-time in the chosen organization when there is one, anywhere otherwise.
        full_time = Exists(self._appointments().filter(is_full_time=True))
        return queryset.filter(full_time) if value else queryset.exclude(full_time)

    def has_background(self, queryset, name, value):
        return queryset.filter(json_list_has("backgrounds", value))

    def in_expert_pool(self, queryset, name, value):
        expert = Exists(ExpertMembership.objects.on(today()).filter(mediator=OuterRef("pk")))
        return queryset.filter(expert) if value else queryset.exclude(expert)

    def in_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path)


class ExpertFilter(BootstrapFilterSet):
    """The expert pool today, by specialty and by text (name or expertise)."""

    specialty = django_filters.ChoiceFilter(
        choices=MediationField.choices, method="has_specialty", label=_("Specialty")
    )
    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        help_text=_("Name or expertise."),
        max_length=MAX_QUERY_LENGTH,
    )

    class Meta:
        model = ExpertMembership
        fields = []

    def has_specialty(self, queryset, name, value):
        return queryset.filter(json_list_has("specialties", value))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(mediator__name__icontains=value) | Q(expertise__icontains=value))


class TrainingFilter(BootstrapFilterSet):
    """Year, level, region (a street shows its own trainings and those held in it)."""

    year = django_filters.NumberFilter(
        field_name="held_on", lookup_expr="year", label=_("Year"), min_value=2000, max_value=2100
    )
    level = django_filters.ChoiceFilter(choices=TrainingLevel.choices, label=_("Level"))
    region = RegionFilter(queryset=_visible_regions, method="in_region", label=_("Region"))
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Title"), max_length=MAX_QUERY_LENGTH
    )

    class Meta:
        model = Training
        fields = []

    def in_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path)
