"""Periodic jobs of the disputes app (see mediation.periodic). Each hands the work to a service function with
the real date and time; the services take `today`/`now` so tests can travel in time."""

from __future__ import annotations

from django.utils import timezone

from disputes.models import PeriodicReport
from disputes.services import patrols, reports
from mediation.periodic import periodic_job


@periodic_job("create_patrol_duties")
def create_patrol_duties() -> int:
    """The patrol duties whose period contains today (daily at 00:05; idempotent)."""
    return patrols.create_duties(timezone.localdate())


@periodic_job("patrol_overdue_sweep")
def patrol_overdue_sweep() -> int:
    """Every 30 minutes: today's duties (heals a missed 00:05 run), missing reports, reminders before due."""
    now = timezone.now()
    created = patrols.create_duties(timezone.localdate(now))
    return created + patrols.sweep_missing(now) + patrols.remind_due(now)


@periodic_job("clean_up_exports")
def clean_up_exports() -> int:
    """Hourly: remove the files of dispute exports older than EXPORT_KEEP_DAYS; fail exports a worker dropped."""
    from disputes.services import export

    return export.clean_up(timezone.now())


# Periodic reports (task 25): each makes the last complete period's reports for the district, every
# street/town and every member unit; a second or late run makes nothing twice.
@periodic_job("weekly_reports")
def weekly_reports() -> int:
    """Weekly analysis (周分析) of the week before, Monday to Sunday (Mondays 01:00)."""
    return reports.generate(PeriodicReport.Kind.WEEKLY, timezone.localdate())


@periodic_job("monthly_reports")
def monthly_reports() -> int:
    """Monthly assessment (月研判) of the month before (the 1st, 01:30)."""
    return reports.generate(PeriodicReport.Kind.MONTHLY, timezone.localdate())


@periodic_job("quarterly_reports")
def quarterly_reports() -> int:
    """Quarterly bulletin (季通报) of the quarter before (1 January, April, July, October, 02:00)."""
    return reports.generate(PeriodicReport.Kind.QUARTERLY, timezone.localdate())


@periodic_job("annual_reports")
def annual_reports() -> int:
    """Annual evaluation (年考核) of the year before (1 January, 03:00)."""
    return reports.generate(PeriodicReport.Kind.ANNUAL, timezone.localdate())


# Deadlines and warnings (tasks 23, 24): state-driven, so a missed or doubled run heals itself.
@periodic_job("assignment_overdue_sweep")
def assignment_overdue_sweep() -> int:
    """Every 10 minutes: assignments not accepted in time, and the supervision ladder, in bounded batches."""
    from disputes.services import sweeps

    return sweeps.sweep(timezone.now()).processed


@periodic_job("warning_ack_escalation")
def warning_ack_escalation() -> int:
    """Every 10 minutes: early warnings unacknowledged past their limit go one level up, once."""
    from disputes.services import warnings

    return warnings.escalate_unacknowledged(timezone.now())


@periodic_job("agreement_reminders")
def agreement_reminders() -> int:
    """Daily at 08:00: judicial-confirmation windows closing (7 and 2 days before), performance dates."""
    from disputes.services import reminders

    return reminders.send(timezone.localdate())
