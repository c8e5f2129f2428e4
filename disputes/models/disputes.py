"""The dispute (矛盾纠纷) and its parties and attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from disputes.choices import (
    OPEN_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    Complexity,
    FailureGuidance,
    HandlingLevel,
    Outcome,
    PartyKind,
    PartyRole,
    RiskGrade,
    Source,
    Status,
    TerminationReason,
)
from mediation.keyset import keyset_sort
from mediation.scoping import NOTHING, ScopedQuerySet, any_of


class DisputeQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        """Disputes in the scope's territory, controlled by its platforms, led by the user, or assigned to its
        units or organizations. Each part is index-backed and left out when empty; the assignment part is a
        subquery PostgreSQL runs once (hashed), not once per row."""
        from disputes.models import Assignment

        addressed = any_of(scope.units_q("to_unit"), scope.organizations_q("to_organization"))
        # A 属事 unit is warned of the disputes it is responsible for and must act on the warning, so being
        # responsible makes a dispute visible to the unit's members (docs/ARCHITECTURE.md).
        responsible = Dispute.responsible_units.through.objects.filter(unit_id__in=sorted(scope.unit_ids))
        return any_of(
            scope.region_q("region_path"),
            scope.organizations_q("platform"),
            Q(leader_id=scope.user_id),
            Q(pk__in=Assignment.objects.filter(addressed).values("dispute_id"))
            if addressed is not NOTHING
            else None,
            Q(pk__in=responsible.values("dispute_id")) if scope.unit_ids else None,
            _warned_q(scope),
        )

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        from django.utils import timezone

        return self.open().filter(due_at__lt=now or timezone.now())


def _warned_q(scope) -> Q | None:
    """Disputes an early warning was addressed to the scope's units or organizations about (task 23).

    A warned recipient — a police station covering the region, a 属地 platform, a 属事 unit — must be able to open
    the dispute to read and acknowledge the warning; the warning, not the text, gives way (docs/ARCHITECTURE.md).
    """
    from django.contrib.contenttypes.models import ContentType

    from mediation.models import Alert, AlertKind

    recipients = any_of(
        Q(recipient_unit_id__in=sorted(scope.unit_ids)) if scope.unit_ids else None,
        Q(recipient_organization_id__in=sorted(scope.organization_ids)) if scope.organization_ids else None,
    )
    if recipients is NOTHING:
        return None
    warnings = Alert.objects.filter(
        recipients, kind=AlertKind.EARLY_WARNING, content_type=ContentType.objects.get_for_model(Dispute)
    )
    return Q(pk__in=warnings.values("object_id"))


class Dispute(models.Model):
    """A dispute (矛盾纠纷) from first report to archived case.

    `status` moves only through disputes.services.workflow; every move writes an Event.
    `version` is the optimistic-lock counter: an action carries the version it saw.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    category = models.ForeignKey("disputes.Category", models.PROTECT, verbose_name=_("category"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        blank=True,
        help_text=_("The id in the sending system (12345, municipal platform); makes intake idempotent."),
    )
    region = models.ForeignKey(
        "mediation.Region", models.PROTECT, related_name="disputes", verbose_name=_("region (属地)")
    )
    region_path = models.CharField(_("region path"), max_length=255, editable=False, db_index=False)
    address = models.CharField(_("address"), max_length=200)
    occurred_at = models.DateTimeField(_("occurred at"))
    title = models.CharField(_("summary"), max_length=100)
    description = models.TextField(_("description"))
    people_involved = models.PositiveIntegerField(_("people involved"), default=1)
    amount = models.DecimalField(_("amount involved (yuan)"), max_digits=14, decimal_places=2, default=0)
    risk_flags = models.JSONField(_("risk flags"), default=list, blank=True)

    # Assessment (研判)
    risk_grade = models.PositiveSmallIntegerField(
        _("risk grade"), choices=RiskGrade.choices, null=True, blank=True
    )
    risk_grade_by_rules = models.PositiveSmallIntegerField(
        _("risk grade by the rules"), choices=RiskGrade.choices, null=True, blank=True
    )
    risk_override_reason = models.CharField(_("reason for overriding the grade"), max_length=200, blank=True)
    complexity = models.CharField(_("complexity"), max_length=10, choices=Complexity.choices, blank=True)
    in_sensitive_period = models.BooleanField(_("during a sensitive period"), default=False)

    # Routing and handling
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    handling_level = models.PositiveSmallIntegerField(
        _("handling level"), choices=HandlingLevel.choices, null=True, blank=True
    )
    platform = models.ForeignKey(
        "mediation.MediationOrganization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="controlled_disputes",
        verbose_name=_("controlling platform"),
    )
    routing_rule = models.ForeignKey(
        "disputes.RoutingRule", models.SET_NULL, null=True, blank=True, verbose_name=_("routed by rule")
    )
    responsible_units = models.ManyToManyField(
        "mediation.Unit",
        blank=True,
        related_name="responsible_disputes",
        verbose_name=_("responsible units (属事)"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="led_disputes",
        verbose_name=_("leader in charge (包案领导)"),
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    due_date_estimated = models.BooleanField(
        _("deadline estimated"),
        default=False,
        help_text=_(
            "The deadline falls in a year whose holidays nobody has entered: weekends only were skipped."
        ),
    )
    rights_notified_at = models.DateTimeField(_("rights and duties notified at"), null=True, blank=True)
    extended = models.BooleanField(_("time limit extended with both parties' consent"), default=False)

    # Outcome
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    failure_guidance = models.CharField(
        _("guidance given"), max_length=20, choices=FailureGuidance.choices, blank=True
    )
    preventions = models.JSONField(_("prevention outcomes"), default=list, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    termination_reason = models.CharField(
        _("why mediation was terminated"), max_length=20, choices=TerminationReason.choices, blank=True
    )
    channels_told = models.JSONField(
        _("other channels the parties were told of"),
        default=list,
        blank=True,
        help_text=_("Litigation, arbitration, administrative review or ruling (人民调解法 Art. 26)."),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    # Duplicates and voiding
    duplicate_of = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    linked = models.ManyToManyField("self", blank=True, verbose_name=_("linked disputes"))
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("register_dispute", _("Can register disputes")),
            ("assess_dispute", _("Can assess, route and assign disputes")),
            ("handle_dispute", _("Can handle disputes (accept, mediate, record outcomes)")),
            ("supervise_dispute", _("Can guide and supervise disputes")),
            ("export_dispute", _("Can export disputes")),
            ("view_personal_data", _("Can see unmasked personal data")),
        ]
        indexes = [
            models.Index(
                fields=["region_path"], name="dispute_region_path_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["status", "due_at"], name="dispute_status_due_idx"),
            models.Index(
                fields=["due_at"],
                name="dispute_open_due_idx",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["-created_at", "-id"], name="dispute_created_idx"),
            # The list's other sort keys (disputes.services.listing), each with id as the keyset tie-break; a
            # nullable key is indexed as the COALESCE the keyset orders by (mediation.keyset), one index per
            # direction since the sentinel differs. Text search has trigram indexes (PostgreSQL only, migration).
            models.Index(fields=["-occurred_at", "-id"], name="dispute_occurred_idx"),
            models.Index(keyset_sort("due_at", "datetime"), "id", name="dispute_due_sort_idx"),
            models.Index(keyset_sort("due_at", "datetime", True), "id", name="dispute_due_desc_sort_idx"),
            models.Index(keyset_sort("risk_grade", "int"), "id", name="dispute_risk_sort_idx"),
            models.Index(keyset_sort("risk_grade", "int", True), "id", name="dispute_risk_desc_sort_idx"),
            # Possible duplicates on the dispute page: same category, occurred within a month.
            models.Index(fields=["category", "occurred_at"], name="dispute_category_occurred_idx"),
            # Open work: the queue and "open, due soonest" walk these without touching closed cases.
            models.Index(
                keyset_sort("due_at", "datetime"),
                "id",
                name="dispute_open_due_sort_idx",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                F("created_at").asc(),
                "id",
                name="dispute_open_created_idx",
                condition=Q(status__in=OPEN_STATUSES),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="dispute_unique_external_id",
            ),
            models.CheckConstraint(condition=Q(people_involved__gte=1), name="dispute_people_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dispute_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        # Denormalized so the visibility filter needs no join; kept equal to the region's path.
        self.region_path = self.region.path
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def current_assignments(self):
        # The workflow's authority checks read each target's region: one query, however many co-handlers.
        return (
            self.assignments.filter(status__in=OPEN_ASSIGNMENT_STATUSES)
            .select_related("to_organization__region")
            .order_by("role", "pk")
        )

    @property
    def agreement(self):
        """The agreement in force (None if there is none); superseded ones are in `agreements`."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("agreements")
        if prefetched is not None:
            return next((a for a in prefetched if a.superseded_at is None), None)
        return self.agreements.current().first()

    @property
    def lead_assignment(self):
        from disputes.choices import AssignmentRole

        return self.current_assignments.filter(role=AssignmentRole.LEAD).first()


class DisputeCounter(models.Model):
    """One row per year; numbers are taken by an atomic increment, so concurrent intakes never collide.

    A rolled-back intake leaves a gap, which is fine: numbers are unique, not dense.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dispute number counter")
        verbose_name_plural = _("dispute number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Party(models.Model):
    """A party (当事人): a person or an organization. ID numbers and phones are personal information."""

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="parties", verbose_name=_("dispute"))
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices, default=PartyKind.PERSON)
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    name = models.CharField(_("name"), max_length=100)
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        blank=True,
        db_index=True,
        help_text=_(
            "Resident identity card number (GB 11643); for organizations the unified social credit code."
        ),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    consents_to_mediation = models.BooleanField(_("consents to mediation"), null=True)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["dispute", "pk"]
        # The exact search by phone (stored normalized by intake.clean_phone); a plain B-tree, no LIKE index.
        # A search of one or two characters matches a party's whole name (too short for the trigram index).
        indexes = [
            models.Index(fields=["phone"], name="party_phone_idx"),
            models.Index(fields=["name"], name="party_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Attachment(models.Model):
    """A file of the case (卷宗): served only through a view that checks the dispute's visibility."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application or intake form")
        IDENTITY = "identity", _("Identity proof")
        INVESTIGATION = "investigation", _("Investigation notes")
        RECORD = "record", _("Mediation record")
        AGREEMENT = "agreement", _("Agreement")
        PERFORMANCE = "performance", _("Proof of performance")
        FOLLOW_UP = "follow_up", _("Follow-up record")
        CONFIRMATION = "confirmation", _("Judicial confirmation papers")
        OTHER = "other", _("Other")

    dispute = models.ForeignKey(
        Dispute, models.CASCADE, related_name="attachments", verbose_name=_("dispute")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["dispute", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
