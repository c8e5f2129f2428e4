"""The statutory public holidays of any year, from 《全国年节及纪念日放假办法》 as in force on each day.

The rule is data (`disputes/data/statutory_holidays.json`: one version per date in force, each holiday's days
as a solar date, a lunar date, a solar term or an offset from the lunar new year), read once per process; the
movable days come from `lunar_python` (lunar months, leap months and the 24 solar terms, computed, not
tabulated). What the rule cannot know is the State Council's yearly 调休 (bridging days off, make-up working
days): a working day counted on the rule alone is an estimate (see disputes.services.calendar).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULE_FILE = Path(__file__).resolve().parent.parent / "data" / "statutory_holidays.json"


@dataclass(frozen=True)
class Holiday:
    key: str
    name: str
    days: tuple[dict, ...]


@dataclass(frozen=True)
class Version:
    in_force_from: dt.date
    source: str
    holidays: tuple[Holiday, ...]


@cache
def versions() -> tuple[Version, ...]:
    """The versions of the rule, oldest first."""
    data = json.loads(RULE_FILE.read_text(encoding="utf-8"))
    found = [
        Version(
            in_force_from=dt.date.fromisoformat(v["in_force_from"]),
            source=v["source"],
            holidays=tuple(Holiday(h["key"], h["name"], tuple(h["days"])) for h in v["holidays"]),
        )
        for v in data["versions"]
    ]
    return tuple(sorted(found, key=lambda v: v.in_force_from))


def first_year() -> int:
    """The first year the rule covers (a day before its oldest version has no statutory holidays here)."""
    return versions()[0].in_force_from.year


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def _lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _solar_term(year: int, name: str) -> dt.date:
    from lunar_python import Solar

    # The lunar year around 1 July holds every solar term from the previous winter to the next (Qingming in April).
    solar = Solar.fromYmd(year, 7, 1).getLunar().getJieQiTable()[name]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def resolve(spec: dict, year: int) -> dt.date:
    """The date in Gregorian `year` of one day of the rule."""
    if "solar" in spec:
        return dt.date(year, *_month_day(spec["solar"]))
    if "lunar" in spec:
        return _lunar_to_solar(year, *_month_day(spec["lunar"]))
    if "solar_term" in spec:
        return _solar_term(year, spec["solar_term"])
    if "lunar_new_year_offset" in spec:
        return _lunar_to_solar(year, 1, 1) + dt.timedelta(days=int(spec["lunar_new_year_offset"]))
    raise ValueError(f"unknown holiday day {spec!r} in {RULE_FILE.name}")


def version_on(day: dt.date) -> Version | None:
    found = None
    for version in versions():
        if version.in_force_from <= day:
            found = version
    return found


@cache
def statutory_days(year: int) -> dict[dt.date, str]:
    """{date: holiday name} of `year`'s statutory holidays, each under the version in force on that date."""
    found: dict[dt.date, str] = {}
    for version in versions():
        for holiday in version.holidays:
            for spec in holiday.days:
                day = resolve(spec, year)
                if day.year == year and version_on(day) is version:
                    # Two holidays on one day (中秋 on 1 October 2020): the day is off once, named for both.
                    found[day] = f"{found[day]}、{holiday.name}" if day in found else holiday.name
    return dict(sorted(found.items()))
