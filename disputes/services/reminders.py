"""Reminders about agreements: the judicial-confirmation window and the performance date (daily, 08:00).

- Judicial confirmation (人民调解法 Art. 33): the parties may apply within 30 days of the agreement taking effect.
  While nobody has applied, the handler is reminded 7 days before the window closes (level 1) and 2 days
  before (level 2), each once (AlertKind.CONFIRMATION_WINDOW).
- Performance (Art. 31, the committee urges performance): the day before `performance_due_on` the handler is
  reminded (level 1); once the day has passed with the performance still unrecorded, the check of performance
  is due (level 2). AlertKind.PERFORMANCE_DUE, each once.

Both are state-driven: a day the job did not run is caught up by the next run (the windows are ranges, not
single days), and the alert's unique key makes a second run a no-op.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.choices import AssignmentRole, AssignmentStatus, Performance, Status
from disputes.models import Agreement, Assignment
from disputes.services.calendar import time_limit
from mediation.models import Alert, AlertKind
from mediation.services.alerts import Recipient, raise_alert

# Days before the confirmation window closes at which the handler is reminded, by alert level.
CONFIRMATION_REMINDERS = {1: 7, 2: 2}
# Statuses in which the parties may still apply for judicial confirmation (workflow.apply_confirmation).
CONFIRMABLE = [Status.RESOLVED, Status.FED_BACK]
PERFORMANCE_REMINDER, PERFORMANCE_CHECK = 1, 2
# A performance date further back than this is not reminded of any more (e.g. agreements entered late).
PERFORMANCE_LOOKBACK = dt.timedelta(days=30)


def send(today: dt.date | None = None) -> int:
    """Every reminder due on `today`; returns the number of agreements reminded."""
    today = today or timezone.localdate()
    return confirmation_reminders(today) + performance_reminders(today)


def confirmation_reminders(today: dt.date) -> int:
    from disputes.models import TimeLimit

    window, _day_type = time_limit(TimeLimit.Key.JUDICIAL_CONFIRMATION)
    done = 0
    # Each level owns the days from its lead down to the next level's: a run that missed day 7 still sends
    # level 1 on day 5, and a window first seen 2 days before closing gets only the level-2 reminder.
    for level, days_before in CONFIRMATION_REMINDERS.items():
        closer = [d for d in CONFIRMATION_REMINDERS.values() if d < days_before]
        latest_effective = today - dt.timedelta(days=window - days_before)
        earliest_effective = today - dt.timedelta(days=window - (max(closer) + 1 if closer else 0))
        agreements = _unreminded(AlertKind.CONFIRMATION_WINDOW, level).filter(
            confirmation_applied_on__isnull=True,
            dispute__status__in=CONFIRMABLE,
            effective_on__gte=earliest_effective,
            effective_on__lte=latest_effective,
        )
        for agreement in agreements:
            closes = agreement.effective_on + dt.timedelta(days=window)
            done += _remind(
                agreement, AlertKind.CONFIRMATION_WINDOW, level, _confirmation_text(agreement, closes)
            )
    return done


def performance_reminders(today: dt.date) -> int:
    done = 0
    due_tomorrow = _unreminded(AlertKind.PERFORMANCE_DUE, PERFORMANCE_REMINDER).filter(
        performance=Performance.PENDING,
        performance_due_on__gte=today,
        performance_due_on__lte=today + dt.timedelta(days=1),
    )
    for agreement in due_tomorrow:
        done += _remind(
            agreement, AlertKind.PERFORMANCE_DUE, PERFORMANCE_REMINDER, _performance_text(agreement)
        )
    past_due = _unreminded(AlertKind.PERFORMANCE_DUE, PERFORMANCE_CHECK).filter(
        performance=Performance.PENDING,
        performance_due_on__lt=today,
        performance_due_on__gte=today - PERFORMANCE_LOOKBACK,
    )
    for agreement in past_due:
        done += _remind(agreement, AlertKind.PERFORMANCE_DUE, PERFORMANCE_CHECK, _check_text(agreement))
    return done


def _unreminded(kind: str, level: int):
    reminded = Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Agreement),
        object_id=OuterRef("pk"),
        kind=kind,
        level=level,
    )
    return (
        Agreement.objects.current()
        .exclude(dispute__status__in=[Status.VOIDED, Status.MERGED])
        .filter(~Exists(reminded))
        .select_related("dispute__region", "recorded_by")
        .order_by("pk")
    )


def handler_recipients(agreement: Agreement) -> list[Recipient]:
    """The unit or organization of the dispute's latest lead assignment; else the person who recorded it."""
    lead = (
        Assignment.objects.filter(dispute_id=agreement.dispute_id, role=AssignmentRole.LEAD)
        .filter(status__in=[AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED])
        .select_related("to_unit", "to_organization")
        .order_by("-pk")
        .first()
    )
    if lead is not None:
        return [
            Recipient(unit=lead.to_unit) if lead.to_unit_id else Recipient(organization=lead.to_organization)
        ]
    return [Recipient(user=agreement.recorded_by)]


def _remind(agreement: Agreement, kind: str, level: int, text: tuple[str, str]) -> int:
    title, body = text
    with transaction.atomic():
        created = raise_alert(
            agreement,
            kind,
            handler_recipients(agreement),
            title=title[:200],
            body=body,
            url=reverse("disputes:detail", args=[agreement.dispute_id]),
            level=level,
            region=agreement.dispute.region,
        )
    return 1 if created else 0


def _confirmation_text(agreement: Agreement, closes: dt.date) -> tuple[str, str]:
    values = {"number": agreement.dispute.number, "closes": closes.isoformat()}
    return (
        _("Judicial confirmation window closes %(closes)s: %(number)s") % values,
        _(
            "The parties to dispute %(number)s may jointly apply to the court for judicial confirmation of their "
            "agreement until %(closes)s (People's Mediation Law, Art. 33). Nobody has applied yet."
        )
        % values,
    )


def _performance_text(agreement: Agreement) -> tuple[str, str]:
    values = {"number": agreement.dispute.number, "due": agreement.performance_due_on.isoformat()}
    return (
        _("Agreement due for performance on %(due)s: %(number)s") % values,
        _(
            "The agreement of dispute %(number)s is to be performed by %(due)s. Urge the parties to perform it."
        )
        % values,
    )


def _check_text(agreement: Agreement) -> tuple[str, str]:
    values = {"number": agreement.dispute.number, "due": agreement.performance_due_on.isoformat()}
    return (
        _("Check the performance of the agreement: %(number)s") % values,
        _(
            "The agreement of dispute %(number)s was to be performed by %(due)s and its performance has not been "
            "recorded. Check with the parties and record whether it was performed."
        )
        % values,
    )
