"""The append-only timeline of a dispute (流转记录)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Events are never updated or deleted."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("events are append-only")

    def delete(self):
        raise AppendOnlyError("events are append-only")


class Event(models.Model):
    """One step of a dispute's history: who, when, what, a note, and the state before and after.

    Append-only in code (no update or delete path) and in the database (a PostgreSQL trigger refuses
    UPDATE and DELETE). Statistics count from these rows.
    """

    dispute = models.ForeignKey("disputes.Dispute", models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=30, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for actions taken by the system (the supervision ladder, reminders)."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    note = models.TextField(_("note"), blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "pk"]
        # The dispute page walks a timeline latest first by (at, id); the case file reads it forwards.
        indexes = [models.Index(fields=["dispute", "at", "id"], name="event_dispute_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("events are append-only")
