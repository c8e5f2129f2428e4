"""The supervision ladder's thresholds (提醒 → 催办 → 督办 → 挂牌督办), configured by the office."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.choices import RiskGrade, SupervisionLevel


class SupervisionThreshold(models.Model):
    """When an open assignment reaches a step of the supervision ladder, as a share of its time limit.

    `share_percent` is the elapsed part of the limit (time since assignment ÷ time allowed): 80 means four
    fifths of the limit gone, 100 the deadline itself, 150 half a limit past it. A row without a risk grade
    applies to every grade; a row with one overrides that step for that grade only.
    """

    risk_grade = models.PositiveSmallIntegerField(
        _("risk grade"),
        choices=RiskGrade.choices,
        null=True,
        blank=True,
        help_text=_("Empty: every grade without a row of its own."),
    )
    level = models.PositiveSmallIntegerField(_("step"), choices=SupervisionLevel.choices)
    share_percent = models.PositiveSmallIntegerField(
        _("elapsed share of the time limit (%)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("supervision threshold")
        verbose_name_plural = _("supervision thresholds")
        ordering = ["risk_grade", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk_grade", "level"],
                condition=Q(risk_grade__isnull=False),
                name="supervision_threshold_grade_once",
            ),
            models.UniqueConstraint(
                fields=["level"],
                condition=Q(risk_grade__isnull=True),
                name="supervision_threshold_default_once",
            ),
        ]

    def __str__(self) -> str:
        grade = self.get_risk_grade_display() if self.risk_grade else _("All grades")
        return f"{grade} · {self.get_level_display()}: {self.share_percent}%"
