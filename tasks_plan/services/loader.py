"""Load a task-division plan from data the project owns (tasks_plan/data/plan_tasks.json), idempotently.

Unit names are resolved through Unit.name and Unit.aliases; the plan's collective names are expanded:
工作小组各成员单位 (and its variants) → every member unit, 各镇街 → every street/town government.
A unit that is both lead and responsible keeps the lead role.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from tasks_plan.choices import Comparison, DueKind, ResponsibilityRole

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "plan_tasks.json"

ALL_MEMBERS = {"工作小组各成员单位", "工作小组各相关成员单位", "工作小组有关成员单位"}
ALL_STREETS = {"各镇街", "镇街"}

# Which live indicator measures a target: (task number, target index) → [(indicator, measure, scope suffix)].
# measure: "rate" compares the percentage, "count" the numerator, "all" needs every row met.
TARGET_INDICATORS: dict[tuple[int, int], list[tuple[str, str, str]]] = {
    (1, 0): [
        ("platform_rate_district", "rate", "区级"),
        ("platform_rate_street", "rate", "乡镇(街道)级"),
        ("platform_rate_community", "rate", "村(社区)级"),
    ],
    (2, 0): [("industry_room_occupancy", "rate", "")],
    (3, 0): [("industry_fields_covered", "count", "")],
    (4, 0): [
        ("usage_rate_district", "rate", "区级"),
        ("usage_rate_street", "rate", "乡镇(街道)级"),
        ("usage_rate_community", "rate", "村(社区)级"),
    ],
    (5, 0): [("committee_rate", "rate", "")],
    (6, 0): [("field_rooms_covered", "count", "")],
    (7, 0): [("court_room_rate", "rate", "")],
    (7, 1): [("petition_room_rate", "rate", "")],
    (7, 2): [("court_room_rate", "rate", "")],
    (7, 3): [("petition_room_rate", "rate", "")],
    (7, 4): [("police_room_rate", "rate", "")],
    (7, 5): [("police_room_rate", "rate", "")],
    (8, 0): [("staffing_street_committee", "rate", "")],
    (8, 1): [("staffing_dispatched_rooms", "rate", "")],
    (8, 2): [("staffing_industry_committee", "rate", "")],
    (8, 3): [("staffing_industry_committee", "rate", "")],
    (10, 0): [("admin_room_rate", "rate", "")],
    (11, 0): [("petition_room_rate", "rate", "")],
    (15, 0): [("referral_channels", "count", "")],
    (16, 0): [("judicial_confirmations", "count", "")],
    (17, 0): [("trainings_district", "count", "")],
    (17, 1): [("trainings_street", "all", "")],
    (18, 0): [("experts_in_industry_orgs", "rate", "")],
    (19, 0): [("mediator_backgrounds", "count", "")],
    (20, 0): [("remote_sessions", "rate", "")],
    (22, 0): [("patrol_on_time_rate", "rate", "")],
    (23, 0): [("warning_timeliness", "rate", "")],
    (24, 0): [("assignment_on_time_rate", "rate", "")],
    (25, 0): [("reports_on_time", "rate", "")],
    (26, 0): [("feedback_rate", "rate", "")],
    (28, 0): [("joint_meetings", "count", "")],
    (32, 0): [("brand_studios", "count", "")],
}


class PlanDataError(ValueError):
    """The plan data names something the system does not know; nothing was loaded."""


@dataclass
class LoadReport:
    tasks: int = 0
    targets: int = 0
    responsibilities: int = 0


def _due(value: str) -> tuple[str, dt.date | None]:
    if value in ("ongoing", "", None):
        return DueKind.ONGOING, None
    if value == "yearly":
        return DueKind.YEARLY, None
    day = dt.date.fromisoformat(value)
    # "2020年起…" tasks are read as due from 2020-01-01 and then every year.
    return (DueKind.YEARLY, day) if (day.month, day.day) == (1, 1) else (DueKind.DATE, day)


def resolve_units(names: list[str]) -> list:
    """Unit rows for the plan's names, with the collective aliases expanded."""
    from mediation.models import Unit

    units = list(Unit.objects.all())
    by_name = {u.name: u for u in units} | {alias: u for u in units for alias in (u.aliases or [])}
    found: dict[int, object] = {}
    for name in names:
        if name in ALL_MEMBERS:
            expanded = [u for u in units if u.is_member_unit]
        elif name in ALL_STREETS:
            expanded = [u for u in units if u.kind == "street_government"]
        elif name in by_name:
            expanded = [by_name[name]]
        else:
            raise PlanDataError(f"unknown unit {name!r}")
        for unit in expanded:
            found[unit.pk] = unit
    return list(found.values())


