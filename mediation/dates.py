"""Calendar days as ranges of timestamps.

A filter "on day D" over a timestamp column is written as a range, `at >= start_of_day(D)` and
`at < start_of_day(D + 1)`, never as a date lookup (`…__date=D`): the range is served by the column's index, the
date lookup casts every row's timestamp to a local date first (an expression no plain index serves). Days are local
(settings.TIME_ZONE, Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def start_of_day(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_window(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, the day after last 00:00): the days first..last, both included, as a half-open range."""
    return start_of_day(first), start_of_day(last + dt.timedelta(days=1))


def days_q(field: str, first: dt.date | None = None, last: dt.date | None = None) -> dict:
    """Lookups for "`field` falls on a day from first to last" (either end may be open)."""
    lookups = {}
    if first is not None:
        lookups[f"{field}__gte"] = start_of_day(first)
    if last is not None:
        lookups[f"{field}__lt"] = start_of_day(last + dt.timedelta(days=1))
    return lookups
