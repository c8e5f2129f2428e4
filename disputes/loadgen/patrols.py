"""Patrol duties and reports (排查, task 22) as the daily job, the patrol sweep and the staff would have left them.

Duties follow disputes.services.patrols: the district monthly, a street/town twice a month, a community/village
weekly, a grid daily, and during a sensitive period a daily duty beside the regular one (a grid's daily duty is
flagged instead). Each is created at 00:05 on its first day. The daily duties of grids are kept for the last
`grid_patrol_days` days only: 19,000 grids over five years would be 35 million rows, more than all the disputes'
rows together, and the pages show recent patrols.

A duty past its due time was reported on time (most), late, or not at all (missing, alerted at the next
half-hourly sweep to the region's staff and one level up). A duty still pending, or reported in the last part
of its period, got the "patrol due" reminder first. A grid's duty of a day on which its grid worker registered
disputes from the patrol (source 网格排查) lists them, reported when the first was registered.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt

from django.utils.translation import gettext as _

from disputes.loadgen.clock import DAY, HOUR, MINUTE, day_number

SWEEP = 30 * MINUTE  # patrol_overdue_sweep runs every 30 minutes
REMINDER_LEAD = {"daily": 2 * HOUR, "weekly": DAY, "semimonthly": DAY, "monthly": DAY}
CADENCE = {2: "monthly", 3: "semimonthly", 4: "weekly", 5: "daily"}
REPORTER = {2: "dispatcher", 3: "dispatcher", 4: "mediator", 5: "grid_worker"}


class Patrols:
    def __init__(self, ctx, world, finds: dict):
        self.ctx = ctx
        self.world = world
        self.clock = ctx.clock
        self.finds = finds
        self.rng = ctx.rng("patrols")
        self.duty = ctx.w("disputes.PatrolDuty")
        self.report = ctx.w("disputes.PatrolReport")
        self.found = ctx.w("disputes.PatrolReport.disputes")
        self.count = 0
        self._periods: dict[tuple[int, int], tuple] = {}
        self.texts = {
            "due_title": _("Patrol due: %(patrol)s"),
            "due_body": _("Report the patrol by %(due)s, or make a nil report if nothing was found."),
            "missing_title": _("Patrol report missing: %(patrol)s"),
            "missing_body": _("The patrol report was due by %(due)s and has not been made."),
        }

    def build(self) -> int:
        ctx = self.ctx
        first, today = ctx.first_day, ctx.today
        grid_first = max(first, today - ctx.grid_patrol_days + 1)
        sensitive = sorted(d for d in ctx.sensitive_days if first <= d <= today)
        for district in self.world.districts:
            for place in self._places(district):
                cadence = CADENCE[place.level]
                start = grid_first if place.level == 5 else first
                for period_start, period_end in periods(
                    cadence, ctx.clock.date(start), ctx.clock.date(today)
                ):
                    day = day_number(period_start)
                    self._duty(
                        place,
                        cadence,
                        day,
                        day_number(period_end),
                        place.level == 5 and day in ctx.sensitive_days,
                    )
                if place.level < 5:
                    for day in sensitive:
                        self._duty(place, "daily", day, day, True)
        return self.count

    @staticmethod
    def _places(district):
        yield district.place
        for street in district.streets:
            yield street
            for community in street.children:
                yield community
                yield from community.children

    def _duty(self, place, cadence, first, last, sensitive) -> None:
        ctx, clock, rng = self.ctx, self.clock, self.rng
        now = ctx.now
        duty_id = ctx.ids.next("disputes.PatrolDuty")
        period = self._periods.get((first, last))
        if period is None:
            # The same for every place with this period: its columns' text, formatted once.
            created = clock.day_start(max(first, ctx.first_day)) + 5 * MINUTE
            due = clock.day_end(last)
            period = self._periods[(first, last)] = (
                due,
                clock.date_text(first),
                clock.date_text(last),
                clock.ts(due),
                clock.ts(created),
            )
        due, start_text, end_text, due_text, created_text = period
        status, reported = "pending", None
        found = self.finds.get((place.id, first), []) if cadence == "daily" and place.level == 5 else []
        if found:
            status, reported = "on_time", min(t for _id, t in found)
        elif due < now:
            r = rng.random()
            if r < 0.94:
                status = "on_time"
                reported = clock.day_start(first + rng.randrange(0, last - first + 1)) + rng.randrange(
                    8 * HOUR, 22 * HOUR
                )
                reported = min(reported, due - MINUTE)
            elif r < 0.97:
                status, reported = "late", due + rng.randrange(HOUR, 3 * DAY)
            else:
                status = "missing"
        elif rng.random() < 0.5 and first <= clock.local_day(now):
            reported = clock.day_start(first) + rng.randrange(8 * HOUR, 12 * HOUR)
            if reported < now:
                status = "on_time"
            else:
                reported = None
        if reported is not None and reported > now:
            status, reported = ("pending", None) if due >= now else ("missing", None)
        self.duty.add(
            id=duty_id,
            region_id=place.id,
            cadence=cadence,
            period_start=start_text,
            period_end=end_text,
            due_at=due_text,
            sensitive=sensitive,
            status=status,
            created_at=created_text,
        )
        self.count += 1
        if reported is not None:
            report_id = ctx.ids.next("disputes.PatrolReport")
            reporter = self._reporter(place)
            self.report.add(
                id=report_id,
                duty_id=duty_id,
                is_nil=not found and rng.random() < 0.9,
                risk_notes="" if rng.random() < 0.8 else "发现苗头性问题，已持续关注。",
                reported_by_id=reporter.id,
                reported_at=clock.ts(reported),
            )
            for dispute_id, _t in found:
                self.found.add(
                    id=ctx.ids.next("disputes.PatrolReport.disputes"),
                    patrolreport_id=report_id,
                    dispute_id=dispute_id,
                )
        self._alerts(place, cadence, duty_id, first, last, due, status, reported)

    def _reporter(self, place):
        user = place.one(REPORTER[place.level])
        if user is None and place.platform is not None:
            user = place.platform.members[0]
        return user

    def _alerts(self, place, cadence, duty_id, first, last, due, status, reported) -> None:
        ctx = self.ctx
        now = ctx.now
        remind_at = _next(due - REMINDER_LEAD[cadence], SWEEP)
        missing_at = _next(due, SWEEP)
        remind = remind_at <= now and remind_at < due and (reported is None or reported > remind_at)
        missing = missing_at <= now and (reported is None or reported > missing_at)
        if not (remind or missing):
            return  # most duties: reported before any reminder
        clock = self.clock
        text = (
            f"{place.name} {clock.date_text(first)}"
            if first == last
            else (f"{place.name} {clock.date_text(first)}–{clock.date_text(last)}")
        )
        values = {"patrol": text, "due": clock.local_text(due)}
        url = f"/disputes/patrols/{duty_id}/"
        if remind:
            for recipient in self._staff(place) or self._escalation(place):
                ctx.alert(
                    kind="patrol_due",
                    level=1,
                    ct="patrolduty",
                    object_id=duty_id,
                    region=place,
                    recipient=recipient,
                    title=self.texts["due_title"] % values,
                    body=self.texts["due_body"] % values,
                    url=url,
                    at=remind_at,
                    users=_users(recipient),
                    rng=self.rng,
                )
        if missing:
            for level, recipients in ((1, self._staff(place)), (2, self._escalation(place))):
                for recipient in recipients:
                    ctx.alert(
                        kind="patrol_missing",
                        level=level,
                        ct="patrolduty",
                        object_id=duty_id,
                        region=place,
                        recipient=recipient,
                        title=self.texts["missing_title"] % values,
                        body=self.texts["missing_body"] % values,
                        url=url,
                        at=missing_at,
                        users=_users(recipient),
                        rng=self.rng,
                    )

    def _staff(self, place) -> list:
        """patrols.staff_recipients: the region's platform if staffed, else its users, else its territorial unit."""
        if place.platform is not None and place.platform.members:
            return [("org", place.platform)]
        users = [u for users in place.staff.values() for u in users]
        if users:
            return [("user", u) for u in {u.id: u for u in users}.values()]
        government = place.district.units.get(f"gov-{place.code}") if place.level == 3 else None
        return [("unit", government)] if government else []

    def _escalation(self, place) -> list:
        """patrols.escalation_recipients: the parent's staff; above the district the office (the district's own)."""
        if place.level > 2:
            return self._staff(place.parent)
        return [("unit", place.district.units["office"])]


def _users(recipient) -> list:
    kind, target = recipient
    return [target] if kind == "user" else sorted(target.members, key=lambda u: u.id)


def _next(t: int, every: int) -> int:
    """The first run of a job every `every` seconds at or after `t`."""
    return -(-t // every) * every


def periods(cadence: str, first: dt.date, last: dt.date):
    """(start, end) of every period of `cadence` that overlaps first..last (disputes.services.patrols.period_for)."""
    if cadence == "daily":
        day = first
        while day <= last:
            yield day, day
            day += dt.timedelta(days=1)
        return
    if cadence == "weekly":
        monday = first - dt.timedelta(days=first.weekday())
        while monday <= last:
            yield monday, monday + dt.timedelta(days=6)
            monday += dt.timedelta(days=7)
        return
    month = first.replace(day=1)
    while month <= last:
        end = month.replace(day=cal.monthrange(month.year, month.month)[1])
        if cadence == "semimonthly":
            for start, stop in ((month, month.replace(day=15)), (month.replace(day=16), end)):
                if stop >= first and start <= last:
                    yield start, stop
        else:
            yield month, end
        month = end + dt.timedelta(days=1)
