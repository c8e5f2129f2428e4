"""What an import reports: errors by row and column, and the counts of what it created or updated."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class RowError:
    """One problem, at a row (None for the whole file) and a column (its Chinese header)."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if not self.column:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not xlsx, wrong headers, empty); nothing was written."""


@dataclass
class ImportReport:
    kind: str
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        return {what: dict(c) for what, c in self.counts.items()}


def error_text(error: dict) -> str:
    """An error stored on an ImportJob, as one line."""
    return str(RowError(error.get("row"), error.get("column", ""), error.get("message", "")))
