"""Indicators of the scheduled work (issue 6): patrols on time (task 22). Registered in the registry of
mediation.indicators; disputes/indicators.py imports this module so they register with the others."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from mediation.choices import RegionLevel
from mediation.indicators import IndicatorRow, _district, _result, register

PATROL_LEVELS = [RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID]


@register("patrol_on_time_rate", _("Patrols reported on time"))
def patrol_on_time_rate(as_of):
    """Duties due in the calendar year up to `as_of`: on time ÷ (on time + late + missing), rows per level."""
    from disputes.models import PatrolDuty
    from disputes.services.patrols import outcome_counts

    duties = PatrolDuty.objects.filter(region__path__startswith=_district().path)
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
    return _result("patrol_on_time_rate", as_of, numerator, denominator, rows)
