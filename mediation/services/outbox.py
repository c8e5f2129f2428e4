"""Delivering the outbox: e-mail, SMS and webhooks, with retries and backoff, never silently dropped.

Rows are written by raise_alert (and any other change that must tell the outside world) in the transaction of
the change itself. The "deliver_outbox" job runs every minute and walks the due rows in keyset batches. Each
row is claimed on its own in a short transaction (SELECT … FOR UPDATE SKIP LOCKED, the status re-checked,
next_attempt_at pushed out by a lease), then sent outside any transaction, so a slow gateway never holds a lock
and a second deliverer running at the same time skips the row. A message marked sent is never sent again. A
deliverer that dies between sending and recording leaves the row to be retried when the lease runs out: delivery
is at least once, and such a repeat is the only one possible.

Failure: attempts + 1, the error kept, the next attempt after 1 min × 2^(earlier attempts), at most 6 h; the
MAX_ATTEMPTS-th failure marks the row dead, where admins see it (admin, operations page) and can retry it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mediation import sms

logger = logging.getLogger("mediation.outbox")

MAX_ATTEMPTS = 8
BASE_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=6)
# Longer than one send can take (HTTP timeout 10 s, SMTP similar), so a claimed row is not claimed twice.
LEASE = dt.timedelta(minutes=10)
BATCH_SIZE = 100


def backoff(failed_before: int) -> dt.timedelta:
    """The wait after a failure when `failed_before` attempts had failed already: 1, 2, 4 … minutes, ≤ 6 h."""
    return min(BASE_DELAY * (2 ** min(failed_before, 20)), MAX_DELAY)


def deliver_due(now: dt.datetime | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Deliver every pending message due at `now`; return how many were sent."""
    from mediation.models import OutboxMessage

    now = now or timezone.now()
    due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
    sent = 0
    after: tuple | None = None
    while True:
        batch = due
        if after is not None:
            batch = batch.filter(
                Q(next_attempt_at__gt=after[0]) | Q(next_attempt_at=after[0], pk__gt=after[1])
            )
        keys = list(batch.order_by("next_attempt_at", "pk").values_list("next_attempt_at", "pk")[:batch_size])
        if not keys:
            return sent
        for _due_at, pk in keys:
            sent += deliver_one(pk, now=now)
        after = keys[-1]


def deliver_one(pk: int, *, now: dt.datetime | None = None) -> bool:
    """Claim, send and record one message; False when it was not due, taken by another deliverer, or failed."""
    now = now or timezone.now()
    message = _claim(pk, now)
    if message is None:
        return False
    try:
        _send(message)
    except Exception as exc:  # every failure is recorded on the row and retried, whatever raised it
        _record_failure(message, now, exc)
        return False
    _record_success(message, now)
    return True


def _claim(pk: int, now: dt.datetime):
    from mediation.models import OutboxMessage

    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None  # sent, dead, not due, or locked by another deliverer right now
        # The conditional update also makes the claim exclusive where FOR UPDATE is a no-op (SQLite).
        claimed = OutboxMessage.objects.filter(
            pk=pk, status=OutboxMessage.Status.PENDING, next_attempt_at=message.next_attempt_at
        ).update(next_attempt_at=now + LEASE)
    return message if claimed else None


def _record_success(message, now: dt.datetime) -> None:
    from mediation.models import OutboxMessage

    OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.SENT, sent_at=now, last_error=""
    )


def _record_failure(message, now: dt.datetime, exc: Exception) -> None:
    from mediation.models import OutboxMessage

    attempts = message.attempts + 1
    dead = attempts >= MAX_ATTEMPTS
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning(
        "Outbox message %s (%s) failed, attempt %s: %s", message.pk, message.channel, attempts, error
    )
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING).update(
        attempts=attempts,
        last_error=error,
        status=OutboxMessage.Status.DEAD if dead else OutboxMessage.Status.PENDING,
        next_attempt_at=now + backoff(message.attempts),
    )


def _send(message) -> None:
    from mediation.models import OutboxMessage

    channel = message.channel
    if channel == OutboxMessage.Channel.EMAIL:
        subject = " ".join((message.subject or message.body[:60]).split())
        EmailMessage(subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient]).send()
    elif channel == OutboxMessage.Channel.SMS:
        text = f"{message.subject}：{message.body}" if message.subject else message.body
        gateway_id = sms.get_backend().send(message.recipient, text)
        logger.info("Outbox message %s handed to the SMS gateway as %s", message.pk, gateway_id or "(no id)")
    elif channel == OutboxMessage.Channel.WEBHOOK:
        payload = message.payload or {"subject": message.subject, "body": message.body}
        sms.post_json(message.recipient, payload)
    else:
        raise ValueError(f"unknown channel {channel!r}")


def retry_now(queryset, now: dt.datetime | None = None) -> int:
    """Make pending or dead messages due now (an admin action); dead ones get a fresh set of attempts."""
    from mediation.models import OutboxMessage

    now = now or timezone.now()
    pending = queryset.filter(status=OutboxMessage.Status.PENDING).update(next_attempt_at=now)
    revived = queryset.filter(status=OutboxMessage.Status.DEAD).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=now
    )
    return pending + revived


def backlog(now: dt.datetime | None = None) -> dict:
    """Pending and dead counts and the age of the oldest pending message, for the operations page."""
    from django.db.models import Count, Min

    from mediation.models import OutboxMessage

    now = now or timezone.now()
    figures = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.DEAD]
    ).aggregate(
        pending=Count("pk", filter=Q(status=OutboxMessage.Status.PENDING)),
        due=Count("pk", filter=Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)),
        failing=Count("pk", filter=Q(status=OutboxMessage.Status.PENDING, attempts__gt=0)),
        dead=Count("pk", filter=Q(status=OutboxMessage.Status.DEAD)),
        oldest=Min("created_at", filter=Q(status=OutboxMessage.Status.PENDING)),
    )
    figures["oldest_age"] = now - figures["oldest"] if figures["oldest"] else None
    return figures


def visible_to(queryset, user):
    """The messages written for an alert `user` may see (dedupe key "alert:<pk>:…", see services/alerts.py).
    Messages of no alert (webhooks …) name nothing the platform can check, so only those who see the whole
    district (and superusers) see them."""
    from django.db.models import CharField, Exists, OuterRef, Value
    from django.db.models.functions import Cast, Concat, Length, Substr

    from mediation.models import Alert, Region

    if user.is_superuser:
        return queryset
    key = Concat(Value("alert:"), Cast("pk", CharField()), Value(":"), output_field=CharField())
    alerts = (
        Alert.objects.visible_to(user)
        .annotate(key=key)
        .filter(key=Substr(OuterRef("dedupe_key"), 1, Length("key")))
    )
    shown = Q(Exists(alerts))
    if Region.objects.visible_to(user).filter(code=settings.DISTRICT_CODE).exists():
        shown |= ~Q(dedupe_key__startswith="alert:")
    return queryset.filter(shown)
