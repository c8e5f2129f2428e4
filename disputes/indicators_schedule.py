"""Indicators of the scheduled work (issue 6): patrols on time (task 22), early warnings in time (task 23), reports
on time (task 25). Registered in the registry of mediation.indicators; disputes/indicators.py imports this module
so they register with the others. Patrols are counted per region, warnings per (region, platform) of the dispute
(their rows read page by page), reports at the district they are about."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from mediation.choices import RegionLevel
from mediation.dates import days_q
from mediation.indicators import (
    Cell,
    IndicatorRow,
    RowSource,
    combine_totals,
    district,
    from_sums,
    register,
    result,
    sums_by_key,
)

PATROL_LEVELS = [RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID]


@from_sums
def combine_patrols(spec, as_of, cells, names):
    sums = {key: n for key, (n, _d) in sums_by_key(cells).items()}
    rows, numerator, denominator = [], 0, 0
    for level in PATROL_LEVELS:
        on_time, late, missing = (
            sums.get(f"{level}:{outcome}", 0) for outcome in ("on_time", "late", "missing")
        )
        detail = str(_("%(on_time)s on time, %(late)s late, %(missing)s missing")) % {
            "on_time": on_time,
            "late": late,
            "missing": missing,
        }
        rows.append(IndicatorRow(str(RegionLevel(level).label), late + missing == 0, detail, level))
    for key, n in sums.items():
        numerator += n if key.endswith(":on_time") else 0
        denominator += n
    return result(spec.code, as_of, numerator, denominator, rows)


@register("patrol_on_time_rate", _("Patrols reported on time"), combine=combine_patrols)
def patrol_on_time_rate(as_of):
    """Duties due in the calendar year up to `as_of`: on time ÷ (on time + late + missing), rows per level;
    a cell per (region, level:outcome)."""
    from django.db.models import Count

    from disputes.models import PatrolDuty
    from disputes.services.patrols import decided

    duties = PatrolDuty.objects.filter(region__path__startswith=district().path)
    rows = (
        decided(duties, dt.date(as_of.year, 1, 1), as_of)
        .order_by()
        .values("region_id", "region__level", "outcome")
        .annotate(n=Count("pk"))
    )
    return [
        Cell(region=r["region_id"], key=f"{r['region__level']}:{r['outcome']}", numerator=r["n"])
        for r in rows
    ]


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return str(_("%(h)s h %(m)s min")) % {"h": minutes // 60, "m": minutes % 60}


def _warned(as_of):
    """Red and orange disputes assessed in the calendar year up to `as_of` (not voided or merged)."""
    from disputes.choices import Status
    from disputes.models import Dispute, Event
    from disputes.services.warnings import WARN_AT_ONCE

    assessed = Event.objects.filter(action="assess", **days_q("at", dt.date(as_of.year, 1, 1), as_of)).values(
        "dispute_id"
    )
    return Dispute.objects.filter(pk__in=assessed, risk_grade__in=WARN_AT_ONCE).exclude(
        status__in=[Status.VOIDED, Status.MERGED]
    )


def _warning_rows(disputes, as_of) -> list[IndicatorRow]:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import prefetch_related_objects

    from disputes.models import Dispute
    from mediation.models import Alert, AlertKind

    prefetch_related_objects(disputes, "responsible_units")
    warnings: dict[tuple[int, int], dict[str, Alert]] = {}
    for alert in Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Dispute),
        object_id__in=[d.pk for d in disputes],
        kind=AlertKind.EARLY_WARNING,
    ):
        warnings.setdefault((alert.object_id, alert.level), {})[alert.recipient_key] = alert
    return [_warning_row(d, warnings.get((d.pk, d.risk_grade), {}), as_of) for d in disputes]


@register(
    "warning_timeliness",
    _("Early warnings that reached 属事 and 属地 and were acknowledged in time"),
    combine=combine_totals,
    rows=RowSource(
        queryset=_warned,
        anchors={"region": "region", "region_path": "region_path", "organization": "platform"},
        recount_order=("pk",),
        make_rows=_warning_rows,
    ),
)
def warning_timeliness(as_of):
    """Red and orange disputes assessed in the calendar year up to `as_of` whose warning reached every 属事 unit
    and the 属地 platform, each acknowledged within its limit (by `as_of`) ÷ all of them; a row per dispute with
    the time the last of those recipients took to acknowledge. Stored per (region, platform) of the dispute."""
    totals: dict[tuple, list[int]] = {}
    disputes = list(_warned(as_of).order_by("pk"))
    for dispute, row in zip(disputes, _warning_rows(disputes, as_of), strict=True):
        counts = totals.setdefault((dispute.region_id, dispute.platform_id), [0, 0])
        counts[0] += row.met
        counts[1] += 1
    return [
        Cell(region=region, organization=platform, numerator=met, denominator=n)
        for (region, platform), (met, n) in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
    ]


def _warning_row(dispute, sent: dict, as_of) -> IndicatorRow:
    from django.utils import timezone

    from disputes.indicators import dispute_url

    needed = {f"unit:{u.pk}": u.name for u in dispute.responsible_units.all()}
    if dispute.platform_id:
        needed[f"org:{dispute.platform_id}"] = str(_("the 属地 platform"))
    label = f"{dispute.number} {dispute.title}"
    missing = [name for key, name in needed.items() if key not in sent]
    if missing or not needed:
        detail = str(_("The warning did not reach: %(who)s")) % {"who": "、".join(missing) or "—"}
        return IndicatorRow(label, False, detail, dispute, url=dispute_url(dispute))

    def in_time(alert) -> bool:
        acked = alert.acknowledged_at
        if acked is None or timezone.localdate(acked) > as_of:
            return False
        return alert.ack_due_at is None or acked <= alert.ack_due_at

    late = [name for key, name in needed.items() if not in_time(sent[key])]
    if late:
        detail = str(_("Not acknowledged in time by: %(who)s")) % {"who": "、".join(late)}
        return IndicatorRow(label, False, detail, dispute, url=dispute_url(dispute))
    took = max(sent[key].acknowledged_at - sent[key].created_at for key in needed)
    detail = str(_("Acknowledged within %(time)s")) % {"time": _duration(took)}
    return IndicatorRow(label, True, detail, dispute, url=dispute_url(dispute))


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


@from_sums
def combine_reports(spec, as_of, cells, names):
    from disputes.models import PeriodicReport

    sums = sums_by_key(cells)
    rows = []
    for kind in PeriodicReport.Kind:
        if kind.value not in sums:
            continue
        on_time, due = sums[kind.value]
        detail = str(_("%(n)s of %(due)s on time")) % {"n": on_time, "due": due}
        rows.append(IndicatorRow(str(kind.label), on_time == due, detail, kind.value))
    numerator = sum(n for n, _d in sums.values())
    denominator = sum(d for _n, d in sums.values())
    return result(spec.code, as_of, numerator, denominator, rows)


@register(
    "reports_on_time",
    _("Weekly, monthly, quarterly and annual reports made on time"),
    combine=combine_reports,
)
def reports_on_time(as_of):
    """Task 25: the district's periodic reports that ended this year, stored within the grace days; a cell per
    kind, anchored at the district (a street reads no district figure)."""
    from django.utils import timezone

    from disputes.models import PeriodicReport
    from disputes.services.reports import scope_key

    district_region = district()
    key = scope_key(region=district_region)
    cells = []
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
        cells.append(
            Cell(region=district_region.pk, key=kind.value, numerator=on_time, denominator=len(periods))
        )
    return cells
