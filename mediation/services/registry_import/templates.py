"""The empty workbook to fill in for a kind, with a second sheet 填写说明 listing the columns and their values."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mediation.services.registry_import.columns import Column
from mediation.services.registry_import.run import IMPORTERS
from mediation.services.registry_import.sheets import INSTRUCTIONS_TITLE

_TEXT_PARSERS = {"id_number", "phone", "region", "text"}


def template_workbook(kind: str):
    """The empty sheet to fill in, with a second sheet 填写说明 listing the columns and their allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    importer = IMPORTERS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.SHEET_TITLE
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(importer.COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = required_fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.parse in _TEXT_PARSERS:
            # Text cells, so 18-digit ID numbers and leading zeros survive Excel.
            for row in range(2, 502):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(INSTRUCTIONS_TITLE)
    notes.append([_("How to fill in the sheet %(sheet)s") % {"sheet": importer.SHEET_TITLE}])
    notes["A1"].font = Font(bold=True)
    for line in [*_general_notes(), *(str(note) for note in importer.NOTES)]:
        notes.append([line])
    notes.append([])
    header_row = notes.max_row + 1
    notes.append([_("Column"), _("Required"), _("Notes"), _("Allowed values")])
    for cell in notes[header_row]:
        cell.font = Font(bold=True)
    for column in importer.COLUMNS:
        notes.append(
            [
                column.header,
                _("Yes") if column.required else "",
                str(column.help or _describe(column)),
                _allowed(column),
            ]
        )
    for letter, width in zip("ABCD", (22, 8, 60, 80), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook


def _general_notes() -> list[str]:
    return [
        _("Keep the header row as it is; columns may be left out unless required (highlighted)."),
        _(
            "The whole file is imported or nothing: with any error, nothing is written and every error is listed."
        ),
        _("A row matching an existing record updates it; importing the same file twice changes nothing."),
        _("An empty cell leaves the stored value unchanged. Dates are written as 2024-03-01."),
        _("Several values in one cell are separated by 、 (e.g. 党代表、律师)."),
    ]


def _describe(column: Column) -> str:
    return {
        "bool": _("是 or 否"),
        "date": _("A date, e.g. 2024-03-01"),
        "year": _("A year, e.g. 1975"),
        "hours": _("A number of hours, e.g. 4 or 2.5"),
        "id_number": _("18-character resident ID number"),
        "phone": _("Mobile or landline number"),
        "region": _("Statistics division code"),
        "unit": _("The unit's name as in the system"),
        "choices": _("One or more values separated by 、"),
    }.get(column.parse, "")


def _allowed(column: Column) -> str:
    if column.choices is None:
        return "是、否" if column.parse == "bool" else ""
    return "、".join(str(label) for label in column.choices.labels)
