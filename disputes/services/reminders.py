"""Reminders about agreements: the judicial-confirmation window and the performance date (daily, 08:00).

- Judicial confirmation (人民调解法 Art. 33): the parties may apply within 30 days of the agreement taking effect.
  While nobody has applied, the handler is reminded 7 days before the window closes (level 1) and 2 days
  before (level 2), each once (AlertKind.CONFIRMATION_WINDOW).
- The court's limits on an application (disputes.services.periods): the handler is told once when the court has
  not accepted it within 3 days, and once when it has not decided within 15 days of accepting it (25 when
  extended). AlertKind.COURT_LIMIT.
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

from disputes.choices import AgreementForm, AssignmentRole, AssignmentStatus, Performance, Status
from disputes.models import Agreement, Assignment
from disputes.services import periods
from disputes.services.calendar import time_limit
from disputes.services.workflow.outcome import confirmation_window_closes
from mediation.models import Alert, AlertKind
from mediation.services.alerts import Recipient, raise_alert

# Days before the confirmation window closes at which the handler is reminded, by alert level.
CONFIRMATION_REMINDERS = {1: 7, 2: 2}
# Statuses in which the parties may still apply for judicial confirmation (workflow.apply_confirmation).
CONFIRMABLE = [Status.RESOLVED, Status.FED_BACK]
PERFORMANCE_REMINDER, PERFORMANCE_CHECK = 1, 2
# A performance date further back than this is not reminded of any more (e.g. agreements entered late).
PERFORMANCE_LOOKBACK = dt.timedelta(days=30)
# An application older than this is not reminded of any more (the court's limits are weeks, not months).
COURT_LOOKBACK = dt.timedelta(days=90)


def send(today: dt.date | None = None) -> int:
    """Every reminder due on `today`; returns the number of agreements reminded."""
    today = today or timezone.localdate()
    return confirmation_reminders(today) + performance_reminders(today) + court_limit_reminders(today)


COURT_ACCEPTANCE_LATE, COURT_DECISION_LATE = 1, 2


def court_limit_reminders(today: dt.date) -> int:
    """The handler is told once when the court has passed its 3 days to accept an application (level 1) and
    once when it has passed its 15 (or 25) days to decide (level 2), so they can ask the court."""
    done = 0
    waiting = Agreement.objects.current().filter(
        confirmation_applied_on__isnull=False,
        confirmation_decided_on__isnull=True,
        confirmation_applied_on__gte=today - COURT_LOOKBACK,
    )
    for level, pending in [
        (COURT_ACCEPTANCE_LATE, waiting.filter(confirmation_accepted_on__isnull=True)),
        (COURT_DECISION_LATE, waiting.filter(confirmation_accepted_on__isnull=False)),
    ]:
        unreminded = _unreminded(AlertKind.COURT_LIMIT, level).filter(pk__in=pending.values("pk"))
        for agreement in unreminded:
            limits = periods.court_limits(agreement, today)
            late = limits.acceptance_late if level == COURT_ACCEPTANCE_LATE else limits.decision_late
            if late:
                done += _remind(
                    agreement, AlertKind.COURT_LIMIT, level, _court_text(agreement, limits, level)
                )
    return done


def _court_text(agreement: Agreement, limits, level: int) -> tuple[str, str]:
    due = limits.acceptance_due if level == COURT_ACCEPTANCE_LATE else limits.decision_due
    values = {
        "number": agreement.dispute.number,
        "court": agreement.confirmation_court,
        "due": due.isoformat(),
    }
    if level == COURT_ACCEPTANCE_LATE:
        return (
            _("The court has not accepted the application for judicial confirmation: %(number)s") % values,
            _(
                "%(court)s was to decide by %(due)s whether to accept the parties' application for judicial "
                "confirmation of dispute %(number)s. Ask the court and record its acceptance."
            )
            % values,
        )
    return (
        _("The court's decision on judicial confirmation is overdue: %(number)s") % values,
        _(
            "%(court)s was to decide on the judicial confirmation of dispute %(number)s by %(due)s. Ask the "
            "court and record its decision."
        )
        % values,
    )


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
            # Only a written agreement in effect can go to the court (workflow.apply_confirmation).
            form=AgreementForm.WRITTEN,
            signed_by_all=True,
            confirmation_applied_on__isnull=True,
            dispute__status__in=CONFIRMABLE,
            effective_on__gte=earliest_effective,
            effective_on__lte=latest_effective,
        )
        for agreement in agreements:
            closes = confirmation_window_closes(agreement)
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
