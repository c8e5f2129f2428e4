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
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dadukou.kernel.errors import WorkflowError
from dadukou.kernel.validators import clean_id_number, clean_phone
from mediation.choices import (
    AppointmentRole,
    Background,
    Gender,
    MediationField,
    OrganizationKind,
    RegionLevel,
    TrainingLevel,
)
from mediation.models.imports import ImportKind, ImportStatus
from mediation.services.registry import check_appointment

logger = logging.getLogger(__name__)

PERMISSIONS = {
    ImportKind.ORGANIZATIONS: "mediation.add_mediationorganization",
    ImportKind.MEDIATORS: "mediation.add_mediator",
    ImportKind.ATTENDANCE: "mediation.add_trainingattendance",
}
SHEET_TITLES = {
    ImportKind.ORGANIZATIONS: "调解组织",
    ImportKind.MEDIATORS: "调解员",
    ImportKind.ATTENDANCE: "培训签到",
}
INSTRUCTIONS_TITLE = "填写说明"
MAX_ROWS = 20_000
# Several values in one cell (覆盖领域, 身份背景) are separated by these; "/" is not one ("选调生/大学生村官").
_SEPARATORS = re.compile(r"[、,，;；\n]+")
_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "无", "n", "no", "false", "0", "×", "✗"}
# Labels people write that differ from the choice labels.
_ALIASES = {
    TrainingLevel: {
        "区级": "district",
        "区级培训": "district",
        "街镇级": "street",
        "街道级": "street",
        "镇级": "street",
    },
    Background: {"五老人员": "five_elders", "五老": "five_elders", "大学生村官": "selected_graduate"},
    OrganizationKind: {
        "区重大矛盾纠纷人民调解委员会(调解中心)": "major_centre",
        "区重大矛盾纠纷人民调解委员会": "major_centre",
        "行业性专业性调解委员会": "industry_committee",
        "行业性专业性调解室": "industry_room",
        "人民调解室": "field_room",
    },
}


# --- reports ----------------------------------------------------------------------------------------------------


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


# --- columns ----------------------------------------------------------------------------------------------------


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


def _c(
    header, key, parse="text", *, required=False, choices=None, max_length=200, help="", may_be_empty=False
):
    return Column(header, key, parse, required, choices, max_length, help, may_be_empty)


ORGANIZATION_COLUMNS = [
    _c("组织名称", "name", required=True, max_length=150),
    _c("组织类型", "kind", "choice", required=True, choices=OrganizationKind),
    _c(
        "所属区域代码",
        "region",
        "region",
        required=True,
        help=gettext_lazy("The division code of its region, e.g. 500104001 for 新山村街道."),
    ),
    _c(
        "主管单位",
        "host_unit",
        "unit",
        help=gettext_lazy("The unit it belongs to, e.g. 区司法局 or a police station."),
    ),
    _c(
        "所在调解中心",
        "hosted_in",
        max_length=150,
        help=gettext_lazy("For an industry/professional room: the name of the district centre it sits in."),
    ),
    _c("覆盖领域", "fields", "choices", choices=MediationField),
    _c("成立日期", "established_on", "date"),
    _c("撤销日期", "dissolved_on", "date"),
    _c("是否建立党组织", "has_party_organization", "bool"),
    _c("是否具备线上调解", "online_capable", "bool"),
    _c("是否涉外", "is_foreign_related", "bool"),
    _c("联系人", "contact_person", max_length=50),
    _c("联系电话", "phone", "phone"),
    _c("地址", "address", max_length=200),
]

_IDENTIFY_HELP = gettext_lazy("The ID number, or else the phone, identifies the person: give at least one.")
MEDIATOR_COLUMNS = [
    _c("姓名", "name", required=True, max_length=50),
    _c(
        "性别",
        "gender",
        "choice",
        required=True,
        choices=Gender,
        may_be_empty=True,
        help=gettext_lazy("May be left empty when the ID number is given."),
    ),
    _c("身份证号", "id_number", "id_number", help=_IDENTIFY_HELP),
    _c("手机号", "phone", "phone", help=_IDENTIFY_HELP),
    _c("出生年份", "birth_year", "year"),
    _c("学历", "education", max_length=30),
    _c("是否党员", "is_party_member", "bool"),
    _c("身份背景", "backgrounds", "choices", choices=Background),
    _c("专业资格", "qualifications", max_length=200),
    _c(
        "所属区域代码",
        "region",
        "region",
        help=gettext_lazy("Where the mediator works; when empty, the region of the organization."),
    ),
    _c(
        "所在组织",
        "organization",
        max_length=150,
        help=gettext_lazy(
            "The organization's name, for the appointment on this row (one row per appointment)."
        ),
    ),
    _c(
        "组织所属区域代码",
        "organization_region",
        "region",
        help=gettext_lazy("Only needed when two organizations have the same name."),
    ),
    _c("是否专职", "is_full_time", "bool"),
    _c("职务", "role", "choice", choices=AppointmentRole),
    _c("任职日期", "started_on", "date"),
    _c("离任日期", "ended_on", "date"),
]

