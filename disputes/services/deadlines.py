"""Working-day deadlines stored on the cases, and recounting them when the calendar of some days changes.

A deadline counted in working days was right for the calendar of the moment it was counted. When the office
enters (or corrects) a year's holidays, every open deadline whose counting crosses that year may move. Each kind
of stored deadline is a `DeadlineSource` in one registry: a function that finds the deadlines of its kind whose
counting crosses a date range — with the inputs they were counted from (start instant, number of days, how
they are counted), never today's settings — and one that rewrites a moved one. The recount (`recount`) asks
every source, counts each deadline again on the new calendar, rewrites what moved, writes an Event on the
dispute's timeline and notifies the people the deadline concerns; `preview` does the same counting without
writing. Kinds added later (the mediation clock, the confirmation window, follow-up due dates) register
themselves with `register()`.

A deadline the office moved on purpose stays where it was put: the lead assignment's due date after an
extension (disputes.Extension, a date agreed with both parties) is that date, not a count, so the recount keeps
it; a row whose inputs were never recorded (before disputes 0015) keeps its date too. Both are counted as kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus
from disputes.services.calendar import Deadline, WorkCalendar, end_of
from mediation.services.alerts import Recipient

EVENT_ACTION = "deadline_recounted"


@dataclass
class Recount:
    """One stored deadline, its inputs, and (once counted) where the new calendar puts it."""

    source: DeadlineSource
    dispute: object
    subject: object  # the row that stores the deadline
    start: dt.datetime
    days: int
    day_type: str
    old_at: dt.datetime
    old_estimated: bool | None  # None where the row keeps no flag
    recipients: list[Recipient] = field(default_factory=list)
    new: Deadline | None = None

    @property
    def label(self) -> str:
        return str(self.source.label)

    @property
    def moved(self) -> bool:
        return self.new is not None and self.new.at != self.old_at

    @property
    def changed(self) -> bool:
        if self.new is None:
            return False
        return self.moved or (self.old_estimated is not None and self.new.estimated != self.old_estimated)


@dataclass(frozen=True)
class DeadlineSource:
    """One kind of stored working-day deadline.

    `find(first, last)` yields a Recount for every open deadline of this kind whose counting crosses the days
    first..last (the day after its start up to its last day); `kept(first, last)` says how many such deadlines
    are left as they are (set by hand, or without recorded inputs); `rewrite(recount)` stores the new deadline
    and returns False when the row changed meanwhile (it is then left alone).
    """

    name: str
    label: object
    find: Callable[[dt.date, dt.date], Iterable[Recount]]
    rewrite: Callable[[Recount], bool]
    kept: Callable[[dt.date, dt.date], int] = lambda first, last: 0


SOURCES: dict[str, DeadlineSource] = {}


def register(source: DeadlineSource) -> DeadlineSource:
    SOURCES[source.name] = source
    return source


def start_of(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`."""
    return end_of(day) - dt.timedelta(hours=23, minutes=59, seconds=59)


def crossing(first: dt.date, last: dt.date, *, start: str, due: str) -> dict:
    """Filter of the rows whose counting (the day after `start` through the day of `due`) meets first..last."""
    return {f"{start}__lt": start_of(last), f"{due}__gte": start_of(first)}


# --- assignments: accept by, due at ------------------------------------------------------------------------------


def _assignee(assignment) -> Recipient:
    if assignment.to_unit_id:
        return Recipient(unit=assignment.to_unit)
    return Recipient(organization=assignment.to_organization)


def _assignment_recipients(assignment) -> list[Recipient]:
    # Who the assignment's other notices go to (the overdue sweep): the assignee and the controlling platform.
    return [_assignee(assignment), Recipient(organization=assignment.dispute.platform)]


def _assignments():
    from disputes.models import Assignment

    return Assignment.objects.select_related(
        "dispute__platform", "dispute__region", "to_unit", "to_organization"
    )


