"""Periodic jobs of the mediation app (see mediation.periodic)."""

from mediation.periodic import periodic_job
from mediation.services import registry


@periodic_job("refresh_mediator_statuses")
def refresh_mediator_statuses() -> int:
    """Discipline-log entries dated in the future take effect on their day."""
    return registry.refresh_statuses()
