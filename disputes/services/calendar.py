"""Working days on the Chinese calendar, 调休 included.

Order of authority for one date: a CalendarDay the office entered; else the chinesecalendar package for the
years it knows; else weekends only, and the result is flagged as estimated so the UI can say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from disputes.choices import DayType


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    estimated: bool


def package_says(day: dt.date) -> bool | None:
    """Whether chinesecalendar calls `day` a working day; None for a year the package does not know."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class WorkCalendar:
    """Answers "is this a working day?", loading the office's entries once per instance."""

    def __init__(self, start: dt.date | None = None, end: dt.date | None = None):
        from disputes.models import CalendarDay, CalendarYear

        days = CalendarDay.objects.all()
        if start and end:
            days = days.filter(date__gte=start, date__lte=end)
        self.overrides = dict(days.values_list("date", "is_workday"))
        self.entered_years = set(CalendarYear.objects.values_list("year", flat=True))
        self.estimated = False

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self.entered_years:
            known = package_says(day)
            if known is not None:
                return known
            self.estimated = True
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        day, left = start, days
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day


def deadline(start: dt.datetime, days: int, day_type: str) -> Deadline:
    """End of the last day of the limit, in local time (a limit of 1 working day from Friday ends Monday 24:00)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local_start = start.astimezone(tz)
    if day_type == DayType.CALENDAR:
        last = local_start.date() + dt.timedelta(days=days)
        estimated = False
    else:
        calendar = WorkCalendar(local_start.date(), local_start.date() + dt.timedelta(days=days * 3 + 30))
        last = calendar.add_working_days(local_start.date(), days)
        estimated = calendar.estimated
    end = dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=tz)
    return Deadline(at=end, estimated=estimated)


def time_limit(key: str) -> tuple[int, str]:
    """A time limit's days and how they are counted: the office's TimeLimit row, else the plan's default."""
    from disputes.models import TimeLimit
    from disputes.services.defaults import TIME_LIMITS

    row = TimeLimit.objects.filter(key=key).first()
    if row:
        return row.days, row.day_type
    return {name: (days, day_type) for name, days, day_type in TIME_LIMITS}[key]
