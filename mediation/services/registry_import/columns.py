"""A sheet's column: its Chinese header, the key it fills, how its cells are read, and its help text."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: str = "text"  # text, choice, choices, bool, date, year, hours, id_number, phone, region, unit
    required: bool = False
    choices: type | None = None
    max_length: int = 200
    help: str = ""
    # A required column whose cells may stay empty when the value follows from others (性别 from 身份证号).
    may_be_empty: bool = False


IDENTIFY_HELP = gettext_lazy("The ID number, or else the phone, identifies the person: give at least one.")
