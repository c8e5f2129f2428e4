"""Celery tasks of the disputes app (periodic work runs through mediation.tasks.run_periodic)."""

from __future__ import annotations

from celery import shared_task

from disputes.services import export


@shared_task(ignore_result=True)
def run_dispute_export(job_id: int) -> bool:
    """Write a large export of the dispute list (an ExportJob); a job already claimed is left alone."""
    return export.run_job(job_id)
