"""Periodic jobs of the task plan (run by Celery beat through mediation.periodic)."""

from __future__ import annotations

from django.utils import timezone

from mediation.periodic import periodic_job


@periodic_job("plan_report_reminders")
def plan_report_reminders() -> int:
    """Remind units to report before the quarter's reporting day (once per row and quarter)."""
    from tasks_plan.services.progress import remind

    return remind(timezone.localdate())


@periodic_job("plan_overdue_escalation")
def plan_overdue_escalation() -> int:
    """Mark plan rows past their deadline overdue and climb the escalation ladder (the default one if none)."""
    from tasks_plan.services import escalation

    escalation.load_defaults()
    return escalation.sweep(timezone.localdate())
