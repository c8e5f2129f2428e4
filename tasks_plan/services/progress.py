"""Progress reports (进展报告) on a unit's responsibility, their review by the office, and report reminders.

A unit's liaison reports on the unit's own rows (a street/town's own people on its government's rows); the
office reviews each report once, accepting it or returning it with comments. Only an accepted report moves
the row's status: an accepted progress report starts a row that had not started, an accepted completion report
closes it (done) and ends its overdue escalation. Submitting moves nothing. Every rule here raises
WorkflowError(code, message) and changes nothing.

Reminders: the reporting day is the 25th of each quarter's last month; from REPORTING_DAYS_BEFORE days before
it, each open row of the current plan without a report in the quarter reminds its unit, once per quarter.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.services.attachments import check as check_upload
from disputes.services.attachments import original_name
from mediation.choices import UnitKind
from mediation.dates import days_q
from mediation.scoping import Scope
from tasks_plan.choices import ReportKind, ReportStatus, ResponsibilityStatus

SUBMIT_PERMISSION = "tasks_plan.add_progressreport"
REVIEW_PERMISSION = "tasks_plan.review_progressreport"

REPORTING_DAY = 25  # of the last month of each quarter
REPORTING_DAYS_BEFORE = 5  # reminders go out from this many days before the reporting day

MAX_FILES = 10
MAX_FIGURES = 30
MAX_FIGURE_NAME = 60
MAX_FIGURE_VALUE = 100
MAX_PERIOD = 30


# --- who may do what ---------------------------------------------------------------------------------------------


def may_report(responsibility, user) -> bool:
    """The user may report on this row: a member of its unit, or, for a street/town government's row, someone
    whose own territory is that street/town (or inside it) — with the permission to report.

    The office's district territory covers every street, but the office reviews reports; it does not write
    them for the units.
    """
    if not user.has_perm(SUBMIT_PERMISSION):
        return False
    scope = Scope.for_user(user, SUBMIT_PERMISSION)
    unit = responsibility.unit
    if unit.pk in scope.unit_ids:
        return True
    if unit.kind == UnitKind.STREET_GOVERNMENT:
        return any(path.startswith(unit.region.path) for path in scope.region_paths)
    return False


def may_review(user) -> bool:
    return user.has_perm(REVIEW_PERMISSION)


# --- submitting ------------------------------------------------------------------------------------------------


@transaction.atomic
def submit_report(
    responsibility_id: int,
    user,
    *,
    period: str,
    text: str,
    figures: Mapping | Iterable = (),
    kind: str = ReportKind.PROGRESS,
    files: Iterable = (),
):
    """Submit a progress or completion report with its figures and evidence files. The status does not move."""
    from tasks_plan.models import ProgressReport, Responsibility

    responsibility = (
        Responsibility.objects.visible_to(user)
        .select_related("unit__region", "task__plan")
        .filter(pk=responsibility_id)
        .first()
    )
    if responsibility is None or not may_report(responsibility, user):
        raise Forbidden("forbidden", _("You may not report on this task for this unit."))
    if not responsibility.task.plan.is_current:
        raise WorkflowError("plan_not_current", _("This plan has been replaced; report on the current plan."))
    if kind not in ReportKind.values:
        raise WorkflowError("invalid_kind", _("Unknown kind of report."))
    if kind == ReportKind.COMPLETION and responsibility.status == ResponsibilityStatus.DONE:
        raise WorkflowError("already_done", _("This task is already completed for this unit."))
    period = (period or "").strip()
    if not period or len(period) > MAX_PERIOD:
        raise WorkflowError(
            "invalid_period",
            _("Give the period the report covers (at most %(max)d characters).") % {"max": MAX_PERIOD},
        )
    text = (text or "").strip()
    if not text:
        raise WorkflowError("empty_text", _("Describe the progress made."))
    clean_figures = _clean_figures(figures)
    files = [f for f in files if f]
    if len(files) > MAX_FILES:
        raise WorkflowError("too_many_files", _("Attach at most %(max)d files.") % {"max": MAX_FILES})
    for upload in files:
        check_upload(upload)
    report = ProgressReport.objects.create(
        responsibility=responsibility,
        kind=kind,
        period=period,
        text=text,
        figures=clean_figures,
        submitted_by=user,
    )
    _store(report, files)
    return report


def _clean_figures(figures) -> dict[str, str]:
    """Figures as {name: value} strings; names unique and non-empty, a value for each name."""
    pairs = list(figures.items()) if isinstance(figures, Mapping) else list(figures or ())
    clean: dict[str, str] = {}
    for name, value in pairs:
        name, value = str(name or "").strip(), str(value if value is not None else "").strip()
        if not name and not value:
            continue
        if not name or not value:
            raise WorkflowError("invalid_figures", _("Each figure needs both a name and a value."))
        if len(name) > MAX_FIGURE_NAME or len(value) > MAX_FIGURE_VALUE:
            raise WorkflowError(
                "invalid_figures",
                _("A figure's name is at most %(name)d characters and its value at most %(value)d.")
                % {"name": MAX_FIGURE_NAME, "value": MAX_FIGURE_VALUE},
            )
        if name in clean:
            raise WorkflowError(
                "invalid_figures", _("The figure “%(name)s” is given twice.") % {"name": name}
            )
        clean[name] = value
    if len(clean) > MAX_FIGURES:
        raise WorkflowError("invalid_figures", _("Give at most %(max)d figures.") % {"max": MAX_FIGURES})
    return clean


def _store(report, uploads) -> list:
    """Store checked uploads under random names (the user's name stays in the row). Inside a transaction."""
    from tasks_plan.models import ProgressAttachment

    stored = []
    try:
        for upload in uploads:
            name = original_name(upload)
            attachment = ProgressAttachment(report=report, original_name=name, size=upload.size)
            attachment.file.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", upload, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        # The rows roll back with the transaction; the files written so far must go too.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


# --- reviewing ---------------------------------------------------------------------------------------------------


@transaction.atomic
def review_report(report_id: int, user, *, accept: bool, comments: str = ""):
    """Accept a submitted report, or return it with comments. Only an accepted report moves the status."""
    from tasks_plan.models import ProgressReport, Responsibility

    if not may_review(user):
        raise Forbidden("forbidden", _("Only the grand-mediation office reviews progress reports."))
    # The right to review holds only where the membership carrying it reaches.
    visible = Responsibility.objects.visible_to(user, REVIEW_PERMISSION).values("pk")
    report = (
        ProgressReport.objects.select_for_update().filter(pk=report_id, responsibility__in=visible).first()
    )
    if report is None:
        raise Forbidden("forbidden", _("You may not review this report."))
    if report.status != ReportStatus.SUBMITTED:
        raise WorkflowError("already_reviewed", _("This report has already been reviewed."))
    if report.submitted_by_id == user.pk:
        raise WorkflowError("own_report", _("A report is reviewed by someone other than its author."))
    comments = (comments or "").strip()
    if not accept and not comments:
        raise WorkflowError("comments_required", _("Say why the report is returned."))
    now = timezone.now()
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.reviewed_by, report.reviewed_at, report.review_comments = user, now, comments
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comments"])
    if accept:
        responsibility = Responsibility.objects.select_for_update().get(pk=report.responsibility_id)
        _apply_accepted(responsibility, report, now)
    return report


def _apply_accepted(responsibility, report, now) -> None:
    """An accepted completion closes the row and its escalation; an accepted progress report starts a row that
    had not started. An overdue row stays overdue until its completion is accepted."""
    fields = []
    if report.kind == ReportKind.COMPLETION:
        if responsibility.status != ResponsibilityStatus.DONE:
            responsibility.status = ResponsibilityStatus.DONE
            fields.append("status")
        if responsibility.overdue_since is not None or responsibility.escalation_step:
            responsibility.overdue_since, responsibility.escalation_step = None, 0
            fields += ["overdue_since", "escalation_step"]
    elif responsibility.status == ResponsibilityStatus.NOT_STARTED:
        responsibility.status = ResponsibilityStatus.IN_PROGRESS
        fields.append("status")
    if "status" in fields:
        responsibility.status_changed_at = now
        fields.append("status_changed_at")
    if fields:
        responsibility.save(update_fields=fields)


# --- the reporting calendar and reminders -----------------------------------------------------------------------


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * quarter_of(day) - 2, 1)


