"""The task plan's part of `manage.py generate_load` (disputes.loadgen finds this module by name).

- prepare(): the plan itself and the escalation ladder, through their loaders (before the other districts' units
  exist, so the plan's unit names resolve to the home district's units only);
- declare(): the plan tables the generator writes;
- contribute(): the liaisons' progress reports on their units' rows over the years, reviewed by the office (the
  rows' status follows the accepted reports, as tasks_plan.services.progress moves it), and the joint meetings;
- the overdue escalation as its daily sweep would have left it (rows marked overdue, one alert per step).
"""

from __future__ import annotations

import datetime as dt

from disputes.loadgen import tables
from disputes.loadgen.clock import DAY, HOUR, day_number


def prepare() -> None:
    from tasks_plan.services import escalation
    from tasks_plan.services.loader import load_plan

    load_plan()
    escalation.load_defaults()


def declare() -> None:
    tables.declare(
        "tasks_plan.ProgressReport",
        [
            "id",
            "responsibility_id",
            "kind",
            "period",
            "text",
            "figures",
            "status",
            "submitted_by_id",
            "submitted_at",
            "reviewed_by_id",
            "reviewed_at",
            "review_comments",
        ],
    )
    tables.declare(
        "tasks_plan.JointMeeting",
        ["id", "held_on", "title", "chaired_by", "issues", "decisions", "recorded_by_id", "recorded_at"],
    )
    tables.declare("tasks_plan.JointMeeting.attendees", ["id", "jointmeeting_id", "unit_id"])
    tables.declare("tasks_plan.JointMeeting.tasks", ["id", "jointmeeting_id", "plantask_id"])


def read(ctx) -> None:
    """The plan's rows, tasks and ladder, read before the bulk load takes its locks."""
    from django.contrib.contenttypes.models import ContentType

    from tasks_plan.models import EscalationStep, PlanTask, Responsibility

    ctx.content_types["responsibility"] = ContentType.objects.get_for_model(Responsibility).pk
    ctx.plan_rows = list(
        Responsibility.objects.filter(task__plan__is_current=True)
        .order_by("pk")
        .values_list("pk", "unit_id", "task_id", "role")
    )
    ctx.plan_tasks = {
        pk: (number, content, due_kind, due_on)
        for pk, number, content, due_kind, due_on in PlanTask.objects.filter(plan__is_current=True)
        .order_by("number")
        .values_list("pk", "number", "content", "due_kind", "due_on")
    }
    ctx.plan_steps = list(
        EscalationStep.objects.order_by("step").values_list("step", "days_overdue", "audience", "label")
    )


def contribute(ctx, world, loader) -> None:
    rng = ctx.rng("plan")
    clock = ctx.clock
    home = world.districts[0]
    office = home.units["office"].members[0]
    reports = ctx.w("tasks_plan.ProgressReport")
    statuses = {}
    rows = ctx.plan_rows
    first = max(ctx.first_day, ctx.today - 3 * 365)
    for responsibility_id, unit_id, _task_id, _role in rows:
        unit = world.units_by_id.get(unit_id)
        author = unit.members[0] if unit and unit.members else office
        status, changed = "not_started", None
        quarter = first
        while quarter + 90 <= ctx.today and rng.random() < 0.8:
            submitted = clock.day_start(quarter + rng.randrange(80, 95)) + 10 * HOUR
            if submitted > ctx.now:
                break
            completion = status != "done" and rng.random() < 0.08
            reviewed = submitted + int(rng.uniform(1, 10) * DAY)
            outcome = (
                "submitted" if reviewed > ctx.now else ("returned" if rng.random() < 0.1 else "accepted")
            )
            date = clock.date(clock.local_day(submitted))
            reports.add(
                id=ctx.ids.next("tasks_plan.ProgressReport"),
                responsibility_id=responsibility_id,
                kind="completion" if completion else "progress",
                period=f"{date.year}年第{(date.month - 1) // 3 + 1}季度",
                text="按照任务分工要求推进相关工作，本季度完成情况见附件。"
                if not completion
                else "任务已按要求完成。",
                figures={},
                status=outcome,
                submitted_by_id=author.id,
                submitted_at=clock.ts(submitted),
                reviewed_by_id=office.id if outcome != "submitted" else None,
                reviewed_at=clock.ts(reviewed) if outcome != "submitted" else None,
                review_comments="请补充佐证材料。" if outcome == "returned" else "",
            )
            if outcome == "accepted":
                # tasks_plan.services.progress._apply_accepted
                if completion:
                    status, changed = "done", reviewed
                elif status == "not_started":
                    status, changed = "in_progress", reviewed
            quarter += 91
        statuses[responsibility_id] = (status, changed)
    escalated = _escalate(ctx, world, statuses)
    for responsibility_id, (status, changed) in statuses.items():
        since, step = escalated.get(responsibility_id, (None, 0))
        if changed is None and since is None:
            continue
        loader.execute(
            "UPDATE tasks_plan_responsibility SET status = %s, status_changed_at = %s, overdue_since = %s, "
            "escalation_step = %s WHERE id = %s",
            [
                "overdue" if since is not None else status,
                clock.ts(clock.day_start(since) + 7 * HOUR) if since is not None else clock.ts(changed),
                clock.date_text(since) if since is not None else None,
                step,
                responsibility_id,
            ],
        )
    tasks = list(ctx.plan_tasks)
    members = [
        u
        for u in home.units.values()
        if u.kind in ("party", "government", "court", "judicial", "peoples_org")
    ]
    first_year, last_year = clock.date(ctx.first_day).year, clock.date(ctx.today).year
    for year in range(first_year, last_year + 1):
        for month in (6, 12):
            held = day_number(dt.date(year, month, 20))
            if not ctx.first_day <= held <= ctx.today:
                continue
            meeting_id = ctx.ids.next("tasks_plan.JointMeeting")
            ctx.w("tasks_plan.JointMeeting").add(
                id=meeting_id,
                held_on=clock.date_text(held),
                title=f"{year}年{'上' if month == 6 else '下'}半年矛盾纠纷大调解工作联席会议",
                chaired_by="区委政法委书记",
                issues="研究重大矛盾纠纷化解、任务推进中的困难问题。",
                decisions="明确责任单位和完成时限，纳入督办。",
                recorded_by_id=office.id,
                recorded_at=clock.ts(clock.day_start(held) + 17 * HOUR),
            )
            for unit in rng.sample(members, k=min(len(members), 12)):
                ctx.w("tasks_plan.JointMeeting.attendees").add(
                    id=ctx.ids.next("tasks_plan.JointMeeting.attendees"),
                    jointmeeting_id=meeting_id,
                    unit_id=unit.id,
                )
            for task_id in rng.sample(tasks, k=min(len(tasks), 4)):
                ctx.w("tasks_plan.JointMeeting.tasks").add(
                    id=ctx.ids.next("tasks_plan.JointMeeting.tasks"),
                    jointmeeting_id=meeting_id,
                    plantask_id=task_id,
                )


