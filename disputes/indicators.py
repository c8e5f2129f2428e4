"""Indicators counted from the dispute data (tasks 4, 15, 16, 20, 24, 26), in the registry of
mediation.indicators so `indicator(code, as_of)` serves both apps.

Periods: a figure "as of" a day counts the calendar year up to and including that day, except the usage rate,
which looks at the 30 days before it (a region that logged nothing for a month is not using the platform).
Days are ranges of timestamps (mediation.dates), so the indexes serve the filters.

Case figures are stored as aggregates per (region, controlling platform) — and per assignee for assignments —,
so a viewer's figure counts the disputes of their regions, platforms and units; the rows behind the figures with a
row per case (assignments, concluded disputes) are read page by page (mediation.indicators.RowSource) and name
only disputes the viewer may open.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from disputes.choices import AssignmentStatus, FeedbackTarget, SessionMode, Source, Status
from mediation.choices import RegionLevel
from mediation.dates import days_q
from mediation.indicators import (
    Cell,
    IndicatorRow,
    RowSource,
    combine_rows,
    combine_totals,
    from_sums,
    region_cells,
    regions_at,
    register,
    result,
    sums_by_key,
)

USAGE_WINDOW_DAYS = 30
REFERRAL_SOURCES = [Source.COURT, Source.POLICE, Source.PETITION, Source.REVIEW]
REMOTE_MODES = [SessionMode.VIDEO, SessionMode.PHONE, SessionMode.ONLINE]
NOT_COUNTED = [Status.VOIDED, Status.MERGED]
CONCLUDED = [Status.RESOLVED, Status.FAILED, Status.FED_BACK, Status.ARCHIVED]


def _year_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(as_of.year, 1, 1), as_of


def _usage_note(cells, as_of, names) -> str:
    return str(_("Regions that registered a dispute in the last %(n)s days")) % {"n": USAGE_WINDOW_DAYS}


def _usage_cells(level):
    def cells(as_of):
        from disputes.models import Dispute

        start = as_of - dt.timedelta(days=USAGE_WINDOW_DAYS - 1)
        paths = list(
            Dispute.objects.filter(**days_q("created_at", start, as_of))
            .order_by()
            .values_list("region_path", flat=True)
            .distinct()
        )
        return region_cells(regions_at(level), lambda r: any(p.startswith(r.path) for p in paths))

    return cells


for _level, _label in [
    (RegionLevel.DISTRICT, _("Platform usage rate: district")),
    (RegionLevel.STREET, _("Platform usage rate: streets/towns")),
    (RegionLevel.COMMUNITY, _("Platform usage rate: communities/villages")),
]:
    register(
        f"usage_rate_{RegionLevel(_level).name.lower()}", _label, combine=combine_rows(note=_usage_note)
    )(_usage_cells(_level))
del _level, _label


def _case_cells(rows, key_field: str | None = None) -> list[Cell]:
    """Cells from _by_dispute(…)[.values(…, key)].annotate(n=…, ok=…) rows: numerator ok, denominator n."""
    return [
        Cell(
            region=row["anchor_region"],
            organization=row["anchor_platform"],
            key=str(row[key_field]) if key_field else "",
            numerator=row.get("ok", 0),
            denominator=row["n"],
        )
        for row in rows
    ]


def _by_dispute(queryset, prefix: str = ""):
    """Group `queryset` by the region and controlling platform of its dispute (at `prefix`)."""
    return queryset.order_by().values(
        anchor_region=F(f"{prefix}region_id"), anchor_platform=F(f"{prefix}platform_id")
    )


@from_sums
def combine_referrals(spec, as_of, cells, names):
    sums = sums_by_key(cells)
    rows = []
    for s in REFERRAL_SOURCES:
        resolved, received = sums.get(s, [0, 0])
        detail = str(_("%(n)s received, %(ok)s resolved")) % {"n": received, "ok": resolved}
        rows.append(IndicatorRow(str(Source(s).label), received > 0, detail, s))
    received = sum(d for key, (_n, d) in sums.items() if key in REFERRAL_SOURCES)
    return result(spec.code, as_of, received, None, rows, unit="")


@register(
    "referral_channels",
    _("Disputes referred by courts, police, petitions and reviews"),
    combine=combine_referrals,
)
def referral_channels(as_of):
    """Per (region, platform, source): disputes received (denominator) and resolved (numerator)."""
    from disputes.models import Dispute

    start, end = _year_window(as_of)
    disputes = Dispute.objects.filter(
        **days_q("created_at", start, end), source__in=REFERRAL_SOURCES
    ).exclude(status__in=NOT_COUNTED)
    rows = (
        _by_dispute(disputes)
        .annotate(key=F("source"))
        .values("anchor_region", "anchor_platform", "key")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(outcome="success")))
    )
    return _case_cells(rows, "key")


@from_sums
def combine_confirmations(spec, as_of, cells, names):
    sums = {key: n for key, (n, _d) in sums_by_key(cells).items()}
    applied, notarized = sums.get("applied", 0), sums.get("notarized", 0)
    rows = [
        IndicatorRow(str(_("Applied for judicial confirmation")), True, str(applied)),
        IndicatorRow(str(_("Confirmed")), True, str(sums.get("confirmed", 0))),
        IndicatorRow(str(_("Rejected")), True, str(sums.get("rejected", 0))),
        IndicatorRow(str(_("Notarized")), True, str(notarized)),
    ]
    return result(spec.code, as_of, applied + notarized, None, rows, unit="")


@register(
    "judicial_confirmations",
    _("Agreements sent for judicial confirmation or notarization"),
    combine=combine_confirmations,
)
def judicial_confirmations(as_of):
    """Per (region, platform): agreements applied for confirmation ("applied", and by result) and notarized."""
    from disputes.models import Agreement

    start, end = _year_window(as_of)
    applied = Agreement.objects.filter(confirmation_applied_on__gte=start, confirmation_applied_on__lte=end)
    cells = []
    for row in (
        _by_dispute(applied, "dispute__")
        .annotate(result=F("confirmation_result"))
        .values("anchor_region", "anchor_platform", "result")
        .annotate(n=Count("pk"))
    ):
        anchor = {"region": row["anchor_region"], "organization": row["anchor_platform"]}
        cells.append(Cell(**anchor, key="applied", numerator=row["n"]))
        if row["result"] in ("confirmed", "rejected"):
            cells.append(Cell(**anchor, key=row["result"], numerator=row["n"]))
    notarized = Agreement.objects.filter(notarized_on__gte=start, notarized_on__lte=end)
    for row in _by_dispute(notarized, "dispute__").annotate(n=Count("pk")):
        anchor = {"region": row["anchor_region"], "organization": row["anchor_platform"]}
        cells.append(Cell(**anchor, key="notarized", numerator=row["n"]))
    return cells


@from_sums
def combine_sessions(spec, as_of, cells, names):
    modes = {key: n for key, (n, _d) in sums_by_key(cells).items()}
    rows = [
        IndicatorRow(str(SessionMode(m).label), m in REMOTE_MODES, str(modes.get(m, 0)), m)
        for m in SessionMode.values
    ]
    return result(spec.code, as_of, sum(modes.get(m, 0) for m in REMOTE_MODES), sum(modes.values()), rows)


@register(
    "remote_sessions",
    _("Mediation sessions held remotely (video, phone, online)"),
    combine=combine_sessions,
)
def remote_sessions(as_of):
    """Per (region, platform, mode): the sessions held."""
    from disputes.models import MediationSession

    start, end = _year_window(as_of)
    sessions = MediationSession.objects.filter(**days_q("held_at", start, end))
    rows = (
        _by_dispute(sessions, "dispute__")
        .annotate(key=F("mode"))
        .values("anchor_region", "anchor_platform", "key")
        .annotate(n=Count("pk"))
    )
    return [
        Cell(region=r["anchor_region"], organization=r["anchor_platform"], key=r["key"], numerator=r["n"])
        for r in rows
    ]


# --- a row per case ----------------------------------------------------------------------------------------


def _assignments_due(as_of):
    from disputes.models import Assignment

    start, end = _year_window(as_of)
    return Assignment.objects.filter(**days_q("due_at", start, end)).exclude(
        status__in=[AssignmentStatus.WITHDRAWN, AssignmentStatus.RETURNED]
    )


def dispute_url(dispute) -> str:
    return reverse("disputes:detail", args=[dispute.pk])


def _assignment_rows(assignments, as_of) -> list[IndicatorRow]:
    from django.utils import timezone

    return [
        IndicatorRow(
            f"{a.dispute.number} → {a.target}",
            a.completed_at is not None and a.completed_at <= a.due_at,
            timezone.localdate(a.due_at).isoformat(),
            a.dispute,
            url=dispute_url(a.dispute),
        )
        for a in assignments
    ]


@register(
    "assignment_on_time_rate",
    _("Assignments finished within their time limit"),
    combine=combine_totals,
    rows=RowSource(
        queryset=lambda as_of: _assignments_due(as_of).select_related(
            "dispute", "to_unit", "to_organization"
        ),
        anchors={
            "region": "dispute__region",
            "region_path": "dispute__region_path",
            "unit": "to_unit",
            "organization": "to_organization",
        },
        recount_order=("due_at", "pk"),
        make_rows=_assignment_rows,
        through="dispute",
    ),
)
def assignment_on_time_rate(as_of):
    """Per (region of the dispute, assignee unit, assignee organization): assignments due, and on time."""
    on_time = Q(completed_at__isnull=False, completed_at__lte=F("due_at"))
    rows = (
        _assignments_due(as_of)
        .order_by()
        .values(
            anchor_region=F("dispute__region_id"),
            anchor_unit=F("to_unit_id"),
            anchor_org=F("to_organization_id"),
        )
        .annotate(n=Count("pk"), ok=Count("pk", filter=on_time))
    )
    return [
        Cell(
            region=r["anchor_region"],
            unit=r["anchor_unit"],
            organization=r["anchor_org"],
            numerator=r["ok"],
            denominator=r["n"],
        )
        for r in rows
    ]


def _concluded(as_of):
    from disputes.models import Dispute

    start, end = _year_window(as_of)
    return Dispute.objects.filter(**days_q("resolved_at", start, end)).filter(status__in=CONCLUDED)


def _feedback_rows(disputes, as_of) -> list[IndicatorRow]:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(disputes, "feedbacks", "assignments")
    rows = []
    for d in disputes:
        given = {f.target for f in d.feedbacks.all()}
        assigned = any(a.status != AssignmentStatus.WITHDRAWN for a in d.assignments.all())
        needed = {FeedbackTarget.PARTIES} | ({FeedbackTarget.PLATFORM} if assigned else set())
        rows.append(IndicatorRow(f"{d.number} {d.title}", needed <= given, "", d, url=dispute_url(d)))
    return rows


@register(
    "feedback_rate",
    _("Concluded disputes fed back to the parties (and the assigning platform)"),
    combine=combine_totals,
    rows=RowSource(
        queryset=_concluded,
        anchors={"region": "region", "region_path": "region_path", "organization": "platform"},
        recount_order=("resolved_at", "pk"),
        make_rows=_feedback_rows,
    ),
)
def feedback_rate(as_of):
    """Per (region, platform): disputes concluded, and fed back to the parties and, when it was assigned, to the
    assigning platform."""
    from disputes.models import Assignment, Feedback

    feedback = Feedback.objects.filter(dispute=OuterRef("pk"))
    assigned = Assignment.objects.filter(dispute=OuterRef("pk")).exclude(status=AssignmentStatus.WITHDRAWN)
    rows = (
        _concluded(as_of)
        .annotate(
            to_parties=Exists(feedback.filter(target=FeedbackTarget.PARTIES)),
            to_platform=Exists(feedback.filter(target=FeedbackTarget.PLATFORM)),
            assigned=Exists(assigned),
        )
        .order_by()
        .values(anchor_region=F("region_id"), anchor_platform=F("platform_id"))
        .annotate(
            n=Count("pk"),
            ok=Count("pk", filter=Q(to_parties=True) & (Q(to_platform=True) | Q(assigned=False))),
        )
    )
    return _case_cells(rows)


from disputes import indicators_schedule  # noqa: E402, F401 - registers the scheduled-work indicators