def reporting_day(day: dt.date) -> dt.date:
    """The reporting day of the quarter `day` is in."""
    return dt.date(day.year, 3 * quarter_of(day), REPORTING_DAY)


def period_label(day: dt.date) -> str:
    """The usual period name for a quarter, e.g. 2026年第4季度."""
    return _("%(year)d Q%(quarter)d") % {"year": day.year, "quarter": quarter_of(day)}


def reminder_level(day: dt.date) -> int:
    """The alert level of a quarter's reminder: year and quarter (20264), so every quarter of every year reminds
    once — the quarter number alone would collide with the same quarter of the next year."""
    return day.year * 10 + quarter_of(day)


def rows_to_remind(today: dt.date):
    """Open rows of the current plan without a report (other than a returned one) in today's quarter and not
    reminded this quarter yet."""
    from mediation.models import Alert, AlertKind
    from tasks_plan.models import ProgressReport, Responsibility

    reported = ProgressReport.objects.filter(**days_q("submitted_at", quarter_start(today))).exclude(
        status=ReportStatus.RETURNED
    )
    reminded = Alert.objects.filter(kind=AlertKind.REPORT_REMINDER, level=reminder_level(today))
    return (
        Responsibility.objects.filter(task__plan__is_current=True)
        .exclude(status=ResponsibilityStatus.DONE)
        .exclude(pk__in=reported.values("responsibility_id"))
        .exclude(pk__in=reminded.values("object_id"))
        .select_related("task", "unit")
        .order_by("task__number", "unit__name")
    )


def remind(today: dt.date) -> int:
    """Remind each open row's unit to report, from REPORTING_DAYS_BEFORE days before the reporting day up to it.
    Once per quarter per row (the alert's unique key); returns how many rows were reminded now."""
    from mediation.models import AlertKind
    from mediation.services.alerts import Recipient, raise_alert

    due = reporting_day(today)
    if not (due - dt.timedelta(days=REPORTING_DAYS_BEFORE) <= today <= due):
        return 0
    reminded = 0
    for responsibility in rows_to_remind(today):
        with transaction.atomic():
            created = raise_alert(
                responsibility,
                AlertKind.REPORT_REMINDER,
                [Recipient(unit=responsibility.unit)],
                level=reminder_level(today),
                title=_("Progress report due by %(date)s: task %(number)d")
                % {"date": due.isoformat(), "number": responsibility.task.number},
                body=_("%(unit)s has not reported on task %(number)d this quarter (%(period)s): %(content)s")
                % {
                    "unit": responsibility.unit.name,
                    "number": responsibility.task.number,
                    "period": period_label(today),
                    "content": responsibility.task.content[:80],
                },
                url=reverse("tasks_plan:responsibility", args=[responsibility.pk]),
            )
        reminded += bool(created)
    return reminded
