"""Admin of the task plan.

The plan, its tasks and targets come from the project's data (tasks_plan/services/loader.py) and can be
corrected here. A unit's row and its reports are read-only: a status moves only through a reviewed report
(on the row's page) or the overdue sweep, so that every change follows the rules. Joint meetings are recorded
here. Rows, reports and meetings follow the one visibility rule (mediation.admin_scoping).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mediation.admin_scoping import ScopedAdminMixin
from tasks_plan.models import (
    JointMeeting,
    Plan,
    PlanTask,
    ProgressAttachment,
    ProgressReport,
    Responsibility,
    Target,
)


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


class PlanTaskInline(ReadOnlyInline):
    model = PlanTask
    fields = ("number", "section_title", "content", "due_kind", "due_on")
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "code", "issued_by", "issued_on", "is_current")
    list_filter = ("is_current",)
    search_fields = ("title", "code")
    inlines = (PlanTaskInline,)


class TargetInline(ScopedAdminMixin, admin.TabularInline):
    model = Target
    extra = 0
    fields = ("order", "metric", "scope", "comparison", "value", "by_kind", "by_date", "indicator", "measure")


class ResponsibilityInline(ReadOnlyInline):
    model = Responsibility
    fields = ("unit", "role", "status", "status_changed_at", "overdue_since", "escalation_step")
    verbose_name_plural = _("Units and their status (read-only: the status moves through reviewed reports)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


@admin.register(PlanTask)
class PlanTaskAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "short_content", "section_title", "due_kind", "due_on", "plan")
    list_filter = ("plan", "section", "due_kind")
    list_select_related = ("plan",)
    search_fields = ("content", "standard")
    ordering = ("plan", "number")
    inlines = (TargetInline, ResponsibilityInline)

    @admin.display(description=_("content"))
    def short_content(self, obj):
        return obj.content[:60]


class ProgressAttachmentInline(ReadOnlyInline):
    model = ProgressAttachment
    fields = ("original_name", "size", "uploaded_at")


@admin.register(ProgressReport)
class ProgressReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: reports are submitted and reviewed on the row's page, which checks who may do what."""

    list_display = (
        "responsibility",
        "period",
        "kind",
        "status",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
    )
    list_filter = ("status", "kind", "responsibility__task__plan")
    list_select_related = ("responsibility__task", "responsibility__unit", "submitted_by", "reviewed_by")
    search_fields = ("period", "text", "responsibility__unit__name")
    date_hierarchy = "submitted_at"
    inlines = (ProgressAttachmentInline,)
    readonly_fields = (
        "responsibility",
        "kind",
        "period",
        "text",
        "figures",
        "status",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comments",
    )

    scope_through = "responsibility"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JointMeeting)
class JointMeetingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("held_on", "title", "convened_by", "chaired_by", "recorded_by")
    list_select_related = ("convened_by", "recorded_by")
    search_fields = ("title", "issues", "decisions")
    date_hierarchy = "held_on"
    filter_horizontal = ("attendees", "tasks")
    exclude = ("recorded_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