ATTENDANCE_COLUMNS = [
    _c("培训名称", "title", required=True, max_length=150),
    _c("培训日期", "held_on", "date", required=True),
    _c("培训级别", "level", "choice", required=True, choices=TrainingLevel),
    _c(
        "举办区域代码",
        "region",
        "region",
        help=gettext_lazy("The street/town for a street training; the district when empty."),
    ),
    _c(
        "主办单位",
        "organizer",
        "unit",
        help=gettext_lazy("When empty: the grand-mediation office, or the street/town government."),
    ),
    _c("培训学时", "hours", "hours"),
    _c("姓名", "name", required=True, max_length=50),
    _c("身份证号", "id_number", "id_number", help=_IDENTIFY_HELP),
    _c("手机号", "phone", "phone", help=_IDENTIFY_HELP),
    _c("参训学时", "attended_hours", "hours"),
]

COLUMNS = {
    ImportKind.ORGANIZATIONS: ORGANIZATION_COLUMNS,
    ImportKind.MEDIATORS: MEDIATOR_COLUMNS,
    ImportKind.ATTENDANCE: ATTENDANCE_COLUMNS,
}


def _normalize(text: str) -> str:
    """Compare labels loosely: no spaces or quotes, ASCII parentheses, lower case."""
    text = str(text).strip().replace("（", "(").replace("）", ")")
    return re.sub(r"[\s“”\"'‘’]", "", text).lower()


def _header(value) -> str:
    return _normalize(value or "").removesuffix("*").removesuffix("(必填)")


