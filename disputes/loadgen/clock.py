"""Time for the generator: instants as whole seconds since 1970 (UTC), days as local (Asia/Shanghai) day numbers.

The platform's time zone has had no daylight saving since 1991, so a local day is a fixed offset from UTC;
`Clock` checks that once. Deadlines follow disputes.services.calendar exactly (end of the last day, 23:59:59
local; working days on the Chinese calendar, in unknown years the statutory holidays and weekends, flagged
"estimated"), but from a table computed once instead of a calendar object per call.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DAY = 86_400
HOUR = 3_600
MINUTE = 60
EPOCH = dt.date(1970, 1, 1)
# "HH:MM:SS" of every second of a day: formatting a timestamp is then two lookups and a concatenation.
_HMS = [f"{s // HOUR:02d}:{s // MINUTE % 60:02d}:{s % 60:02d}" for s in range(DAY)]
_TS_TIME = [f" {hms}+00" for hms in _HMS]  # what follows the date in a timestamptz literal


class Clock:
    def __init__(self, time_zone: str, first_day: dt.date, last_day: dt.date):
        zone = ZoneInfo(time_zone)
        offsets = {
            zone.utcoffset(dt.datetime(year, month, 1)) for year in range(1992, 2040) for month in (1, 7)
        }
        if len(offsets) != 1:
            raise ValueError(f"{time_zone} changes its offset; the generator assumes a fixed one")
        self.zone = zone
        self.offset = int(offsets.pop().total_seconds())
        self.first = day_number(first_day) - 1
        self.last = day_number(last_day) + 400
        self._dates: dict[int, str] = {}
        self._workday_rank: list[int] = []
        self._workdays: list[int] = []
        self._unknown_before: list[int] = []
        self._build_calendar()

    # --- formatting ------------------------------------------------------------------------------------------

    def date_text(self, day: int) -> str:
        """ISO date of a day number."""
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = (EPOCH + dt.timedelta(days=day)).isoformat()
        return text

    def ts(self, t: int) -> str:
        """A timestamptz literal in UTC for COPY."""
        day, s = divmod(t, DAY)
        return (self._dates.get(day) or self.date_text(day)) + _TS_TIME[s]

    def iso_utc(self, t: int) -> str:
        """datetime.isoformat() of an instant read back from PostgreSQL (Django returns it in UTC)."""
        day, s = divmod(t, DAY)
        return f"{self.date_text(day)}T{_HMS[s]}+00:00"

    def iso_local(self, t: int) -> str:
        """datetime.isoformat() of an instant in local time (a deadline right after the workflow computed it)."""
        day, s = divmod(t + self.offset, DAY)
        sign = "+" if self.offset >= 0 else "-"
        h, m = divmod(abs(self.offset) // MINUTE, 60)
        return (
            f"{self.date_text(day)}T{s // HOUR:02d}:{s // MINUTE % 60:02d}:{s % 60:02d}{sign}{h:02d}:{m:02d}"
        )

    def local_text(self, t: int, seconds: bool = False) -> str:
        """Local "YYYY-MM-DD HH:MM" as the services print it in alert texts."""
        day, s = divmod(t + self.offset, DAY)
        text = f"{self.date_text(day)} {s // HOUR:02d}:{s // MINUTE % 60:02d}"
        return f"{text}:{s % 60:02d}" if seconds else text

    # --- days ------------------------------------------------------------------------------------------------

    def local_day(self, t: int) -> int:
        return (t + self.offset) // DAY

    def local_year(self, t: int) -> int:
        return (EPOCH + dt.timedelta(days=self.local_day(t))).year

    def day_start(self, day: int) -> int:
        """The instant local midnight starts `day`."""
        return day * DAY - self.offset

    def day_end(self, day: int) -> int:
        """23:59:59 local of `day` (disputes.services.calendar.deadline, patrols.due_at_for)."""
        return day * DAY + DAY - 1 - self.offset

    def date(self, day: int) -> dt.date:
        return EPOCH + dt.timedelta(days=day)

    # --- working days ----------------------------------------------------------------------------------------

    def _build_calendar(self) -> None:
        from disputes.services.calendar import assumed

        rank = 0
        unknown = 0
        for day in range(self.first, self.last + 1):
            workday, estimated = assumed(EPOCH + dt.timedelta(days=day))
            unknown += estimated
            self._unknown_before.append(unknown)
            if workday:
                self._workdays.append(day)
                rank += 1
            self._workday_rank.append(rank)

    def add_working_days(self, day: int, days: int) -> tuple[int, bool]:
        """(the day `days` working days after `day`, whether a day in between fell in an unknown year)."""
        index = day - self.first
        last = self._workdays[self._workday_rank[index] + days - 1]
        estimated = self._unknown_before[last - self.first] > self._unknown_before[index]
        return last, estimated

    def deadline(self, t: int, days: int, working: bool) -> tuple[int, bool]:
        """disputes.services.calendar.deadline: (instant, estimated)."""
        start = self.local_day(t)
        if working:
            last, estimated = self.add_working_days(start, days)
        else:
            last, estimated = start + days, False
        return self.day_end(last), estimated


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days
