"""Dadukou's real structure: the region tree down to streets and towns, and every unit the plan names.

Loading is idempotent: rows are matched by their code and brought up to date, never duplicated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from mediation.choices import RegionLevel, UnitKind

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "reference.json"


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def _upsert(model, lookup: dict, values: dict, result: LoadResult):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.count(created=True, changed=True)
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for key in changed:
        setattr(obj, key, values[key])
    if changed:
        obj.save()
    result.count(created=False, changed=bool(changed))
    return obj


@transaction.atomic
def load_reference_data(path: Path = DATA_FILE) -> dict[str, LoadResult]:
    from mediation.models import Region, Unit

    data = json.loads(path.read_text(encoding="utf-8"))
    regions = LoadResult()
    by_code: dict[str, Region] = {}
    for row in data["regions"]:
        parent = by_code[row["parent"]] if row["parent"] else None
        by_code[row["code"]] = _upsert(
            Region,
            {"code": row["code"]},
            {
                "name": row["name"],
                "level": row["level"],
                "kind": row["kind"],
                "parent": parent,
                "is_demo": False,
            },
            regions,
        )
    district = by_code[settings.DISTRICT_CODE]

    units = LoadResult()
    for row in data["units"]:
        _upsert(
            Unit,
            {"code": row["code"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "region": district,
                "is_member_unit": row["member"],
                "aliases": row.get("aliases", []),
            },
            units,
        )
    suffix = data["street_government_suffix"]
    for street in Region.objects.filter(parent=district, level=RegionLevel.STREET):
        _upsert(
            Unit,
            {"code": f"gov-{street.code}"},
            {
                "name": f"{street.name}{suffix[street.kind]}",
                "short_name": street.name,
                "kind": UnitKind.STREET_GOVERNMENT,
                "region": street,
                "is_member_unit": False,
                "aliases": [street.name],
            },
            units,
        )
    return {"regions": regions, "units": units}


def district_region():
    from mediation.models import Region

    return Region.objects.get(code=settings.DISTRICT_CODE)
