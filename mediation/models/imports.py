"""Registry imports from Excel: one ImportJob per uploaded file, so a background worker can report progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Mediation organizations")
    MEDIATORS = "mediators", _("Mediators and their appointments")
    ATTENDANCE = "attendance", _("Training attendance")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the background worker")
    VALIDATING = "validating", _("Checking the rows")
    SAVING = "saving", _("Saving")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused: nothing was written")


class ImportJob(models.Model):
    """An uploaded registry sheet and how far its import has come (all or nothing: done or failed)."""

    kind = models.CharField(_("what is imported"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="registry-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name or self.file.name}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
