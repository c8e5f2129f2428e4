"""Working days on the Chinese calendar, 调休 included.

Order of authority for one date:

1. a `CalendarDay` the office entered (a year's notice, or a single day set in the administration);
2. in a year the office entered completely (`CalendarYear`), every other day is a weekday or a weekend;
3. else the chinesecalendar package, for the years it knows (each year's notice as published);
4. else the statutory holidays of 《全国年节及纪念日放假办法》 (disputes.services.holidays) and weekends — without
   the year's 调休, which nobody knows yet, so a deadline counted over such a day is flagged as estimated.

A WorkCalendar reads the office's rows once (two queries), so counting a deadline costs no query per day; the
package and the rule are in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from disputes.choices import DayType
from disputes.services.holidays import statutory_days


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


def assumed(day: dt.date) -> tuple[bool, bool]:
    """(working day?, estimated?) of a day the office has not entered: the package, else the rule and weekends."""
    known = package_says(day)
    if known is not None:
        return known, False
    return day.weekday() < 5 and day not in statutory_days(day.year), True


@dataclass(frozen=True)
class YearEntry:
    """A year's days as the office enters them (not saved yet): {date: (working day?, name)}."""

    year: int
    days: dict


class WorkCalendar:
    """Answers "is this a working day?", loading the office's entries once per instance.

    `pending` (a YearEntry) makes the calendar answer as if that year had been entered so: the preview of a
    notice counts deadlines with it before anything is saved.
    """

    def __init__(
        self, start: dt.date | None = None, end: dt.date | None = None, *, pending: YearEntry | None = None
    ):
        from disputes.models import CalendarDay, CalendarYear

        days = CalendarDay.objects.all()
        if start and end:
            days = days.filter(date__gte=start, date__lte=end)
        self.overrides = dict(days.values_list("date", "is_workday"))
        self.entered_years = set(CalendarYear.objects.values_list("year", flat=True))
        if pending is not None:
            self.overrides = {d: w for d, w in self.overrides.items() if d.year != pending.year}
            self.overrides.update({d: workday for d, (workday, _name) in pending.days.items()})
            self.entered_years.add(pending.year)
        self.estimated = False

    def status(self, day: dt.date) -> tuple[bool, bool]:
        """(working day?, estimated?) of `day`."""
        if day in self.overrides:
            return self.overrides[day], False
        if day.year in self.entered_years:
            return day.weekday() < 5, False
        return assumed(day)

    def is_workday(self, day: dt.date) -> bool:
        workday, estimated = self.status(day)
        self.estimated = self.estimated or estimated
        return workday

    def count(self, start: dt.date, days: int) -> tuple[dt.date, bool]:
        """(the date `days` working days after `start` — start itself not counted —, whether it is estimated)."""
        day, left, estimated = start, days, False
        while left > 0:
            day += dt.timedelta(days=1)
            workday, guessed = self.status(day)
            estimated = estimated or guessed
            if workday:
                left -= 1
        return day, estimated

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        last, estimated = self.count(start, days)
        self.estimated = self.estimated or estimated
        return last

    def deadline(self, start: dt.datetime, days: int, day_type: str) -> Deadline:
        """`deadline()` on this calendar (many deadlines counted on one calendar: two queries in all)."""
        if day_type == DayType.CALENDAR:
            return _calendar_days(start, days)
        last, estimated = self.count(local_date(start), days)
        return Deadline(at=end_of(last), estimated=estimated)


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def end_of(day: dt.date) -> dt.datetime:
    """23:59:59 local time of `day`, when a limit ending that day ends."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _calendar_days(start: dt.datetime, days: int) -> Deadline:
    return Deadline(at=end_of(local_date(start) + dt.timedelta(days=days)), estimated=False)


def deadline(start: dt.datetime, days: int, day_type: str) -> Deadline:
    """End of the last day of the limit, in local time (a limit of 1 working day from Friday ends Monday 24:00)."""
    if day_type == DayType.CALENDAR:
        return _calendar_days(start, days)
    first = local_date(start)
    return WorkCalendar(first, first + dt.timedelta(days=days * 3 + 30)).deadline(start, days, day_type)


def time_limit(key: str) -> tuple[int, str]:
    """A time limit's days and how they are counted: the office's TimeLimit row, else the plan's default."""
    from disputes.models import TimeLimit
    from disputes.services.defaults import TIME_LIMITS

    row = TimeLimit.objects.filter(key=key).first()
    if row:
        return row.days, row.day_type
    return {name: (days, day_type) for name, days, day_type in TIME_LIMITS}[key]
