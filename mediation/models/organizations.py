from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediation.choices import OrganizationKind
from mediation.scoping import ScopedQuerySet


class MediationOrganizationQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        return (
            Q(pk__in=scope.organization_ids)
            | Q(host_unit__in=scope.unit_ids)
            | scope.region_q("region__path")
        )

    def platforms(self):
        return self.filter(kind=OrganizationKind.PLATFORM)

    def industry(self):
        from mediation.choices import OrganizationKind

        return self.filter(kind=OrganizationKind.INDUSTRY_COMMITTEE)

    def active_on(self, day):
        return self.filter(Q(established_on__isnull=True) | Q(established_on__lte=day)).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )


class MediationOrganization(models.Model):
    """A mediation organization (调解组织): a comprehensive platform (综合调处平台) of a region, a people's
    mediation committee, an industry committee, a dispatched room, an administrative room, a brand studio …

    Each has a region and usually a host unit. The platform of a region is where its disputes are routed.
    """

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    region = models.ForeignKey(
        "mediation.Region", models.PROTECT, related_name="organizations", verbose_name=_("region")
    )
    host_unit = models.ForeignKey(
        "mediation.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("host unit"),
    )
    hosted_in = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_rooms",
        verbose_name=_("hosted in"),
        help_text=_(
            "For an industry/professional room: the district major-dispute mediation centre it sits in."
        ),
    )
    fields = models.JSONField(_("fields covered"), default=list, blank=True)
    named_after = models.ForeignKey(
        "mediation.Mediator",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="named_studios",
        verbose_name=_("named after"),
        help_text=_("For a brand studio: the mediator whose name it carries."),
    )
    has_party_organization = models.BooleanField(_("has its own party organization"), default=False)
    online_capable = models.BooleanField(_("online/video mediation"), default=False)
    is_foreign_related = models.BooleanField(_("handles foreign-related commercial disputes"), default=False)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = MediationOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation organization")
        verbose_name_plural = _("mediation organizations")
        ordering = ["region__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"], name="organization_unique_name"),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(dissolved_on__gt=models.F("established_on")),
                name="organization_dissolved_after_established",
            ),
        ]

    def __str__(self) -> str:
        return self.name
