"""The office enters a year's holiday notice (国务院办公厅关于…部分节假日安排的通知): preview, then confirm.

A notice is the year's holiday ranges and its make-up working days (调休上班), typed in or pasted as lines:

    2027-01-01 休 元旦
    2027-02-05~2027-02-12 休 春节
    2027-02-07 班

(`休` or `放假` a day off, `班` or `上班` a working day; a range is `first~last`, also `first 至 last`; the name is
optional; blank lines and lines starting with `#` are skipped). Everything is checked before anything is saved:
dates inside the year, ranges in order, make-up days on a weekend, no day both off and working, every statutory
holiday of the year (disputes.services.holidays) off. Bad input raises NoticeError, a WorkflowError with one
stable code and the list of problems (pasted lines by their number).

`confirm` writes the year (CalendarYear, its CalendarDay rows, a CalendarNotice kept for good; a correction
supersedes the notice in force and replaces the rows) and recounts every open deadline that crosses the year
(disputes.services.deadlines) in one transaction. Confirming the same notice again changes nothing. Only the
office may do it: a current membership whose role carries the calendar permissions over the whole district
(the calendar is the district's, whoever's case a deadline is).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.services import deadlines
from disputes.services.calendar import WorkCalendar, YearEntry
from disputes.services.holidays import statutory_days

CALENDAR_PERMISSIONS = ("disputes.change_calendaryear", "disputes.change_calendarday")
NAME_LENGTH, NOTE_LENGTH = 50, 200  # CalendarDay.name, CalendarYear.note
FIRST_YEAR, LAST_YEAR = 2000, 2100

OFF_WORDS, WORK_WORDS = {"休", "放假", "休息"}, {"班", "上班"}
LINE = re.compile(
    r"^(?P<first>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|～|至|--)\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s+(?P<kind>\S+)(?:\s+(?P<name>.+))?$"
)


class NoticeError(WorkflowError):
    """A notice that cannot be entered; `problems` lists each (code, message). Nothing was saved."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("invalid_notice", _("The notice was not saved: correct what is listed below."))
        self.problems = problems


@dataclass(frozen=True)
class HolidayRange:
    name: str
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True)
class Notice:
    """A year's notice, checked: {date: (working day?, name)} for every day it sets."""

    year: int
    note: str
    days: dict

    def entry(self) -> YearEntry:
        return YearEntry(self.year, self.days)

    def as_json(self) -> dict:
        return {d.isoformat(): {"workday": w, "name": n} for d, (w, n) in sorted(self.days.items())}


def may_enter(user) -> bool:
    """Whether `user` may enter the district's calendar: the office, through a membership covering the district."""
    from mediation.models import Region
    from mediation.scoping import Scope

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not all(user.has_perm(p) for p in CALENDAR_PERMISSIONS):
        return False
    district = Region.objects.filter(code=settings.DISTRICT_CODE).values_list("path", flat=True).first()
    return all(Scope.for_user(user, p).covers_path(district) for p in CALENDAR_PERMISSIONS)


def _require(user) -> None:
    if not may_enter(user):
        raise Forbidden("forbidden", _("Only the grand-mediation office enters the holiday calendar."))


# --- reading the input -------------------------------------------------------------------------------------------


def _date(text: str) -> dt.date | None:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_lines(text: str) -> tuple[list[tuple[int, dt.date, dt.date, bool, str]], list[tuple[str, str]]]:
    """The pasted lines as (line number, first, last, working day?, name), and the problems found."""
    entries, problems = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if match is None:
            problems.append(
                (
                    "invalid_line",
                    _("Line %(line)s: “%(text)s” is not “date 休” or “date 班” (e.g. 2027-01-01 休 元旦).")
                    % {"line": number, "text": line[:60]},
                )
            )
            continue
        first, last = _date(match["first"]), _date(match["last"] or match["first"])
        if first is None or last is None:
            problems.append(
                (
                    "invalid_date",
                    _("Line %(line)s: no such date in “%(text)s”.") % {"line": number, "text": line[:60]},
                )
            )
            continue
        kind = match["kind"]
        if kind not in OFF_WORDS | WORK_WORDS:
            problems.append(
                (
                    "invalid_day_kind",
                    _("Line %(line)s: “%(kind)s” must be 休 (a day off) or 班 (a working day).")
                    % {"line": number, "kind": kind},
                )
            )
            continue
        if last < first:
            problems.append(
                ("range_reversed", _("Line %(line)s: the range ends before it starts.") % {"line": number})
            )
            continue
        entries.append((number, first, last, kind in WORK_WORDS, (match["name"] or "").strip()))
    return entries, problems