def _escalate(ctx, world, statuses) -> dict[int, tuple[int, int]]:
    """tasks_plan.services.escalation, run daily at 07:00 over the years: a row past its deadline without an
    accepted completion is overdue from the day after it, and climbs the ladder one alert per step (unit and lead
    units, then the office, then the joint meeting: the office and the district's supervisors). Returns
    {row: (overdue since, step reached)}. Only the home district's office is alerted, where the service takes
    every office unit (there is one district in its world)."""
    from django.utils.translation import gettext

    clock = ctx.clock
    home = world.districts[0]
    office = [("unit", home.units["office"])]
    supervisors = [("user", u) for u in home.place.staff.get("supervisor", [])]
    leads: dict[int, list[int]] = {}
    for _pk, unit_id, task_id, role in ctx.plan_rows:
        if role == "lead":
            leads.setdefault(task_id, []).append(unit_id)
    today = clock.date(ctx.today)
    rng = ctx.rng("plan-escalation")
    result = {}
    for pk, unit_id, task_id, _role in ctx.plan_rows:
        status, _changed = statuses.get(pk, ("not_started", None))
        number, content, due_kind, due_on = ctx.plan_tasks[task_id]
        if status == "done":
            continue
        last_year_end = dt.date(today.year - 1, 12, 31)
        if due_kind == "date" and due_on and due_on < today:
            deadline = due_on
        elif due_kind == "yearly" and (due_on is None or due_on <= last_year_end):
            deadline = last_year_end
        else:
            continue
        since = day_number(deadline) + 1
        unit = world.units_by_id[unit_id]
        reached = 0
        for step, days, audience, label in ctx.plan_steps:
            day = since + days
            if day > ctx.today:
                break
            at = clock.day_start(day) + 7 * HOUR
            if audience == "unit_and_lead":
                ids = dict.fromkeys([unit_id, *leads.get(task_id, [])])
                recipients = [("unit", world.units_by_id[i]) for i in ids]
            elif audience == "office":
                recipients = office
            else:
                recipients = office + supervisors
            values = {
                "number": number,
                "unit": unit.name,
                "deadline": deadline.isoformat(),
                "days": day - since,
                "content": content[:80],
                "label": label,
            }
            if audience == "joint_meeting":
                title = (
                    gettext("Plan task %(number)s raised to the joint meeting: %(unit)s is overdue") % values
                )
            else:
                title = gettext("Plan task %(number)s overdue: %(unit)s") % values
            body = (
                gettext(
                    "Task %(number)s (%(content)s) of %(unit)s passed its deadline of %(deadline)s without an "
                    "accepted completion report and has been overdue for %(days)s days. Escalation: %(label)s."
                )
                % values
            )
            for kind, target in recipients:
                users = [target] if kind == "user" else sorted(target.members, key=lambda u: u.id)
                ctx.alert(
                    kind="plan_overdue",
                    level=step,
                    ct="responsibility",
                    object_id=pk,
                    region=unit.region,
                    recipient=(kind, target),
                    title=title[:200],
                    body=body,
                    url=f"/plan/responsibilities/{pk}/",
                    at=at,
                    users=users,
                    rng=rng,
                )
            reached = step
        result[pk] = (since, reached)
    return result