def _extended():
    """Lead assignments whose due date an extension set (recorded after the assignment was made)."""
    from disputes.models import Extension

    return Exists(
        Extension.objects.filter(dispute=OuterRef("dispute"), recorded_at__gte=OuterRef("assigned_at"))
    )


def _due_rows(first, last):
    rows = _assignments().filter(
        status__in=OPEN_ASSIGNMENT_STATUSES, **crossing(first, last, start="assigned_at", due="due_at")
    )
    return rows.alias(extended=_extended())


def _find_due(first, last):
    rows = _due_rows(first, last).exclude(role=AssignmentRole.LEAD, extended=True).order_by("pk")
    for a in rows:
        yield Recount(
            DUE,
            a.dispute,
            a,
            a.assigned_at,
            a.limit_days,
            a.day_type,
            a.due_at,
            a.due_date_estimated,
            _assignment_recipients(a),
        )


def _kept_due(first, last) -> int:
    return _due_rows(first, last).filter(role=AssignmentRole.LEAD, extended=True).count()


def _rewrite_due(r: Recount) -> bool:
    from disputes.models import Assignment, Dispute

    updated = Assignment.objects.filter(pk=r.subject.pk, due_at=r.old_at).update(
        due_at=r.new.at, due_date_estimated=r.new.estimated
    )
    if updated and r.subject.role == AssignmentRole.LEAD:
        # The dispute shows its lead assignment's due date (a copy set by assign/reassign).
        Dispute.objects.filter(pk=r.dispute.pk, due_at=r.old_at).update(
            due_at=r.new.at, due_date_estimated=r.new.estimated, version=F("version") + 1
        )
    return bool(updated)


def _accept_rows(first, last):
    return _assignments().filter(
        status=AssignmentStatus.PENDING, **crossing(first, last, start="assigned_at", due="accept_due_at")
    )


def _find_accept(first, last):
    for a in _accept_rows(first, last).filter(accept_limit_days__isnull=False).order_by("pk"):
        yield Recount(
            ACCEPT,
            a.dispute,
            a,
            a.assigned_at,
            a.accept_limit_days,
            a.accept_day_type,
            a.accept_due_at,
            None,
            _assignment_recipients(a),
        )


def _kept_accept(first, last) -> int:
    return _accept_rows(first, last).filter(accept_limit_days__isnull=True).count()


def _rewrite_accept(r: Recount) -> bool:
    from disputes.models import Assignment

    return bool(
        Assignment.objects.filter(pk=r.subject.pk, accept_due_at=r.old_at).update(accept_due_at=r.new.at)
    )


# --- supervision notices: answer by ------------------------------------------------------------------------------


def _answer_rows(first, last):
    from disputes.models import Supervision

    return Supervision.objects.select_related(
        "dispute__platform", "dispute__region", "assignment__to_unit", "assignment__to_organization"
    ).filter(answered_at__isnull=True, **crossing(first, last, start="issued_at", due="answer_due_at"))


def _find_answer(first, last):
    for s in _answer_rows(first, last).filter(answer_limit_days__isnull=False).order_by("pk"):
        recipients = [Recipient(organization=s.dispute.platform)]
        if s.assignment_id:
            recipients.insert(0, _assignee(s.assignment))
        yield Recount(
            ANSWER,
            s.dispute,
            s,
            s.issued_at,
            s.answer_limit_days,
            s.answer_day_type,
            s.answer_due_at,
            None,
            recipients,
        )


def _kept_answer(first, last) -> int:
    return _answer_rows(first, last).filter(answer_limit_days__isnull=True).count()


def _rewrite_answer(r: Recount) -> bool:
    from disputes.models import Supervision

    return bool(
        Supervision.objects.filter(pk=r.subject.pk, answer_due_at=r.old_at).update(answer_due_at=r.new.at)
    )


