"""A large export of the dispute list, written by the Celery worker while the user waits for the file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the background worker")
    RUNNING = "running", _("Writing the file")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Removed after the retention period")


class ExportJob(models.Model):
    """One export of the dispute list: the list's query string (filters and sort), replayed by the worker with
    the requesting user's visibility and permissions, and the file it wrote. Only that user may download it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    query = models.TextField(_("filters"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("disputes"), default=0)
    done = models.PositiveIntegerField(_("disputes written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute export")
        verbose_name_plural = _("dispute exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_by} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
