from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskRun(models.Model):
    """One run of a periodic task: when, how it ended and how much it did (for the operations page)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("Succeeded")
        ERROR = "error", _("Failed")

    name = models.CharField(_("task"), max_length=100, db_index=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    processed = models.PositiveIntegerField(_("items processed"), default=0)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["name", "-started_at"], name="taskrun_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
