"""The plan (任务分工方案), its tasks and their measurable targets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tasks_plan.choices import Comparison, DueKind


class Plan(models.Model):
    """A version of the task-division plan. A later plan is loaded beside an earlier one, never over it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    issued_by = models.CharField(_("issued by"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    source = models.CharField(_("source document"), max_length=300, blank=True)
    is_current = models.BooleanField(_("current plan"), default=False)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issued_on", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_plan"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanTask(models.Model):
    """One of the plan's tasks: content, completion standard, deadline, lead and responsible units."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="tasks", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("number"))
    section = models.PositiveSmallIntegerField(_("section"))
    section_title = models.CharField(_("section title"), max_length=100)
    content = models.TextField(_("content"))
    standard = models.TextField(_("completion standard and deadline"))
    due_kind = models.CharField(_("deadline kind"), max_length=10, choices=DueKind.choices)
    due_on = models.DateField(
        _("due on"),
        null=True,
        blank=True,
        help_text=_(
            "The deadline; for a yearly task, the date it applies from (then 31 December each year)."
        ),
    )
    units = models.ManyToManyField(
        "mediation.Unit",
        through="tasks_plan.Responsibility",
        related_name="plan_tasks",
        verbose_name=_("units"),
    )

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plantask_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.content[:40]}"

    def deadline_on(self, today):
        """The deadline that applies on `today`: the date, 31 December of this year for a yearly task, or None."""
        import datetime as dt

        if self.due_kind == DueKind.DATE:
            return self.due_on
        if self.due_kind == DueKind.YEARLY:
            if self.due_on and today < self.due_on:
                return None
            return dt.date(today.year, 12, 31)
        return None


class Target(models.Model):
    """A measurable target of a task: metric, scope, comparison, value and by-date; `indicator` names the live
    indicator that measures it, when the platform's data can."""

    task = models.ForeignKey(PlanTask, models.CASCADE, related_name="targets", verbose_name=_("task"))
    metric = models.CharField(_("metric"), max_length=100)
    scope = models.CharField(_("scope"), max_length=200)
    comparison = models.CharField(_("comparison"), max_length=10, choices=Comparison.choices)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=2, null=True, blank=True)
    by_kind = models.CharField(_("by"), max_length=10, choices=DueKind.choices)
    by_date = models.DateField(_("by date"), null=True, blank=True)
    indicator = models.CharField(_("live indicator"), max_length=60, blank=True)
    measure = models.CharField(
        _("compared value"),
        max_length=10,
        default="rate",
        choices=[("rate", _("rate")), ("count", _("count")), ("all", _("every row met"))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["task", "order"]

    def __str__(self) -> str:
        return f"{self.metric} {self.comparison} {self.value if self.value is not None else ''}"
