"""Filters of the dispute list, shared by the list page and its xlsx export."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.choices import AssignmentStatus, RiskGrade, Status
from disputes.models import Assignment, Category, Dispute
from disputes.services import search as dispute_search
from mediation.choices import RegionLevel
from mediation.filters import BootstrapFilterSet, NamedChoiceFilter, RegionFilter, date_input
from mediation.models import Region, Unit

MAX_QUERY_LENGTH = 100

SORT_CHOICES = [
    ("-created", _("Newest registered first")),
    ("created", _("Oldest registered first")),
    ("-occurred", _("Most recently happened first")),
    ("occurred", _("Earliest happened first")),
    ("due", _("Due soonest first")),
    ("-due", _("Due latest first")),
    ("risk", _("Highest risk first")),
    ("-risk", _("Lowest risk first")),
    ("number", _("Number, ascending")),
    ("-number", _("Number, descending")),
]


def _visible_regions(request):
    return Region.objects.visible_to(request.user).filter(level__gte=RegionLevel.STREET).order_by("code")


def _visible_units(request):
    return Unit.objects.visible_to(request.user).order_by("kind", "name")


def _categories(request):
    return Category.objects.all()


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class DisputeFilter(BootstrapFilterSet):
    """Status, category, risk, region subtree, unit, overdue, dates and a text search.

    Give it a queryset already limited by `Dispute.objects.visible_to(user)` and the request (the region and
    unit choices are the user's visible ones).
    """

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        help_text=_(
            "A number, a party's ID number or phone, or text of the summary, address, description or a party's name."
        ),
        max_length=MAX_QUERY_LENGTH,
    )
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    category = NamedChoiceFilter(queryset=_categories, label=_("Category"))
    risk_grade = django_filters.MultipleChoiceFilter(
        choices=RiskGrade.choices, label=_("Risk grade"), distinct=False
    )
    region = RegionFilter(queryset=_visible_regions, method="in_region", label=_("Region"))
    unit = NamedChoiceFilter(
        queryset=_visible_units,
        method="of_unit",
        label=_("Unit"),
        help_text=_("Responsible (属事) or assigned unit."),
    )
    overdue = django_filters.BooleanFilter(
        method="only_overdue", label=_("Overdue only"), widget=forms.CheckboxInput
    )
    created_from = django_filters.DateFilter(
        field_name="created_at", method="on_or_after", label=_("Registered from"), widget=date_input()
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", method="on_or_before", label=_("Registered until"), widget=date_input()
    )
    occurred_from = django_filters.DateFilter(
        field_name="occurred_at", method="on_or_after", label=_("Happened from"), widget=date_input()
    )
    occurred_to = django_filters.DateFilter(
        field_name="occurred_at", method="on_or_before", label=_("Happened until"), widget=date_input()
    )

    class Meta:
        model = Dispute
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["status"].widget.attrs["size"] = 4
        self.form.fields["risk_grade"].widget.attrs["size"] = 4

    def search(self, queryset, name, value):
        return dispute_search.search(queryset, value)

    def in_region(self, queryset, name, value):
        return queryset.filter(region_path__startswith=value.path)

    def of_unit(self, queryset, name, value):
        # One IN over the union of both id lists (each from its unit index): a semi-join that reads only the
        # unit's disputes, where an OR of two per-row EXISTS would walk the whole list to fill a page.
        responsible = Dispute.responsible_units.through.objects.filter(unit=value).values("dispute_id")
        assigned = (
            Assignment.objects.filter(to_unit=value)
            .exclude(status__in=[AssignmentStatus.WITHDRAWN, AssignmentStatus.RETURNED])
            .values("dispute_id")
        )
        return queryset.filter(pk__in=responsible.union(assigned))

    def only_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def on_or_after(self, queryset, name, value):
        return queryset.filter(**{f"{name}__gte": _start_of(value)})

    def on_or_before(self, queryset, name, value):
        return queryset.filter(**{f"{name}__lt": _start_of(value + dt.timedelta(days=1))})


def dispute_filter(request) -> DisputeFilter:
    """The list's filters bound to the request, over the disputes the user can see."""
    return DisputeFilter(
        request.GET or None,
        queryset=Dispute.objects.visible_to(request.user).select_related("category", "platform"),
        request=request,
    )
