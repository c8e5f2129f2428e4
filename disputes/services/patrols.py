"""Patrols (排查, task 22): duties by cadence, patrol reports, the missing-report sweep and due reminders.

Cadence by level: the district patrols monthly, a street/town twice a month (1st–15th, 16th–end of month),
a community/village weekly (Monday–Sunday), a grid daily. During a SensitivePeriod covering a region (set on
the region or an ancestor, its dates including the day) every level patrols daily as well: the daily duty is
created *in addition* to the level's regular duty, which still stands (a grid's regular duty is daily already,
so its one daily duty is flagged sensitive).

Duties are created for the periods that contain `today` only. A day on which the creation job did not run
has no daily duty: missed past days are not back-filled (nobody can patrol yesterday), but the sweep creates
today's duties too, so one run of either job heals a missed 00:05 run. Pending duties past their due time are
marked missing by a state-driven sweep, however long the beat was down.

Every function takes `today`/`now` so tests can travel in time; the jobs pass the real date and time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.models import Cadence, Dispute, PatrolDuty, PatrolReport, SensitivePeriod
from mediation.choices import RegionLevel, UnitKind
from mediation.dates import days_q
from mediation.keyset import Column, Keyset
from mediation.models import Alert, AlertKind, MediationOrganization, Membership, Region, Unit
from mediation.services.alerts import Recipient, raise_alert

CADENCE_BY_LEVEL = {
    RegionLevel.DISTRICT: Cadence.MONTHLY,
    RegionLevel.STREET: Cadence.SEMIMONTHLY,
    RegionLevel.COMMUNITY: Cadence.WEEKLY,
    RegionLevel.GRID: Cadence.DAILY,
}
# How long before the due time the staff are reminded, once.
REMINDER_LEAD = {
    Cadence.DAILY: dt.timedelta(hours=2),
    Cadence.WEEKLY: dt.timedelta(days=1),
    Cadence.SEMIMONTHLY: dt.timedelta(days=1),
    Cadence.MONTHLY: dt.timedelta(days=1),
}
BATCH_SIZE = 500
REPORT_PERMISSIONS = ("disputes.add_patrolreport", "disputes.register_dispute")
Status = PatrolDuty.Status


# --- periods ----------------------------------------------------------------------------------------------


def period_for(cadence: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period of `cadence` that contains `day`, as (first day, last day)."""
    if cadence == Cadence.DAILY:
        return day, day
    if cadence == Cadence.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    last = calendar.monthrange(day.year, day.month)[1]
    if cadence == Cadence.SEMIMONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), day.replace(day=last)
    return day.replace(day=1), day.replace(day=last)


