from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JointMeeting(models.Model):
    """A joint meeting (联席会议, task 28): attendees, issues raised, decisions, and the tasks concerned."""

    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=150)
    chaired_by = models.CharField(_("chaired by"), max_length=100, blank=True)
    attendees = models.ManyToManyField(
        "mediation.Unit", related_name="joint_meetings", verbose_name=_("attending units")
    )
    issues = models.TextField(_("issues raised"))
    decisions = models.TextField(_("decisions"))
    tasks = models.ManyToManyField(
        "tasks_plan.PlanTask", blank=True, related_name="meetings", verbose_name=_("tasks concerned")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"
