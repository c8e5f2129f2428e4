"""Which importer reads which kind of sheet, and running one on rows or on a file."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mediation.models.imports import ImportKind
from mediation.services.registry_import import sheets
from mediation.services.registry_import.attendance import AttendanceImporter
from mediation.services.registry_import.mediators import MediatorImporter
from mediation.services.registry_import.organizations import OrganizationImporter
from mediation.services.registry_import.reports import ImportFileError, ImportReport, RowError

IMPORTERS = {
    ImportKind.ORGANIZATIONS: OrganizationImporter,
    ImportKind.MEDIATORS: MediatorImporter,
    ImportKind.ATTENDANCE: AttendanceImporter,
}
COLUMNS = {kind: importer.COLUMNS for kind, importer in IMPORTERS.items()}
SHEET_TITLES = {kind: importer.SHEET_TITLE for kind, importer in IMPORTERS.items()}
PERMISSIONS = {kind: importer.PERMISSION for kind, importer in IMPORTERS.items()}


def read_sheet(kind: str, fileobj) -> list[tuple[int, dict]]:
    """The data rows of the kind's sheet as (row number, {column key: raw value}); see sheets.read_rows."""
    return sheets.read_rows(COLUMNS[kind], SHEET_TITLES[kind], fileobj)


def may_import(user, kind: str) -> bool:
    return user.has_perm(PERMISSIONS[kind])


def import_rows(kind: str, rows, *, user=None, progress=None, on_saving=None) -> ImportReport:
    """Check and write rows read by read_sheet(); `user` None means the command line (no area limit)."""
    if user is not None and not may_import(user, kind):
        report = ImportReport(kind, total=len(rows))
        report.errors.append(RowError(None, "", _("You may not import this kind of registry data.")))
        return report
    return IMPORTERS[kind](user).run(rows, progress, on_saving)


def import_file(kind: str, fileobj, *, user=None, progress=None, on_saving=None) -> ImportReport:
    """Read and import one xlsx file; a file-level problem is reported as an error without a row."""
    try:
        rows = read_sheet(kind, fileobj)
    except ImportFileError as exc:
        report = ImportReport(kind)
        report.errors.append(RowError(None, "", str(exc)))
        return report
    return import_rows(kind, rows, user=user, progress=progress, on_saving=on_saving)
