"""Periodic reports (task 25: 周分析、月研判、季通报、年考核) as frozen snapshots.

A report covers one period (a Monday–Sunday week, a month, a quarter, a year) and one scope: a region (the
district or a street/town: the disputes registered in its subtree) or a member unit (the disputes assigned to
it or for which it is a responsible 属事 unit). Its figures and the rows behind them (the dispute numbers of each
figure) are computed once and stored in a PeriodicReport; (kind, period_start, scope) is unique, so a second run
returns the stored snapshot untouched and a later data fix never rewrites a published report.

Every job makes the reports of the *last complete* period before `today`, so a run that comes late (the worker
was down on the 1st) still makes exactly the period it missed, once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.choices import AssignmentStatus, FeedbackTarget, Outcome, RiskGrade, Source, Status
from disputes.models import Assignment, Dispute, Feedback, PatrolDuty, PeriodicReport
from mediation.choices import RegionLevel
from mediation.dates import day_window
from mediation.models import Alert, AlertKind, Region, Unit

Kind = PeriodicReport.Kind
NOT_COUNTED = [Status.VOIDED, Status.MERGED]
CONCLUDED = [Status.RESOLVED, Status.FAILED, Status.FED_BACK, Status.ARCHIVED]
NOT_DUE = [AssignmentStatus.WITHDRAWN, AssignmentStatus.RETURNED]
UNGRADED = "none"


# --- periods ----------------------------------------------------------------------------------------------


def period_for(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete period of `kind` before `today` (first and last day, both included)."""
    if kind == Kind.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    if kind == Kind.MONTHLY:
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if kind == Kind.QUARTERLY:
        quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = quarter_start - dt.timedelta(days=1)
        return dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    if kind == Kind.ANNUAL:
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    raise ValueError(f"unknown report kind {kind!r}")


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in local time, as aware datetimes (so the indexes serve the filter)."""
    return day_window(start, end)


# --- scopes -----------------------------------------------------------------------------------------------


def scope_key(region=None, unit=None) -> str:
    if (region is None) == (unit is None):
        raise ValueError("a report is for one region or one unit")
    return f"region:{region.pk}" if region is not None else f"unit:{unit.pk}"


def scopes() -> list[tuple]:
    """(region, unit) pairs a job reports on: the district, each street/town, each member unit."""
    district = Region.objects.filter(code=settings.DISTRICT_CODE).first()
    if district is None:
        return []
    streets = Region.objects.filter(
        path__startswith=district.path, level=RegionLevel.STREET, is_active=True
    ).order_by("code")
    units = Unit.objects.member_units().filter(is_active=True).order_by("code")
    return [(district, None)] + [(s, None) for s in streets] + [(None, u) for u in units]


def _disputes(region, unit):
    disputes = Dispute.objects.exclude(status__in=NOT_COUNTED)
    if region is not None:
        return disputes.filter(region_path__startswith=region.path)
    assigned = Assignment.objects.filter(dispute=OuterRef("pk"), to_unit=unit).exclude(status__in=NOT_DUE)
    responsible = Dispute.responsible_units.through.objects.filter(dispute_id=OuterRef("pk"), unit_id=unit.pk)
    return disputes.filter(Exists(assigned) | Exists(responsible))


# --- figures ----------------------------------------------------------------------------------------------


@dataclass
class _Snapshot:
    figures: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)

    def add_rows(self, figure: str, items, key: str = "") -> None:
        self.rows.append({"figure": figure, "key": key, "items": sorted(items)})


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def compute(period_start: dt.date, period_end: dt.date, region=None, unit=None) -> _Snapshot:
    """The figures of one scope and period, and the rows behind each, from the data as it is now."""
    snap = _Snapshot()
    start, end = _window(period_start, period_end)
    disputes = _disputes(region, unit)
    snap.figures["scope"] = {
        "kind": "region" if region is not None else "unit",
        "name": region.name if region is not None else unit.name,
        "code": region.code if region is not None else unit.code,
    }
    _registered(snap, disputes.filter(created_at__gte=start, created_at__lt=end))
    _concluded(snap, disputes.filter(resolved_at__gte=start, resolved_at__lt=end, status__in=CONCLUDED))
    _assignments(snap, disputes, unit, start, end)
    if region is not None:
        _patrols(snap, region, start, end)
    _warnings(snap, disputes, unit, start, end)
    return snap


def _registered(snap: _Snapshot, registered) -> None:
    rows = list(registered.values_list("number", "category__name", "source", "risk_grade"))
    snap.figures["registered"] = len(rows)
    snap.add_rows("registered", [r[0] for r in rows])
    for figure, index, to_key in (
        ("by_category", 1, str),
        ("by_source", 2, str),
        ("by_risk_grade", 3, lambda g: str(g) if g else UNGRADED),
    ):
        groups = defaultdict(list)
        for row in rows:
            groups[to_key(row[index])].append(row[0])
        ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        snap.figures[figure] = {key: len(numbers) for key, numbers in ordered}
        for key, numbers in ordered:
            snap.add_rows(figure, numbers, key)


def _concluded(snap: _Snapshot, concluded) -> None:
    rows = list(concluded.values_list("pk", "number", "outcome"))
    ids = [r[0] for r in rows]
    resolved = [r[1] for r in rows if r[2] == Outcome.SUCCESS]
    failed = [r[1] for r in rows if r[2] != Outcome.SUCCESS]
    snap.figures |= {
        "concluded": len(rows),
        "resolved": len(resolved),
        "failed": len(failed),
        "success_rate": _rate(len(resolved), len(rows)),
    }
    snap.add_rows("resolved", resolved)
    snap.add_rows("failed", failed)
    # Fed back: to the parties, and to the assigning platform when it was assigned (as the feedback_rate indicator).
    given = defaultdict(set)
    for dispute_id, target in Feedback.objects.filter(dispute_id__in=ids).values_list("dispute_id", "target"):
        given[dispute_id].add(target)
    assigned = set(
        Assignment.objects.filter(dispute_id__in=ids)
        .exclude(status=AssignmentStatus.WITHDRAWN)
        .values_list("dispute_id", flat=True)
    )
    fed_back, missing = [], []
    for pk, number, _outcome in rows:
        needed = {FeedbackTarget.PARTIES} | ({FeedbackTarget.PLATFORM} if pk in assigned else set())
        (fed_back if needed <= given[pk] else missing).append(number)
    snap.figures |= {
        "feedback_given": len(fed_back),
        "feedback_missing": len(missing),
        "feedback_rate": _rate(len(fed_back), len(rows)),
    }
    snap.add_rows("feedback_missing", missing)


def _assignments(snap: _Snapshot, disputes, unit, start, end) -> None:
    due = Assignment.objects.filter(due_at__gte=start, due_at__lt=end).exclude(status__in=NOT_DUE)
    due = due.filter(to_unit=unit) if unit is not None else due.filter(dispute__in=disputes.values("pk"))
    on_time, overdue = [], []
    for number, due_at, completed_at in due.values_list("dispute__number", "due_at", "completed_at"):
        (on_time if completed_at is not None and completed_at <= due_at else overdue).append(number)
    snap.figures |= {
        "assignments_due": len(on_time) + len(overdue),
        "assignments_on_time": len(on_time),
        "assignments_overdue": len(overdue),
        "on_time_rate": _rate(len(on_time), len(on_time) + len(overdue)),
    }
    snap.add_rows("assignments_overdue", overdue)


def _patrols(snap: _Snapshot, region, start, end) -> None:
    duties = list(
        PatrolDuty.objects.filter(region__path__startswith=region.path, due_at__gte=start, due_at__lt=end)
        .order_by("region__path", "period_start")
        .values_list("region__name", "period_start", "period_end", "status")
    )
    if not duties:
        snap.figures["patrols"] = None
        return
    counts = Counter(status for *_ignored, status in duties)
    reported = counts[PatrolDuty.Status.ON_TIME] + counts[PatrolDuty.Status.LATE]
    snap.figures["patrols"] = {
        "due": len(duties),
        "on_time": counts[PatrolDuty.Status.ON_TIME],
        "late": counts[PatrolDuty.Status.LATE],
        "missing": counts[PatrolDuty.Status.MISSING],
        "pending": counts[PatrolDuty.Status.PENDING],
        "reported": reported,
        "on_time_rate": _rate(counts[PatrolDuty.Status.ON_TIME], len(duties)),
    }
    for status in (PatrolDuty.Status.LATE, PatrolDuty.Status.MISSING, PatrolDuty.Status.PENDING):
        items = [f"{name} {s:%m-%d}–{e:%m-%d}" for name, s, e, st in duties if st == status]
        snap.add_rows(f"patrols_{status}", items)


def _warnings(snap: _Snapshot, disputes, unit, start, end) -> None:
    alerts = Alert.objects.filter(
        kind=AlertKind.EARLY_WARNING,
        content_type=ContentType.objects.get_for_model(Dispute),
        created_at__gte=start,
        created_at__lt=end,
    )
    if unit is not None:
        alerts = alerts.filter(recipient_unit=unit)
    else:
        alerts = alerts.filter(object_id__in=disputes.values("pk"))
    rows = list(alerts.values_list("object_id", "ack_due_at", "acknowledged_at"))
    numbers = dict(Dispute.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "number"))
    on_time, late, open_ = [], [], []
    for object_id, due, acknowledged in rows:
        bucket = open_ if acknowledged is None else (late if due and acknowledged > due else on_time)
        bucket.append(numbers.get(object_id, str(object_id)))
    snap.figures["warnings"] = {
        "raised": len(rows),
        "disputes": len(numbers),
        "acknowledged_on_time": len(on_time),
        "acknowledged_late": len(late),
        "unacknowledged": len(open_),
    }
    snap.add_rows("warnings_disputes", set(numbers.values()))
    snap.add_rows("warnings_late", set(late))
    snap.add_rows("warnings_unacknowledged", set(open_))


# --- snapshots --------------------------------------------------------------------------------------------


def build_report(
    kind: str, period_start: dt.date, period_end: dt.date, region=None, unit=None
) -> PeriodicReport:
    """The snapshot of (kind, period, scope): computed and stored the first time, returned as stored after."""
    return _build(kind, period_start, period_end, region, unit)[0]


def _build(kind, period_start, period_end, region, unit) -> tuple[PeriodicReport, bool]:
    key = scope_key(region, unit)
    lookup = {"kind": kind, "period_start": period_start, "scope_key": key}
    existing = PeriodicReport.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    snap = compute(period_start, period_end, region, unit)
    defaults = {
        "period_end": period_end,
        "region": region,
        "unit": unit,
        "figures": snap.figures,
        "rows": snap.rows,
    }
    try:
        with transaction.atomic():
            return PeriodicReport.objects.get_or_create(**lookup, defaults=defaults)
    except IntegrityError:  # another run stored it between our look and our insert
        return PeriodicReport.objects.get(**lookup), False


def generate(kind: str, today: dt.date | None = None) -> int:
    """Make the reports of the last complete period for every scope; returns how many were new."""
    today = today or timezone.localdate()
    start, end = period_for(kind, today)
    return sum(_build(kind, start, end, region, unit)[1] for region, unit in scopes())


# --- presentation -----------------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of a report as shown and exported: a label, a value, the dispute numbers (or patrols) behind it.

    `hidden` counts the dispute numbers left out because the reader may not open them."""

    label: str
    value: str
    items: list
    level: int = 0  # 1 for a breakdown line under its heading
    hidden: int = 0


