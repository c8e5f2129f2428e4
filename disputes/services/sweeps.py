"""The overdue sweep: assignments not accepted in time, and the supervision ladder (提醒 → 催办 → 督办 → 挂牌督办).

State-driven, so a missed or doubled beat run heals itself:

- An open assignment (pending or accepted) needs a step when the share of its time limit that has elapsed
  (time since assignment ÷ time allowed) has reached a step of the ladder above `overdue_level`, the step it
  reached before. The thresholds are SupervisionThreshold rows (per step, optionally per risk grade); the
  office's defaults are loaded when the table is empty. The database finds the candidates itself, so rows
  already at their step are never read again.
- A step raises the alert of every step passed, lowest first (a sweep that first runs late still sends 提醒
  before 催办), to the assignee and the controlling platform; steps from 督办 up also write a Supervision notice
  issued by the ladder (issued_by empty) with the answer deadline, and alert the leader in charge. The
  assignment's `overdue_level` moves in the same transaction as the alerts, with an Event on the dispute.
- A pending assignment past `accept_due_at` raises AlertKind.ACCEPT_OVERDUE once (the alert is its own record).

Work goes in keyset batches over the partial index of open assignments (assignment_open_due_idx on (due_at, id)
WHERE status is pending or accepted): ORDER BY due_at, id, (due_at, id) > the last row's, LIMIT batch_size, so a
run reads open work only however many finished assignments the table keeps, and the most overdue come first.
Each batch is its own transaction, at most `max_batches` a run; the next run carries on. (Keyset by id alone
would walk the primary key through every finished row.) Each batch locks its assignments and their
disputes with SKIP LOCKED, so two sweeps at once never take the same row, and an alert is unique per
(subject, kind, level, recipient) should anything slip through. Locking the dispute too keeps the lock order
of the workflow (dispute, then its assignments), so a sweep and a user's action never deadlock.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, F, FloatField, Func, OuterRef, Q
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, RiskGrade, SupervisionLevel
from disputes.models import Assignment, Event, Supervision, SupervisionThreshold
from disputes.services import calendar
from mediation.models import Alert, AlertKind
from mediation.services.alerts import AlertSpec, Recipient, raise_alerts

BATCH_SIZE = 500
# Bounded work per run (100,000 assignments); whatever is left waits for the next run ten minutes later.
MAX_BATCHES = 200

L = SupervisionLevel
# The office's starting ladder: (risk grade or None for every grade, step, elapsed share of the limit in %).
# Red disputes climb twice as fast once overdue: 督办 at 125%, 挂牌督办 at 150%.
DEFAULT_THRESHOLDS = [
    (None, L.REMINDER, 80),
    (None, L.URGE, 100),
    (None, L.SUPERVISE, 150),
    (None, L.LISTED, 200),
    (RiskGrade.RED, L.SUPERVISE, 125),
    (RiskGrade.RED, L.LISTED, 150),
]
# From this step on the assignment is overdue (the deadline itself is the 催办 step by default).
OVERDUE_FROM = L.URGE
# From this step on the ladder writes a Supervision notice the handler must answer.
NOTICE_FROM = L.SUPERVISE


@dataclass
class SweepResult:
    """What one run did."""

    batches: int = 0
    stepped: int = 0  # assignments that climbed at least one step
    accept_overdue: int = 0  # assignments newly reported as not accepted in time
    complete: bool = True  # False: the run stopped at max_batches and left work for the next one

    @property
    def processed(self) -> int:
        return self.stepped + self.accept_overdue


# --- the ladder ------------------------------------------------------------------------------------------


def load_thresholds() -> int:
    """Create the default ladder when the table is empty; returns the number of rows created."""
    if SupervisionThreshold.objects.exists():
        return 0
    SupervisionThreshold.objects.bulk_create(
        [SupervisionThreshold(risk_grade=g, level=lv, share_percent=s) for g, lv, s in DEFAULT_THRESHOLDS],
        ignore_conflicts=True,
    )
    return len(DEFAULT_THRESHOLDS)


def ladder() -> dict[int | None, dict[int, int]]:
    """Each risk grade's steps {step: share %} (a grade's own rows over the all-grades rows); None: no grade."""
    load_thresholds()
    rows = list(SupervisionThreshold.objects.values_list("risk_grade", "level", "share_percent"))
    common = {level: share for grade, level, share in rows if grade is None}
    result: dict[int | None, dict[int, int]] = {None: dict(common)}
    for grade in RiskGrade.values:
        result[grade] = common | {level: share for g, level, share in rows if g == grade}
    return result


def elapsed_percent(assigned_at: dt.datetime, due_at: dt.datetime, now: dt.datetime) -> float:
    """How much of the time limit has passed, in percent (100 = the deadline)."""
    allowed = (due_at - assigned_at).total_seconds()
    if allowed <= 0:  # a deadline at or before the assignment itself: past every step at once
        return 10_000.0 if now >= due_at else 0.0
    return (now - assigned_at).total_seconds() * 100 / allowed


def step_reached(steps: dict[int, int], percent: float) -> int:
    """The highest step whose threshold `percent` has reached; 0 for none."""
    return max((level for level, share in steps.items() if percent >= share), default=0)


class _Epoch(Func):
    """Seconds since 1970 of a datetime column, so shares of a limit compare on PostgreSQL and SQLite alike."""

    output_field = FloatField()
    template = "date_part('epoch', %(expressions)s)"  # double precision (EXTRACT gives the slower numeric)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


def _reached(share: int, now: dt.datetime) -> Q:
    """The elapsed share of the limit is at least `share` percent at `now`."""
    start, end = _Epoch(F("assigned_at")), _Epoch(F("due_at"))
    return Q(LessThanOrEqual(start + (end - start) * (share / 100.0), now.timestamp()))


def needing_a_step(steps_by_grade: dict[int | None, dict[int, int]], now: dt.datetime):
    """Open assignments whose elapsed share has reached a step of the ladder above the one they are at."""
    return open_assignments().filter(_needs_step_q(steps_by_grade, now))


def _needs_step_q(steps_by_grade: dict[int | None, dict[int, int]], now: dt.datetime) -> Q:
    """Open assignments whose elapsed share has reached a step above the one they are at."""
    # Grades with the same steps share one condition.
    groups: dict[tuple, list] = {}
    for grade, steps in steps_by_grade.items():
        groups.setdefault(tuple(sorted(steps.items())), []).append(grade)
    result = Q(pk__in=[])
    for steps, grades in groups.items():
        known = [g for g in grades if g is not None]
        graded = Q(dispute__risk_grade__in=known)
        if None in grades:
            graded |= Q(dispute__risk_grade__isnull=True)
        climbs = Q(pk__in=[])
        for level, share in steps:
            climbs |= (Q(overdue_level__isnull=True) | Q(overdue_level__lt=level)) & _reached(share, now)
        result |= graded & climbs
    return result


# --- the sweep -------------------------------------------------------------------------------------------


def sweep(
    now: dt.datetime | None = None, *, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> SweepResult:
    """Report assignments not accepted in time and climb the ladder, as of `now`."""
    now = now or timezone.now()
    result = SweepResult()
    _accept_overdue(now, result, batch_size, max_batches)
    _climb(now, result, batch_size, max_batches)
    return result


def open_assignments():
    """Open assignments, in the order of the partial index assignment_open_due_idx."""
    return Assignment.objects.filter(status__in=OPEN_ASSIGNMENT_STATUSES).order_by("due_at", "pk")


def after(candidates, last: tuple | None):
    """The keyset page after the row (due_at, id) = `last`."""
    if last is None:
        return candidates
    due_at, pk = last
    return candidates.filter(due_at__gte=due_at).filter(Q(due_at__gt=due_at) | Q(pk__gt=pk))


def _in_batches(candidates, handle, result: SweepResult, batch_size: int, max_batches: int) -> int:
    """Hand locked keyset batches of `candidates` to `handle(batch)`, a transaction each; returns the sum of its counts."""
    done, last = 0, None
    while True:
        if result.batches >= max_batches:
            result.complete = False
            return done
        with transaction.atomic():
            batch = list(
                after(candidates, last)
                .select_related(
                    "dispute__platform", "dispute__region", "dispute__leader", "to_unit", "to_organization"
                )
                .select_for_update(skip_locked=True, of=("self", "dispute"))[:batch_size]
            )
            if not batch:
                return done
            result.batches += 1
            last = (batch[-1].due_at, batch[-1].pk)
            done += handle(batch)


def _accept_overdue(now, result: SweepResult, batch_size: int, max_batches: int) -> None:
    reported = Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Assignment),
        object_id=OuterRef("pk"),
        kind=AlertKind.ACCEPT_OVERDUE,
    )
    candidates = open_assignments().filter(status=AssignmentStatus.PENDING, accept_due_at__lt=now)
    candidates = candidates.filter(~Exists(reported))
    result.accept_overdue += _in_batches(candidates, _report_accept_overdue, result, batch_size, max_batches)


@dataclass(frozen=True)
class AnswerLimit:
    """The answer limit of the notices a run issues: recorded on each, so a calendar change can recount it."""

    days: int
    day_type: str
    due_at: dt.datetime


def _climb(now, result: SweepResult, batch_size: int, max_batches: int) -> None:
    from disputes.models import TimeLimit

    steps_by_grade = ladder()
    candidates = needing_a_step(steps_by_grade, now)
    days, day_type = calendar.time_limit(TimeLimit.Key.SUPERVISION_ANSWER)
    answer = AnswerLimit(days, day_type, calendar.deadline(now, days, day_type).at)
    handle = partial(_climb_batch, steps_by_grade=steps_by_grade, now=now, answer=answer)
    result.stepped += _in_batches(candidates, handle, result, batch_size, max_batches)


def _climb_batch(batch: list[Assignment], *, steps_by_grade, now, answer: AnswerLimit) -> int:
    """Raise every step each (locked) assignment has newly reached, in bulk; returns how many climbed."""
    alerts, notices, events = [], [], []
    climbed: dict[int, list[int]] = defaultdict(list)
    for assignment in batch:
        steps = steps_by_grade.get(assignment.dispute.risk_grade, steps_by_grade[None])
        percent = elapsed_percent(assignment.assigned_at, assignment.due_at, now)
        reached = assignment.overdue_level or 0
        target = step_reached(steps, percent)
        if target <= reached:
            continue  # a concurrent run climbed it meanwhile
        for level in sorted(lv for lv in steps if reached < lv <= target):
            step_alerts, notice = _step(assignment, level, percent, answer)
            alerts += step_alerts
            notices += [notice] if notice else []
        climbed[target].append(assignment.pk)
        events.append(
            Event(
                dispute=assignment.dispute,
                action="supervision_step",
                actor=None,
                note=str(SupervisionLevel(target).label),
                before={"assignment": assignment.pk, "overdue_level": assignment.overdue_level},
                after={
                    "assignment": assignment.pk,
                    "overdue_level": target,
                    "elapsed_percent": round(percent),
                    "overdue": target >= OVERDUE_FROM,
                },
            )
        )
    raise_alerts(alerts)
    Supervision.objects.bulk_create(notices)
    Event.objects.bulk_create(events)
    for target, ids in climbed.items():
        Assignment.objects.filter(pk__in=ids).update(overdue_level=target)
    return len(events)


def _step(
    assignment: Assignment, level: int, percent: float, answer: AnswerLimit
) -> tuple[list[AlertSpec], object]:
    """The alerts of one step, and its Supervision notice from 督办 up (None below)."""
    dispute = assignment.dispute
    values = {
        "number": dispute.number,
        "step": SupervisionLevel(level).label,
        "target": assignment.target,
        "due": timezone.localtime(assignment.due_at).strftime("%Y-%m-%d %H:%M"),
        "percent": round(percent),
    }
    if level >= OVERDUE_FROM:
        title = _("%(step)s: %(number)s is overdue at %(target)s") % values
    else:
        title = _("%(step)s: %(number)s is nearing its deadline at %(target)s") % values
    body = (
        _(
            "The assignment of dispute %(number)s to %(target)s is due %(due)s; %(percent)s%% of its time limit "
            "has passed."
        )
        % values
    )
    recipients = [_assignee(assignment), Recipient(organization=dispute.platform)]
    notice = None
    if level >= NOTICE_FROM:
        notice = Supervision(
            dispute=dispute,
            assignment=assignment,
            level=level,
            notice=body + " " + _("Report the progress and the reason for the delay in writing."),
            issued_by=None,
            answer_limit_days=answer.days,
            answer_day_type=answer.day_type,
            answer_due_at=answer.due_at,
        )
        if dispute.leader_id:
            recipients.append(Recipient(user=dispute.leader))
    url = reverse("disputes:detail", args=[dispute.pk])
    alerts = [
        AlertSpec(
            assignment, AlertKind.SUPERVISION, r, title[:200], body, url, level=level, region=dispute.region
        )
        for r in _unique(recipients)
    ]
    return alerts, notice


def _report_accept_overdue(batch: list[Assignment]) -> int:
    """Alert the assignee and the platform of each (locked) assignment not accepted in time; returns how many."""
    alerts = []
    for assignment in batch:
        dispute = assignment.dispute
        values = {
            "number": dispute.number,
            "target": assignment.target,
            "due": timezone.localtime(assignment.accept_due_at).strftime("%Y-%m-%d %H:%M"),
        }
        title = (_("Not accepted in time: %(number)s at %(target)s") % values)[:200]
        body = (
            _("The assignment of dispute %(number)s to %(target)s should have been accepted by %(due)s.")
            % values
        )
        url = reverse("disputes:detail", args=[dispute.pk])
        recipients = _unique([_assignee(assignment), Recipient(organization=dispute.platform)])
        alerts += [
            AlertSpec(assignment, AlertKind.ACCEPT_OVERDUE, r, title, body, url, region=dispute.region)
            for r in recipients
        ]
    reported = {alert.object_id for alert in raise_alerts(alerts)}
    Event.objects.bulk_create(
        [
            Event(
                dispute=a.dispute,
                action="accept_overdue",
                actor=None,
                note=str(a.target),
                after={"assignment": a.pk, "accept_due_at": a.accept_due_at.isoformat()},
            )
            for a in batch
            if a.pk in reported
        ]
    )
    return len(reported)


def _assignee(assignment: Assignment) -> Recipient:
    if assignment.to_unit_id:
        return Recipient(unit=assignment.to_unit)
    return Recipient(organization=assignment.to_organization)


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for recipient in recipients:
        if recipient.organization is None and recipient.unit is None and recipient.user is None:
            continue
        seen.setdefault(recipient.key, recipient)
    return list(seen.values())
