"""Overdue escalation of plan responsibilities (督办升级): mark rows overdue, then climb the office's ladder.

The sweep is state-driven, so a missed or doubled run heals itself:

- A row of the current plan is marked overdue when its deadline has passed without an accepted completion
  report: a dated task the day after its date; a yearly task ("2020年起每年…") on 1 January when no completion
  report submitted in the year before (or since) was accepted. `overdue_since` is the day after the deadline,
  whatever day the sweep first sees it. Rows already overdue or done are not touched; ongoing tasks never
  become overdue. A done row stays done, so a yearly row is escalated at most once in its life.
- An overdue row climbs to the highest step of the ladder (EscalationStep) whose `days_overdue` it has reached,
  raising the alert of every step it passes, lowest first: a sweep that first runs late still sends step 1
  before step 2. `escalation_step` moves in the same transaction as the alerts, and an alert is unique per
  (row, AlertKind.PLAN_OVERDUE, level=step, recipient), so no step is sent twice.
- A row that leaves the overdue status (an accepted completion report moves it to done) stops climbing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cached_property

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from mediation.choices import Role, UnitKind
from mediation.dates import days_q
from mediation.models import AlertKind, Membership, Unit
from mediation.services.alerts import Recipient, raise_alert
from tasks_plan.choices import DueKind, ReportKind, ReportStatus, ResponsibilityRole, ResponsibilityStatus
from tasks_plan.models import EscalationAudience, EscalationStep, ProgressReport, Responsibility

BATCH_SIZE = 500

# The ladder the office starts from; it edits the days, audiences and labels in the admin.
DEFAULT_LADDER = [
    (1, 0, EscalationAudience.UNIT_AND_LEAD, "逾期提醒（责任单位及牵头单位）"),
    (2, 7, EscalationAudience.OFFICE, "报大调解工作办公室督办"),
    (3, 30, EscalationAudience.JOINT_MEETING, "提交联席会议研究"),
]


def load_defaults() -> int:
    """Create the default ladder when there is none; returns the number of steps created."""
    if EscalationStep.objects.exists():
        return 0
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(step=step, days_overdue=days, audience=audience, label=label)
            for step, days, audience, label in DEFAULT_LADDER
        ],
        ignore_conflicts=True,
    )
    return len(DEFAULT_LADDER)


def sweep(today: dt.date, *, batch_size: int = BATCH_SIZE) -> int:
    """Mark what became overdue by `today` and climb the ladder; returns the number of rows changed."""
    changed = mark_overdue(today, batch_size=batch_size)
    changed |= climb(today, batch_size=batch_size)
    return len(changed)


def mark_overdue(today: dt.date, *, batch_size: int = BATCH_SIZE) -> set[int]:
    """Mark overdue every current-plan row past its deadline without an accepted completion; returns their ids."""
    candidates = _overdue_candidates(today)
    changed: set[int] = set()
    last = 0
    while True:
        batch = list(
            candidates.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "task__due_kind", "task__due_on")[:batch_size]
        )
        if not batch:
            return changed
        last = batch[-1][0]
        by_since: dict[dt.date, list[int]] = defaultdict(list)
        for pk, due_kind, due_on in batch:
            deadline = due_on if due_kind == DueKind.DATE else dt.date(today.year - 1, 12, 31)
            by_since[deadline + dt.timedelta(days=1)].append(pk)
        now = timezone.now()
        with transaction.atomic():
            for since, pks in by_since.items():
                # Re-checked under lock: a completion accepted meanwhile wins over the sweep.
                ids = list(
                    candidates.filter(pk__in=pks).select_for_update(of=("self",)).values_list("pk", flat=True)
                )
                Responsibility.objects.filter(pk__in=ids).update(
                    status=ResponsibilityStatus.OVERDUE, overdue_since=since, status_changed_at=now
                )
                changed.update(ids)


def climb(today: dt.date, *, batch_size: int = BATCH_SIZE) -> set[int]:
    """Raise the alerts of every step overdue rows have newly reached; returns the ids of rows that climbed."""
    steps = list(EscalationStep.objects.order_by("step"))
    if not steps:
        return set()
    first_days = min(s.days_overdue for s in steps)
    rows = Responsibility.objects.filter(
        task__plan__is_current=True,
        status=ResponsibilityStatus.OVERDUE,
        overdue_since__lte=today - dt.timedelta(days=first_days),
        escalation_step__lt=steps[-1].step,
    )
    audiences = Audiences()
    changed: set[int] = set()
    last = 0
    while True:
        batch = list(
            rows.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "overdue_since", "escalation_step")[:batch_size]
        )
        if not batch:
            return changed
        last = batch[-1][0]
        for pk, since, reached in batch:
            target = _step_reached(steps, (today - since).days)
            if target > reached and _climb_row(pk, target, steps, today, audiences):
                changed.add(pk)


def raised_to_joint_meeting():
    """Overdue rows of the current plan that the ladder has raised to the joint meeting (联席会议), for its agenda."""
    first = (
        EscalationStep.objects.filter(audience=EscalationAudience.JOINT_MEETING)
        .order_by("step")
        .values_list("step", flat=True)
        .first()
    )
    if first is None:
        return Responsibility.objects.none()
    return Responsibility.objects.filter(
        task__plan__is_current=True, status=ResponsibilityStatus.OVERDUE, escalation_step__gte=first
    )


def _overdue_candidates(today: dt.date):
    """Current-plan rows not yet overdue or done whose deadline has passed without an accepted completion."""
    accepted = ProgressReport.objects.filter(
        responsibility=OuterRef("pk"), kind=ReportKind.COMPLETION, status=ReportStatus.ACCEPTED
    )
    last_year_end = dt.date(today.year - 1, 12, 31)
    dated = Q(task__due_kind=DueKind.DATE, task__due_on__lt=today) & ~Exists(accepted)
    yearly = (
        Q(task__due_kind=DueKind.YEARLY)
        & (Q(task__due_on__isnull=True) | Q(task__due_on__lte=last_year_end))
        & ~Exists(accepted.filter(**days_q("submitted_at", dt.date(today.year - 1, 1, 1))))
    )
    return (
        Responsibility.objects.filter(task__plan__is_current=True)
        .exclude(status__in=[ResponsibilityStatus.DONE, ResponsibilityStatus.OVERDUE])
        .filter(dated | yearly)
    )


def _step_reached(steps: list[EscalationStep], days: int) -> int:
    return max((s.step for s in steps if s.days_overdue <= days), default=0)


def _climb_row(
    pk: int, target: int, steps: list[EscalationStep], today: dt.date, audiences: Audiences
) -> bool:
    with transaction.atomic():
        row = (
            Responsibility.objects.select_for_update(of=("self",))
            .select_related("task", "unit__region")
            .filter(pk=pk, status=ResponsibilityStatus.OVERDUE, escalation_step__lt=target)
            .first()
        )
        if row is None:
            return False  # done, or climbed by a concurrent run
        for step in steps:
            if row.escalation_step < step.step <= target:
                _raise_step(row, step, today, audiences)
        row.escalation_step = target
        row.save(update_fields=["escalation_step"])
        return True


def _raise_step(row: Responsibility, step: EscalationStep, today: dt.date, audiences: Audiences) -> None:
    task = row.task
    values = {
        "number": task.number,
        "unit": row.unit.name,
        "deadline": (row.overdue_since - dt.timedelta(days=1)).isoformat(),
        "days": (today - row.overdue_since).days,
        "content": task.content[:80],
        "label": step.label,
    }
    if step.audience == EscalationAudience.JOINT_MEETING:
        title = gettext("Plan task %(number)s raised to the joint meeting: %(unit)s is overdue") % values
    else:
        title = gettext("Plan task %(number)s overdue: %(unit)s") % values
    body = (
        gettext(
            "Task %(number)s (%(content)s) of %(unit)s passed its deadline of %(deadline)s without an accepted "
            "completion report and has been overdue for %(days)s days. Escalation: %(label)s."
        )
        % values
    )
    raise_alert(
        row,
        AlertKind.PLAN_OVERDUE,
        audiences.recipients(step.audience, row),
        title=title[:200],
        body=body,
        url=reverse("tasks_plan:responsibility", args=[row.pk]),
        level=step.step,
        region=row.unit.region,
    )


class Audiences:
    """Who each step's alert goes to; looked up once per sweep (the office and supervisors) or task (leads)."""

    def __init__(self):
        self._leads: dict[int, list[Unit]] = {}

    def recipients(self, audience: str, row: Responsibility) -> list[Recipient]:
        if audience == EscalationAudience.UNIT_AND_LEAD:
            units = {row.unit.pk: row.unit} | {u.pk: u for u in self._lead_units(row.task_id)}
            return [Recipient(unit=u) for u in units.values()]
        if audience == EscalationAudience.OFFICE:
            return self.office
        return self.office + self.district_supervisors

    def _lead_units(self, task_id: int) -> list[Unit]:
        if task_id not in self._leads:
            self._leads[task_id] = list(
                Unit.objects.filter(
                    responsibilities__task_id=task_id, responsibilities__role=ResponsibilityRole.LEAD
                ).order_by("pk")
            )
        return self._leads[task_id]

    @cached_property
    def office(self) -> list[Recipient]:
        return [
            Recipient(unit=u)
            for u in Unit.objects.filter(kind=UnitKind.OFFICE, is_active=True).order_by("pk")
        ]

    @cached_property
    def district_supervisors(self) -> list[Recipient]:
        """Supervisors whose membership is the whole district: with the office, they sit on the joint meeting."""
        memberships = (
            Membership.objects.current()
            .filter(role=Role.SUPERVISOR, region__code=settings.DISTRICT_CODE, user__is_active=True)
            .select_related("user")
            .order_by("user_id")
        )
        return [Recipient(user=u) for u in {m.user_id: m.user for m in memberships}.values()]