def build(year, note: str, ranges=(), workdays=(), text: str = "") -> Notice:
    """Check everything the office typed or pasted and return the notice; NoticeError lists every problem."""
    problems: list[tuple[str, str]] = []
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise NoticeError([("invalid_year", _("Give the year of the notice."))]) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NoticeError(
            [
                (
                    "invalid_year",
                    _("Give a year between %(first)s and %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
            ]
        )
    note = (note or "").strip()
    if not note:
        problems.append(("note_required", _("Give the notice's title or number (its source).")))
    elif len(note) > NOTE_LENGTH:
        problems.append(
            ("note_too_long", _("The source is longer than %(n)s characters.") % {"n": NOTE_LENGTH})
        )
    days: dict[dt.date, tuple[bool, str]] = {}
    where: dict[dt.date, str] = {}

    def put(day: dt.date, workday: bool, name: str, place: str) -> None:
        if day.year != year:
            problems.append(
                (
                    "outside_year",
                    _("%(place)s: %(day)s is not in %(year)s.") % {"place": place, "day": day, "year": year},
                )
            )
            return
        if len(name) > NAME_LENGTH:
            problems.append(
                (
                    "name_too_long",
                    _("%(place)s: the name is longer than %(n)s characters.")
                    % {"place": place, "n": NAME_LENGTH},
                )
            )
            return
        if day in days and days[day][0] != workday:
            problems.append(
                (
                    "conflicting_day",
                    _("%(place)s: %(day)s is both a day off and a working day (also in %(other)s).")
                    % {"place": place, "day": day, "other": where[day]},
                )
            )
            return
        if workday and day.weekday() < 5:
            problems.append(
                (
                    "workday_not_weekend",
                    _(
                        "%(place)s: %(day)s is a weekday; a make-up working day (调休上班) is a Saturday or Sunday."
                    )
                    % {"place": place, "day": day},
                )
            )
            return
        days[day] = (workday, name or (_("make-up working day") if workday else _("holiday")))
        where.setdefault(day, place)

    for index, holiday in enumerate(ranges, start=1):
        place = _("Holiday %(n)s") % {"n": index}
        if holiday.first is None or holiday.last is None:
            problems.append(
                ("range_incomplete", _("%(place)s: give its first and last day.") % {"place": place})
            )
            continue
        if holiday.last < holiday.first:
            problems.append(
                ("range_reversed", _("%(place)s: the last day is before the first.") % {"place": place})
            )
            continue
        for offset in range((holiday.last - holiday.first).days + 1):
            put(holiday.first + dt.timedelta(days=offset), False, holiday.name.strip(), place)
    for index, day in enumerate(workdays, start=1):
        put(day, True, "", _("Make-up working day %(n)s") % {"n": index})
    entries, line_problems = parse_lines(text)
    problems += line_problems
    for number, first, last, workday, name in entries:
        place = _("Line %(line)s") % {"line": number}
        for offset in range((last - first).days + 1):
            put(first + dt.timedelta(days=offset), workday, name, place)
    if not days and not problems:
        problems.append(("empty_notice", _("Enter the year's holidays and make-up working days.")))
    elif days:
        for day, name in statutory_days(year).items():
            if days.get(day, (True,))[0]:
                problems.append(
                    (
                        "statutory_day_missing",
                        _(
                            "%(day)s (%(name)s) is a statutory public holiday; the notice must give it as a day off."
                        )
                        % {"day": day, "name": name},
                    )
                )
    if problems:
        raise NoticeError(problems)
    return Notice(year, note, dict(sorted(days.items())))


# --- preview and confirm -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayChange:
    """A day whose status the notice changes against what the platform assumes now."""

    day: dt.date
    was_workday: bool
    was_estimated: bool
    workday: bool
    name: str


@dataclass
class Preview:
    notice: Notice
    days: list[DayChange]
    outcome: deadlines.Outcome
    entered_before: bool
    unchanged: bool


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _entered(year: int) -> dict:
    from disputes.models import CalendarDay

    return {
        d: (w, n)
        for d, w, n in CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday", "name")
    }


def preview(user, notice: Notice) -> Preview:
    """What confirming `notice` would change: the days, and the open deadlines that would move. Writes nothing."""
    from disputes.models import CalendarYear

    _require(user)
    first, last = _year_bounds(notice.year)
    # The whole table (a few dozen rows a year): a deadline crossing the year may end in the next one.
    before, after = WorkCalendar(), WorkCalendar(pending=notice.entry())
    changes = []
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        (was, guessed), (will, _flag) = before.status(day), after.status(day)
        if was != will:
            changes.append(DayChange(day, was, guessed, will, notice.days.get(day, (will, ""))[1]))
    year = CalendarYear.objects.filter(year=notice.year).first()
    unchanged = year is not None and year.note == notice.note and _entered(notice.year) == notice.days
    return Preview(notice, changes, deadlines.count_again(after, first, last), year is not None, unchanged)


@dataclass
class Confirmed:
    record: object | None  # the CalendarNotice written, None when nothing changed
    outcome: deadlines.Outcome | None

    @property
    def moved(self) -> int:
        return len(self.outcome.moves) if self.outcome else 0


@transaction.atomic
def confirm(user, notice: Notice) -> Confirmed:
    """Enter (or correct) the year and recount its open deadlines, all in one transaction."""
    from disputes.models import CalendarDay, CalendarNotice, CalendarYear

    _require(user)
    now = timezone.now()
    year, created = CalendarYear.objects.select_for_update().get_or_create(year=notice.year)
    if not created and year.note == notice.note and _entered(notice.year) == notice.days:
        return Confirmed(None, None)
    CalendarNotice.objects.filter(year=notice.year, superseded_at__isnull=True).update(superseded_at=now)
    record = CalendarNotice.objects.create(
        year=notice.year, note=notice.note, days=notice.as_json(), entered_by=user
    )
    CalendarDay.objects.filter(date__year=notice.year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=w, name=n) for d, (w, n) in notice.days.items()]
    )
    year.note, year.entered_by, year.entered_at = notice.note, user, now
    year.save(update_fields=["note", "entered_by", "entered_at"])
    first, last = _year_bounds(notice.year)
    reason = _("holiday calendar of %(year)s") % {"year": notice.year}
    outcome = deadlines.recount(WorkCalendar(), first, last, user, reason)
    record.moved = len(outcome.moves)
    record.save(update_fields=["moved"])
    return Confirmed(record, outcome)
