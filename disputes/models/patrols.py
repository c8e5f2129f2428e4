"""Patrols (排查, task 22) and the periodic reports (周分析、月研判、季通报、年考核, task 25)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, Q
from django.utils.translation import gettext_lazy as _

from mediation.scoping import ScopedQuerySet


class Cadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    SEMIMONTHLY = "semimonthly", _("Twice a month")
    MONTHLY = "monthly", _("Monthly")


class PatrolDutyQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        # By the regions' ids: a join on the region's path walked the city's 2.6 million duties by date for a
        # street (120 ms at 10^6); with the ids the planner knows from the duties' own statistics how few it has.
        return scope.ids_q("region_id", scope.region_ids())


class PatrolDuty(models.Model):
    """A patrol due for one region and one period; created by a periodic task, once per (region, period)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Due")
        ON_TIME = "on_time", _("Reported on time")
        LATE = "late", _("Reported late")
        MISSING = "missing", _("Missing")

    region = models.ForeignKey(
        "mediation.Region", models.PROTECT, related_name="patrol_duties", verbose_name=_("region")
    )
    cadence = models.CharField(_("cadence"), max_length=20, choices=Cadence.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    due_at = models.DateTimeField(_("report by"))
    sensitive = models.BooleanField(_("sensitive period"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PatrolDutyQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol duty")
        verbose_name_plural = _("patrol duties")
        ordering = ["-period_start", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period_start", "period_end"], name="patrol_duty_once"),
        ]
        # The patrol list: still due soonest first (the partial index), everything else latest first.
        indexes = [
            models.Index(fields=["due_at", "id"], name="patrol_pending_idx", condition=Q(status="pending")),
            models.Index(fields=["-due_at", "-id"], name="patrol_due_idx"),
            # The history of a whole district (too many regions to read one by one): the walk down the due
            # dates skips the city's pending duties of the current periods without reading them.
            models.Index(
                fields=["-due_at", "-id"], name="patrol_done_due_idx", condition=~Q(status="pending")
            ),
            # A street's history, region by region (mediation.keyset.Keyset.page_within).
            models.Index(fields=["region", "-due_at", "-id"], name="patrol_region_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.period_start}–{self.period_end}"


class PatrolReport(models.Model):
    """The report of one patrol: the disputes found (registered from it) or a nil report (零报告)."""

    duty = models.OneToOneField(PatrolDuty, models.PROTECT, related_name="report", verbose_name=_("patrol"))
    is_nil = models.BooleanField(_("nil report (nothing found)"), default=False)
    risk_notes = models.TextField(_("risk notes"), blank=True)
    disputes = models.ManyToManyField(
        "disputes.Dispute", blank=True, related_name="patrol_reports", verbose_name=_("disputes found")
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patrol report")
        verbose_name_plural = _("patrol reports")
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return str(self.duty)


class PeriodicReportQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        # Region reports of the regions in the user's territory; unit reports of their own units; the office
        # (a member of the office unit) sees every unit's report.
        from mediation.choices import UnitKind
        from mediation.models import Unit

        office = Unit.objects.filter(pk__in=scope.unit_ids, kind=UnitKind.OFFICE)
        return (
            (Q(region__isnull=False) & scope.region_q("region__path"))
            | Q(unit__in=scope.unit_ids)
            | (Q(unit__isnull=False) & Q(Exists(office)))
        )


class PeriodicReport(models.Model):
    """A frozen snapshot of figures for a region or unit and a period: a later data fix does not rewrite it."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly analysis")
        MONTHLY = "monthly", _("Monthly assessment")
        QUARTERLY = "quarterly", _("Quarterly bulletin")
        ANNUAL = "annual", _("Annual evaluation")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    region = models.ForeignKey("mediation.Region", models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey("mediation.Unit", models.PROTECT, null=True, blank=True, related_name="+")
    scope_key = models.CharField(max_length=40, editable=False)
    figures = models.JSONField(_("figures"), default=dict)
    rows = models.JSONField(_("rows behind the figures"), default=list)
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)

    objects = PeriodicReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        ordering = ["-period_start", "kind", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "scope_key"], name="periodic_report_once"
            ),
        ]
        # The report list's keyset order (disputes.views.reports), newest period first.
        indexes = [
            models.Index(
                fields=["-period_start", "kind", "scope_key", "id"], name="periodic_report_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end} {self.scope_key}"
