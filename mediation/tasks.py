"""Background work of the mediation app. Tasks take ids and hand the work to the service layer."""

from __future__ import annotations

from celery import shared_task

from mediation.services import registry, registry_import


@shared_task(ignore_result=True)
def run_registry_import(job_id: int) -> bool:
    """Import an uploaded registry sheet (an ImportJob); a job already claimed is left alone."""
    return registry_import.run_job(job_id)


@shared_task(ignore_result=True)
def refresh_mediator_statuses() -> int:
    """Let discipline-log entries dated in the future take effect on their day (run daily)."""
    return registry.refresh_statuses()
