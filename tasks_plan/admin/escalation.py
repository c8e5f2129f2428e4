"""Admin of the overdue escalation ladder: the office edits the steps (days, audience, label) here."""

from django.contrib import admin

from tasks_plan.models import EscalationStep


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ("step", "days_overdue", "audience", "label")
    ordering = ("step",)
