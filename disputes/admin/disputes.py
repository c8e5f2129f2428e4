"""Admin of the disputes app.

The office edits the configuration here (categories, time limits, risk and routing rules, the work calendar,
sensitive periods). Disputes and their timeline are read-only: a dispute changes only through the workflow
actions on its page, so that every change is checked and recorded as an Event. Every admin here follows the one
visibility rule (mediation.admin_scoping): disputes and their timeline by Dispute.objects.visible_to, choices of
regions and units likewise.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    Assignment,
    CalendarDay,
    CalendarNotice,
    CalendarYear,
    Category,
    Dispute,
    Event,
    Party,
    RiskRule,
    RoutingRule,
    SensitivePeriod,
    SupervisionThreshold,
    TimeLimit,
)
from mediation.admin_scoping import ScopedAdminMixin

# --- configuration the office edits -----------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "is_plan_field", "sort_order", "is_active")
    list_filter = ("is_plan_field", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("name", "code")
    filter_horizontal = ("units",)
    # The many-to-many is declared here (mediation may not know categories); organizations are many, so they
    # are searched, not listed.
    autocomplete_fields = ("organizations",)


@admin.register(TimeLimit)
class TimeLimitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("key", "days", "day_type")
    list_editable = ("days", "day_type")
    list_filter = ("day_type",)


@admin.register(SupervisionThreshold)
class SupervisionThresholdAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The supervision ladder: when an open assignment reaches each step, per risk grade (sweeps.py)."""

    list_display = ("risk_grade", "level", "share_percent")
    list_editable = ("share_percent",)
    list_filter = ("risk_grade", "level")


@admin.register(RiskRule)
class RiskRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "grade",
        "min_people",
        "min_amount",
        "flag",
        "min_repeat_disputes",
        "vulnerable_party",
        "in_sensitive_period",
        "is_active",
    )
    list_filter = ("grade", "flag", "is_active")
    search_fields = ("name",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "priority",
        "category",
        "max_grade",
        "cross_unit",
        "level",
        "assign_to_category_units",
        "needs_leader",
        "is_active",
    )
    list_filter = ("level", "max_grade", "cross_unit", "needs_leader", "is_active")
    list_select_related = ("category",)
    search_fields = ("name", "category__name")
    ordering = ("priority", "pk")


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("year", "note", "entered_by", "entered_at")
    list_select_related = ("entered_by",)
    readonly_fields = ("entered_by", "entered_at")


@admin.register(CalendarNotice)
class CalendarNoticeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The record of every notice entered on the holiday-calendar page: read only, never edited or deleted."""

    list_display = ("year", "note", "entered_by", "entered_at", "superseded_at", "moved")
    list_filter = ("year",)
    list_select_related = ("entered_by",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SensitivePeriod)
class SensitivePeriodAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "region")
    list_select_related = ("region",)
    search_fields = ("name", "region__name")
    raw_id_fields = ("region",)
    date_hierarchy = "starts_on"


# --- disputes and their timeline: read-only ---------------------------------------------------------------


class ReadOnlyInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartyInline(ReadOnlyInline):
    model = Party
    # ID numbers and phones stay on the dispute page, which masks them unless the user may see them.
    fields = ("name", "kind", "role", "consents_to_mediation")


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fk_name = "dispute"
    fields = ("to_unit", "to_organization", "role", "status", "assigned_at", "due_at", "accepted_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("to_unit", "to_organization")


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("at", "action", "actor", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Dispute)
class DisputeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "title", "category", "status", "risk_grade", "platform", "due_at", "created_at")
    list_filter = ("status", "risk_grade", "category", "source")
    list_select_related = ("category", "platform")
    search_fields = ("number", "title")
    date_hierarchy = "created_at"
    inlines = (PartyInline, AssignmentInline, EventInline)
    fieldsets = (
        (
            None,
            {
                "description": _(
                    "Read-only. A dispute changes only through the actions on its own page (assess, assign, "
                    "accept, record the outcome …), which check the rules and record every step in the "
                    "timeline."
                ),
                "fields": (
                    "number",
                    "title",
                    "category",
                    "source",
                    "region",
                    "address",
                    "occurred_at",
                    "description",
                    "people_involved",
                    "amount",
                    "risk_flags",
                ),
            },
        ),
        (
            _("Assessment and handling"),
            {
                "fields": (
                    "status",
                    "risk_grade",
                    "risk_grade_by_rules",
                    "risk_override_reason",
                    "complexity",
                    "platform",
                    "routing_rule",
                    "responsible_units",
                    "leader",
                    "due_at",
                ),
            },
        ),
        (
            _("Outcome"),
            {"fields": ("outcome", "failure_guidance", "resolved_at", "closed_at", "void_reason")},
        ),
        (_("Record"), {"fields": ("created_by", "created_at", "updated_at", "version")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The timeline is append-only: no add, change or delete here, whoever asks."""

    list_display = ("at", "dispute", "action", "actor", "note")
    list_filter = ("action",)
    list_select_related = ("dispute", "actor")
    search_fields = ("dispute__number", "action", "note")
    date_hierarchy = "at"
    fields = ("dispute", "action", "actor", "at", "note", "before", "after")
    readonly_fields = fields
    scope_through = "dispute"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
