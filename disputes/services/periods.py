"""Periods counted as the Civil Procedure Law counts them (民事诉讼法 Art. 85): the day a period starts is not
counted, and a period whose last day is a public holiday or a weekend ends on the first working day after it.

Used for the judicial-confirmation window (人民调解法 Art. 33: 30 days from the agreement taking effect) and the
court's own limits on an application (最高人民法院《关于人民调解协议司法确认程序的若干规定》: accept or refuse
within 3 days of receiving it; decide within 15 days of accepting it, 10 more with the president's approval).
Working days are those of disputes.services.calendar (the office's entries, the package, the statutory rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from disputes.services import calendar

COURT_ACCEPTANCE_DAYS = 3
COURT_DECISION_DAYS = 15
COURT_DECISION_EXTENSION_DAYS = 10


def period_end(start: dt.date, days: int, work: calendar.WorkCalendar | None = None) -> dt.date:
    """The last day of a period of `days` calendar days from `start`, moved past holidays and weekends (`work`:
    a calendar loaded for the dates concerned, e.g. `agreement_calendar`; one is loaded otherwise)."""
    last = start + dt.timedelta(days=days)
    work = work or calendar.WorkCalendar(last, last + dt.timedelta(days=40))
    while not work.is_workday(last):
        last += dt.timedelta(days=1)
    return last


@dataclass(frozen=True)
class CourtLimits:
    """The court's limits on one application for judicial confirmation, and whether they have passed."""

    acceptance_due: dt.date
    accepted_on: dt.date | None
    decision_due: dt.date | None
    decided_on: dt.date | None
    today: dt.date

    @property
    def acceptance_late(self) -> bool:
        return (self.accepted_on or self.decided_on or self.today) > self.acceptance_due

    @property
    def decision_late(self) -> bool:
        return self.decision_due is not None and (self.decided_on or self.today) > self.decision_due


def agreement_calendar(agreement) -> calendar.WorkCalendar:
    """One calendar for every period of an agreement (the window, the court's limits): two queries, not two per
    period, on the dispute page."""
    latest = max(
        d
        for d in (
            agreement.effective_on,
            agreement.confirmation_applied_on,
            agreement.confirmation_accepted_on,
        )
        if d is not None
    )
    return calendar.WorkCalendar(agreement.effective_on, latest + dt.timedelta(days=90))


def court_limits(agreement, today: dt.date, work: calendar.WorkCalendar | None = None) -> CourtLimits | None:
    """The limits of the agreement's application (None when nobody applied)."""
    applied = agreement.confirmation_applied_on
    if applied is None:
        return None
    accepted = agreement.confirmation_accepted_on
    decision_due = None
    if accepted is not None:
        days = COURT_DECISION_DAYS + (COURT_DECISION_EXTENSION_DAYS if agreement.confirmation_extended else 0)
        decision_due = period_end(accepted, days, work)
    return CourtLimits(
        acceptance_due=period_end(applied, COURT_ACCEPTANCE_DAYS, work),
        accepted_on=accepted,
        decision_due=decision_due,
        decided_on=agreement.confirmation_decided_on,
        today=today,
    )
