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


@shared_task(
    ignore_result=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def run_periodic(name: str) -> int:
    """Run the periodic job `name` (see mediation.periodic); jobs are idempotent, so a retry is safe."""
    from mediation import periodic

    return periodic.run(name).processed
