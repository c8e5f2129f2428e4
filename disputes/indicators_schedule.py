"""Indicators of the scheduled work (issue 6): patrols on time (task 22), early warnings in time (task 23).
Registered in the registry of mediation.indicators; disputes/indicators.py imports this module so they register
with the others."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from mediation.choices import RegionLevel
from mediation.indicators import IndicatorRow, district, register, result

PATROL_LEVELS = [RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID]


@register("patrol_on_time_rate", _("Patrols reported on time"))
def patrol_on_time_rate(as_of):
    """Duties due in the calendar year up to `as_of`: on time ÷ (on time + late + missing), rows per level."""
    from disputes.models import PatrolDuty
    from disputes.services.patrols import outcome_counts

    duties = PatrolDuty.objects.filter(region__path__startswith=district().path)
    counts = outcome_counts(duties, "region__level", dt.date(as_of.year, 1, 1), as_of)
    rows = []
    for level in PATROL_LEVELS:
        c = counts.get(level, {})
        on_time, late, missing = c.get("on_time", 0), c.get("late", 0), c.get("missing", 0)
        detail = str(_("%(on_time)s on time, %(late)s late, %(missing)s missing")) % {
            "on_time": on_time,
            "late": late,
            "missing": missing,
        }
        rows.append(IndicatorRow(str(RegionLevel(level).label), late + missing == 0, detail, level))
    numerator = sum(c.get("on_time", 0) for c in counts.values())
    denominator = sum(sum(c.values()) for c in counts.values())
    return result("patrol_on_time_rate", as_of, numerator, denominator, rows)


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return str(_("%(h)s h %(m)s min")) % {"h": minutes // 60, "m": minutes % 60}


@register("warning_timeliness", _("Early warnings that reached 属事 and 属地 and were acknowledged in time"))
def warning_timeliness(as_of):
    """Red and orange disputes assessed in the calendar year up to `as_of` whose warning reached every 属事 unit
    and the 属地 platform, each acknowledged within its limit (by `as_of`) ÷ all of them; a row per dispute with
    the time the last of those recipients took to acknowledge."""
    from django.contrib.contenttypes.models import ContentType

    from disputes.choices import Status
    from disputes.models import Dispute, Event
    from disputes.services.warnings import WARN_AT_ONCE
    from mediation.models import Alert, AlertKind

    assessed = Event.objects.filter(
        action="assess", at__date__gte=dt.date(as_of.year, 1, 1), at__date__lte=as_of
    ).values("dispute_id")
    disputes = list(
        Dispute.objects.filter(pk__in=assessed, risk_grade__in=WARN_AT_ONCE)
        .exclude(status__in=[Status.VOIDED, Status.MERGED])
        .prefetch_related("responsible_units")
        .order_by("pk")
    )
    warnings: dict[tuple[int, int], dict[str, Alert]] = {}
    for alert in Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Dispute),
        object_id__in=[d.pk for d in disputes],
        kind=AlertKind.EARLY_WARNING,
    ):
        warnings.setdefault((alert.object_id, alert.level), {})[alert.recipient_key] = alert
    rows = [_warning_row(d, warnings.get((d.pk, d.risk_grade), {}), as_of) for d in disputes]
    return result("warning_timeliness", as_of, sum(r.met for r in rows), len(rows), rows)


def _warning_row(dispute, sent: dict, as_of) -> IndicatorRow:
    from django.utils import timezone

    needed = {f"unit:{u.pk}": u.name for u in dispute.responsible_units.all()}
    if dispute.platform_id:
        needed[f"org:{dispute.platform_id}"] = str(_("the 属地 platform"))
    label = f"{dispute.number} {dispute.title}"
    missing = [name for key, name in needed.items() if key not in sent]
    if missing or not needed:
        detail = str(_("The warning did not reach: %(who)s")) % {"who": "、".join(missing) or "—"}
        return IndicatorRow(label, False, detail, dispute)

    def in_time(alert) -> bool:
        acked = alert.acknowledged_at
        if acked is None or timezone.localdate(acked) > as_of:
            return False
        return alert.ack_due_at is None or acked <= alert.ack_due_at

    late = [name for key, name in needed.items() if not in_time(sent[key])]
    if late:
        detail = str(_("Not acknowledged in time by: %(who)s")) % {"who": "、".join(late)}
        return IndicatorRow(label, False, detail, dispute)
    took = max(sent[key].acknowledged_at - sent[key].created_at for key in needed)
    return IndicatorRow(
        label, True, str(_("Acknowledged within %(time)s")) % {"time": _duration(took)}, dispute
    )


# Reports count as on time when they are stored within this many days after their period ends.
REPORT_GRACE_DAYS = 2


def _periods_in_year(kind: str, as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The complete periods of `kind` that ended in the calendar year of `as_of`, up to it."""
    from disputes.services.reports import period_for

    periods, day = [], as_of
    while True:
        start, end = period_for(kind, day)
        if end.year < as_of.year:
            return periods
        periods.append((start, end))
        day = start


@register("reports_on_time", _("Weekly, monthly, quarterly and annual reports made on time"))
def reports_on_time(as_of):
    """Task 25: the district's periodic reports that ended this year, stored within the grace days."""
    from django.utils import timezone

    from disputes.models import PeriodicReport
    from disputes.services.reports import scope_key

    key = scope_key(region=district())
    rows, on_time_total, due_total = [], 0, 0
    for kind in PeriodicReport.Kind:
        periods = _periods_in_year(kind, as_of)
        made = dict(
            PeriodicReport.objects.filter(
                kind=kind, scope_key=key, period_start__in=[s for s, _e in periods]
            ).values_list("period_start", "generated_at")
        )
        on_time = sum(
            1
            for start, end in periods
            if start in made and timezone.localdate(made[start]) <= end + dt.timedelta(days=REPORT_GRACE_DAYS)
        )
        on_time_total, due_total = on_time_total + on_time, due_total + len(periods)
        rows.append(
            IndicatorRow(
                str(kind.label),
                on_time == len(periods),
                str(_("%(n)s of %(due)s on time")) % {"n": on_time, "due": len(periods)},
                kind.value,
            )
        )
    return result("reports_on_time", as_of, on_time_total, due_total, rows)
