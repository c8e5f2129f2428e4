"""Reading the data rows of a workbook: the right sheet, its header row mapped to the columns, the rows."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mediation.services.registry_import.cells import normalize
from mediation.services.registry_import.reports import ImportFileError

INSTRUCTIONS_TITLE = "填写说明"
MAX_ROWS = 20_000


def read_rows(columns, title: str, fileobj) -> list[tuple[int, dict]]:
    """The data rows of the sheet `title` (else the first data sheet) as (row number, {column key: raw value}).

    Raises ImportFileError when the file is no xlsx workbook or lacks a required column.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(_("The file is not an Excel workbook (.xlsx).")) from exc
    try:
        sheet = _pick_sheet(workbook, title)
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None) or ()
        indexes = _map_headers(columns, headers)
        result = []
        for number, values in enumerate(rows, start=2):
            if not any(v not in (None, "") and str(v).strip() for v in values):
                continue
            result.append(
                (number, {key: (values[i] if i < len(values) else None) for key, i in indexes.items()})
            )
            if len(result) > MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(n)s rows; split it into smaller files.") % {"n": MAX_ROWS}
                )
    finally:
        workbook.close()
    if not result:
        raise ImportFileError(_("The sheet has no data rows below its header row."))
    return result


def _pick_sheet(workbook, title: str):
    for sheet in workbook.worksheets:
        if sheet.title.strip() == title:
            return sheet
    for sheet in workbook.worksheets:
        if sheet.title.strip() != INSTRUCTIONS_TITLE:
            return sheet
    raise ImportFileError(_("The workbook has no data sheet."))


def _map_headers(columns, headers) -> dict[str, int]:
    """Column key → index; unknown columns are ignored (so an export can be imported back)."""
    by_header = {_header(c.header): c for c in columns}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = by_header.get(_header(header or ""))
        if column is None:
            continue
        if column.key in found:
            raise ImportFileError(_("The column %(column)s appears twice.") % {"column": column.header})
        found[column.key] = index
    missing = [c.header for c in columns if c.required and c.key not in found]
    if missing:
        raise ImportFileError(
            _(
                "The first row of the sheet must hold the column headers of the template. "
                "Missing columns: %(columns)s. Download the template and copy the rows into it."
            )
            % {"columns": "、".join(missing)}
        )
    return found


def _header(value) -> str:
    return normalize(value or "").removesuffix("*").removesuffix("(必填)")
