"""The task plan's own indicator (task 28): joint meetings held, in the registry of mediation.indicators.

A row per meeting, anchored at the unit that convened it (the office's meetings at the district). The plan's check
dates (targets' by-dates once passed, last year's end) are kept fresh in the store beside today.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from mediation.indicators import MAINTAINED_DAYS, combine_rows, register, row_cell


@register("joint_meetings", _("Joint meetings held this year"), combine=combine_rows(count=True, unit=""))
def joint_meetings(as_of: dt.date):
    """Meetings held from 1 January of `as_of`'s year up to and including `as_of`; a row per meeting."""
    from tasks_plan.models import JointMeeting

    meetings = (
        JointMeeting.objects.filter(held_on__gte=dt.date(as_of.year, 1, 1), held_on__lte=as_of)
        .select_related("convened_by")
        .order_by("held_on", "pk")
    )
    return [
        row_cell(
            m,
            f"{m.held_on.isoformat()} {m.title}",
            True,
            m.chaired_by,
            count=True,
            anchor={"region": m.convened_by.region_id, "unit": m.convened_by_id},
        )
        for m in meetings
    ]


def plan_check_days(today: dt.date) -> dict[dt.date, set[str]]:
    """The past days the current plan's targets are checked at (tasks_plan.services.targets.check_date), with the
    indicators checked on each."""
    from tasks_plan.models import Target
    from tasks_plan.services.targets import check_date

    days: dict[dt.date, set[str]] = {}
    targets = Target.objects.filter(task__plan__is_current=True).exclude(indicator="").select_related("task")
    for target in targets:
        day = check_date(target, today)
        if day is not None:
            days.setdefault(day, set()).add(target.indicator)
    return days


MAINTAINED_DAYS.append(plan_check_days)
