"""Configuration the office edits: categories, time limits, risk rules, routing rules, the work calendar."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from disputes.choices import Complexity, DayType, HandlingLevel, RiskFlag, RiskGrade


class Category(models.Model):
    """A dispute category (纠纷类型): the 司法部 statistical classes plus the fields the plan names.

    Its units are the 属事 units a dispute of this category is routed to.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    units = models.ManyToManyField(
        "mediation.Unit", blank=True, related_name="categories", verbose_name=_("responsible units (属事)")
    )
    # The organizations that mediate this category (`organization.categories` from the other side). Declared
    # here, not on MediationOrganization, so that mediation never depends on this app; the table keeps the
    # name it had when the field was mediation's (see disputes/migrations/0006_category_organizations.py).
    organizations = models.ManyToManyField(
        "mediation.MediationOrganization",
        blank=True,
        related_name="categories",
        db_table="mediation_mediationorganization_categories",
        verbose_name=_("mediation organizations"),
    )
    is_plan_field = models.BooleanField(_("field named by the plan"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dispute category")
        verbose_name_plural = _("dispute categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class TimeLimit(models.Model):
    """A configurable time limit: handling by complexity, acceptance of an assignment, the mediation month."""

    class Key(models.TextChoices):
        SIMPLE = "handling_simple", _("Handling a simple dispute")
        GENERAL = "handling_general", _("Handling a general dispute")
        COMPLEX = "handling_complex", _("Handling a complex dispute")
        ACCEPTANCE = "acceptance", _("Accepting an assignment")
        MEDIATION = "mediation", _("Concluding people's mediation")
        SUPERVISION_ANSWER = "supervision_answer", _("Answering a supervision notice")
        JUDICIAL_CONFIRMATION = "judicial_confirmation", _("Applying for judicial confirmation")

    key = models.CharField(_("limit"), max_length=30, choices=Key.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("days"), validators=[MinValueValidator(1)])
    day_type = models.CharField(
        _("counted in"), max_length=10, choices=DayType.choices, default=DayType.WORKING
    )

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.days} {self.get_day_type_display()}"

    COMPLEXITY_KEYS = {
        Complexity.SIMPLE: Key.SIMPLE,
        Complexity.GENERAL: Key.GENERAL,
        Complexity.COMPLEX: Key.COMPLEX,
    }


class RiskRule(models.Model):
    """A rule that grades a dispute's risk. The highest grade (lowest number) of the matching rules wins.

    A rule matches when ALL of its set conditions hold; empty conditions are ignored.
    """

    name = models.CharField(_("name"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=RiskGrade.choices)
    min_people = models.PositiveIntegerField(_("at least this many people involved"), null=True, blank=True)
    min_amount = models.DecimalField(
        _("at least this amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    flag = models.CharField(_("risk flag present"), max_length=30, choices=RiskFlag.choices, blank=True)
    min_repeat_disputes = models.PositiveSmallIntegerField(
        _("at least this many earlier disputes of the same person"), null=True, blank=True
    )
    vulnerable_party = models.BooleanField(_("a party is vulnerable"), default=False)
    in_sensitive_period = models.BooleanField(_("during a sensitive period"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        ordering = ["grade", "name"]

    def __str__(self) -> str:
        return f"{self.name} → {self.get_grade_display()}"


class RoutingRule(models.Model):
    """Where a dispute is controlled and who handles it (属事/属地), as data the office edits.

    Rules are tried by priority (lowest first); the first that matches routes the dispute, and the dispute
    records which rule it was.
    """

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    category = models.ForeignKey(
        Category,
        models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("category"),
        help_text=_("Empty: any category."),
    )
    max_grade = models.PositiveSmallIntegerField(
        _("risk at least"),
        choices=RiskGrade.choices,
        null=True,
        blank=True,
        help_text=_("Matches disputes of this grade or higher. Empty: any grade."),
    )
    cross_unit = models.BooleanField(
        _("only disputes that cross units"),
        default=False,
        help_text=_("Matches when the category has several responsible units or the cross-unit flag is set."),
    )
    level = models.PositiveSmallIntegerField(
        _("controlled at level"),
        choices=HandlingLevel.choices,
        help_text=_("The platform of this level above the dispute's region takes control."),
    )
    assign_to_category_units = models.BooleanField(
        _("propose the category's units as handlers"), default=True
    )
    needs_leader = models.BooleanField(_("needs a leader in charge (包案领导)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """A day the office entered itself: a public holiday, or a weekend made a working day (调休).

    The chinesecalendar package knows the years published when it was released; these rows override it and
    cover later years.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays the office has entered completely (so its deadlines are not flagged).

    Its CalendarDay rows are the year's notice as last entered; every notice entered is kept as a CalendarNotice.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarNotice(models.Model):
    """One entry of a year's holiday notice (国务院办公厅关于…部分节假日安排的通知) by the office, kept for good.

    A correction supersedes the entry in force (`superseded_at`) and replaces the year's CalendarDay rows; the
    entries stay as the record of what was assumed when. `days` is {"YYYY-MM-DD": {"workday": bool, "name": str}}.
    """

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    note = models.CharField(_("source"), max_length=200, blank=True)
    days = models.JSONField(_("days"), default=dict)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    moved = models.PositiveIntegerField(_("deadlines moved"), default=0)

    class Meta:
        verbose_name = _("holiday notice")
        verbose_name_plural = _("holiday notices")
        ordering = ["-entered_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.note}"


class SensitivePeriod(models.Model):
    """A special sensitive period (特殊敏感时期) set by the office: patrols go daily and risk is raised."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    region = models.ForeignKey(
        "mediation.Region",
        models.PROTECT,
        verbose_name=_("region"),
        help_text=_("The district, or a part of it."),
    )

    class Meta:
        verbose_name = _("sensitive period")
        verbose_name_plural = _("sensitive periods")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="sensitive_period_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on}–{self.ends_on})"
