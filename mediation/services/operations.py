"""What the operations page shows about the periodic jobs, and the pruning of their run records."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Run records are kept this long; failed runs longer, and each job's latest run always.
KEEP_RUNS = dt.timedelta(days=30)
KEEP_ERRORS = dt.timedelta(days=90)
PRUNE_BATCH = 5000


def describe_schedule(schedule) -> str:
    """A crontab as its five fields (minute hour day month weekday); other schedules as Celery prints them."""
    fields = ("_orig_minute", "_orig_hour", "_orig_day_of_month", "_orig_month_of_year", "_orig_day_of_week")
    if all(hasattr(schedule, f) for f in fields):
        return " ".join(str(getattr(schedule, f)) for f in fields)
    if isinstance(schedule, dt.timedelta | int | float):
        seconds = schedule.total_seconds() if isinstance(schedule, dt.timedelta) else schedule
        return _("every %(n)s s") % {"n": int(seconds)}
    return str(schedule)


def beat_entries() -> dict[str, list[dict]]:
    """The beat schedule from settings, grouped by the periodic job each entry runs."""
    by_job: dict[str, list[dict]] = {}
    for entry_name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        args = entry.get("args") or []
        is_job = entry.get("task") == "mediation.tasks.run_periodic" and args
        by_job.setdefault(args[0] if is_job else entry.get("task"), []).append(
            {
                "name": entry_name,
                "schedule": describe_schedule(entry.get("schedule")),
                "expires": _duration((entry.get("options") or {}).get("expires")),
            }
        )
    return by_job


def _duration(seconds) -> str:
    """Seconds as the largest whole unit that fits: 50 s, 25 min, 12 h, 180 d."""
    if not seconds:
        return ""
    seconds = int(seconds)
    units = (
        (86400, pgettext("unit of time", "d")),
        (3600, pgettext("unit of time", "h")),
        (60, pgettext("unit of time", "min")),
    )
    for size, unit in units:
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} {pgettext('unit of time', 's')}"


def _latest_ids(names) -> list:
    from mediation.models import TaskRun

    return [
        Subquery(TaskRun.objects.filter(name=name).order_by("-started_at", "-id").values("id")[:1])
        for name in sorted(set(names))
    ]


def latest_runs(names) -> dict:
    """The latest TaskRun of each job in one query: a LIMIT 1 subquery per name, each served by the
    (name, -started_at) index, so the cost does not grow with the history (SQLite and PostgreSQL alike)."""
    from mediation.models import TaskRun

    latest = _latest_ids(names)
    return {run.name: run for run in TaskRun.objects.filter(pk__in=latest)} if latest else {}


def prune_runs(now: dt.datetime | None = None) -> int:
    """Delete old run records (the outbox job alone writes 1,440 a day); returns how many went."""
    from mediation.models import TaskRun

    now = now or timezone.now()
    names = TaskRun.objects.values_list("name", flat=True).distinct()
    keep = list(TaskRun.objects.filter(pk__in=_latest_ids(names)).values_list("pk", flat=True))
    old = (
        TaskRun.objects.filter(started_at__lt=now - KEEP_RUNS)
        .exclude(outcome=TaskRun.Outcome.ERROR, started_at__gte=now - KEEP_ERRORS)
        .exclude(pk__in=keep)
    )
    deleted = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:PRUNE_BATCH])
        if not ids:
            return deleted
        deleted += TaskRun.objects.filter(pk__in=ids).delete()[0]
