"""No date lookup on a timestamp column: `created_at__date__gte=day` casts every row's timestamp to a local date, which
no plain index serves; the range `created_at__gte=start_of_day(day)` (mediation/dates.py) is served by the index.

The apps' code is searched for `<field>__date`, `__year`, `__month` … where <field> is a DateTimeField of a model.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from mediation.dates import day_window, days_q, start_of_day

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mediation", "disputes", "tasks_plan")
TRANSFORMS = "date|year|month|day|week|week_day|iso_week_day|iso_year|quarter|hour|minute"
LOOKUP = re.compile(rf"\b(\w+?)__({TRANSFORMS})(?=__|[^\w]|$)")


def timestamp_fields() -> set[str]:
    return {
        field.name
        for config in APPS
        for model in apps.get_app_config(config).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.DateTimeField)
    }


def test_no_date_lookup_on_a_timestamp_in_the_apps():
    timestamps = timestamp_fields()
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in LOOKUP.finditer(path.read_text(encoding="utf-8")):
                field = match.group(1).split("__")[-1]
                if field in timestamps:
                    found.add((str(path.relative_to(ROOT)), f"{field}__{match.group(2)}"))
    assert found == set()


def test_days_are_half_open_ranges_of_local_time():
    day = timezone.localdate()
    start, end = day_window(day, day)
    assert timezone.localtime(start).time().isoformat() == "00:00:00" and (end - start).days == 1
    assert start == start_of_day(day)
    assert days_q("at", day, day) == {"at__gte": start, "at__lt": end}
    assert days_q("at", None, day) == {"at__lt": end}


@pytest.mark.django_db
def test_a_range_finds_the_rows_of_the_local_day(reference, make_user):
    """A row made at 00:30 local time (the previous day in UTC) belongs to the local day."""
    import datetime as dt

    from mediation.models import TaskRun

    day = timezone.localdate()
    run = TaskRun.objects.create(name="x")
    early = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 30)))
    TaskRun.objects.filter(pk=run.pk).update(started_at=early)
    assert TaskRun.objects.filter(**days_q("started_at", day, day)).get() == run
    assert not TaskRun.objects.filter(
        **days_q("started_at", day - dt.timedelta(days=1), day - dt.timedelta(days=1))
    )
