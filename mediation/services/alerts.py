"""Raising alerts: once per (subject, kind, level, recipient), with notifications and outbox in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden

# Rows per INSERT when fanning out (PostgreSQL takes at most 65,535 parameters in one statement).
FAN_OUT_BATCH = 1000


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
    _write_fan_out([(alert, list(recipient.users()), email)])


def _write_fan_out(items) -> None:
    """Notifications (and e-mails in the outbox) for (alert, users, email?) triples, in two bulk inserts."""
    from mediation.models import Notification, OutboxMessage

    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(user=u, alert=alert, title=alert.title, body=alert.body, url=alert.url)
            for alert, users, _email in items
            for u in users
        ],
        ignore_conflicts=True,
        batch_size=FAN_OUT_BATCH,
    )
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
            for alert, users, email in items
            if email
            for u in users
            if u.email
        ],
        ignore_conflicts=True,
        batch_size=FAN_OUT_BATCH,
    )


@dataclass(frozen=True)
class AlertSpec:
    """One alert for raise_alerts: raise_alert's arguments, for one recipient."""

    subject: object
    kind: str
    recipient: Recipient
    title: str
    body: str = ""
    url: str = ""
    level: int = 1
    region: object = None
    ack_due_at: object = None
    email: bool = True

    def key(self, content_type_id: int) -> tuple:
        return (content_type_id, self.subject.pk, self.kind, self.level, self.recipient.key)


def raise_alerts(specs: list[AlertSpec]) -> list:
    """raise_alert for many subjects at once (a sweep's batch) in a fixed number of queries, whatever their number.

    The same rules: once per (subject, kind, level, recipient) — what was raised before is skipped — and the
    notifications and outbox rows written in the caller's transaction. Returns the alerts created now. Should a
    concurrent transaction raise one of them meanwhile, the batch falls back to raise_alert one by one.
    """
    from mediation.models import Alert

    types = {type(s.subject): ContentType.objects.get_for_model(s.subject) for s in specs}
    fresh: dict[tuple, AlertSpec] = {}
    for spec in specs:
        fresh.setdefault(spec.key(types[type(spec.subject)].pk), spec)
    if fresh:
        raised = Alert.objects.filter(
            content_type__in={k[0] for k in fresh},
            object_id__in={k[1] for k in fresh},
            kind__in={k[2] for k in fresh},
        ).values_list("content_type_id", "object_id", "kind", "level", "recipient_key")
        for key in raised:
            fresh.pop(tuple(key), None)
    if not fresh:
        return []
    rows = [
        Alert(
            kind=s.kind,
            level=s.level,
            content_type=types[type(s.subject)],
            object_id=s.subject.pk,
            region=s.region,
            recipient_key=s.recipient.key,
            recipient_user=s.recipient.user,
            recipient_unit=s.recipient.unit,
            recipient_organization=s.recipient.organization,
            title=s.title,
            body=s.body,
            url=s.url,
            ack_due_at=s.ack_due_at,
        )
        for s in fresh.values()
    ]
    try:
        with transaction.atomic():
            created = Alert.objects.bulk_create(rows, batch_size=FAN_OUT_BATCH)
    except IntegrityError:
        return [
            alert
            for s in fresh.values()
            for alert in raise_alert(
                s.subject,
                s.kind,
                [s.recipient],
                title=s.title,
                body=s.body,
                url=s.url,
                level=s.level,
                region=s.region,
                ack_due_at=s.ack_due_at,
                email=s.email,
            )
        ]
    users = _users_of([s.recipient for s in fresh.values()])
    _write_fan_out(
        [(a, users[s.recipient.key], s.email) for a, s in zip(created, fresh.values(), strict=True)]
    )
    return created


def _users_of(recipients: list[Recipient]) -> dict[str, list]:
    """Recipient.users() for many recipients in two queries: {recipient key: active users}."""
    from mediation.models import Membership

    units = {r.unit.pk for r in recipients if r.user is None and r.unit is not None}
    organizations = {r.organization.pk for r in recipients if r.user is None and r.unit is None}
    members = (
        Membership.objects.current()
        .filter(Q(unit__in=units) | Q(organization__in=organizations))
        .values_list("unit_id", "organization_id", "user_id")
    )
    by_key: dict[str, set[int]] = {}
    for unit_id, organization_id, user_id in members:
        key = f"unit:{unit_id}" if unit_id else f"org:{organization_id}"
        by_key.setdefault(key, set()).add(user_id)
    for r in recipients:
        if r.user is not None:
            by_key[r.key] = {r.user.pk}
    wanted = set().union(*by_key.values()) if by_key else set()
    active = {u.pk: u for u in get_user_model().objects.filter(is_active=True, pk__in=wanted)}
    return {r.key: [active[i] for i in sorted(by_key.get(r.key, ())) if i in active] for r in recipients}


def is_recipient(alert, user) -> bool:
    """Whether `user` is the alert's recipient or a current member of the unit or organization it is for."""
    from mediation.models import Membership

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if alert.recipient_user_id:
        return alert.recipient_user_id == user.pk
    memberships = Membership.objects.current().filter(user=user)
    if alert.recipient_unit_id:
        return memberships.filter(unit_id=alert.recipient_unit_id).exists()
    if alert.recipient_organization_id:
        return memberships.filter(organization_id=alert.recipient_organization_id).exists()
    return False


def acknowledge(alert, user) -> bool:
    """Mark an alert acknowledged (idempotent); returns False when it was acknowledged already.

    Only a recipient acknowledges: each unit, platform and person warned answers for itself, so one recipient
    (or someone who merely sees the alert in their territory) cannot acknowledge for another.
    """
    from mediation.models import Alert

    if not is_recipient(alert, user):
        raise Forbidden("not_recipient", _("Only a recipient of this alert may acknowledge it."))
    return bool(
        Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=user
        )
    )
