"""Indicators counted from the dispute data (tasks 4, 15, 16, 20, 24, 26), in the registry of
mediation.indicators so `indicator(code, as_of)` serves both apps.

Periods: a figure "as of" a day counts the calendar year up to and including that day, except the usage rate,
which looks at the 30 days before it (a region that logged nothing for a month is not using the platform).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils.translation import gettext_lazy as _

from disputes.choices import AssignmentStatus, FeedbackTarget, SessionMode, Source, Status
from mediation.choices import RegionLevel
from mediation.indicators import IndicatorRow, regions_at, register, result

USAGE_WINDOW_DAYS = 30
REFERRAL_SOURCES = [Source.COURT, Source.POLICE, Source.PETITION, Source.REVIEW]
REMOTE_MODES = [SessionMode.VIDEO, SessionMode.PHONE, SessionMode.ONLINE]


def _year_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(as_of.year, 1, 1), as_of


def _usage_rate(level):
    def compute(as_of):
        from disputes.models import Dispute
        from mediation.models import Region

        start = as_of - dt.timedelta(days=USAGE_WINDOW_DAYS - 1)
        paths = list(
            Dispute.objects.filter(created_at__date__gte=start, created_at__date__lte=as_of)
            .values_list("region_path", flat=True)
            .distinct()
        )
        regions = list(regions_at(level))
        # One query for every region's full name (Region.full_name asks the database once per region).
        names = Region.objects.full_names(r.path for r in regions)
        rows = [
            IndicatorRow(names[r.path] or r.name, any(p.startswith(r.path) for p in paths), r.code, r)
            for r in regions
        ]
        code = f"usage_rate_{RegionLevel(level).name.lower()}"
        return result(
            code,
            as_of,
            sum(r.met for r in rows),
            len(rows),
            rows,
            note=str(_("Regions that registered a dispute in the last %(n)s days"))
            % {"n": USAGE_WINDOW_DAYS},
        )

    return compute


register("usage_rate_district", _("Platform usage rate: district"))(_usage_rate(RegionLevel.DISTRICT))
register("usage_rate_street", _("Platform usage rate: streets/towns"))(_usage_rate(RegionLevel.STREET))
register("usage_rate_community", _("Platform usage rate: communities/villages"))(
    _usage_rate(RegionLevel.COMMUNITY)
)


@register("referral_channels", _("Disputes referred by courts, police, petitions and reviews"))
def referral_channels(as_of):
    from disputes.models import Dispute

    start, end = _year_window(as_of)
    disputes = Dispute.objects.filter(
        created_at__date__gte=start, created_at__date__lte=end, source__in=REFERRAL_SOURCES
    ).exclude(status__in=[Status.VOIDED, Status.MERGED])
    total = Counter(disputes.values_list("source", flat=True))
    resolved = Counter(disputes.filter(outcome="success").values_list("source", flat=True))
    rows = [
        IndicatorRow(
            str(Source(s).label),
            total.get(s, 0) > 0,
            str(_("%(n)s received, %(ok)s resolved")) % {"n": total.get(s, 0), "ok": resolved.get(s, 0)},
            s,
        )
        for s in REFERRAL_SOURCES
    ]
    return result("referral_channels", as_of, sum(total.values()), None, rows, unit="")


@register("judicial_confirmations", _("Agreements sent for judicial confirmation or notarization"))
def judicial_confirmations(as_of):
    from disputes.models import Agreement

    start, end = _year_window(as_of)
    applied = Agreement.objects.filter(confirmation_applied_on__gte=start, confirmation_applied_on__lte=end)
    results = Counter(applied.values_list("confirmation_result", flat=True))
    notarized = Agreement.objects.filter(notarized_on__gte=start, notarized_on__lte=end).count()
    rows = [
        IndicatorRow(str(_("Applied for judicial confirmation")), True, str(applied.count())),
        IndicatorRow(str(_("Confirmed")), True, str(results.get("confirmed", 0))),
        IndicatorRow(str(_("Rejected")), True, str(results.get("rejected", 0))),
        IndicatorRow(str(_("Notarized")), True, str(notarized)),
    ]
    return result("judicial_confirmations", as_of, applied.count() + notarized, None, rows, unit="")


@register("remote_sessions", _("Mediation sessions held remotely (video, phone, online)"))
def remote_sessions(as_of):
    from disputes.models import MediationSession

    start, end = _year_window(as_of)
    modes = Counter(
        MediationSession.objects.filter(held_at__date__gte=start, held_at__date__lte=end).values_list(
            "mode", flat=True
        )
    )
    rows = [
        IndicatorRow(str(SessionMode(m).label), m in REMOTE_MODES, str(modes.get(m, 0)), m)
        for m in SessionMode.values
    ]
    return result(
        "remote_sessions", as_of, sum(modes.get(m, 0) for m in REMOTE_MODES), sum(modes.values()), rows
    )


@register("assignment_on_time_rate", _("Assignments finished within their time limit"))
def assignment_on_time_rate(as_of):
    from disputes.models import Assignment

    start, end = _year_window(as_of)
    due = (
        Assignment.objects.filter(due_at__date__gte=start, due_at__date__lte=end)
        .exclude(status__in=[AssignmentStatus.WITHDRAWN, AssignmentStatus.RETURNED])
        .select_related("dispute", "to_unit", "to_organization")
        .order_by("due_at")
    )
    rows = [
        IndicatorRow(
            f"{a.dispute.number} → {a.target}",
            a.completed_at is not None and a.completed_at <= a.due_at,
            a.due_at.date().isoformat(),
            a.dispute,
        )
        for a in due
    ]
    return result("assignment_on_time_rate", as_of, sum(r.met for r in rows), len(rows), rows)


@register("feedback_rate", _("Concluded disputes fed back to the parties (and the assigning platform)"))
def feedback_rate(as_of):
    from disputes.models import Dispute

    start, end = _year_window(as_of)
    concluded = (
        Dispute.objects.filter(resolved_at__date__gte=start, resolved_at__date__lte=end)
        .filter(status__in=[Status.RESOLVED, Status.FAILED, Status.FED_BACK, Status.ARCHIVED])
        .prefetch_related("feedbacks", "assignments")
        .order_by("resolved_at")
    )
    rows = []
    for d in concluded:
        given = {f.target for f in d.feedbacks.all()}
        assigned = any(a.status != AssignmentStatus.WITHDRAWN for a in d.assignments.all())
        needed = {FeedbackTarget.PARTIES} | ({FeedbackTarget.PLATFORM} if assigned else set())
        rows.append(IndicatorRow(f"{d.number} {d.title}", needed <= given, "", d))
    return result("feedback_rate", as_of, sum(r.met for r in rows), len(rows), rows)


from disputes import indicators_schedule  # noqa: E402, F401 - registers the scheduled-work indicators
