"""Keeping the registry current from Excel (xlsx): organizations, mediators with their appointments, and
training attendance.

Each kind has a template with Chinese column headers (the format of the sheets the office already keeps) and
a second sheet, 填写说明, listing the columns and the values allowed. Choices are entered by their labels.

The rules of an import:
- all or nothing: rows are checked first, every error is reported with its row number and column, and with
  any error nothing is written; the rows are then written in one transaction;
- idempotent: a row matching an existing record updates it (organizations by region + kind + name, mediators
  by ID number or else name + phone, appointments by mediator + organization + start date, trainings by
  region + date + title), so importing the same file twice leaves the same rows;
- an empty cell leaves the stored value as it is; a filled cell replaces it;
- rows refer only to regions, units, organizations and mediators the importing user can see.

Big files run in the background (mediation.tasks.run_registry_import) with an ImportJob recording progress;
without a worker or broker the job runs in the request instead (queue_job).

The package: one module per kind of sheet (organizations, mediators, attendance), each a subclass of the
shared machinery in base (check every row, then write in one transaction), with cells (reading one cell),
columns, sheets (reading a workbook), reports, templates and jobs. This module is its public interface.
"""

from mediation.services.registry_import.jobs import queue_job, run_job
from mediation.services.registry_import.reports import ImportFileError, ImportReport, RowError, error_text
from mediation.services.registry_import.run import (
    COLUMNS,
    IMPORTERS,
    PERMISSIONS,
    SHEET_TITLES,
    import_file,
    import_rows,
    may_import,
    read_sheet,
)
from mediation.services.registry_import.templates import template_workbook

__all__ = [
    "COLUMNS",
    "IMPORTERS",
    "PERMISSIONS",
    "SHEET_TITLES",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "error_text",
    "import_file",
    "import_rows",
    "may_import",
    "queue_job",
    "read_sheet",
    "run_job",
    "template_workbook",
]