def due_at_for(period_end: dt.date) -> dt.datetime:
    """The end of the period's last day, 23:59:59 in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(period_end, dt.time(23, 59, 59)))


def district() -> Region:
    return Region.objects.get(code=settings.DISTRICT_CODE)


def patrol_regions() -> list[Region]:
    """The active regions under the district that patrol (a region under an inactive one does not)."""
    subtree = Region.objects.subtree(district()).filter(level__in=list(CADENCE_BY_LEVEL))
    inactive = list(Region.objects.subtree(district()).filter(is_active=False).values_list("path", flat=True))
    regions = subtree.filter(is_active=True).only("pk", "path", "level").order_by("path")
    return [r for r in regions if not any(r.path.startswith(p) for p in inactive)]


def sensitive_paths(day: dt.date) -> list[str]:
    """Paths of the regions a SensitivePeriod covers on `day` (each covers its whole subtree)."""
    return list(
        SensitivePeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).values_list(
            "region__path", flat=True
        )
    )


def create_duties(today: dt.date) -> int:
    """Create the duties whose period contains `today` (idempotent); returns how many were created."""
    covered = sensitive_paths(today)
    wanted: dict[tuple, PatrolDuty] = {}
    sensitive_ids = []
    for region in patrol_regions():
        cadence = CADENCE_BY_LEVEL[region.level]
        sensitive = any(region.path.startswith(p) for p in covered)
        periods = [(cadence, *period_for(cadence, today))]
        if sensitive:
            sensitive_ids.append(region.pk)
            if cadence != Cadence.DAILY:
                periods.append((Cadence.DAILY, today, today))
        for period_cadence, start, end in periods:
            wanted[(region.pk, start, end)] = PatrolDuty(
                region_id=region.pk,
                cadence=period_cadence,
                period_start=start,
                period_end=end,
                due_at=due_at_for(end),
                sensitive=sensitive and period_cadence == Cadence.DAILY,
            )
    # Region and start lead the unique index, so finding the duties made already is an index lookup.
    existing = set(
        PatrolDuty.objects.filter(
            region_id__in={key[0] for key in wanted}, period_start__in={key[1] for key in wanted}
        ).values_list("region_id", "period_start", "period_end")
    )
    missing = [duty for key, duty in wanted.items() if key not in existing]
    with transaction.atomic():
        PatrolDuty.objects.bulk_create(missing, batch_size=BATCH_SIZE, ignore_conflicts=True)
        # A sensitive period entered after the day's duties were made still flags them.
        PatrolDuty.objects.filter(
            region_id__in=sensitive_ids, period_start=today, period_end=today, sensitive=False
        ).update(sensitive=True)
    return len(missing)


# --- reports ----------------------------------------------------------------------------------------------


def may_report(user) -> bool:
    return any(user.has_perm(p) for p in REPORT_PERMISSIONS)


def reportable_duties(user):
    """Duties a membership carrying a patrol-report right covers (the right holds only in its own scope)."""
    duties = PatrolDuty.objects.none()
    for perm in REPORT_PERMISSIONS:
        duties = duties | PatrolDuty.objects.visible_to(user, perm)
    return duties


def submit_patrol_report(
    duty_id: int,
    user,
    *,
    is_nil: bool,
    dispute_ids: Iterable[int] = (),
    risk_notes: str = "",
    now: dt.datetime | None = None,
) -> PatrolReport:
    """Report a patrol: a nil report (零报告) or the disputes found, with risk notes.

    Reported by the due time → on time; after it (also after the sweep marked it missing) → late. A second
    submission supplements the report: it adds disputes and replaces the risk notes, but keeps the first
    report's time and status, and cannot turn a report with disputes into a nil report.
    """
    now = now or timezone.now()
    dispute_ids = sorted(set(dispute_ids))
    if not may_report(user):
        raise Forbidden("forbidden", _("You may not report patrols."))
    if is_nil and dispute_ids:
        raise WorkflowError("nil_with_disputes", _("A nil report lists no disputes."))
    if not is_nil and not dispute_ids:
        raise WorkflowError(
            "nothing_reported", _("List the disputes found, or make a nil report if none were found.")
        )
    with transaction.atomic():
        duty = reportable_duties(user).select_for_update(of=("self",)).filter(pk=duty_id).first()
        if duty is None:
            raise Forbidden("not_found", _("This patrol is not yours to report."))
        disputes = list(Dispute.objects.visible_to(user).filter(pk__in=dispute_ids))
        if len(disputes) != len(dispute_ids):
            raise WorkflowError("dispute_not_found", _("Some of the disputes listed are not visible to you."))
        report = PatrolReport.objects.filter(duty=duty).first()
        if report is None:
            report = PatrolReport.objects.create(
                duty=duty, is_nil=is_nil, risk_notes=risk_notes, reported_by=user
            )
            # Whole seconds: due_at is 23:59:59, so a report within that last second is on time.
            on_time = now.replace(microsecond=0) <= duty.due_at
            duty.status = Status.ON_TIME if on_time else Status.LATE
            duty.save(update_fields=["status"])
        else:
            if is_nil and not report.is_nil:
                raise WorkflowError(
                    "nil_after_disputes", _("This patrol reported disputes; it cannot become a nil report.")
                )
            changed = []
            if disputes and report.is_nil:
                report.is_nil = False
                changed.append("is_nil")
            if risk_notes:
                report.risk_notes = risk_notes
                changed.append("risk_notes")
            if changed:
                report.save(update_fields=changed)
        report.disputes.add(*disputes)
    return report


def link_dispute_to_patrol(duty: PatrolDuty, dispute: Dispute, user, now: dt.datetime | None = None):
    """A dispute registered from a patrol (source 网格排查) becomes one of the disputes it found.

    Called inside the registration's transaction: it reports the patrol if it was not reported yet.
    """
    return submit_patrol_report(duty.pk, user, is_nil=False, dispute_ids=[dispute.pk], now=now)


def duty_for_intake(user, duty_id) -> PatrolDuty | None:
    """The patrol a registration comes from (?patrol=<id>), if the user may report it; else None."""
    try:
        duty_id = int(duty_id)
    except (TypeError, ValueError):
        return None
    if not may_report(user):
        return None
    return reportable_duties(user).select_related("region").filter(pk=duty_id).first()


# --- recipients -------------------------------------------------------------------------------------------


def staff_recipients(region: Region, day: dt.date | None = None) -> list[Recipient]:
    """The staff of `region`: its platform (综合调处平台) if anyone staffs it; else the users with a
    membership in the region; else its territorial unit (the street/town government, or the office)."""
    day = day or timezone.localdate()
    current = Membership.objects.current(day)
    platforms = list(
        MediationOrganization.objects.platforms()
        .active_on(day)
        .filter(region=region, pk__in=current.values("organization_id"))
        .order_by("pk")
    )
    if platforms:
        return [Recipient(organization=org) for org in platforms]
    users = [m.user for m in current.filter(region=region, user__is_active=True).select_related("user")]
    if users:
        return [Recipient(user=u) for u in {u.pk: u for u in users}.values()]
    units = Unit.objects.filter(
        region=region, kind__in=[UnitKind.STREET_GOVERNMENT, UnitKind.OFFICE], is_active=True
    ).order_by("pk")
    return [Recipient(unit=unit) for unit in units]


def escalation_recipients(region: Region, day: dt.date | None = None) -> list[Recipient]:
    """Who hears of a missing report one level up: the parent region's staff; above the district, the
    grand-mediation office (大调解工作办公室)."""
    if region.parent_id and region.level > RegionLevel.DISTRICT:
        return staff_recipients(region.parent, day)
    return [Recipient(unit=unit) for unit in Unit.objects.filter(kind=UnitKind.OFFICE, is_active=True)]


# --- sweeps -----------------------------------------------------------------------------------------------


def _keyset(queryset, batch_size):
    """Yield batches ordered by (due_at, id), each read after the last one (the partial index serves it)."""
    last = None
    while True:
        page = queryset
        if last is not None:
            page = page.filter(Q(due_at__gt=last[0]) | Q(due_at=last[0], pk__gt=last[1]))
        batch = list(page.order_by("due_at", "pk")[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].due_at, batch[-1].pk


def _duty_text(duty: PatrolDuty) -> str:
    if duty.period_start == duty.period_end:
        return f"{duty.region.name} {duty.period_start:%Y-%m-%d}"
    return f"{duty.region.name} {duty.period_start:%Y-%m-%d}–{duty.period_end:%Y-%m-%d}"


def sweep_missing(now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Mark pending duties past their due time missing and alert up the chain; returns how many.

    State-driven: whatever is still pending past its due time is found, however many runs were missed. Each
    batch commits on its own (status and alerts together), so a worker killed midway loses nothing and the
    next run takes up the rest; alerts are unique per (duty, kind, level, recipient).
    """
    now = now or timezone.now()
    pending = PatrolDuty.objects.filter(status=Status.PENDING, due_at__lt=now)
    recipients: dict[tuple[int, int], list[Recipient]] = {}
    processed = 0
    for batch in _keyset(pending.only("pk", "due_at"), batch_size):
        with transaction.atomic():
            duties = list(
                PatrolDuty.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("region")
                .filter(pk__in=[d.pk for d in batch], status=Status.PENDING)
            )
            PatrolDuty.objects.filter(pk__in=[d.pk for d in duties]).update(status=Status.MISSING)
            for duty in duties:
                _alert_missing(duty, recipients, now)
        processed += len(duties)
    return processed