@transaction.atomic
def load_plan(
    path: Path = DATA_FILE,
    code: str = "ddk-2023",
    title: str = "",
    issued_on: dt.date | None = None,
    make_current: bool = True,
) -> LoadReport:
    """Create or update the plan `code` from the file. Running it twice gives the same rows."""
    from tasks_plan.models import Plan, PlanTask, Responsibility, Target

    data = json.loads(path.read_text(encoding="utf-8"))
    plan, _ = Plan.objects.get_or_create(
        code=code,
        defaults={
            "title": title or "深化矛盾纠纷大调解体系建设任务分工方案",
            "issued_by": "大渡口区司法局",
            "issued_on": issued_on or dt.date(2023, 5, 24),
            "source": data.get("source", ""),
        },
    )
    if make_current and not plan.is_current:
        Plan.objects.filter(is_current=True).update(is_current=False)
        plan.is_current = True
        plan.save(update_fields=["is_current"])
    report = LoadReport()
    for row in data["tasks"]:
        due_kind, due_on = _due(row["due"])
        task, _ = PlanTask.objects.update_or_create(
            plan=plan,
            number=row["no"],
            defaults={
                "section": row["section"],
                "section_title": row["section_title"],
                "content": row["summary"],
                "standard": row["standard"],
                "due_kind": due_kind,
                "due_on": due_on,
            },
        )
        report.tasks += 1
        lead = resolve_units(row["lead_units"])
        responsible = [u for u in resolve_units(row["responsible_units"]) if u.pk not in {x.pk for x in lead}]
        wanted = {u.pk: ResponsibilityRole.LEAD for u in lead} | {
            u.pk: ResponsibilityRole.RESPONSIBLE for u in responsible
        }
        for unit_id, role in wanted.items():
            Responsibility.objects.update_or_create(task=task, unit_id=unit_id, defaults={"role": role})
        # A unit dropped from the task in a corrected file loses the row only if nothing was reported on it.
        Responsibility.objects.filter(task=task).exclude(unit_id__in=wanted).filter(
            reports__isnull=True
        ).delete()
        report.responsibilities += len(wanted)
        order = 0
        for index, target in enumerate(row["targets"]):
            by_kind, by_date = _due(target["by"])
            if target["by"] not in ("yearly", "ongoing"):
                by_kind = DueKind.DATE
            for indicator, measure, suffix in TARGET_INDICATORS.get((row["no"], index), [("", "", "")]):
                Target.objects.update_or_create(
                    task=task,
                    order=order,
                    defaults={
                        "metric": target["metric"],
                        "scope": f"{target['scope']}（{suffix}）" if suffix else target["scope"],
                        "comparison": target["op"] if target["op"] in Comparison.values else Comparison.DONE,
                        "value": Decimal(str(target["value"])) if target.get("value") is not None else None,
                        "by_kind": by_kind,
                        "by_date": by_date,
                        "indicator": indicator,
                        "measure": measure or "rate",
                    },
                )
                order += 1
                report.targets += 1
        Target.objects.filter(task=task, order__gte=order).delete()
    return report
