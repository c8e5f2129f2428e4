"""The stabilization record (稳控) of a red or orange dispute (task 23: 落实稳控、疏导措施)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class StabilizationQuerySet(models.QuerySet):
    def current(self):
        """The records in force: one per dispute at most; superseded ones stay as history."""
        return self.filter(superseded_at__isnull=True)


class Stabilization(models.Model):
    """Who keeps a high-risk dispute stable, by what measures, from when, and when it is reviewed next.

    An update is a new record that supersedes the one in force (marked, never overwritten or deleted), so the
    case keeps every person, measure and review that applied.
    """

    dispute = models.ForeignKey(
        "disputes.Dispute", models.CASCADE, related_name="stabilizations", verbose_name=_("dispute")
    )
    person_in_charge = models.CharField(_("person in charge"), max_length=100)
    measures = models.TextField(_("stabilization measures"))
    starts_on = models.DateField(_("in place from"))
    review_on = models.DateField(_("next review on"))
    review_notes = models.TextField(_("review outcome"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )

    objects = StabilizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("stabilization record (稳控)")
        verbose_name_plural = _("stabilization records (稳控)")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"], condition=Q(superseded_at__isnull=True), name="stabilization_one_current"
            ),
            models.CheckConstraint(
                condition=Q(review_on__gte=F("starts_on")), name="stabilization_review_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.person_in_charge}"
