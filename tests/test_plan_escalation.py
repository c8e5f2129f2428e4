"""Overdue escalation of plan responsibilities: the ladder step by step with time travel.

The people: dave is the liaison of 区人力社保局 (rsj, the responsible unit), lena the liaison of 区司法局 (sfj, the
lead unit), olive works in the grand-mediation office, sam supervises the whole district, carol supervises one
street only and rita is the liaison of an uninvolved unit. Task 9 is due on 2026-03-31, so day 0 of its
overdue life is 2026-04-01.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from mediation.choices import Role
from mediation.models import Alert, AlertKind, Notification, TaskRun, Unit
from mediation.periodic import discover
from mediation.periodic import run as run_job
from mediation.services.memberships import grant
from tasks_plan.choices import DueKind, ReportKind, ReportStatus, ResponsibilityRole, ResponsibilityStatus
from tasks_plan.models import (
    EscalationAudience,
    EscalationStep,
    Plan,
    PlanTask,
    ProgressReport,
    Responsibility,
)
from tasks_plan.services import escalation, progress

DEADLINE = dt.date(2026, 3, 31)
DAY0 = DEADLINE + dt.timedelta(days=1)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def units(reference):
    return {code: Unit.objects.get(code=code) for code in ("rsj", "sfj", "office", "mzj")}


@pytest.fixture
def people(make_user, units, district, carol):
    def member(username, role, **where):
        user = make_user(username, email=f"{username}@example.org")
        grant(user, role, **where)
        return user

    return {
        "dave": member("dave", Role.LIAISON, unit=units["rsj"]),
        "lena": member("lena", Role.LIAISON, unit=units["sfj"]),
        "olive": member("olive", Role.OFFICE_ADMIN, unit=units["office"]),
        "sam": member("sam", Role.SUPERVISOR, region=district),
        "carol": carol,
        "rita": member("rita", Role.LIAISON, unit=units["mzj"]),
    }


@pytest.fixture
def plan(db):
    return Plan.objects.create(code="test-plan", title="测试方案", is_current=True)


def make_task(plan, number, due_kind=DueKind.DATE, due_on=DEADLINE):
    return PlanTask.objects.create(
        plan=plan,
        number=number,
        section=1,
        section_title="测试",
        content=f"第{number}项任务",
        standard="按期完成",
        due_kind=due_kind,
        due_on=due_on,
    )


def responsibility(task, unit, role=ResponsibilityRole.RESPONSIBLE, status=ResponsibilityStatus.IN_PROGRESS):
    return Responsibility.objects.create(task=task, unit=unit, role=role, status=status)


@pytest.fixture
def ladder(db):
    escalation.load_defaults()
    return {s.step: s for s in EscalationStep.objects.all()}


@pytest.fixture
def task9(plan, units):
    task = make_task(plan, 9)
    lead = responsibility(task, units["sfj"], ResponsibilityRole.LEAD)
    row = responsibility(task, units["rsj"])
    return task, lead, row


def sent() -> set[tuple[str, int, str]]:
    """Every plan-overdue alert as (row's unit, step, recipient)."""
    rows = {r.pk: r.unit.code for r in Responsibility.objects.select_related("unit")}
    return {
        (
            rows[a.object_id],
            a.level,
            a.recipient_unit.code if a.recipient_unit_id else a.recipient_user.username,
        )
        for a in Alert.objects.filter(kind=AlertKind.PLAN_OVERDUE).select_related(
            "recipient_unit", "recipient_user"
        )
    }


def notified() -> dict[str, int]:
    counts: dict[str, int] = {}
    for username in Notification.objects.filter(alert__kind=AlertKind.PLAN_OVERDUE).values_list(
        "user__username", flat=True
    ):
        counts[username] = counts.get(username, 0) + 1
    return counts


def refreshed(row) -> Responsibility:
    row.refresh_from_db()
    return row


def accept_completion(row, liaison, office, period="2026"):
    report = progress.submit_report(row.pk, liaison, period=period, text="已完成", kind=ReportKind.COMPLETION)
    progress.review_report(report.pk, office, accept=True)
    return report


# --- the ladder, day by day ---------------------------------------------------------------------------------------


STEP1 = {("rsj", 1, "rsj"), ("rsj", 1, "sfj"), ("sfj", 1, "sfj")}
STEP2 = {("rsj", 2, "office"), ("sfj", 2, "office")}
STEP3 = {("rsj", 3, "office"), ("rsj", 3, "sam"), ("sfj", 3, "office"), ("sfj", 3, "sam")}


@pytest.mark.parametrize("batch_size", [500, 1])
def test_it_climbs_the_ladder_step_by_step(ladder, task9, people, batch_size):
    _, lead, row = task9

    assert escalation.sweep(DEADLINE, batch_size=batch_size) == 0
    assert refreshed(row).status == ResponsibilityStatus.IN_PROGRESS

    # Day 0: marked overdue since the day after the deadline; step 1 goes to the unit and the lead unit.
    assert escalation.sweep(day(0), batch_size=batch_size) == 2
    row, lead = refreshed(row), refreshed(lead)
    assert (row.status, row.overdue_since, row.escalation_step) == (ResponsibilityStatus.OVERDUE, DAY0, 1)
    assert (lead.status, lead.overdue_since, lead.escalation_step) == (ResponsibilityStatus.OVERDUE, DAY0, 1)
    assert sent() == STEP1
    assert notified() == {"dave": 1, "lena": 2}

    # A second run the same day and the days before step 2 send nothing.
    for n in (0, 1, 6):
        assert escalation.sweep(day(n), batch_size=batch_size) == 0
    assert sent() == STEP1

    # Day 7: the office.
    assert escalation.sweep(day(7), batch_size=batch_size) == 2
    assert refreshed(row).escalation_step == 2
    assert sent() == STEP1 | STEP2
    assert notified() == {"dave": 1, "lena": 2, "olive": 2}

    # Day 30: the joint meeting — the office again, with the district supervisor; not a street's supervisor.
    assert escalation.sweep(day(29), batch_size=batch_size) == 0
    assert escalation.sweep(day(30), batch_size=batch_size) == 2
    assert refreshed(row).escalation_step == 3
    assert sent() == STEP1 | STEP2 | STEP3
    assert notified() == {"dave": 1, "lena": 2, "olive": 4, "sam": 2}

    # Day 31 and later: the top of the ladder; nothing more, nothing twice.
    for n in (30, 31, 90):
        assert escalation.sweep(day(n), batch_size=batch_size) == 0
    assert sent() == STEP1 | STEP2 | STEP3
    assert notified() == {"dave": 1, "lena": 2, "olive": 4, "sam": 2}
    assert refreshed(row).overdue_since == DAY0


def test_each_alert_carries_its_step_and_a_link_and_notifies_each_user_once(ladder, task9, people):
    _, _, row = task9
    for n in (0, 7, 30):
        escalation.sweep(day(n))
    alerts = Alert.objects.filter(kind=AlertKind.PLAN_OVERDUE, object_id=row.pk)
    assert sorted(alerts.values_list("level", flat=True)) == [1, 1, 2, 3, 3]
    joint = alerts.get(level=3, recipient_user=people["sam"])
    assert "joint meeting" in joint.title or "联席会议" in joint.title
    assert str(row.pk) in joint.url
    assert joint.region == row.unit.region
    assert "2026-03-31" in joint.body
    # One notification per (user, alert); the rows' alerts reach nobody outside the ladder.
    pairs = list(Notification.objects.values_list("user_id", "alert_id"))
    assert len(pairs) == len(set(pairs))
    assert not Notification.objects.filter(user__username__in=["carol", "rita", "charlie"]).exists()


def test_a_late_first_run_sends_every_step_in_order_without_skipping(ladder, task9, people):
    _, _, row = task9
    assert escalation.sweep(day(31)) == 2
    assert refreshed(row).escalation_step == 3
    assert sent() == STEP1 | STEP2 | STEP3
    levels = list(
        Alert.objects.filter(kind=AlertKind.PLAN_OVERDUE, object_id=row.pk)
        .order_by("pk")
        .values_list("level", flat=True)
    )
    assert levels == sorted(levels)
    assert escalation.sweep(day(31)) == 0
    assert notified() == {"dave": 1, "lena": 2, "olive": 4, "sam": 2}


# --- done rows ---------------------------------------------------------------------------------------------------


def test_a_done_row_is_never_marked_overdue(ladder, task9, people):
    _, lead, row = task9
    accept_completion(row, people["dave"], people["olive"])
    assert refreshed(row).status == ResponsibilityStatus.DONE
    for n in (0, 7, 30):
        escalation.sweep(day(n))
    assert refreshed(row).status == ResponsibilityStatus.DONE
    assert refreshed(row).overdue_since is None
    assert not Alert.objects.filter(object_id=row.pk, kind=AlertKind.PLAN_OVERDUE).exists()
    assert refreshed(lead).status == ResponsibilityStatus.OVERDUE  # the lead's own row is still open


def test_an_accepted_completion_keeps_a_row_from_overdue_even_before_its_status_moves(ladder, task9, people):
    _, _, row = task9
    report = ProgressReport.objects.create(
        responsibility=row,
        kind=ReportKind.COMPLETION,
        period="2026",
        text="已完成",
        status=ReportStatus.ACCEPTED,
        submitted_by=people["dave"],
    )
    escalation.sweep(day(0))
    assert refreshed(row).status == ResponsibilityStatus.IN_PROGRESS
    # A returned completion report does not count.
    ProgressReport.objects.filter(pk=report.pk).update(status=ReportStatus.RETURNED)
    escalation.sweep(day(1))
    assert refreshed(row).status == ResponsibilityStatus.OVERDUE
    assert refreshed(row).overdue_since == DAY0


def test_a_row_done_after_being_overdue_stops_climbing(ladder, task9, people):
    _, lead, row = task9
    escalation.sweep(day(0))
    assert refreshed(row).escalation_step == 1
    accept_completion(row, people["dave"], people["olive"])
    assert refreshed(row).status == ResponsibilityStatus.DONE

    for n in (7, 30, 31):
        escalation.sweep(day(n))
    assert refreshed(row).status == ResponsibilityStatus.DONE
    assert {(u, level) for u, level, _ in sent() if u == "rsj"} == {("rsj", 1)}
    assert refreshed(lead).escalation_step == 3  # the lead's row goes on climbing


def test_an_accepted_progress_report_does_not_stop_the_climb(ladder, task9, people):
    _, _, row = task9
    escalation.sweep(day(0))
    report = progress.submit_report(row.pk, people["dave"], period="2026-04", text="推进中")
    progress.review_report(report.pk, people["olive"], accept=True)
    escalation.sweep(day(7))
    assert refreshed(row).status == ResponsibilityStatus.OVERDUE
    assert refreshed(row).escalation_step == 2


# --- the office's ladder -----------------------------------------------------------------------------------------


def test_the_default_ladder(ladder):
    assert [(s.step, s.days_overdue, s.audience) for s in ladder.values()] == [
        (1, 0, EscalationAudience.UNIT_AND_LEAD),
        (2, 7, EscalationAudience.OFFICE),
        (3, 30, EscalationAudience.JOINT_MEETING),
    ]
    assert escalation.load_defaults() == 0  # only into an empty ladder
    assert EscalationStep.objects.count() == 3


def test_an_office_edited_ladder_is_respected(ladder, task9, people):
    _, _, row = task9
    EscalationStep.objects.filter(step=2).update(days_overdue=3)
    EscalationStep.objects.filter(step=3).update(days_overdue=10)
    EscalationStep.objects.create(
        step=4, days_overdue=60, audience=EscalationAudience.OFFICE, label="再次督办"
    )

    escalation.sweep(day(0))
    assert escalation.sweep(day(2)) == 0
    assert escalation.sweep(day(3)) == 2
    assert refreshed(row).escalation_step == 2
    assert escalation.sweep(day(9)) == 0
    assert escalation.sweep(day(10)) == 2
    assert refreshed(row).escalation_step == 3
    assert escalation.sweep(day(30)) == 0
    assert escalation.sweep(day(60)) == 2
    assert refreshed(row).escalation_step == 4
    assert ("rsj", 4, "office") in sent()
    assert notified()["olive"] == 6


def test_a_ladder_starting_later_leaves_fresh_rows_overdue_but_unalerted(ladder, task9, people):
    _, _, row = task9
    EscalationStep.objects.filter(step=1).update(days_overdue=2)
    assert escalation.sweep(day(0)) == 2  # marked overdue
    assert refreshed(row).escalation_step == 0
    assert sent() == set()
    assert escalation.sweep(day(2)) == 2
    assert sent() == STEP1


def test_the_ladder_keeps_its_days_in_step_order(ladder):
    step = ladder[2]
    step.days_overdue = 31
    with pytest.raises(ValidationError):
        step.full_clean()
    step.days_overdue = 30
    step.full_clean()


def test_the_office_edits_the_ladder_in_the_admin(ladder, make_user, client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:tasks_plan_escalationstep_changelist")).status_code == 200
    change = reverse("admin:tasks_plan_escalationstep_change", args=[ladder[2].pk])
    form = {"step": 2, "audience": EscalationAudience.OFFICE, "label": "报大调解工作办公室督办"}
    assert client.post(change, form | {"days_overdue": 40}).status_code == 200  # after step 3: refused
    assert client.post(change, form | {"days_overdue": 14}).status_code == 302
    assert EscalationStep.objects.get(step=2).days_overdue == 14


def test_without_a_ladder_rows_are_only_marked(plan, task9, people):
    _, _, row = task9
    assert escalation.sweep(day(40)) == 2
    assert refreshed(row).status == ResponsibilityStatus.OVERDUE
    assert sent() == set()


# --- what becomes overdue ----------------------------------------------------------------------------------------


def test_yearly_tasks_are_overdue_on_1_january_without_last_years_completion(ladder, plan, units, people):
    yearly = make_task(plan, 17, DueKind.YEARLY, dt.date(2020, 1, 1))
    row = responsibility(yearly, units["rsj"])
    ProgressReport.objects.create(
        responsibility=row,
        kind=ReportKind.COMPLETION,
        period="2024年度",
        text="已完成",
        status=ReportStatus.ACCEPTED,
        submitted_by=people["dave"],
    )
    ProgressReport.objects.filter(responsibility=row).update(
        submitted_at=dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    )

    escalation.sweep(dt.date(2025, 12, 31))  # 2024's completion was accepted
    assert refreshed(row).status == ResponsibilityStatus.IN_PROGRESS
    escalation.sweep(dt.date(2026, 1, 1))  # nothing accepted for 2025
    row = refreshed(row)
    assert (row.status, row.overdue_since, row.escalation_step) == (
        ResponsibilityStatus.OVERDUE,
        dt.date(2026, 1, 1),
        1,
    )


def test_a_yearly_task_starting_this_year_is_not_overdue_yet(ladder, plan, units, people):
    row = responsibility(make_task(plan, 29, DueKind.YEARLY, dt.date(2026, 1, 1)), units["rsj"])
    escalation.sweep(dt.date(2026, 12, 31))
    assert refreshed(row).status == ResponsibilityStatus.IN_PROGRESS
    escalation.sweep(dt.date(2027, 1, 1))
    assert refreshed(row).overdue_since == dt.date(2027, 1, 1)


def test_ongoing_tasks_and_replaced_plans_are_never_overdue(ladder, plan, units, people):
    ongoing = responsibility(make_task(plan, 21, DueKind.ONGOING, None), units["rsj"])
    plan.is_current = False
    plan.save()
    newer = Plan.objects.create(code="newer", title="新方案", is_current=True)
    old_dated = responsibility(make_task(plan, 9), units["rsj"])
    current = responsibility(make_task(newer, 9), units["rsj"])
    escalation.sweep(day(40))
    assert refreshed(ongoing).status == ResponsibilityStatus.IN_PROGRESS
    assert refreshed(old_dated).status == ResponsibilityStatus.IN_PROGRESS
    assert refreshed(current).status == ResponsibilityStatus.OVERDUE


def test_rows_raised_to_the_joint_meeting(ladder, task9, people):
    _, lead, row = task9
    escalation.sweep(day(7))
    assert not escalation.raised_to_joint_meeting().exists()
    escalation.sweep(day(30))
    assert set(escalation.raised_to_joint_meeting()) == {lead, row}


# --- the whole plan, in batches ----------------------------------------------------------------------------------


def _state():
    rows = sorted(Responsibility.objects.values_list("pk", "status", "overdue_since", "escalation_step"))
    alerts = sorted(
        Alert.objects.filter(kind=AlertKind.PLAN_OVERDUE).values_list("object_id", "level", "recipient_key")
    )
    notes = sorted(
        Notification.objects.filter(alert__kind=AlertKind.PLAN_OVERDUE).values_list(
            "user_id", "alert__object_id", "alert__level", "alert__recipient_key"
        )
    )
    return rows, alerts, notes


def test_small_batches_give_the_same_result_on_the_whole_plan(ladder, people, loaded_plan):
    today = dt.date(2022, 1, 1)
    runs = {}
    for batch_size in (500, 7):
        with transaction.atomic():
            # Tasks due in 2020 are a year overdue; those due on 2021-12-31 and the yearly ones (nothing accepted
            # for 2021) become overdue today; those due from 2022 on are not yet.
            processed = escalation.sweep(today, batch_size=batch_size)
            runs[batch_size] = (processed, _state())
            transaction.set_rollback(True)
    assert runs[500] == runs[7]
    processed, (rows, alerts, notes) = runs[500]
    overdue = {r[0]: r for r in rows if r[1] == ResponsibilityStatus.OVERDUE}
    expected = Responsibility.objects.filter(
        Q(task__due_kind=DueKind.DATE, task__due_on__lt=today) | Q(task__due_kind=DueKind.YEARLY)
    )
    assert processed == len(overdue) == expected.count() > 0
    assert {(since, step) for _, _, since, step in overdue.values()} == {(today, 1), (dt.date(2021, 1, 1), 3)}
    assert len(alerts) == len(set(alerts))
    assert notes


# --- the periodic job --------------------------------------------------------------------------------------------


def test_the_job_loads_the_default_ladder_and_is_scheduled_daily(plan, units, people):
    row = responsibility(make_task(plan, 10, due_on=dt.date(2021, 12, 31)), units["rsj"])
    assert "plan_overdue_escalation" in discover()
    record = run_job("plan_overdue_escalation")
    assert record.outcome == TaskRun.Outcome.OK
    assert EscalationStep.objects.count() == 3
    # The task is long past its deadline today, so its row is overdue and at the top of the ladder.
    assert record.processed == 1
    assert refreshed(row).escalation_step == 3
    assert run_job("plan_overdue_escalation").processed == 0

    entry = settings.CELERY_BEAT_SCHEDULE["plan-overdue-escalation"]
    assert entry["args"] == ["plan_overdue_escalation"]
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})