# Figures whose rows are patrols (a region and its period), not dispute numbers.
PATROL_FIGURES = {"patrols_late", "patrols_missing", "patrols_pending"}


def dispute_numbers(report: PeriodicReport) -> set[str]:
    """Every dispute number stored behind the report's figures."""
    return {n for r in report.rows if r["figure"] not in PATROL_FIGURES for n in r["items"]}


def for_reader(report_lines: list[Line], visible: set[str] | None, report: PeriodicReport) -> list[Line]:
    """The lines with only the dispute numbers in `visible` (None: all of them); the figures stay as stored."""
    if visible is None:
        return report_lines
    patrol_items = {n for r in report.rows if r["figure"] in PATROL_FIGURES for n in r["items"]}
    for line in report_lines:
        kept = [item for item in line.items if item in visible or item in patrol_items]
        line.hidden, line.items = len(line.items) - len(kept), kept
    return report_lines


def _percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def lines(report: PeriodicReport) -> list[Line]:
    """The report's figures as labelled lines (in the current language), each with the rows behind it."""
    f = report.figures
    items = {(r["figure"], r["key"]): r["items"] for r in report.rows}

    def line(label, code, key="", level=0, value=None):
        shown = f.get(code) if value is None else value
        return Line(str(label), str(shown), items.get((code, key), []), level)

    out = [line(_("Disputes registered"), "registered")]
    out.append(Line(_("By category"), "", []))
    out += [line(name, "by_category", name, 1, n) for name, n in f.get("by_category", {}).items()]
    out.append(Line(_("By source"), "", []))
    out += [
        line(Source(code).label if code in Source.values else code, "by_source", code, 1, n)
        for code, n in f.get("by_source", {}).items()
    ]
    out.append(Line(_("By risk grade"), "", []))
    out += [
        line(_grade_label(code), "by_risk_grade", code, 1, n)
        for code, n in f.get("by_risk_grade", {}).items()
    ]
    out += [
        line(_("Disputes concluded"), "concluded"),
        line(_("Mediated successfully"), "resolved", level=1),
        line(_("Mediation failed"), "failed", level=1),
        Line(_("Success rate"), _percent(f.get("success_rate")), []),
        line(_("Assignments due"), "assignments_due"),
        line(_("Finished on time"), "assignments_on_time", level=1),
        line(_("Overdue"), "assignments_overdue", level=1),
        Line(_("On-time rate"), _percent(f.get("on_time_rate")), []),
        line(_("Concluded disputes fed back"), "feedback_given"),
        line(_("Not fed back"), "feedback_missing", level=1),
        Line(_("Feedback rate"), _percent(f.get("feedback_rate")), []),
    ]
    patrols = f.get("patrols")
    if patrols:
        out += [
            Line(_("Patrols due"), str(patrols["due"]), []),
            Line(_("Reported on time"), str(patrols["on_time"]), [], 1),
            Line(_("Reported late"), str(patrols["late"]), items.get(("patrols_late", ""), []), 1),
            Line(_("Missing"), str(patrols["missing"]), items.get(("patrols_missing", ""), []), 1),
            Line(_("Still due"), str(patrols["pending"]), items.get(("patrols_pending", ""), []), 1),
            Line(_("Patrols on time"), _percent(patrols["on_time_rate"]), []),
        ]
    warnings = f.get("warnings") or {}
    if warnings:
        out += [
            Line(_("Early warnings raised"), str(warnings["raised"]), []),
            Line(
                _("Disputes warned about"),
                str(warnings["disputes"]),
                items.get(("warnings_disputes", ""), []),
                1,
            ),
            Line(_("Acknowledged in time"), str(warnings["acknowledged_on_time"]), [], 1),
            Line(
                _("Acknowledged late"),
                str(warnings["acknowledged_late"]),
                items.get(("warnings_late", ""), []),
                1,
            ),
            Line(
                _("Not acknowledged"),
                str(warnings["unacknowledged"]),
                items.get(("warnings_unacknowledged", ""), []),
                1,
            ),
        ]
    return out


