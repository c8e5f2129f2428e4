"""Raising alerts: once per (subject, kind, level, recipient), with notifications and outbox in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone


@dataclass(frozen=True)
class Recipient:
    """Who an alert is for: a user, a unit (its members) or a mediation organization (its members)."""

    user: object = None
    unit: object = None
    organization: object = None

    @property
    def key(self) -> str:
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.unit is not None:
            return f"unit:{self.unit.pk}"
        return f"org:{self.organization.pk}"

    def users(self):
        """The active users who receive it: the user, or the current members of the unit/organization."""
        from mediation.models import Membership

        User = get_user_model()
        if self.user is not None:
            return User.objects.filter(pk=self.user.pk, is_active=True)
        memberships = Membership.objects.current()
        memberships = (
            memberships.filter(unit=self.unit)
            if self.unit is not None
            else memberships.filter(organization=self.organization)
        )
        return User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))


def raise_alert(
    subject,
    kind: str,
    recipients: list[Recipient],
    *,
    title: str,
    body: str = "",
    url: str = "",
    level: int = 1,
    region=None,
    ack_due_at=None,
    email: bool = True,
) -> list:
    """Raise an alert for each recipient that has not had this (subject, kind, level) yet.

    Returns the alerts created now; an alert raised before is not raised again. Must be called inside the
    transaction of the change that causes it (the notifications and outbox rows commit or roll back with it).
    """
    from mediation.models import Alert

    content_type = ContentType.objects.get_for_model(subject)
    created = []
    for recipient in recipients:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    kind=kind,
                    level=level,
                    content_type=content_type,
                    object_id=subject.pk,
                    region=region,
                    recipient_key=recipient.key,
                    recipient_user=recipient.user,
                    recipient_unit=recipient.unit,
                    recipient_organization=recipient.organization,
                    title=title,
                    body=body,
                    url=url,
                    ack_due_at=ack_due_at,
                )
        except IntegrityError:
            continue  # raised before: once per (subject, kind, level, recipient)
        _fan_out(alert, recipient, email=email)
        created.append(alert)
    return created


def _fan_out(alert, recipient: Recipient, *, email: bool) -> None:
    from mediation.models import Notification, OutboxMessage

    users = list(recipient.users())
    Notification.objects.bulk_create(
        [Notification(user=u, alert=alert, title=alert.title, body=alert.body, url=alert.url) for u in users],
        ignore_conflicts=True,
    )
    if not email:
        return
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                channel=OutboxMessage.Channel.EMAIL,
                recipient=u.email,
                subject=alert.title,
                body=f"{alert.body}\n\n{alert.url}".strip(),
                dedupe_key=f"alert:{alert.pk}:email:{u.pk}",
                next_attempt_at=now,
            )
            for u in users
            if u.email
        ],
        ignore_conflicts=True,
    )


def acknowledge(alert, user) -> bool:
    """Mark an alert acknowledged (idempotent); returns False when it was acknowledged already."""
    from mediation.models import Alert

    return bool(
        Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=user
        )
    )
