"""The task plan's own indicator (task 28): joint meetings held, in the registry of mediation.indicators."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from mediation.indicators import IndicatorRow, register, result


@register("joint_meetings", _("Joint meetings held this year"))
def joint_meetings(as_of: dt.date):
    """Meetings held from 1 January of `as_of`'s year up to and including `as_of`; a row per meeting."""
    from tasks_plan.models import JointMeeting

    meetings = list(
        JointMeeting.objects.filter(held_on__gte=dt.date(as_of.year, 1, 1), held_on__lte=as_of).order_by(
            "held_on", "pk"
        )
    )
    rows = [IndicatorRow(f"{m.held_on.isoformat()} {m.title}", True, m.chaired_by, m) for m in meetings]
    return result("joint_meetings", as_of, len(meetings), None, rows, unit="")
