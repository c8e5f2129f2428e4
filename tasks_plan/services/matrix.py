"""The responsibility matrix: the plan's tasks as rows, units as columns, each cell a unit's role and status.

Cells come from `Responsibility.objects.visible_to(user)` and nothing else: the office sees every row, a unit
its own, a street/town its government's. Columns are the units with a visible row (working-group member units,
then the other units, then the street/town governments, each group in the reference data's order), so a unit
sees the matrix reduced to its own column. Tasks appear when they have a visible row.

The lead and responsible units written beside a task are the plan's own text (the published plan names them);
only their rows' statuses are scoped. The live indicators are the figures the user may see (a street's own).

Everything is read in a fixed number of queries, whatever the number of tasks and units.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from mediation.choices import UnitKind
from tasks_plan.choices import ResponsibilityRole, ResponsibilityStatus

SECTION_NUMERALS = "一二三四五六七八九十"
# The collective names of the plan (tasks_plan.services.loader expands them on the way in).
ALL_MEMBERS_NAME = "工作小组各成员单位"
ALL_STREETS_NAME = "各镇街"

STATUS_ORDER = [
    ResponsibilityStatus.OVERDUE,
    ResponsibilityStatus.IN_PROGRESS,
    ResponsibilityStatus.DONE,
    ResponsibilityStatus.NOT_STARTED,
]


def section_heading(number: int, title: str) -> str:
    numeral = SECTION_NUMERALS[number - 1] if 0 < number <= len(SECTION_NUMERALS) else str(number)
    return f"{numeral}、{title}"


def current_plan():
    from tasks_plan.models import Plan

    return Plan.objects.filter(is_current=True).first()


def column_group(unit) -> int:
    """0: working-group member units, 1: other units (the office, 区城市管理局 …), 2: street/town governments."""
    if unit.is_member_unit:
        return 0
    return 2 if unit.kind == UnitKind.STREET_GOVERNMENT else 1


def column_key(unit) -> tuple:
    """Member units in the reference data's order (the plan's), street/town governments by division code."""
    group = column_group(unit)
    return (group, unit.code if group == 2 else "", unit.pk)


def task_status(statuses) -> str | None:
    """One status for a set of rows: overdue if any is, done if all are, in progress once any has moved."""
    statuses = set(statuses)
    if not statuses:
        return None
    if ResponsibilityStatus.OVERDUE in statuses:
        return ResponsibilityStatus.OVERDUE
    if statuses == {ResponsibilityStatus.DONE}:
        return ResponsibilityStatus.DONE
    if statuses & {ResponsibilityStatus.IN_PROGRESS, ResponsibilityStatus.DONE}:
        return ResponsibilityStatus.IN_PROGRESS
    return ResponsibilityStatus.NOT_STARTED


@dataclass
class MatrixRow:
    task: object
    cells: list  # a Responsibility or None per column
    lead_units: list = field(default_factory=list)
    responsible_units: list = field(default_factory=list)
    visible: list = field(default_factory=list)  # the task's rows the user sees
    evaluations: list = field(default_factory=list)  # tasks_plan.services.targets.Evaluation per target
    deadline: dt.date | None = None  # the task's deadline as it applies today

    @property
    def status(self) -> str | None:
        return task_status(r.status for r in self.visible)

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, count) of the visible rows, overdue first, statuses with no rows left out."""
        counts = Counter(r.status for r in self.visible)
        return [(s.value, str(s.label), counts[s]) for s in STATUS_ORDER if counts[s]]

    @property
    def overdue_units(self) -> list:
        return [r.unit for r in self.visible if r.status == ResponsibilityStatus.OVERDUE]


@dataclass
class Section:
    number: int
    title: str
    rows: list[MatrixRow] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return section_heading(self.number, self.title)


