"""Alerts, in-app notifications and the outbox — the one alert mechanism every app uses.

An Alert is raised once per (subject, kind, level, recipient): a unique key makes a second raise a no-op, so
sweeps that run twice never alert twice. Raising an alert writes, in the same transaction, an in-app
Notification for each user of the recipient and an OutboxMessage for each message that must leave the
server (e-mail, SMS); the outbox is delivered by Celery with retries and is never silently dropped.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediation.scoping import ScopedQuerySet


class AlertKind(models.TextChoices):
    EARLY_WARNING = "early_warning", _("Early warning")
    ACCEPT_OVERDUE = "accept_overdue", _("Assignment not accepted in time")
    OVERDUE = "overdue", _("Overdue")
    SUPERVISION = "supervision", _("Supervision ladder")
    ACK_ESCALATION = "ack_escalation", _("Warning not acknowledged")
    PATROL_DUE = "patrol_due", _("Patrol due")
    PATROL_MISSING = "patrol_missing", _("Patrol report missing")
    CONFIRMATION_WINDOW = "confirmation_window", _("Judicial confirmation window closing")
    PERFORMANCE_DUE = "performance_due", _("Agreement performance due")
    COURT_LIMIT = "court_limit", _("Court past its limit on a judicial confirmation")
    PLAN_OVERDUE = "plan_overdue", _("Plan task overdue")
    REPORT_REMINDER = "report_reminder", _("Progress report reminder")
    DEADLINE_MOVED = "deadline_moved", _("Deadline moved by the holiday calendar")


class AlertQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        return (
            Q(recipient_user_id=scope.user_id)
            | Q(recipient_unit__in=scope.unit_ids)
            | Q(recipient_organization__in=scope.organization_ids)
            | scope.region_q("region__path")
        )

    def unacknowledged(self):
        return self.filter(acknowledged_at__isnull=True)

    def in_force(self):
        """Alerts that still ask something of their recipient: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Alert(models.Model):
    """A warning or reminder about a subject (a dispute, an assignment, a patrol, a plan responsibility)."""

    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    content_type = models.ForeignKey(ContentType, models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    region = models.ForeignKey(
        "mediation.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    recipient_key = models.CharField(max_length=40, editable=False)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    recipient_unit = models.ForeignKey(
        "mediation.Unit", models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    recipient_organization = models.ForeignKey(
        "mediation.MediationOrganization", models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # An alert whose cause went away (a dispute's grade lowered) is withdrawn, never deleted: it stays in the
    # recipient's notifications and in the statistics, and is no longer escalated.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawing"), max_length=200, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "level", "recipient_key"], name="alert_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["ack_due_at"], name="alert_unacked_idx", condition=Q(acknowledged_at__isnull=True)
            ),
            models.Index(fields=["content_type", "object_id"], name="alert_subject_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """An entry in a user's in-app notification centre."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    alert = models.ForeignKey(Alert, models.CASCADE, null=True, blank=True, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "alert"], condition=Q(alert__isnull=False), name="notification_once"
            ),
        ]
        # The notification centre pages by (created_at, id) within one user's rows, all or unread only.
        indexes = [
            models.Index(fields=["user"], name="notification_unread_idx", condition=Q(read_at__isnull=True)),
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_idx"),
            models.Index(
                fields=["user", "-created_at", "-id"],
                name="notification_user_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """A message that must leave the server, written in the same transaction as its cause, delivered with retries."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Failed for good")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("to"), max_length=300)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["next_attempt_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"], name="outbox_pending_idx", condition=Q(status="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.subject}"
