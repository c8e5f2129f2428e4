"""Trainings (培训, task 17) and the configurable staffing minimums (task 8)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediation.choices import OrganizationKind, TrainingLevel
from mediation.scoping import ScopedQuerySet


class TrainingQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        return (
            scope.region_q("region__path")
            | Q(organizer__in=scope.unit_ids)
            | Q(region__path__in=scope.ancestor_paths)
        )


class Training(models.Model):
    """A centralized mediator training: the district holds ≥ 1 a year, each street/town ≥ 2 (task 17)."""

    level = models.CharField(_("level"), max_length=10, choices=TrainingLevel.choices)
    region = models.ForeignKey(
        "mediation.Region",
        models.PROTECT,
        related_name="trainings",
        verbose_name=_("region"),
        help_text=_("The district for a district training, the street/town for a street training."),
    )
    organizer = models.ForeignKey(
        "mediation.Unit", models.PROTECT, related_name="trainings", verbose_name=_("organizer")
    )
    title = models.CharField(_("title"), max_length=150)
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=Decimal("0"))
    is_centralized = models.BooleanField(_("centralized training"), default=True)
    attendees = models.ManyToManyField(
        "mediation.Mediator",
        through="mediation.TrainingAttendance",
        related_name="trainings",
        verbose_name=_("attendees"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["region", "held_on", "title"], name="training_unique"),
        ]
        indexes = [models.Index(fields=["-held_on", "-id"], name="training_held_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, models.CASCADE, related_name="attendance")
    mediator = models.ForeignKey("mediation.Mediator", models.CASCADE, related_name="attendance")
    hours = models.DecimalField(_("hours attended"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        constraints = [models.UniqueConstraint(fields=["training", "mediator"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.mediator} @ {self.training}"


class StaffingRule(models.Model):
    """The minimum number of full-time mediators an organization of a kind must have (task 8)."""

    kind = models.CharField(
        _("organization kind"), max_length=30, choices=OrganizationKind.choices, unique=True
    )
    min_full_time = models.PositiveSmallIntegerField(_("minimum full-time mediators"))
    where_conditions_allow = models.BooleanField(
        _("only where conditions allow"),
        default=False,
        help_text=_("Community/village and enterprise committees: a target, not a hard requirement."),
    )

    class Meta:
        verbose_name = _("staffing rule")
        verbose_name_plural = _("staffing rules")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ≥ {self.min_full_time}"
