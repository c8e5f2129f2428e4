"""Imports in the background: an ImportJob claimed and run by the Celery task (or in the request when the
broker is down), with its progress, errors and counts stored on the job."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.models.imports import ImportStatus
from mediation.services.registry_import.reports import ImportFileError, ImportReport, RowError
from mediation.services.registry_import.run import import_rows, read_sheet

logger = logging.getLogger(__name__)


def _progress_writer(job_id: int):
    from mediation.models import ImportJob

    last = {"done": 0}

    def write(done: int, total: int) -> None:
        # About fifty updates whatever the size, so the progress bar moves without flooding the database.
        if done == total or done - last["done"] >= max(1, total // 50):
            last["done"] = done
            ImportJob.objects.filter(pk=job_id).update(done=done, total=total)

    return write


def run_job(job_id: int) -> bool:
    """Run one queued import (from the Celery task or in the request); False when it was not pending."""
    from mediation.models import ImportJob

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.VALIDATING
    )
    if not claimed:
        return False
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with job.file.open("rb") as fileobj:
            rows = read_sheet(job.kind, fileobj)
        ImportJob.objects.filter(pk=job_id).update(total=len(rows))
        report = import_rows(
            job.kind,
            rows,
            user=job.created_by,
            progress=_progress_writer(job_id),
            on_saving=lambda: ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.SAVING),
        )
    except ImportFileError as exc:
        report = ImportReport(job.kind)
        report.errors.append(RowError(None, "", str(exc)))
    except Exception:
        logger.exception("registry import %s failed", job_id)
        report = ImportReport(job.kind)
        report.errors.append(
            RowError(None, "", _("The import stopped on an unexpected error; nothing was written."))
        )
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE if report.ok else ImportStatus.FAILED,
        total=report.total,
        done=report.total,
        errors=[e.as_dict() for e in report.errors],
        summary=report.summary(),
        finished_at=timezone.now(),
    )
    return True


def queue_job(job_id: int) -> bool:
    """Hand the job to the Celery worker; with the broker down, run it here and now. True when queued."""
    from kombu.exceptions import OperationalError

    from mediation.tasks import run_registry_import

    try:
        run_registry_import.delay(job_id)
    except (OperationalError, ConnectionError) as exc:
        logger.warning("broker unavailable (%s); running registry import %s in the request", exc, job_id)
        run_job(job_id)
        return False
    return True
