"""Periodic jobs of the mediation app (see mediation.periodic)."""

from mediation.periodic import periodic_job
from mediation.services import registry


@periodic_job("refresh_mediator_statuses")
def refresh_mediator_statuses() -> int:
    """Discipline-log entries dated in the future take effect on their day."""
    return registry.refresh_statuses()


@periodic_job("deliver_outbox")
def deliver_outbox() -> int:
    """Send the due e-mails, SMS and webhooks of the outbox, with retries and backoff."""
    from mediation.services import outbox

    return outbox.deliver_due()


@periodic_job("prune_task_runs")
def prune_task_runs() -> int:
    """Delete job-run records older than 30 days (failed runs: 90 days; each job's latest run stays)."""
    from mediation.services import operations

    return operations.prune_runs()


@periodic_job("refresh_indicators")
def refresh_indicators() -> int:
    """Recompute today's stored indicator figures (and the plan's check dates); prune other days' old ones."""
    from mediation.services import indicator_store

    return indicator_store.refresh_maintained()
