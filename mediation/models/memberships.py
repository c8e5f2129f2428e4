from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation.choices import Role
from mediation.scoping import ScopedQuerySet


class MembershipQuerySet(ScopedQuerySet):
    def current(self, day=None):
        day = day or timezone.localdate()
        return self.filter(is_active=True, started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )

    def scope_q(self, scope) -> Q:
        return (
            Q(user_id=scope.user_id)
            | scope.region_q("region__path")
            | Q(unit__in=scope.unit_ids)
            | scope.region_q("unit__region__path")
            | Q(organization__in=scope.organization_ids)
            | scope.region_q("organization__region__path")
        )


class Membership(models.Model):
    """A user's place in the structure: a role in a region, a unit or a mediation organization.

    Memberships decide what a user sees (see mediation.scoping); the role's group decides what they may do.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "mediation.Region",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("region"),
    )
    unit = models.ForeignKey(
        "mediation.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    organization = models.ForeignKey(
        "mediation.MediationOrganization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("mediation organization"),
    )
    title = models.CharField(_("title"), max_length=50, blank=True)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(region__isnull=False, unit__isnull=True, organization__isnull=True)
                    | Q(region__isnull=True, unit__isnull=False, organization__isnull=True)
                    | Q(region__isnull=True, unit__isnull=True, organization__isnull=False)
                ),
                name="membership_exactly_one_anchor",
                violation_error_message=_(
                    "A membership belongs to exactly one region, unit or organization."
                ),
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="membership_user_active_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.anchor}"

    @property
    def anchor(self):
        return self.region or self.unit or self.organization

    @property
    def territory(self):
        """The region this membership stands in, whatever its anchor."""
        if self.region_id:
            return self.region
        if self.unit_id:
            return self.unit.region
        return self.organization.region