@dataclass
class Matrix:
    plan: object
    today: dt.date
    columns: list = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    all_members: frozenset = frozenset()
    all_streets: frozenset = frozenset()

    @property
    def rows(self) -> list[MatrixRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def column_groups(self) -> list[tuple[int, int]]:
        """(group, number of columns) in order, for a header row spanning each group."""
        groups: list[tuple[int, int]] = []
        for unit in self.columns:
            group = column_group(unit)
            if groups and groups[-1][0] == group:
                groups[-1] = (group, groups[-1][1] + 1)
            else:
                groups.append((group, 1))
        return groups

    def names(self, units) -> str:
        """Unit names, with a complete group written as the plan writes it (工作小组各成员单位, 各镇街)."""
        ids = {u.pk for u in units}
        members = bool(self.all_members) and self.all_members <= ids
        streets = bool(self.all_streets) and self.all_streets <= ids
        parts = [
            u.name
            for u in units
            if not (members and u.pk in self.all_members) and not (streets and u.pk in self.all_streets)
        ]
        parts += [ALL_MEMBERS_NAME] if members else []
        parts += [ALL_STREETS_NAME] if streets else []
        return "、".join(parts)

    def lead_text(self, row: MatrixRow) -> str:
        return "、".join(u.name for u in row.lead_units)

    def responsible_text(self, row: MatrixRow) -> str:
        """The responsible units as the plan writes them. A group is complete when all its units are in the
        task in any role: the plan names a lead unit once, as lead, even where 工作小组各成员单位 are responsible."""
        everyone = {u.pk for u in row.lead_units} | {u.pk for u in row.responsible_units}
        members = bool(self.all_members) and self.all_members <= everyone
        streets = bool(self.all_streets) and self.all_streets <= everyone
        parts = [
            u.name
            for u in row.responsible_units
            if not (members and u.pk in self.all_members) and not (streets and u.pk in self.all_streets)
        ]
        parts += [ALL_MEMBERS_NAME] if members else []
        parts += [ALL_STREETS_NAME] if streets else []
        return "、".join(parts)


def build_matrix(
    user,
    plan,
    *,
    section: int | None = None,
    unit_id: int | None = None,
    status: str | None = None,
    task_ids=None,
    with_indicators: bool = False,
    today: dt.date | None = None,
) -> Matrix:
    """The matrix of `plan` as `user` may see it, filtered by section, unit (its column only) and status (tasks
    with a row in that status). With `with_indicators`, each row carries its targets' evaluations today."""
    from mediation.models import Unit
    from tasks_plan.models import PlanTask, Responsibility

    today = today or timezone.localdate()
    matrix = Matrix(plan, today)
    if plan is None:
        return matrix
    tasks = PlanTask.objects.filter(plan=plan).order_by("number")
    if section:
        tasks = tasks.filter(section=section)
    if task_ids is not None:
        tasks = tasks.filter(pk__in=task_ids)
    tasks = list(tasks)
    # ~1,000 rows for the office: only the fields a cell shows, and each unit loaded once (select_related
    # would build a unit per row).
    everyone = list(
        Responsibility.objects.filter(task__in=tasks)
        .only("task_id", "unit_id", "role", "status")
        .order_by("task_id", "unit_id")
    )
    units = Unit.objects.in_bulk({row.unit_id for row in everyone})
    for row in everyone:
        row.unit = units[row.unit_id]
    visible_ids = set(
        Responsibility.objects.visible_to(user).filter(task__in=tasks).values_list("pk", flat=True)
    )
    groups = Unit.objects.filter(Q(is_member_unit=True) | Q(kind=UnitKind.STREET_GOVERNMENT), is_active=True)
    for pk, is_member in groups.values_list("pk", "is_member_unit"):
        if is_member:
            matrix.all_members |= {pk}
        else:
            matrix.all_streets |= {pk}

    def shown(row) -> bool:
        return row.pk in visible_ids and (not unit_id or row.unit_id == unit_id)

    by_task: dict[int, list] = {}
    for row in everyone:
        by_task.setdefault(row.task_id, []).append(row)
    columns = {row.unit_id: row.unit for row in everyone if shown(row)}
    matrix.columns = sorted(columns.values(), key=column_key)
    position = {u.pk: i for i, u in enumerate(matrix.columns)}

    evaluations = _evaluations(tasks, today, user) if with_indicators else {}
    sections: dict[int, Section] = {}
    for task in tasks:
        rows = by_task.get(task.pk, [])
        visible = [r for r in rows if shown(r)]
        if not visible or (status and not any(r.status == status for r in visible)):
            continue
        cells = [None] * len(matrix.columns)
        for r in visible:
            cells[position[r.unit_id]] = r
        ordered = sorted(rows, key=lambda r: column_key(r.unit))
        matrix_row = MatrixRow(
            task,
            cells,
            lead_units=[r.unit for r in ordered if r.role == ResponsibilityRole.LEAD],
            responsible_units=[r.unit for r in ordered if r.role == ResponsibilityRole.RESPONSIBLE],
            visible=visible,
            evaluations=evaluations.get(task.pk, []),
            deadline=task.deadline_on(today),
        )
        sections.setdefault(task.section, Section(task.section, task.section_title)).rows.append(matrix_row)
    matrix.sections = [sections[n] for n in sorted(sections)]
    return matrix


def _evaluations(tasks, today, user) -> dict[int, list]:
    """Each task's targets evaluated today on the figures the user may see; the look back at by-dates and the
    figures shown beside judged targets are left to the task's page."""
    from tasks_plan.models import Target
    from tasks_plan.services.targets import Evaluator

    evaluator = Evaluator(today, history=False, informative=False, viewer=user)
    found: dict[int, list] = {}
    targets = Target.objects.filter(task__in=tasks).select_related("task").order_by("task_id", "order")
    for evaluation in evaluator.evaluate_all(targets):
        found.setdefault(evaluation.target.task_id, []).append(evaluation)
    return found
