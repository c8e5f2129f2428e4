"""The periodic jobs of the platform: one registry, one Celery task that runs any of them, a record of each run.

A job is a plain function returning how many items it processed. It must be idempotent and state-driven
(a second run for the same period changes nothing), because beat may fire twice and a worker may die midway.
Apps register their jobs in `<app>/jobs.py` with @periodic_job("name"); the beat schedule in settings names
the jobs, and `manage.py run_periodic NAME` runs one by hand.
"""

from __future__ import annotations

import importlib
import traceback
from collections.abc import Callable

from django.apps import apps
from django.utils import timezone

JOBS: dict[str, Callable[[], int]] = {}


def periodic_job(name: str):
    def decorator(func: Callable[[], int]):
        JOBS[name] = func
        return func

    return decorator


def discover() -> dict[str, Callable[[], int]]:
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise
    return JOBS


def run(name: str):
    """Run one job and record the run (TaskRun). Exceptions are recorded, then re-raised for Celery's retry."""
    from mediation.models import TaskRun

    job = discover().get(name)
    if job is None:
        raise KeyError(f"unknown periodic job {name!r}; known: {', '.join(sorted(JOBS))}")
    record = TaskRun.objects.create(name=name)
    try:
        processed = job() or 0
    except Exception:
        record.outcome, record.detail = TaskRun.Outcome.ERROR, traceback.format_exc(limit=5)
        record.finished_at = timezone.now()
        record.save(update_fields=["outcome", "detail", "finished_at"])
        raise
    record.outcome, record.processed, record.finished_at = TaskRun.Outcome.OK, int(processed), timezone.now()
    record.save(update_fields=["outcome", "processed", "finished_at"])
    return record
