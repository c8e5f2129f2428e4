from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediation.choices import UnitKind
from mediation.scoping import ScopedQuerySet


class UnitQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        # Own units, units inside the user's territory, and the units above it (where work is routed to).
        return (
            Q(pk__in=scope.unit_ids)
            | scope.region_q("region__path")
            | Q(region__path__in=scope.ancestor_paths)
        )

    def street_governments(self):
        return self.filter(kind=UnitKind.STREET_GOVERNMENT)

    def member_units(self):
        return self.filter(is_member_unit=True)


class Unit(models.Model):
    """A body named in the plan (单位): a district department, a court, a people's organization,
    a street/town government, or the grand-mediation office (大调解工作办公室).

    The units that handle a dispute category are its 属事 units.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    region = models.ForeignKey(
        "mediation.Region",
        models.PROTECT,
        related_name="units",
        verbose_name=_("region"),
        help_text=_(
            "The territory the unit serves: the district for a department, the street for its government."
        ),
    )
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
        help_text=_("E.g. a police station under the district public security bureau."),
    )
    is_member_unit = models.BooleanField(
        _("member of the working group"), default=False, help_text=_("工作小组成员单位")
    )
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, help_text=_("Other names the plan uses for this unit.")
    )
    jurisdiction = models.ManyToManyField(
        "mediation.Region",
        blank=True,
        related_name="covering_units",
        verbose_name=_("jurisdiction (辖区)"),
        help_text=_(
            "For a police station: the streets, towns, communities or villages it covers (each with everything "
            "below it). A red dispute's early warning goes to the stations covering its region."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class UnitHeadcount(models.Model):
    """A unit's headcount from a date on (e.g. a police station's officers: task 7 counts stations with ≥ 20).

    Kept as history so an indicator at a past date uses the figure valid then.
    """

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="headcounts", verbose_name=_("unit"))
    officers = models.PositiveIntegerField(_("officers"))
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("unit headcount")
        verbose_name_plural = _("unit headcounts")
        ordering = ["unit", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["unit", "valid_from"], name="headcount_unit_date")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.officers} ({self.valid_from})"
