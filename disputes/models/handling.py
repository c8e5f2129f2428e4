"""Handling a dispute: assignments (交办), supervision (督办), sessions, agreement, feedback, follow-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.choices import (
    OPEN_ASSIGNMENT_STATUSES,
    AgreementForm,
    AssignmentRole,
    AssignmentStatus,
    ConfirmationResult,
    DayType,
    FailureGuidance,
    FeedbackTarget,
    Performance,
    Satisfaction,
    SessionMode,
    SupervisionLevel,
)


class Assignment(models.Model):
    """An assignment (交办) from a platform to a unit or a mediation organization, with a time limit.

    Reassignment withdraws the old row and creates a new one, so the history stays.
    """

    dispute = models.ForeignKey("disputes.Dispute", models.CASCADE, related_name="assignments")
    from_platform = models.ForeignKey(
        "mediation.MediationOrganization",
        models.PROTECT,
        related_name="assignments_made",
        verbose_name=_("assigned by platform"),
    )
    to_unit = models.ForeignKey(
        "mediation.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("assigned to unit"),
    )
    to_organization = models.ForeignKey(
        "mediation.MediationOrganization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("assigned to organization"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=AssignmentRole.choices, default=AssignmentRole.LEAD
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    limit_days = models.PositiveSmallIntegerField(_("time limit (days)"))
    day_type = models.CharField(_("counted in"), max_length=10, choices=DayType.choices)
    accept_limit_days = models.PositiveSmallIntegerField(
        _("acceptance limit (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Empty for assignments made before the limit was recorded: their accept-by date is kept."
        ),
    )
    accept_day_type = models.CharField(
        _("acceptance counted in"), max_length=10, choices=DayType.choices, blank=True
    )
    accept_due_at = models.DateTimeField(_("accept by"))
    due_at = models.DateTimeField(_("due at"))
    due_date_estimated = models.BooleanField(_("deadline estimated"), default=False)
    note = models.TextField(_("instructions"), blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    result_report = models.TextField(_("result report"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    overdue_level = models.PositiveSmallIntegerField(
        _("supervision step reached"), choices=SupervisionLevel.choices, null=True, blank=True
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["dispute", "assigned_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_unit__isnull=False, to_organization__isnull=True)
                | Q(to_unit__isnull=True, to_organization__isnull=False),
                name="assignment_exactly_one_target",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                name="assignment_open_due_idx",
                condition=Q(status__in=OPEN_ASSIGNMENT_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute.number} → {self.target}"

    @property
    def target(self):
        return self.to_unit or self.to_organization

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ASSIGNMENT_STATUSES


class Supervision(models.Model):
    """A supervision notice (督办) from a higher platform; the handler must answer in writing."""

    dispute = models.ForeignKey("disputes.Dispute", models.CASCADE, related_name="supervisions")
    assignment = models.ForeignKey(
        Assignment, models.CASCADE, null=True, blank=True, related_name="supervisions"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=SupervisionLevel.choices)
    notice = models.TextField(_("notice"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the supervision ladder issued it by itself."),
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    answer_limit_days = models.PositiveSmallIntegerField(
        _("answer limit (days)"),
        null=True,
        blank=True,
        help_text=_("Empty for notices issued before the limit was recorded: their answer-by date is kept."),
    )
    answer_day_type = models.CharField(
        _("answer counted in"), max_length=10, choices=DayType.choices, blank=True
    )
    answer_due_at = models.DateTimeField(_("answer by"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["dispute", "issued_at"]

    def __str__(self) -> str:
        return f"{self.dispute.number} {self.get_level_display()}"


class MediationSession(models.Model):
    """One mediation session (调解记录): how it was held, who took part, and the minutes."""

    dispute = models.ForeignKey("disputes.Dispute", models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices)
    location = models.CharField(_("place or link"), max_length=200, blank=True)
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="mediation_sessions", verbose_name=_("mediators")
    )
    participants = models.TextField(_("participants"))
    minutes = models.TextField(_("minutes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["dispute", "held_at"]

    def __str__(self) -> str:
        return f"{self.dispute.number} {self.held_at:%Y-%m-%d}"


class Extension(models.Model):
    """An extension of the mediation time limit, only with both parties' consent recorded."""

    dispute = models.ForeignKey("disputes.Dispute", models.CASCADE, related_name="extensions")
    old_due_at = models.DateTimeField(_("old deadline"))
    new_due_at = models.DateTimeField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=300)
    consent_note = models.TextField(_("how both parties consented"))
    consenting_parties = models.ManyToManyField("disputes.Party", verbose_name=_("consenting parties"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["dispute", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.dispute.number} → {self.new_due_at:%Y-%m-%d}"


class AgreementQuerySet(models.QuerySet):
    def current(self):
        """The agreements in force: one per dispute at most; superseded ones stay as history."""
        return self.filter(superseded_at__isnull=True)


class Agreement(models.Model):
    """The mediation agreement (调解协议): written (人民调解法 Art. 29) or oral (Art. 30).

    A re-mediation (after an unsatisfied follow-up) reaches a new agreement; the earlier one is never deleted
    but marked superseded, with its judicial-confirmation and notarization data, so the case keeps its history.
    """

    dispute = models.ForeignKey("disputes.Dispute", models.CASCADE, related_name="agreements")
    form = models.CharField(_("form"), max_length=10, choices=AgreementForm.choices)
    facts = models.TextField(_("facts and points in dispute"), blank=True)
    terms = models.TextField(_("agreed terms"))
    performance_method = models.TextField(_("how and when it is performed"), blank=True)
    performance_due_on = models.DateField(_("perform by"), null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, default=0)
    effective_on = models.DateField(_("took effect on"))
    signed_by_all = models.BooleanField(_("signed by all parties and the mediator, sealed"), default=False)
    performance = models.CharField(
        _("performance"), max_length=20, choices=Performance.choices, default=Performance.PENDING
    )
    performance_checked_on = models.DateField(_("performance checked on"), null=True, blank=True)
    confirmation_applied_on = models.DateField(_("judicial confirmation applied on"), null=True, blank=True)
    confirmation_court = models.CharField(_("court"), max_length=100, blank=True)
    confirmation_result = models.CharField(
        _("judicial confirmation result"), max_length=20, choices=ConfirmationResult.choices, blank=True
    )
    confirmation_decided_on = models.DateField(_("decided on"), null=True, blank=True)
    confirmation_parties = models.ManyToManyField(
        "disputes.Party",
        related_name="+",
        blank=True,
        verbose_name=_("parties who applied"),
        help_text=_("Judicial confirmation is applied for jointly by the parties (人民调解法 Art. 33)."),
    )
    confirmation_accepted_on = models.DateField(_("court accepted the application on"), null=True, blank=True)
    confirmation_extended = models.BooleanField(
        _("decision period extended (10 days, with the court president's approval)"), default=False
    )
    confirmation_next_steps = models.TextField(_("what the parties may do next"), blank=True)
    notarized_on = models.DateField(_("notarized on"), null=True, blank=True)
    notary_office = models.CharField(_("notary office"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(superseded_at__isnull=True),
                name="agreement_one_current_per_dispute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute.number} {self.get_form_display()}"


class Feedback(models.Model):
    """Feedback on the result to the parties or to the assigning platform (task 26)."""

    dispute = models.ForeignKey("disputes.Dispute", models.CASCADE, related_name="feedbacks")
    target = models.CharField(_("to"), max_length=10, choices=FeedbackTarget.choices)
    channel = models.CharField(_("channel"), max_length=50)
    content = models.TextField(_("content"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["dispute", "given_at"]

    def __str__(self) -> str:
        return f"{self.dispute.number} {self.get_target_display()}"


class FollowUp(models.Model):
    """A follow-up visit (回访): satisfaction and performance of the agreement."""

    dispute = models.ForeignKey("disputes.Dispute", models.CASCADE, related_name="follow_ups")
    visited_on = models.DateField(_("visited on"))
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    performance = models.CharField(
        _("performance of the agreement"), max_length=20, choices=Performance.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["dispute", "visited_on"]

    def __str__(self) -> str:
        return f"{self.dispute.number} {self.visited_on}"


class Referral(models.Model):
    """A dispute whose mediation ended without agreement, handed to another channel (人民调解法 Art. 26): the
    court, an arbitration commission, an administrative body (行政复议、行政裁决). The case is archived with it."""

    dispute = models.ForeignKey("disputes.Dispute", models.CASCADE, related_name="referrals")
    channel = models.CharField(_("channel"), max_length=20, choices=FailureGuidance.choices)
    body = models.CharField(_("referred to"), max_length=100, help_text=_("The court, commission or office."))
    referred_on = models.DateField(_("referred on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["dispute", "referred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.body}"
