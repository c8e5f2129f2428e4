"""Per-unit responsibility for a task, and the progress reports that move its status."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediation.scoping import ScopedQuerySet
from tasks_plan.choices import ReportKind, ReportStatus, ResponsibilityRole, ResponsibilityStatus


class ResponsibilityQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        # A unit sees its own rows; a street/town sees its government's rows; the office sees all (territory).
        return Q(unit__in=scope.unit_ids) | scope.region_q("unit__region__path")


class Responsibility(models.Model):
    """One (task, unit) pair: the unit's role (牵头/责任), its own status, reports and evidence."""

    task = models.ForeignKey("tasks_plan.PlanTask", models.CASCADE, related_name="responsibilities")
    unit = models.ForeignKey("mediation.Unit", models.PROTECT, related_name="responsibilities")
    role = models.CharField(_("role"), max_length=20, choices=ResponsibilityRole.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ResponsibilityStatus.choices,
        default=ResponsibilityStatus.NOT_STARTED,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    escalation_step = models.PositiveSmallIntegerField(_("escalation step reached"), default=0)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["task", "role", "unit"]
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="responsibility_unique")]
        indexes = [models.Index(fields=["status"], name="responsibility_status_idx")]

    def __str__(self) -> str:
        return f"{self.task.number} · {self.unit} · {self.get_role_display()}"


class ProgressReport(models.Model):
    """A unit liaison's report (进展报告) on one responsibility, reviewed by the office."""

    responsibility = models.ForeignKey(Responsibility, models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices, default=ReportKind.PROGRESS)
    period = models.CharField(_("period"), max_length=30, help_text=_("E.g. 2026年第3季度 or 2026-11."))
    text = models.TextField(_("progress"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comments = models.TextField(_("review comments"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["responsibility", "-submitted_at"]
        permissions = [("review_progressreport", _("Can review progress reports"))]
        # The office's review queue: reports still to review, oldest first.
        indexes = [
            models.Index(
                fields=["submitted_at", "id"],
                name="progress_report_queue_idx",
                condition=Q(status=ReportStatus.SUBMITTED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.responsibility} {self.period}"


class ProgressAttachment(models.Model):
    """Evidence attached to a progress report; served only to those who see the report."""

    report = models.ForeignKey(ProgressReport, models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="progress/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name
