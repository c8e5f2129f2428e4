"""Load communities and villages from the national statistics division-code table (统计用区划代码).

The table has a 12-digit code, a name and, for villages and communities, the urban-rural class
(城乡分类代码). Rows come from a CSV or an xlsx file; only rows inside the district are taken.
Loading is idempotent: a row is matched by its code and updated in place.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from mediation.choices import RegionKind, RegionLevel

HEADER_ALIASES = {
    "code": {"code", "统计用区划代码", "区划代码", "代码"},
    "name": {"name", "名称", "单位名称"},
    "urban_rural_code": {"urban_rural_code", "城乡分类代码", "城乡分类", "class"},
}


class DivisionCodeError(ValueError):
    """The file cannot be loaded; nothing was written."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def normalize_code(raw: str) -> tuple[str, int]:
    """A 12-digit code as stored (6 digits for a district, 9 for a street/town, 12 below) and its level."""
    code = (raw or "").strip()
    if not (code.isdigit() and len(code) == 12):
        raise DivisionCodeError(_("“%(code)s” is not a 12-digit division code") % {"code": raw})
    if code[6:] == "000000":
        return code[:6], RegionLevel.DISTRICT
    if code[9:] == "000":
        return code[:9], RegionLevel.STREET
    return code, RegionLevel.COMMUNITY


def _kind_for(level: int, name: str, urban_rural: str) -> str:
    if level == RegionLevel.STREET:
        return RegionKind.TOWN if name.endswith(("镇", "乡")) else RegionKind.STREET
    # 城乡分类代码 1xx is urban (居委会, community), 2xx rural (村委会, village).
    if urban_rural.startswith("2") or name.endswith("村委会") or name.endswith("村"):
        return RegionKind.VILLAGE
    return RegionKind.COMMUNITY


def _clean_name(name: str) -> str:
    for suffix in ("居民委员会", "村民委员会", "居委会", "村委会"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem + ("村" if "村" in suffix and not stem.endswith("村") else "")
    return name


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV (UTF-8 or GB18030) or xlsx file into dicts keyed code/name/urban_rural_code."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = [
            ["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DivisionCodeError(_("The file is neither UTF-8 nor GB18030 text."))
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise DivisionCodeError(_("The file is empty."))
    columns = {}
    for index, header in enumerate(rows[0]):
        for key, aliases in HEADER_ALIASES.items():
            if header.strip().lower() in aliases:
                columns[key] = index
    if "code" not in columns or "name" not in columns:
        raise DivisionCodeError(
            _(
                "The first row must name the columns: 统计用区划代码 (code), 名称 (name), 城乡分类代码 (optional)."
            )
        )
    return [
        {key: (row[i] if i < len(row) else "") for key, i in columns.items()} | {"line": str(n)}
        for n, row in enumerate(rows[1:], start=2)
    ]


@transaction.atomic
def import_division_codes(path: Path, district_code: str | None = None) -> ImportReport:
    """Create or update the streets/towns and communities/villages of the district from the table.

    All or nothing: with any bad row, nothing is written and the report lists every error.
    """
    from mediation.models import Region

    district_code = district_code or settings.DISTRICT_CODE
    district = Region.objects.filter(code=district_code).first()
    if district is None:
        raise DivisionCodeError(
            _("Load the reference data first: district %(code)s is missing.") % {"code": district_code}
        )
    report = ImportReport()
    parsed = []
    for row in read_rows(path):
        try:
            code, level = normalize_code(row["code"])
        except DivisionCodeError as exc:
            report.errors.append(_("Row %(line)s: %(error)s") % {"line": row["line"], "error": exc})
            continue
        if not code.startswith(district_code) or level == RegionLevel.DISTRICT:
            report.skipped += 1
            continue
        if not row["name"]:
            report.errors.append(_("Row %(line)s: the name is empty") % {"line": row["line"]})
            continue
        parsed.append((level, code, row))
    if report.errors:
        raise DivisionCodeError("\n".join(report.errors))

    known = {r.code: r for r in Region.objects.filter(code__startswith=district_code)}
    for level, code, row in sorted(parsed, key=lambda item: (item[0], item[1])):
        parent_code = district_code if level == RegionLevel.STREET else code[:9]
        parent = known.get(parent_code)
        if parent is None:
            report.errors.append(
                _("Row %(line)s: its street/town %(parent)s is neither in the file nor in the system")
                % {"line": row["line"], "parent": parent_code}
            )
            continue
        name = _clean_name(row["name"]) if level == RegionLevel.COMMUNITY else row["name"]
        urban_rural = row.get("urban_rural_code", "")
        values = {
            "name": name,
            "level": level,
            "kind": _kind_for(level, row["name"], urban_rural),
            "parent": parent,
            "urban_rural_code": urban_rural,
            "is_demo": False,
            "is_active": True,
        }
        region = known.get(code)
        if region is None:
            region = Region.objects.create(code=code, **values)
            known[code] = region
            report.created += 1
            continue
        changed = [k for k, v in values.items() if getattr(region, k) != v]
        for key in changed:
            setattr(region, key, values[key])
        if changed:
            region.save()
            report.updated += 1
        else:
            report.unchanged += 1
    if report.errors:
        transaction.set_rollback(True)
        raise DivisionCodeError("\n".join(report.errors))
    return report


@transaction.atomic
def add_grids(community, names: list[str] | None = None, count: int | None = None) -> list:
    """Add grids under a community or village, numbered after the ones it already has.

    A name that already exists under the community is not added twice.
    """
    from mediation.models import Region

    if community.level != RegionLevel.COMMUNITY:
        raise DivisionCodeError(_("Grids can only be added under a community or village."))
    existing = list(Region.objects.select_for_update().filter(parent=community, level=RegionLevel.GRID))
    if names is None:
        if not count or count < 1:
            raise DivisionCodeError(_("Give grid names or a number of grids to add."))
        start = len(existing) + 1
        names = [_("Grid %(n)s") % {"n": n} for n in range(start, start + count)]
    taken = {g.name for g in existing}
    next_seq = max([int(g.code.rsplit("-", 1)[-1]) for g in existing if "-" in g.code] or [0]) + 1
    created = []
    for name in names:
        name = name.strip()
        if not name or name in taken:
            continue
        created.append(
            Region.objects.create(
                code=f"{community.code}-{next_seq:03d}",
                name=name,
                level=RegionLevel.GRID,
                kind=RegionKind.GRID,
                parent=community,
                is_demo=community.is_demo,
            )
        )
        taken.add(name)
        next_seq += 1
    return created
