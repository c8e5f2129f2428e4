"""Periodic jobs of the disputes app (see mediation.periodic). Each hands the work to a service function with
the real date and time; the services take `today`/`now` so tests can travel in time."""

from __future__ import annotations

from django.utils import timezone

from disputes.services import patrols
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