ACCEPT = register(
    DeadlineSource(
        "assignment_accept", gettext_lazy("accept-by date"), _find_accept, _rewrite_accept, _kept_accept
    )
)
DUE = register(
    DeadlineSource("assignment_due", gettext_lazy("handling deadline"), _find_due, _rewrite_due, _kept_due)
)
ANSWER = register(
    DeadlineSource(
        "supervision_answer",
        gettext_lazy("supervision answer deadline"),
        _find_answer,
        _rewrite_answer,
        _kept_answer,
    )
)


# --- counting and rewriting --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a recount found: the deadlines that change (moved or only their estimated flag) and how many were kept."""

    changes: list[Recount]
    kept: int

    @property
    def moves(self) -> list[Recount]:
        return [r for r in self.changes if r.moved]


def count_again(calendar: WorkCalendar, first: dt.date, last: dt.date) -> Outcome:
    """Count every registered deadline crossing first..last on `calendar`; nothing is written."""
    changes, kept = [], 0
    for source in SOURCES.values():
        kept += source.kept(first, last)
        for recount in source.find(first, last):
            recount.new = calendar.deadline(recount.start, recount.days, recount.day_type)
            if recount.changed:
                changes.append(recount)
    return Outcome(changes, kept)


def recount(calendar: WorkCalendar, first: dt.date, last: dt.date, actor, reason: str) -> Outcome:
    """Rewrite the deadlines that `calendar` changes, with one Event and one notice per moved deadline.

    Call inside the transaction of the calendar change. Disputes are locked in id order before their rows are
    rewritten (the workflow's lock order: dispute, then its assignments); each row is rewritten only if it still
    holds the date counted from, so a change made meanwhile by someone else is left alone.
    """
    from disputes.models import Dispute, Event

    outcome = count_again(calendar, first, last)
    ids = sorted({r.dispute.pk for r in outcome.changes})
    list(Dispute.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    done = [r for r in outcome.changes if r.source.rewrite(r)]
    moved = [r for r in done if r.moved]
    events = Event.objects.bulk_create([_event(r, actor, reason) for r in moved])
    _notify(moved, events)
    outcome.changes = done
    return outcome


def _fmt(instant: dt.datetime) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d")


def _event(r: Recount, actor, reason: str):
    from disputes.models import Event

    key = {"deadline": r.source.name, r.subject._meta.model_name: r.subject.pk}
    return Event(
        dispute=r.dispute,
        action=EVENT_ACTION,
        actor=actor,
        note=_("%(label)s: %(old)s → %(new)s (%(reason)s)")
        % {"label": r.label, "old": _fmt(r.old_at), "new": _fmt(r.new.at), "reason": reason},
        before=key | {"due_at": r.old_at.isoformat(), "estimated": r.old_estimated},
        after=key
        | {
            "due_at": r.new.at.isoformat(),
            "estimated": r.new.estimated,
            "days": r.days,
            "day_type": r.day_type,
        },
    )


def _notify(moved: list[Recount], events) -> None:
    from mediation.models import AlertKind
    from mediation.services.alerts import AlertSpec, raise_alerts

    specs = []
    for r, event in zip(moved, events, strict=True):
        values = {
            "number": r.dispute.number,
            "label": r.label,
            "old": _fmt(r.old_at),
            "new": _fmt(r.new.at),
        }
        title = (_("Deadline moved: %(number)s, %(label)s now %(new)s") % values)[:200]
        body = (
            _(
                "The holiday calendar changed: the %(label)s of dispute %(number)s moves from %(old)s to %(new)s."
            )
            % values
        )
        url = reverse("disputes:detail", args=[r.dispute.pk])
        seen = set()
        for recipient in r.recipients:
            if recipient.key in seen:
                continue
            seen.add(recipient.key)
            specs.append(
                AlertSpec(
                    event, AlertKind.DEADLINE_MOVED, recipient, title, body, url, region=r.dispute.region
                )
            )
    raise_alerts(specs)
