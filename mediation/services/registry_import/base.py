"""The machinery every kind of sheet shares: parse every cell, check every row, then write all rows in one
transaction or nothing; look up the regions, units, organizations and mediators the rows name, within the
importing user's area."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from mediation.services.registry_import.cells import (
    CellError,
    cell_text,
    choice_labels,
    normalize,
    parse_bool,
    parse_choice,
    parse_choices,
    parse_date,
    parse_hours,
    parse_id_number,
    parse_phone,
    parse_year,
)
from mediation.services.registry_import.columns import Column
from mediation.services.registry_import.reports import ImportReport, RowError

logger = logging.getLogger(__name__)


class _Rollback(Exception):
    pass


class Importer:
    """Checks every row, then writes them all in one transaction (or nothing).

    A kind of sheet subclasses it with its columns, sheet title and permission, and its check_row and write.
    """

    kind: str
    COLUMNS: list[Column]
    SHEET_TITLE: str
    PERMISSION: str
    # Lines for the template's 填写说明 beside the general ones.
    NOTES: list = []

    def __init__(self, user=None):
        from mediation.models import MediationOrganization, Mediator, Region, Unit

        self.user = user
        self.report = ImportReport(self.kind)
        self.columns = {c.key: c for c in self.COLUMNS}
        self._labels: dict[type, dict[str, str]] = {}

        def scoped(model):
            # The import right holds only where the membership carrying it reaches.
            return model.objects.visible_to(user, self.PERMISSION) if user is not None else model.objects.all()

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
                text = cell_text(value)
                if len(text) > column.max_length:
                    raise CellError(
                        _("At most %(n)s characters (this has %(len)s).")
                        % {"n": column.max_length, "len": len(text)}
                    )
                return text
            case "choice":
                return parse_choice(value, column.choices, self.labels(column.choices))
            case "choices":
                return parse_choices(value, column.choices, self.labels(column.choices))
            case "bool":
                return parse_bool(value)
            case "date":
                return parse_date(value)
            case "year":
                return parse_year(value)
            case "hours":
                return parse_hours(value)
            case "id_number":
                return parse_id_number(value)
            case "phone":
                return parse_phone(value)
            case "region":
                return self.region(cell_text(value))
            case "unit":
                return self.unit(cell_text(value))
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
                        found[normalize(key)].append(unit)
            self._unit_cache = found
        units = self._unit_cache.get(normalize(name), [])
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


def apply_values(obj, values: dict, keys) -> bool:
    """Set the given values (only those present) on obj; True when something changed."""
    changed = False
    for key in keys:
        # getattr with a default: an unsaved object has no related rows yet.
        if key in values and getattr(obj, key, None) != values[key]:
            setattr(obj, key, values[key])
            changed = True
    return changed
