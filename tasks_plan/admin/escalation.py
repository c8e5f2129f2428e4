"""Admin of the overdue escalation ladder: the office edits the steps (days, audience, label) here."""

from django.contrib import admin

from mediation.admin_scoping import ScopedAdminMixin
from tasks_plan.models import EscalationStep


@admin.register(EscalationStep)
class EscalationStepAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("step", "days_overdue", "audience", "label")
    ordering = ("step",)