def _alert_missing(duty: PatrolDuty, cache: dict, now: dt.datetime) -> None:
    day = timezone.localdate(now)
    url = reverse("disputes:patrol", args=[duty.pk])
    title = _("Patrol report missing: %(patrol)s") % {"patrol": _duty_text(duty)}
    body = _("The patrol report was due by %(due)s and has not been made.") % {
        "due": timezone.localtime(duty.due_at).strftime("%Y-%m-%d %H:%M")
    }
    for level, find in ((1, staff_recipients), (2, escalation_recipients)):
        key = (level, duty.region_id)
        if key not in cache:
            cache[key] = find(duty.region, day)
        raise_alert(
            duty,
            AlertKind.PATROL_MISSING,
            cache[key],
            title=title,
            body=body,
            url=url,
            level=level,
            region=duty.region,
        )


def remind_due(now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Remind the staff of pending duties due soon (2 hours for a daily patrol, a day for the others), once;
    returns how many duties were reminded now."""
    now = now or timezone.now()
    reminded = Exists(_alerts(AlertKind.PATROL_DUE).filter(object_id=OuterRef("pk")))
    soon = Q()
    for cadence, lead in REMINDER_LEAD.items():
        soon |= Q(cadence=cadence, due_at__lte=now + lead)
    due = PatrolDuty.objects.filter(status=Status.PENDING, due_at__gte=now).filter(soon).exclude(reminded)
    recipients: dict[int, list[Recipient]] = {}
    day = timezone.localdate(now)
    count = 0
    for batch in _keyset(due.select_related("region"), batch_size):
        with transaction.atomic():
            for duty in batch:
                if duty.region_id not in recipients:
                    # A region nobody staffs yet (a new grid): the level above is reminded instead.
                    recipients[duty.region_id] = staff_recipients(duty.region, day) or escalation_recipients(
                        duty.region, day
                    )
                raised = raise_alert(
                    duty,
                    AlertKind.PATROL_DUE,
                    recipients[duty.region_id],
                    title=_("Patrol due: %(patrol)s") % {"patrol": _duty_text(duty)},
                    body=_("Report the patrol by %(due)s, or make a nil report if nothing was found.")
                    % {"due": timezone.localtime(duty.due_at).strftime("%Y-%m-%d %H:%M")},
                    url=reverse("disputes:patrol", args=[duty.pk]),
                    region=duty.region,
                )
                count += bool(raised)
    return count


def _alerts(kind: str):
    return Alert.objects.filter(content_type=ContentType.objects.get_for_model(PatrolDuty), kind=kind)


# --- compliance -------------------------------------------------------------------------------------------

OUTCOMES = (Status.ON_TIME, Status.LATE, Status.MISSING)


def decided(queryset, start: dt.date, end: dt.date, now: dt.datetime | None = None):
    """Duties due between `start` and `end` whose outcome is known, annotated with `outcome`: on_time, late
    or missing (a duty still pending past its due time counts as missing before the sweep marks it)."""
    now = now or timezone.now()
    return (
        queryset.filter(**days_q("due_at", start, end))
        .annotate(
            outcome=Case(
                When(status=Status.PENDING, due_at__lt=now, then=Value(Status.MISSING.value)),
                default=F("status"),
                output_field=CharField(),
            )
        )
        .filter(outcome__in=[o.value for o in OUTCOMES])
    )


def outcome_counts(queryset, group_by: str, start, end, now=None) -> dict:
    """{group value: Counter(outcome → count)} for the decided duties of `queryset`."""
    rows = decided(queryset, start, end, now).values(group_by, "outcome").annotate(n=Count("pk")).order_by()
    counts: dict = {}
    for row in rows:
        counts.setdefault(row[group_by], Counter())[row["outcome"]] = row["n"]
    return counts


def compliance_by_region(queryset, start, end, now=None) -> list[dict]:
    """Per region of `queryset` (already scoped): on time, late, missing, total and the on-time rate."""
    counts = outcome_counts(queryset, "region_id", start, end, now)
    regions = (
        Region.objects.filter(pk__in=counts).only("pk", "path", "name", "level", "code").order_by("code")
    )
    names = Region.objects.full_names(r.path for r in regions)
    rows = []
    for region in regions:
        rows.append(_row(names[region.path] or region.name, region, counts[region.pk]))
    return rows


def compliance_by_level(queryset, start, end, now=None) -> list[dict]:
    counts = outcome_counts(queryset, "region__level", start, end, now)
    return [
        _row(str(RegionLevel(level).label), level, counts.get(level, Counter())) for level in CADENCE_BY_LEVEL
    ]


def _row(label, obj, counter) -> dict:
    on_time, late, missing = (counter.get(o.value, 0) for o in OUTCOMES)
    total = on_time + late + missing
    rate = round(on_time * 100 / total, 1) if total else None
    return {
        "label": label,
        "obj": obj,
        "on_time": on_time,
        "late": late,
        "missing": missing,
        "total": total,
        "rate": rate,
    }


# --- pages ------------------------------------------------------------------------------------------------


# The patrol list pages by keyset: the duties still due by due time (soonest first, the partial index of
# pending duties), everything else latest first (the index on due time and id).
PENDING_ORDER = Keyset(Column("due_at", "datetime"))
HISTORY_ORDER = Keyset(Column("due_at", "datetime", descending=True))


def duties_for(user):
    """The duties the user sees (no order: the list pages them by PENDING_ORDER or HISTORY_ORDER; their regions
    come with `with_regions`)."""
    return PatrolDuty.objects.visible_to(user)


def with_regions(duties: list) -> list:
    """The duties with their regions, loaded in one query by primary key. Joined into a page's query instead, the
    region table was hashed whole (23,000 regions at municipal scale) for fifty rows."""
    regions = Region.objects.in_bulk({duty.region_id for duty in duties})
    for duty in duties:
        duty.region = regions[duty.region_id]
    return duties


def pending_for(user):
    """The duties still due, soonest first."""
    return PENDING_ORDER.ordered(duties_for(user).filter(status=Status.PENDING)).select_related("region")


CANDIDATE_LIMIT = 50


def candidate_disputes(duty: PatrolDuty, user):
    """Disputes a report may list at a glance: visible ones in the patrol's region registered from a week
    before the period to its end (others are linked by number)."""
    since = duty.period_start - dt.timedelta(days=7)
    recent = (
        Dispute.objects.visible_to(user)
        .filter(region_path__startswith=duty.region.path)
        .filter(**days_q("created_at", since, duty.period_end))
        .order_by("-created_at")
    )
    # A plain queryset (not a slice), so a form field can filter it when it validates the choice.
    return Dispute.objects.filter(
        pk__in=list(recent.values_list("pk", flat=True)[:CANDIDATE_LIMIT])
    ).order_by("-created_at")


def disputes_by_number(user, numbers: Iterable[str]) -> tuple[list[Dispute], list[str]]:
    """The visible disputes with these numbers, and the numbers not found among them."""
    numbers = [n.strip().upper() for n in numbers if n.strip()]
    found = list(Dispute.objects.visible_to(user).filter(number__in=numbers))
    known = {d.number for d in found}
    return found, [n for n in numbers if n not in known]