def _grade_label(code: str) -> str:
    if code == UNGRADED:
        return _("Not assessed")
    return str(RiskGrade(int(code)).label)


def title(report: PeriodicReport) -> str:
    scope = (report.figures.get("scope") or {}).get("name") or report.scope_key
    return _("%(kind)s %(start)s–%(end)s, %(scope)s") % {
        "kind": report.get_kind_display(),
        "start": report.period_start.isoformat(),
        "end": report.period_end.isoformat(),
        "scope": scope,
    }


def write_xlsx(report: PeriodicReport, out, visible: set[str] | None = None) -> None:
    """One report as a workbook: the figures on the first sheet, the rows behind them on the second (only the
    dispute numbers in `visible`, when given)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Figures")[:31]
    sheet.append([title(report)])
    sheet["A1"].font = Font(bold=True)
    generated = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
    sheet.append([_("Generated at"), generated])
    sheet.append([])
    sheet.append([_("Figure"), _("Value")])
    report_lines = for_reader(lines(report), visible, report)
    for entry in report_lines:
        sheet.append([("    " * entry.level) + entry.label, entry.value])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 16
    detail = workbook.create_sheet(_("Rows")[:31])
    detail.append([_("Figure"), _("Dispute number or patrol")])
    for entry in report_lines:
        for item in entry.items:
            detail.append([entry.label, item])
        if entry.hidden:
            detail.append([entry.label, _("%(n)s outside your area") % {"n": entry.hidden}])
    detail.column_dimensions["A"].width = 40
    detail.column_dimensions["B"].width = 30
    workbook.save(out)
