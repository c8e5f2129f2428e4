"""Stored indicator figures (mediation/services/indicator_store.py keeps them, mediation/indicators.py reads them).

An indicator on one day is an IndicatorSnapshot made of IndicatorCells. A cell is one part of the figure anchored
where the thing it counts belongs — a region, a unit, a mediation organization (any of the three) — so that a
viewer's figure is the sum over the cells anchored in what they may see, never a district total shown to a
street. A cell is either a row of the indicator (a region, an organization, a unit, a training, a meeting: label,
met, detail) or an aggregate (the disputes of one region and platform, by key).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorSnapshot(models.Model):
    """The cells of one indicator on one day, as computed at `computed_at` (replaced whole on a refresh)."""

    code = models.CharField(_("indicator"), max_length=60)
    day = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [models.UniqueConstraint(fields=["code", "day"], name="indicator_snapshot_once")]
        indexes = [models.Index(fields=["day", "code"], name="indicator_snapshot_day_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.day}"


class IndicatorCell(models.Model):
    """One anchored part of an indicator's figure (see the module docstring)."""

    # The unique (snapshot, position) index serves whole snapshots (the rebuild's verify, the office of the
    # whole platform); a viewer's cells are found through an index per anchor: a snapshot holds a cell per
    # region of the city (16,000 of them at municipal scale) and a street reads a few dozen.
    snapshot = models.ForeignKey(IndicatorSnapshot, models.CASCADE, related_name="cells", db_index=False)
    position = models.PositiveIntegerField()
    region = models.ForeignKey(
        "mediation.Region", models.CASCADE, null=True, related_name="+", db_index=False
    )
    unit = models.ForeignKey("mediation.Unit", models.CASCADE, null=True, related_name="+", db_index=False)
    organization = models.ForeignKey(
        "mediation.MediationOrganization", models.CASCADE, null=True, related_name="+", db_index=False
    )
    key = models.CharField(max_length=60, blank=True)
    label = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    met = models.BooleanField(default=False)
    numerator = models.IntegerField(default=0)
    denominator = models.IntegerField(default=0)
    # Objects named in the detail, [[model label, pk, name], …]: a viewer reads only the names they may open.
    names = models.JSONField(default=list, blank=True)
    # The object a row is about, "app_label.model:pk" (empty for an aggregate).
    ref = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = _("indicator cell")
        verbose_name_plural = _("indicator cells")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "position"], name="indicator_cell_position"),
        ]
        indexes = [
            models.Index(fields=["snapshot", "region"], name="indicator_cell_region"),
            models.Index(
                fields=["snapshot", "unit"], name="indicator_cell_unit", condition=models.Q(unit__isnull=False)
            ),
            models.Index(
                fields=["snapshot", "organization"],
                name="indicator_cell_organization",
                condition=models.Q(organization__isnull=False),
            ),
            # The cells anchored nowhere (the rule rows every viewer reads).
            models.Index(
                fields=["snapshot"],
                name="indicator_cell_unanchored",
                condition=models.Q(region__isnull=True, unit__isnull=True, organization__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}:{self.position} {self.key} {self.label}"