def choice_labels(choices) -> dict[str, str]:
    """Normalized label (Chinese or English) or value → value."""
    found = {}
    for language in ("en", "zh-hans", translation.get_language() or "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                found[_normalize(label)] = value
    for value in choices.values:
        found[_normalize(value)] = value
    for alias, value in _ALIASES.get(choices, {}).items():
        found[_normalize(alias)] = value
    return found


# --- reading the sheet ------------------------------------------------------------------------------------------


def read_sheet(kind: str, fileobj) -> list[tuple[int, dict]]:
    """The data rows of the kind's sheet as (row number, {column key: raw value}).

    Raises ImportFileError when the file is no xlsx workbook or lacks a required column.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(_("The file is not an Excel workbook (.xlsx).")) from exc
    try:
        sheet = _pick_sheet(workbook, kind)
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None) or ()
        columns = _map_headers(kind, headers)
        result = []
        for number, values in enumerate(rows, start=2):
            if not any(v not in (None, "") and str(v).strip() for v in values):
                continue
            result.append(
                (number, {key: (values[i] if i < len(values) else None) for key, i in columns.items()})
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


def _pick_sheet(workbook, kind):
    wanted = SHEET_TITLES[kind]
    for sheet in workbook.worksheets:
        if sheet.title.strip() == wanted:
            return sheet
    for sheet in workbook.worksheets:
        if sheet.title.strip() != INSTRUCTIONS_TITLE:
            return sheet
    raise ImportFileError(_("The workbook has no data sheet."))


def _map_headers(kind: str, headers) -> dict[str, int]:
    """Column key → index; unknown columns are ignored (so an export can be imported back)."""
    by_header = {_header(c.header): c for c in COLUMNS[kind]}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = by_header.get(_header(header or ""))
        if column is None:
            continue
        if column.key in found:
            raise ImportFileError(_("The column %(column)s appears twice.") % {"column": column.header})
        found[column.key] = index
    missing = [c.header for c in COLUMNS[kind] if c.required and c.key not in found]
    if missing:
        raise ImportFileError(
            _(
                "The first row of the sheet must hold the column headers of the template. "
                "Missing columns: %(columns)s. Download the template and copy the rows into it."
            )
            % {"columns": "、".join(missing)}
        )
    return found


# --- cell parsers -----------------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def _parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellError(_("“%(value)s” is not a date; write it as 2024-03-01.") % {"value": text})


def _parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _normalize(_text(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("Write 是 or 否, not “%(value)s”.") % {"value": _text(value)})


def _parse_choice(value, choices, labels) -> str:
    text = _text(value)
    found = labels.get(_normalize(text))
    if found is None:
        raise CellError(
            _("“%(value)s” is not one of the allowed values (see the sheet 填写说明): %(allowed)s.")
            % {"value": text, "allowed": "、".join(str(label) for label in choices.labels)}
        )
    return found


def _parse_choices(value, choices, labels) -> list[str]:
    parts = [p for p in _SEPARATORS.split(_text(value)) if p.strip()]
    return list(dict.fromkeys(_parse_choice(p, choices, labels) for p in parts))


def _parse_id_number(value) -> str:
    if isinstance(value, float):
        raise CellError(_("The ID number was stored as a number and lost digits; format the column as text."))
    try:
        return clean_id_number(_text(value))
    except WorkflowError as exc:
        raise CellError(exc.message) from exc


def _parse_phone(value) -> str:
    try:
        return clean_phone(_text(value))
    except WorkflowError as exc:
        raise CellError(exc.message) from exc


def _parse_year(value) -> int:
    text = _text(value).removesuffix("年")
    if not text.isdigit() or not 1900 <= int(text) <= timezone.localdate().year:
        raise CellError(_("“%(value)s” is not a year of birth.") % {"value": text})
    return int(text)


def _parse_hours(value) -> Decimal:
    try:
        hours = Decimal(_text(value)).quantize(Decimal("0.1"))
    except InvalidOperation as exc:
        raise CellError(_("“%(value)s” is not a number of hours.") % {"value": _text(value)}) from exc
    if hours < 0 or hours >= 10_000:
        raise CellError(_("“%(value)s” is not a number of hours.") % {"value": _text(value)})
    return hours


# --- the importer -----------------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


class _Importer:
    """Checks every row, then writes them all in one transaction (or nothing)."""

    kind: str

    def __init__(self, user=None):
        from mediation.models import MediationOrganization, Mediator, Region, Unit

        self.user = user
        self.report = ImportReport(self.kind)
        self.columns = {c.key: c for c in COLUMNS[self.kind]}
        self._labels: dict[type, dict[str, str]] = {}

        def scoped(model):
            return model.objects.visible_to(user) if user is not None else model.objects.all()

        self.regions = scoped(Region)
        self.units = scoped(Unit)
        self.organizations = scoped(MediationOrganization)
        self.mediators = scoped(Mediator)
        self._region_cache: dict[str, object] = {}
        self._unit_cache: dict[str, object] | None = None
        self._organization_cache: dict[str, list] | None = None
        self._visible_mediator_ids: set[int] | None = None

    # errors ----------------------------------------------------------------------------------------------------

    def error(self, row, key_or_header: str, message: str) -> None:
        column = self.columns[key_or_header].header if key_or_header in self.columns else key_or_header
        self.report.errors.append(RowError(row, column, str(message)))

    # parsing ---------------------------------------------------------------------------------------------------

    def labels(self, choices):
        if choices not in self._labels:
            self._labels[choices] = choice_labels(choices)
        return self._labels[choices]

    def parse_cells(self, number: int, raw: dict) -> dict:
        """{key: parsed value} for the cells that are filled; cell errors are reported."""
        values = {}
        for key, value in raw.items():
            column = self.columns[key]
            if value is None or (isinstance(value, str) and not value.strip()):
                if column.required and not column.may_be_empty:
                    self.error(number, key, _("This column must be filled."))
                continue
            try:
                values[key] = self.parse_cell(column, value)
            except CellError as exc:
                self.error(number, key, str(exc))
        return values

    def parse_cell(self, column: Column, value):
        match column.parse:
            case "text":
                text = _text(value)
                if len(text) > column.max_length:
                    raise CellError(
                        _("At most %(n)s characters (this has %(len)s).")
                        % {"n": column.max_length, "len": len(text)}
                    )
                return text
            case "choice":
                return _parse_choice(value, column.choices, self.labels(column.choices))
            case "choices":
                return _parse_choices(value, column.choices, self.labels(column.choices))
            case "bool":
                return _parse_bool(value)
            case "date":
                return _parse_date(value)
            case "year":
                return _parse_year(value)
            case "hours":
                return _parse_hours(value)
            case "id_number":
                return _parse_id_number(value)
            case "phone":
                return _parse_phone(value)
            case "region":
                return self.region(_text(value))
            case "unit":
                return self.unit(_text(value))
        raise AssertionError(column.parse)

    def region(self, code: str):
        if code not in self._region_cache:
            region = self.regions.filter(code=code).first()
            if region is None:
                matches = list(self.regions.filter(name=code)[:2])
                region = matches[0] if len(matches) == 1 else None
            self._region_cache[code] = region
        region = self._region_cache[code]
        if region is None:
            raise CellError(_("No region with the code “%(code)s” in your area.") % {"code": code})
        return region

    def unit(self, name: str):
        if self._unit_cache is None:
            found: dict[str, list] = defaultdict(list)
            for unit in self.units.filter(is_active=True):
                for key in {unit.code, unit.name, unit.short_name, *(unit.aliases or [])}:
                    if key:
                        found[_normalize(key)].append(unit)
            self._unit_cache = found
        units = self._unit_cache.get(_normalize(name), [])
        if len({u.pk for u in units}) != 1:
            raise CellError(_("No single unit is called “%(name)s”.") % {"name": name})
        return units[0]

    def organization(self, name: str, region=None, near=None):
        """The visible organization called `name` (in `region`, or nearest `near` when several)."""
        if self._organization_cache is None:
            # One query for the whole file: a big sheet names the same organizations over and over.
            found: dict[str, list] = defaultdict(list)
            for org in self.organizations.select_related("region"):
                found[org.name].append(org)
            self._organization_cache = found
        candidates = list(self._organization_cache.get(name, []))
        if region is not None:
            candidates = [o for o in candidates if o.region_id == region.pk]
        elif len(candidates) > 1 and near is not None:
            candidates = [o for o in candidates if near.path.startswith(o.region.path)] or candidates
        if not candidates:
            raise CellError(_("No organization called “%(name)s” in your area.") % {"name": name})
        if len(candidates) > 1:
            raise CellError(
                _("Several organizations are called “%(name)s”; fill in 组织所属区域代码.") % {"name": name}
            )
        return candidates[0]

    def find_mediator(self, number: int, values: dict, *, must_exist: bool):
        """The existing mediator the row names (by ID number, else name + phone): None when there is none,
        False when the row names someone it must not (reported)."""
        from mediation.models import Mediator

        id_number, phone, name = values.get("id_number", ""), values.get("phone", ""), values.get("name", "")
        mediator = None
        if id_number:
            mediator = Mediator.objects.filter(id_number=id_number).first()
        if mediator is None and phone:
            same = Mediator.objects.filter(name=name, phone=phone)
            if id_number:
                same = same.filter(id_number__in=["", id_number])
            mediator = same.order_by("pk").first()
        if mediator is None:
            if must_exist:
                self.error(
                    number,
                    "id_number" if id_number else "phone",
                    _("No mediator %(name)s with this ID number or phone; import the mediator first.")
                    % {"name": name},
                )
                return False
            return None
        if self._visible_mediator_ids is None:
            self._visible_mediator_ids = set(self.mediators.values_list("pk", flat=True))
        if mediator.pk not in self._visible_mediator_ids:
            self.error(
                number, "id_number" if id_number else "phone", _("This mediator is outside your area.")
            )
            return False
        if mediator.name != name:
            self.error(
                number,
                "name",
                _("The ID number or phone belongs to %(other)s, not %(name)s.")
                % {"other": mediator.name, "name": name},
            )
            return False
        return mediator

    # the run ---------------------------------------------------------------------------------------------------

    def run(self, rows, progress: Callable[[int, int], None] | None, on_saving: Callable[[], None] | None):
        self.report.total = len(rows)
        for done, (number, raw) in enumerate(rows, start=1):
            self.check_row(number, self.parse_cells(number, raw), raw)
            if progress:
                progress(done, len(rows))
        if not self.report.errors:
            self.check_file()
        if self.report.errors:
            return self.report
        if on_saving:
            on_saving()
        try:
            with transaction.atomic():
                self.write()
                if self.report.errors:
                    raise _Rollback
        except _Rollback:
            self.report.counts.clear()
        except DatabaseError as exc:
            logger.exception("registry import failed while writing")
            self.report.counts.clear()
            self.report.errors.append(
                RowError(None, "", _("The database refused the rows (%(error)s).") % {"error": exc})
            )
        return self.report

    def check_row(self, number: int, values: dict, raw: dict) -> None:
        raise NotImplementedError

    def check_file(self) -> None:
        """Checks across rows, after every row has been read."""

    def write(self) -> None:
        raise NotImplementedError

    def count(self, what: str, created: bool, changed: bool) -> None:
        self.report.counts[what]["created" if created else "updated" if changed else "unchanged"] += 1


def _apply(obj, values: dict, keys) -> bool:
    """Set the given values (only those present) on obj; True when something changed."""
    changed = False
    for key in keys:
        # getattr with a default: an unsaved object has no related rows yet.
        if key in values and getattr(obj, key, None) != values[key]:
            setattr(obj, key, values[key])
            changed = True
    return changed


class OrganizationImporter(_Importer):
    kind = ImportKind.ORGANIZATIONS
    FIELDS = [
        "fields",
        "established_on",
        "dissolved_on",
        "has_party_organization",
        "online_capable",
        "is_foreign_related",
        "contact_person",
        "phone",
        "address",
    ]

    def __init__(self, user=None):
        super().__init__(user)
        self.rows: dict[tuple, tuple[int, dict]] = {}

    def check_row(self, number, values, raw):
        if not {"name", "kind", "region"} <= values.keys():
            return
        key = (values["region"].pk, values["kind"], values["name"])
        if key in self.rows:
            self.error(
                number,
                "name",
                _("Duplicates row %(row)s (same name, kind and region).") % {"row": self.rows[key][0]},
            )
            return
        established, dissolved = values.get("established_on"), values.get("dissolved_on")
        if established and dissolved and dissolved <= established:
            self.error(number, "dissolved_on", _("It must come after the establishment date."))
            return
        if values["kind"] == OrganizationKind.PLATFORM:
            other = (
                self.organizations.model.objects.platforms()
                .filter(region=values["region"])
                .exclude(name=values["name"])
                .first()
            )
            if other is not None:
                self.error(
                    number,
                    "name",
                    _("%(region)s already has its platform, %(name)s; a region has one.")
                    % {"region": values["region"].name, "name": other.name},
                )
                return
        self.rows[key] = (number, values)

    def check_file(self):
        in_file = defaultdict(list)
        for key, (_number, values) in self.rows.items():
            in_file[values["name"]].append(key)
        for number, values in self.rows.values():
            name = values.get("hosted_in")
            if not name:
                continue
            if len(in_file.get(name, [])) == 1:
                values["hosted_in"] = ("file", in_file[name][0])
                continue
            try:
                centre = self.organization(name, near=values["region"])
            except CellError as exc:
                self.error(number, "hosted_in", str(exc))
                continue
            values["hosted_in"] = ("db", centre)

    def write(self):
        from mediation.models import MediationOrganization

        saved, state = {}, {}
        for key, (_number, values) in self.rows.items():
            region, kind, name = values["region"], values["kind"], values["name"]
            org = MediationOrganization.objects.filter(region=region, kind=kind, name=name).first()
            created = org is None
            if created:
                org = MediationOrganization(region=region, kind=kind, name=name)
            changed = _apply(org, values, [*self.FIELDS, "host_unit"])
            if created or changed:
                org.save()
            saved[key], state[key] = org, (created, changed)
        # Second pass: a room may sit in a centre listed further down the same file.
        for key, (_number, values) in self.rows.items():
            org, (created, changed) = saved[key], state[key]
            if values.get("hosted_in"):
                where, target = values["hosted_in"]
                centre = saved[target] if where == "file" else target
                if org.hosted_in_id != centre.pk:
                    org.hosted_in = centre
                    org.save(update_fields=["hosted_in"])
                    changed = True
            self.count("organizations", created, changed)


class MediatorImporter(_Importer):
    kind = ImportKind.MEDIATORS
    PERSON_FIELDS = [
        "gender",
        "id_number",
        "phone",
        "birth_year",
        "education",
        "is_party_member",
        "backgrounds",
        "qualifications",
        "region",
    ]

    def __init__(self, user=None):
        super().__init__(user)
        # person key → {"row": first row, "values": merged person values, "existing": Mediator | None}
        self.people: dict[tuple, dict] = {}
        # (person key, organization pk, started_on) → (row, values)
        self.appointments: dict[tuple, tuple[int, dict]] = {}
        self.plain_rows: dict[tuple, int] = {}

    def check_row(self, number, values, raw):
        if "name" not in values:
            return
        if not values.get("id_number") and not values.get("phone"):
            self.error(
                number, "id_number", _("Give the ID number or the phone number to identify the mediator.")
            )
            return
        if not self._check_identity_fields(number, values):
            return
        organization = self._appointment_organization(number, values)
        if organization is False:
            return
        person_key = (
            ("id", values["id_number"])
            if values.get("id_number")
            else ("phone", values["name"], values["phone"])
        )
        if not self._merge_person(number, person_key, values, organization):
            return
        if organization is None:
            if person_key in self.plain_rows:
                self.error(
                    number, "name", _("Duplicates row %(row)s.") % {"row": self.plain_rows[person_key]}
                )
            self.plain_rows.setdefault(person_key, number)
            return
        key = (person_key, organization.pk, values["started_on"])
        if key in self.appointments:
            self.error(
                number,
                "organization",
                _("Duplicates row %(row)s (same mediator, organization and start date).")
                % {"row": self.appointments[key][0]},
            )
            return
        ended = values.get("ended_on")
        if ended is not None and ended <= values["started_on"]:
            self.error(number, "ended_on", _("An appointment must end after it starts."))
            return
        values["organization"] = organization
        self.appointments[key] = (number, values)

    def _check_identity_fields(self, number, values) -> bool:
        id_number = values.get("id_number")
        if not id_number:
            if "gender" not in values:
                self.error(number, "gender", _("This column must be filled."))
                return False
            return True
        from_id = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
        if values.setdefault("gender", from_id) != from_id:
            self.error(number, "gender", _("It does not match the ID number."))
            return False
        year = int(id_number[6:10])
        if values.setdefault("birth_year", year) != year:
            self.error(number, "birth_year", _("It does not match the ID number."))
            return False
        return True

    def _appointment_organization(self, number, values):
        """The organization of the row's appointment, None when the row has none, False on an error."""
        name = values.get("organization")
        if not name:
            for key in ("started_on", "ended_on", "role", "is_full_time"):
                if key in values:
                    self.error(number, "organization", _("Name the organization of the appointment."))
                    return False
            return None
        if "started_on" not in values:
            self.error(number, "started_on", _("Give the date the appointment starts."))
            return False
        try:
            return self.organization(name, values.get("organization_region"), values.get("region"))
        except CellError as exc:
            self.error(number, "organization", str(exc))
            return False

    def _merge_person(self, number, person_key, values, organization) -> bool:
        person = self.people.get(person_key)
        if person is None:
            existing = self.find_mediator(number, values, must_exist=False)
            if existing is False:
                return False
            person = self.people[person_key] = {
                "row": number,
                "values": {k: values[k] for k in ["name", *self.PERSON_FIELDS] if k in values},
                "existing": existing,
            }
        elif not self._merge_values(number, person, values):
            return False
        if organization is not None:
            # Without a region of their own, a new mediator works where their (first) organization is.
            person.setdefault("organization_region", organization.region)
        return True

    def _merge_values(self, number, person, values) -> bool:
        merged = person["values"]
        for key in self.PERSON_FIELDS:
            if key not in values:
                continue
            if key in merged and merged[key] != values[key]:
                self.error(
                    number,
                    key,
                    _("It differs from row %(row)s for the same person.") % {"row": person["row"]},
                )
                return False
            merged[key] = values[key]
        return True

    def check_file(self):
        seen: dict[str, int] = {}
        for person in self.people.values():
            if person["existing"] is None and "region" not in person["values"]:
                if "organization_region" not in person:
                    self.error(
                        person["row"],
                        "region",
                        _("Give the region, or the organization the mediator serves."),
                    )
        # Two new people given the same phone in different rows: only the ID number can tell them apart.
        for person in self.people.values():
            if person["existing"] is None and person["values"].get("id_number"):
                number = seen.setdefault(person["values"]["id_number"], person["row"])
                if number != person["row"]:
                    self.error(person["row"], "id_number", _("Duplicates row %(row)s.") % {"row": number})

    def write(self):
        from mediation.models import Appointment, Mediator

        saved = {}
        for key, person in self.people.items():
            values = person["values"]
            mediator = person["existing"]
            created = mediator is None
            if created:
                mediator = Mediator(name=values["name"], region=person.get("organization_region"))
            changed = _apply(mediator, values, self.PERSON_FIELDS)
            if created or changed:
                mediator.save()
            saved[key] = mediator
            self.count("mediators", created, changed)
        for (person_key, _org, started_on), (number, values) in self.appointments.items():
            mediator, organization = saved[person_key], values["organization"]
            appointment = Appointment.objects.filter(
                mediator=mediator, organization=organization, started_on=started_on
            ).first()
            created = appointment is None
            if created:
                appointment = Appointment(mediator=mediator, organization=organization, started_on=started_on)
            changed = _apply(appointment, values, ["role", "is_full_time", "ended_on"])
            if not (created or changed):
                self.count("appointments", False, False)
                continue
            try:
                check_appointment(
                    mediator, organization, started_on, appointment.ended_on, exclude_pk=appointment.pk
                )
            except WorkflowError as exc:
                self.error(number, "organization", exc.message)
                continue
            appointment.save()
            self.count("appointments", created, changed)


class AttendanceImporter(_Importer):
    kind = ImportKind.ATTENDANCE

    def __init__(self, user=None):
        super().__init__(user)
        from mediation.models import Region, Unit

        self.district = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("pk").first()
        self.office = Unit.objects.filter(code="office").first()
        # training key → {"row": first row, "values": {...}}
        self.trainings: dict[tuple, dict] = {}
        # (training key, mediator pk) → (row, values, mediator)
        self.attendance: dict[tuple, tuple[int, dict, object]] = {}

    def check_row(self, number, values, raw):
        if not {"title", "held_on", "level", "name"} <= values.keys():
            return
        region = self._training_region(number, values)
        if region is None:
            return
        training_key = (region.pk, values["held_on"], values["title"])
        training = self.trainings.setdefault(
            training_key, {"row": number, "values": {"region": region, **values}}
        )
        for key in ("level", "organizer", "hours"):
            if key in values and training["values"].get(key, values[key]) != values[key]:
                self.error(
                    number,
                    key,
                    _("It differs from row %(row)s for the same training.") % {"row": training["row"]},
                )
                return
            if key in values:
                training["values"].setdefault(key, values[key])
        if not values.get("id_number") and not values.get("phone"):
            self.error(
                number, "id_number", _("Give the ID number or the phone number to identify the mediator.")
            )
            return
        mediator = self.find_mediator(number, values, must_exist=True)
        if not mediator:
            return
        key = (training_key, mediator.pk)
        if key in self.attendance:
            self.error(
                number,
                "name",
                _("Duplicates row %(row)s (same training and mediator).") % {"row": self.attendance[key][0]},
            )
            return
        self.attendance[key] = (number, values, mediator)

    def _training_region(self, number, values):
        region = values.get("region")
        if values["level"] == TrainingLevel.DISTRICT:
            region = region or self.district
            if region is None or region.level != RegionLevel.DISTRICT:
                self.error(number, "region", _("A district training is held by the district."))
                return None
            if self.user is not None and not self.regions.filter(pk=region.pk).exists():
                self.error(number, "region", _("The district is outside your area."))
                return None
            return region
        if region is None or region.level != RegionLevel.STREET:
            self.error(number, "region", _("Give the code of the street/town that holds the training."))
            return None
        return region

    def _default_organizer(self, region, level):
        from mediation.models import Unit

        if level == TrainingLevel.DISTRICT:
            return self.office
        return Unit.objects.filter(code=f"gov-{region.code}").first()

    def write(self):
        from mediation.models import Training, TrainingAttendance

        saved = {}
        for key, training_data in self.trainings.items():
            values = training_data["values"]
            region, held_on, title = key
            training = Training.objects.filter(region_id=region, held_on=held_on, title=title).first()
            created = training is None
            if created:
                training = Training(region=values["region"], held_on=held_on, title=title)
                if "organizer" not in values:
                    training.organizer = self._default_organizer(values["region"], values["level"])
            changed = _apply(training, values, ["level", "organizer", "hours"])
            if created or changed:
                training.save()
            saved[key] = training
            self.count("trainings", created, changed)
        for (training_key, _mediator_pk), (_number, values, mediator) in self.attendance.items():
            training = saved[training_key]
            row = TrainingAttendance.objects.filter(training=training, mediator=mediator).first()
            created = row is None
            if created:
                row = TrainingAttendance(training=training, mediator=mediator)
            changed = "attended_hours" in values and row.hours != values["attended_hours"]
            if changed:
                row.hours = values["attended_hours"]
            if created or changed:
                row.save()
            self.count("attendance", created, changed)


IMPORTERS = {
    ImportKind.ORGANIZATIONS: OrganizationImporter,
    ImportKind.MEDIATORS: MediatorImporter,
    ImportKind.ATTENDANCE: AttendanceImporter,
}


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


# --- templates --------------------------------------------------------------------------------------------------

_TEXT_PARSERS = {"id_number", "phone", "region", "text"}


def template_workbook(kind: str):
    """The empty sheet to fill in, with a second sheet 填写说明 listing the columns and their allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLES[kind]
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS[kind], start=1):
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
    notes.append([_("How to fill in the sheet %(sheet)s") % {"sheet": SHEET_TITLES[kind]}])
    notes["A1"].font = Font(bold=True)
    for line in _general_notes(kind):
        notes.append([line])
    notes.append([])
    header_row = notes.max_row + 1
    notes.append([_("Column"), _("Required"), _("Notes"), _("Allowed values")])
    for cell in notes[header_row]:
        cell.font = Font(bold=True)
    for column in COLUMNS[kind]:
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


def _general_notes(kind: str) -> list[str]:
    lines = [
        _("Keep the header row as it is; columns may be left out unless required (highlighted)."),
        _(
            "The whole file is imported or nothing: with any error, nothing is written and every error is listed."
        ),
        _("A row matching an existing record updates it; importing the same file twice changes nothing."),
        _("An empty cell leaves the stored value unchanged. Dates are written as 2024-03-01."),
        _("Several values in one cell are separated by 、 (e.g. 党代表、律师)."),
    ]
    if kind == ImportKind.MEDIATORS:
        lines.append(
            _(
                "One row per appointment: a mediator serving two organizations takes two rows with the same ID number."
            )
        )
    if kind == ImportKind.ATTENDANCE:
        lines.append(_("One row per attendee; the mediators must be in the registry already."))
    return lines


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


# --- background jobs --------------------------------------------------------------------------------------------


def _progress_writer(job_id: int):
    from mediation.models import ImportJob

    last = {"done": 0}

    def write(done: int, total: int) -> None:
        # About fifty updates whatever the size, so the progress bar moves without flooding the database.
        if done == total or done - last["done"] >= max(1, total // 50):
            last["done"] = done
            ImportJob.objects.filter(pk=job_id).update(done=done, total=total)

    return write


def run_job(job_id: int) -> bool:
    """Run one queued import (from the Celery task or in the request); False when it was not pending."""
    from mediation.models import ImportJob

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.VALIDATING
    )
    if not claimed:
        return False
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with job.file.open("rb") as fileobj:
            rows = read_sheet(job.kind, fileobj)
        ImportJob.objects.filter(pk=job_id).update(total=len(rows))
        report = import_rows(
            job.kind,
            rows,
            user=job.created_by,
            progress=_progress_writer(job_id),
            on_saving=lambda: ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.SAVING),
        )
    except ImportFileError as exc:
        report = ImportReport(job.kind)
        report.errors.append(RowError(None, "", str(exc)))
    except Exception:
        logger.exception("registry import %s failed", job_id)
        report = ImportReport(job.kind)
        report.errors.append(
            RowError(None, "", _("The import stopped on an unexpected error; nothing was written."))
        )
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE if report.ok else ImportStatus.FAILED,
        total=report.total,
        done=report.total,
        errors=[e.as_dict() for e in report.errors],
        summary=report.summary(),
        finished_at=timezone.now(),
    )
    return True


def queue_job(job_id: int) -> bool:
    """Hand the job to the Celery worker; with the broker down, run it here and now. True when queued."""
    from kombu.exceptions import OperationalError

    from mediation.tasks import run_registry_import

    try:
        run_registry_import.delay(job_id)
    except (OperationalError, ConnectionError) as exc:
        logger.warning("broker unavailable (%s); running registry import %s in the request", exc, job_id)
        run_job(job_id)
        return False
    return True


def error_text(error: dict) -> str:
    """An error stored on an ImportJob, as one line."""
    return str(RowError(error.get("row"), error.get("column", ""), error.get("message", "")))
