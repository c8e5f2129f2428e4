"""Mediators (调解员), their appointments in organizations, the expert pool and the discipline log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation.choices import AppointmentRole, Gender, MediatorStatus
from mediation.scoping import ScopedQuerySet


class MediatorQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        from mediation.models import Appointment

        serving = Appointment.objects.filter(mediator=models.OuterRef("pk")).filter(
            Q(organization__in=scope.organization_ids)
            | Q(organization__host_unit__in=scope.unit_ids)
            | scope.region_q("organization__region__path")
        )
        return Q(user_id=scope.user_id) | scope.region_q("region__path") | models.Exists(serving)

    def active_on(self, day):
        """Mediators whose status on `day` was active (from the discipline log; active when it is empty)."""
        latest = (
            StatusChange.objects.filter(mediator=models.OuterRef("pk"), effective_on__lte=day)
            .order_by("-effective_on", "-pk")
            .values("status")[:1]
        )
        return self.annotate(status_then=models.Subquery(latest)).filter(
            Q(status_then__isnull=True) | Q(status_then=MediatorStatus.ACTIVE)
        )


class Mediator(models.Model):
    """A people's mediator or other mediator (调解员). Personal data is shown masked, like a party's."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=30, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    backgrounds = models.JSONField(_("backgrounds"), default=list, blank=True)
    qualifications = models.CharField(_("professional qualifications"), max_length=200, blank=True)
    region = models.ForeignKey(
        "mediation.Region",
        models.PROTECT,
        related_name="mediators",
        verbose_name=_("region"),
        help_text=_("Where the mediator works (for the territorial visibility rule)."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="mediator",
        verbose_name=_("user account"),
    )
    status = models.CharField(
        _("current status"),
        max_length=20,
        choices=MediatorStatus.choices,
        default=MediatorStatus.ACTIVE,
        editable=False,
        help_text=_("Follows the discipline log; change it by adding a log entry."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = MediatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="mediator_unique_id_number"
            ),
        ]
        # The list's keyset order; the name search has a trigram index (PostgreSQL only, migration).
        indexes = [models.Index(fields=["name", "id"], name="mediator_name_idx")]

    def __str__(self) -> str:
        return self.name


class DatedQuerySet(models.QuerySet):
    """Rows valid on a day: started on or before it, not yet ended."""

    start_field = "started_on"
    end_field = "ended_on"

    def on(self, day):
        return self.filter(**{f"{self.start_field}__lte": day}).filter(
            Q(**{f"{self.end_field}__isnull": True}) | Q(**{f"{self.end_field}__gt": day})
        )

    def current(self):
        return self.on(timezone.localdate())


class ExpertQuerySet(DatedQuerySet):
    start_field = "joined_on"
    end_field = "left_on"


class Appointment(models.Model):
    """A mediator serving an organization from one date to another, full-time or part-time."""

    mediator = models.ForeignKey(
        Mediator, models.CASCADE, related_name="appointments", verbose_name=_("mediator")
    )
    organization = models.ForeignKey(
        "mediation.MediationOrganization",
        models.PROTECT,
        related_name="appointments",
        verbose_name=_("organization"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=AppointmentRole.choices, default=AppointmentRole.MEDIATOR
    )
    is_full_time = models.BooleanField(_("full-time"), default=False)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["organization", "-is_full_time", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
                name="appointment_dates",
            ),
        ]
        indexes = [models.Index(fields=["organization", "started_on"], name="appointment_org_idx")]

    def __str__(self) -> str:
        return f"{self.mediator} @ {self.organization}"


class ExpertMembership(models.Model):
    """Membership of the mediation expert pool (调解专家库), with specialties and dates."""

    mediator = models.ForeignKey(
        Mediator, models.CASCADE, related_name="expert_memberships", verbose_name=_("mediator")
    )
    specialties = models.JSONField(_("specialties (fields)"), default=list)
    expertise = models.CharField(_("expertise"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert-pool membership")
        verbose_name_plural = _("expert-pool memberships")
        ordering = ["mediator", "joined_on"]

    def __str__(self) -> str:
        return f"{self.mediator} ({self.joined_on})"


class StatusChange(models.Model):
    """The discipline log (人民调解法 Art. 15): each change of a mediator's status, with the reason."""

    class Ground(models.TextChoices):
        PARTIAL = "partial", _("Favoured one party")
        INSULTING = "insulting", _("Insulted a party")
        GIFTS = "gifts", _("Asked for or took money or gifts")
        LEAK = "leak", _("Leaked personal privacy or trade secrets")
        OTHER = "other", _("Other")
        REINSTATED = "reinstated", _("Reinstated")

    mediator = models.ForeignKey(
        Mediator, models.CASCADE, related_name="status_changes", verbose_name=_("mediator")
    )
    status = models.CharField(_("new status"), max_length=20, choices=MediatorStatus.choices)
    ground = models.CharField(_("ground"), max_length=20, choices=Ground.choices)
    effective_on = models.DateField(_("effective on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("discipline log entry")
        verbose_name_plural = _("discipline log")
        ordering = ["mediator", "effective_on", "pk"]

    def __str__(self) -> str:
        return f"{self.mediator} → {self.get_status_display()} ({self.effective_on})"
