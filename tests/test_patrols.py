"""Patrols (排查, task 22): duties by cadence, sensitive periods, reports, the missing sweep, reminders,
registering a dispute from a patrol, visibility and compliance.

The services take `today`/`now`, so these tests travel through a month of the next year (memberships granted
today are current then). The cast, besides tests/conftest.py and tests/dispute_fixtures.py:

- gina: grid worker of grid A (甲社区第一网格);
- gus: grid worker of grid B (乙社区第一网格);
- paula: dispatcher staffing community A's platform;
- olga: of the grand-mediation office (大调解工作办公室).
"""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.models import Cadence, Category, PatrolDuty, PatrolReport, SensitivePeriod
from disputes.services import patrols
from mediation import keyset, periodic
from mediation.choices import RegionKind, RegionLevel, Role
from mediation.indicators import indicator
from mediation.models import Alert, AlertKind, Notification, Region, TaskRun, Unit
from mediation.services.memberships import grant
from tests.conftest import make_region
from tests.dispute_fixtures import make_id_number, register_dispute

pytest_plugins = ["tests.dispute_fixtures"]

Status = PatrolDuty.Status
YEAR = timezone.localdate().year + 1
MONTH = 3
# A Wednesday early in the month: no week, half-month or month ends within a day of it.
WEDNESDAY = next(dt.date(YEAR, MONTH, d) for d in range(1, 8) if dt.date(YEAR, MONTH, d).weekday() == 2)


def days_of(year=YEAR, month=MONTH):
    last = calendar.monthrange(year, month)[1]
    return [dt.date(year, month, d) for d in range(1, last + 1)]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def duties(region, **filters):
    return PatrolDuty.objects.filter(region=region, **filters).order_by("period_start", "period_end")


def duty_on(region, day, cadence=None):
    qs = PatrolDuty.objects.filter(region=region, period_start__lte=day, period_end__gte=day)
    return qs.get(cadence=cadence) if cadence else qs.get()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def grid_b(community_b):
    return make_region(community_b, "500104001002-001", "乙社区第一网格", RegionLevel.GRID, RegionKind.GRID)


@pytest.fixture
def world(fast_password_hashing, defaults, platforms, grid_a, grid_b, other_street):
    """The tree of tests/conftest.py with a grid in each community and a platform at every level."""
    return platforms


@pytest.fixture
def gina(make_user, grid_a):
    user = make_user("gina")
    grant(user, Role.GRID_WORKER, region=grid_a)
    return user


@pytest.fixture
def gus(make_user, grid_b):
    user = make_user("gus")
    grant(user, Role.GRID_WORKER, region=grid_b)
    return user


@pytest.fixture
def paula(make_user, platform_a):
    user = make_user("paula")
    grant(user, Role.DISPATCHER, organization=platform_a)
    return user


@pytest.fixture
def olga(make_user, reference):
    user = make_user("olga")
    grant(user, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    return user


# --- duties by cadence -------------------------------------------------------------------------------------


def test_a_month_of_days_gives_every_level_its_cadence(world, district, street, other_street):
    month = days_of()
    created = sum(patrols.create_duties(day) for day in month)
    streets = Region.objects.filter(parent=district, is_active=True)
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY)
    grids = Region.objects.filter(level=RegionLevel.GRID)
    weeks = {day - dt.timedelta(days=day.weekday()) for day in month}

    (monthly,) = duties(district)
    assert (monthly.cadence, monthly.period_start, monthly.period_end) == (
        Cadence.MONTHLY,
        month[0],
        month[-1],
    )
    for region in streets:
        halves = [(d.period_start.day, d.period_end.day) for d in duties(region)]
        assert halves == [(1, 15), (16, month[-1].day)]
        assert {d.cadence for d in duties(region)} == {Cadence.SEMIMONTHLY}
    for region in communities:
        weekly = list(duties(region))
        assert len(weekly) == len(weeks) in (5, 6)
        assert all(d.cadence == Cadence.WEEKLY and d.period_start.weekday() == 0 for d in weekly)
        assert all((d.period_end - d.period_start).days == 6 for d in weekly)
    for region in grids:
        assert [d.period_start for d in duties(region)] == month
        assert all(d.cadence == Cadence.DAILY and d.period_end == d.period_start for d in duties(region))
    assert created == 1 + 2 * streets.count() + len(weeks) * communities.count() + len(month) * grids.count()
    assert not PatrolDuty.objects.filter(sensitive=True).exists()


def test_creating_twice_makes_no_duplicates(world):
    day = days_of()[9]
    first = patrols.create_duties(day)
    count = PatrolDuty.objects.count()
    assert first == count > 0
    assert patrols.create_duties(day) == 0
    assert PatrolDuty.objects.count() == count


def test_due_at_is_the_last_second_of_the_period_in_shanghai(world, street, grid_a):
    day = dt.date(YEAR, MONTH, 20)
    patrols.create_duties(day)
    semimonthly = duty_on(street, day)
    local = timezone.localtime(semimonthly.due_at)
    assert (local.date(), local.time()) == (days_of()[-1], dt.time(23, 59, 59))
    assert str(local.tzinfo) == "Asia/Shanghai"
    daily = duty_on(grid_a, day)
    assert daily.due_at == timezone.make_aware(dt.datetime(YEAR, MONTH, 20, 23, 59, 59))


def test_only_the_periods_containing_today_are_created_with_no_back_fill(world, grid_a, community_a):
    patrols.create_duties(dt.date(YEAR, MONTH, 10))
    assert [d.period_start for d in duties(grid_a)] == [dt.date(YEAR, MONTH, 10)]
    assert duties(community_a).count() == 1


def test_inactive_regions_and_their_subtrees_do_not_patrol(world, community_b, grid_b, grid_a):
    community_b.is_active = False
    community_b.save()
    patrols.create_duties(dt.date(YEAR, MONTH, 10))
    assert not duties(community_b).exists() and not duties(grid_b).exists()
    assert duties(grid_a).exists()


def test_a_region_outside_the_district_does_not_patrol(world, district):
    city = Region.objects.get(pk=district.parent_id)
    patrols.create_duties(dt.date(YEAR, MONTH, 10))
    assert not duties(city).exists()


# --- sensitive periods -------------------------------------------------------------------------------------


def test_a_sensitive_period_makes_a_subtree_patrol_daily_and_stops_after_it(
    world, district, street, other_street, community_a, grid_a
):
    SensitivePeriod.objects.create(
        name="两会", starts_on=dt.date(YEAR, MONTH, 10), ends_on=dt.date(YEAR, MONTH, 12), region=street
    )
    for day in range(9, 15):
        patrols.create_duties(dt.date(YEAR, MONTH, day))
    sensitive_days = [dt.date(YEAR, MONTH, d) for d in (10, 11, 12)]

    for region in (street, community_a):
        daily = duties(region, cadence=Cadence.DAILY)
        assert [d.period_start for d in daily] == sensitive_days
        assert all(d.sensitive and d.period_end == d.period_start for d in daily)
        # The regular, longer duty still stands beside the daily ones.
        assert duties(region).exclude(cadence=Cadence.DAILY).exists()
        assert not duties(region).exclude(cadence=Cadence.DAILY).filter(sensitive=True).exists()
    grid_days = {d.period_start: d.sensitive for d in duties(grid_a)}
    assert grid_days == {dt.date(YEAR, MONTH, d): d in (10, 11, 12) for d in range(9, 15)}
    # Outside the subtree (the district above it, the other street beside it) nothing changes.
    assert not duties(district, cadence=Cadence.DAILY).exists()
    assert not duties(other_street, cadence=Cadence.DAILY).exists()


def test_a_district_wide_sensitive_period_covers_every_level(world, district, street, community_a):
    day = dt.date(YEAR, MONTH, 10)
    SensitivePeriod.objects.create(name="国庆", starts_on=day, ends_on=day, region=district)
    patrols.create_duties(day)
    for region in Region.objects.filter(level__in=[2, 3, 4, 5], is_active=True):
        assert duty_on(region, day, Cadence.DAILY).sensitive


def test_a_sensitive_period_entered_during_the_day_takes_effect_at_the_next_run(world, street, grid_a):
    day = dt.date(YEAR, MONTH, 10)
    patrols.create_duties(day)
    assert not duty_on(grid_a, day).sensitive
    SensitivePeriod.objects.create(name="临时", starts_on=day, ends_on=day, region=street)
    # New: the street's and both communities' daily duties; the grids' daily duties exist and are flagged.
    assert patrols.create_duties(day) == 3
    assert duty_on(grid_a, day).sensitive
    assert duty_on(street, day, Cadence.DAILY).sensitive


# --- reports -----------------------------------------------------------------------------------------------


def test_a_nil_report_before_the_due_time_is_on_time(world, gina, grid_a):
    day = dt.date(YEAR, MONTH, 10)
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    report = patrols.submit_patrol_report(duty.pk, gina, is_nil=True, risk_notes="楼栋噪音", now=at(day, 17))
    duty.refresh_from_db()
    assert duty.status == Status.ON_TIME
    assert (report.is_nil, report.risk_notes, report.reported_by) == (True, "楼栋噪音", gina)


def test_the_last_second_is_on_time_and_the_next_is_late(world, gina, grid_a):
    day = dt.date(YEAR, MONTH, 10)
    patrols.create_duties(day)
    patrols.create_duties(day + dt.timedelta(days=1))
    first, second = duties(grid_a)
    patrols.submit_patrol_report(
        first.pk, gina, is_nil=True, now=first.due_at + dt.timedelta(microseconds=500)
    )
    patrols.submit_patrol_report(second.pk, gina, is_nil=True, now=second.due_at + dt.timedelta(seconds=1))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.ON_TIME, Status.LATE)


def test_a_report_after_the_due_time_is_late_even_after_the_sweep_marked_it_missing(world, gina, grid_a):
    day = dt.date(YEAR, MONTH, 10)
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    assert patrols.sweep_missing(now=at(day + dt.timedelta(days=1), 0, 30)) >= 1
    duty.refresh_from_db()
    assert duty.status == Status.MISSING
    patrols.submit_patrol_report(duty.pk, gina, is_nil=True, now=at(day + dt.timedelta(days=1), 9))
    duty.refresh_from_db()
    assert duty.status == Status.LATE


def test_a_report_lists_the_disputes_found(world, gina, grid_a):
    day = timezone.localdate()
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    dispute = register_dispute(gina, grid_a)
    report = patrols.submit_patrol_report(duty.pk, gina, is_nil=False, dispute_ids=[dispute.pk])
    assert list(report.disputes.all()) == [dispute]
    assert not report.is_nil


@pytest.mark.parametrize(
    ("is_nil", "with_dispute", "code"),
    [(True, True, "nil_with_disputes"), (False, False, "nothing_reported")],
)
def test_a_report_is_either_nil_or_lists_disputes(world, gina, grid_a, is_nil, with_dispute, code):
    day = timezone.localdate()
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    ids = [register_dispute(gina, grid_a).pk] if with_dispute else []
    with pytest.raises(WorkflowError) as error:
        patrols.submit_patrol_report(duty.pk, gina, is_nil=is_nil, dispute_ids=ids)
    assert error.value.code == code
    assert not PatrolReport.objects.exists()
    assert PatrolDuty.objects.get(pk=duty.pk).status == Status.PENDING


def test_a_second_submission_supplements_the_report_and_keeps_its_status(world, gina, grid_a):
    day = dt.date(YEAR, MONTH, 10)
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    patrols.submit_patrol_report(duty.pk, gina, is_nil=True, now=at(day, 10))
    dispute = register_dispute(gina, grid_a)
    report = patrols.submit_patrol_report(
        duty.pk,
        gina,
        is_nil=False,
        dispute_ids=[dispute.pk],
        risk_notes="新情况",
        now=at(day + dt.timedelta(1), 9),
    )
    duty.refresh_from_db()
    assert duty.status == Status.ON_TIME
    assert (report.is_nil, report.risk_notes, list(report.disputes.all())) == (False, "新情况", [dispute])
    with pytest.raises(WorkflowError) as error:
        patrols.submit_patrol_report(duty.pk, gina, is_nil=True)
    assert error.value.code == "nil_after_disputes"


def test_only_the_regions_staff_may_report(world, gina, gus, carol, grid_a, grid_b, alice, bob):
    day = dt.date(YEAR, MONTH, 10)
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    with pytest.raises(Forbidden) as error:
        patrols.submit_patrol_report(duty.pk, gus, is_nil=True, now=at(day, 9))
    assert error.value.code == "not_found"
    # carol (supervisor) sees the street but does not report patrols.
    with pytest.raises(Forbidden) as error:
        patrols.submit_patrol_report(duty.pk, carol, is_nil=True, now=at(day, 9))
    assert error.value.code == "forbidden"
    # alice, the dispatcher of community A, covers the grid below it.
    patrols.submit_patrol_report(duty.pk, alice, is_nil=True, now=at(day, 9))
    # A dispute outside the reporter's scope cannot be listed.
    outside = register_dispute(bob, Region.objects.get(code="500104001002"))
    other = duty_on(grid_a, day)
    with pytest.raises(WorkflowError) as error:
        patrols.submit_patrol_report(other.pk, gina, is_nil=False, dispute_ids=[outside.pk], now=at(day, 9))
    assert error.value.code == "dispute_not_found"


# --- missing reports and reminders ---------------------------------------------------------------------------


def alerts(kind, **filters):
    return Alert.objects.filter(
        kind=kind, content_type=ContentType.objects.get_for_model(PatrolDuty), **filters
    )


def test_missing_reports_alert_the_staff_and_the_level_above_once(
    world, district, street, community_a, community_b, grid_a, gina, paula, bob, grace, heidi, olga
):
    day = WEDNESDAY
    patrols.create_duties(day)
    grid_duty = duty_on(grid_a, day)
    patrols.submit_patrol_report(
        duty_on(Region.objects.get(code="500104001002-001"), day).pk, bob, is_nil=True, now=at(day, 9)
    )
    after = at(day + dt.timedelta(days=1), 0, 30)

    missing = patrols.sweep_missing(now=after)

    # Only the daily grid duties were due; grid B's was reported.
    assert missing == 1
    grid_duty.refresh_from_db()
    assert grid_duty.status == Status.MISSING
    level1 = alerts(AlertKind.PATROL_MISSING, object_id=grid_duty.pk, level=1)
    level2 = alerts(AlertKind.PATROL_MISSING, object_id=grid_duty.pk, level=2)
    # Level 1: the grid has no platform, so its members; level 2: community A's staffed platform.
    assert [a.recipient_user for a in level1] == [gina]
    assert [a.recipient_organization for a in level2] == [world["community_a"]]
    assert set(Notification.objects.filter(alert__in=level2).values_list("user__username", flat=True)) == {
        "paula"
    }
    assert Notification.objects.filter(user=gina, alert__in=level1).count() == 1
    assert all(
        a.region == grid_a and a.url == reverse("disputes:patrol", args=[grid_duty.pk]) for a in level1
    )

    before = Alert.objects.count(), Notification.objects.count()
    assert patrols.sweep_missing(now=after + dt.timedelta(minutes=30)) == 0
    assert (Alert.objects.count(), Notification.objects.count()) == before

    # At the end of the month: the district, streets and communities.
    end = days_of()[-1]
    for d in days_of()[10:]:
        patrols.create_duties(d)
    patrols.sweep_missing(now=at(end + dt.timedelta(days=1), 0, 30))
    district_duty = duty_on(district, day)
    assert {
        a.recipient_organization
        for a in alerts(AlertKind.PATROL_MISSING, object_id=district_duty.pk, level=1)
    } == {world["district"]}
    assert {
        a.recipient_unit.code for a in alerts(AlertKind.PATROL_MISSING, object_id=district_duty.pk, level=2)
    } == {"office"}
    street_duty = duty_on(street, day)
    assert {a.recipient_organization for a in alerts(AlertKind.PATROL_MISSING, object_id=street_duty.pk)} == {
        world["street"],
        world["district"],
    }
    # Community B's platform has nobody on it: its members (bob) hear of it instead.
    community_duty = duty_on(community_b, day)
    assert [
        a.recipient_user for a in alerts(AlertKind.PATROL_MISSING, object_id=community_duty.pk, level=1)
    ] == [bob]


def test_the_sweep_works_in_batches_and_catches_up_after_days_down(world, grid_a, grid_b, gina, gus):
    for d in days_of()[:5]:
        patrols.create_duties(d)
    now = at(days_of()[6], 0, 0)
    due = PatrolDuty.objects.filter(due_at__lt=now).count()
    assert due >= 10  # the two grids' five days, and any week that ended
    assert patrols.sweep_missing(now=now, batch_size=3) == due
    assert not PatrolDuty.objects.filter(due_at__lt=now, status=Status.PENDING).exists()
    assert alerts(AlertKind.PATROL_MISSING, level=1).values("object_id").distinct().count() == due


def test_due_reminders_come_once_and_in_time(world, gina, grid_a, community_a, paula):
    day = WEDNESDAY
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    assert patrols.remind_due(now=at(day, 21, 30)) == 0
    assert patrols.remind_due(now=at(day, 22, 30)) >= 1
    assert [a.recipient_user for a in alerts(AlertKind.PATROL_DUE, object_id=duty.pk)] == [gina]
    assert patrols.remind_due(now=at(day, 23, 0)) == 0
    assert alerts(AlertKind.PATROL_DUE, object_id=duty.pk).count() == 1

    weekly = duty_on(community_a, day)
    sunday = weekly.period_end
    assert not alerts(AlertKind.PATROL_DUE, object_id=weekly.pk).exists()
    patrols.remind_due(now=at(sunday, 0, 30))
    assert [a.recipient_organization for a in alerts(AlertKind.PATROL_DUE, object_id=weekly.pk)] == [
        world["community_a"]
    ]


def test_a_reported_duty_gets_no_reminder(world, gina, grid_a):
    day = dt.date(YEAR, MONTH, 10)
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    patrols.submit_patrol_report(duty.pk, gina, is_nil=True, now=at(day, 12))
    patrols.remind_due(now=at(day, 22, 30))
    assert not alerts(AlertKind.PATROL_DUE, object_id=duty.pk).exists()


def test_the_jobs_run_through_the_periodic_registry(world, grid_a):
    run = periodic.run("create_patrol_duties")
    assert run.outcome == TaskRun.Outcome.OK and run.processed > 0
    assert duty_on(grid_a, timezone.localdate())
    assert periodic.run("create_patrol_duties").processed == 0
    assert periodic.run("patrol_overdue_sweep").outcome == TaskRun.Outcome.OK


def test_the_sweep_job_heals_a_missed_creation_run(world, grid_a):
    periodic.run("patrol_overdue_sweep")
    assert duty_on(grid_a, timezone.localdate())


# --- register from a patrol ----------------------------------------------------------------------------------


def intake_post(region, **overrides) -> dict:
    data = {
        "category": Category.objects.get(code="labour").pk,
        "source": "grid_patrol",
        "region": region.pk,
        "address": "新山村街道甲社区某路1号",
        "occurred_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "title": "排查发现拖欠工资纠纷",
        "description": "网格员排查时发现某工地拖欠工资。",
        "people_involved": "2",
        "amount": "12000",
        "attachment_kind": "application",
        "parties-TOTAL_FORMS": "1",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "parties-0-kind": "person",
        "parties-0-role": "applicant",
        "parties-0-name": "张三",
        "parties-0-id_number": make_id_number(seq=7),
        "parties-0-phone": "13812345678",
        "parties-0-consent": "yes",
    }
    return data | overrides


def test_registering_from_a_patrol_prefills_and_links_the_dispute(world, gina, grid_a):
    patrols.create_duties(timezone.localdate())
    duty = duty_on(grid_a, timezone.localdate())
    client = client_for(gina)
    url = f"{reverse('disputes:intake')}?patrol={duty.pk}"

    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert (form.initial["region"], form.initial["source"]) == (grid_a.pk, "grid_patrol")
    assert page.context["patrol"] == duty

    response = client.post(url, intake_post(grid_a))
    assert response.status_code == 302
    report = PatrolReport.objects.get(duty=duty)
    (dispute,) = report.disputes.all()
    assert (dispute.source, dispute.region, report.is_nil) == ("grid_patrol", grid_a, False)
    duty.refresh_from_db()
    assert duty.status == Status.ON_TIME


def test_a_patrol_not_visible_is_ignored_by_the_intake(world, gina, grid_b):
    patrols.create_duties(timezone.localdate())
    duty = duty_on(grid_b, timezone.localdate())
    client = client_for(gina)
    url = f"{reverse('disputes:intake')}?patrol={duty.pk}"
    assert client.get(url).context["patrol"] is None
    client.post(url, intake_post(Region.objects.get(code="500104001001-001")))
    assert not PatrolReport.objects.exists()


def test_link_dispute_to_patrol_adds_to_an_existing_report(world, gina, grid_a):
    day = timezone.localdate()
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    patrols.submit_patrol_report(duty.pk, gina, is_nil=True)
    dispute = register_dispute(gina, grid_a)
    report = patrols.link_dispute_to_patrol(duty, dispute, gina)
    assert (report.is_nil, list(report.disputes.all())) == (False, [dispute])


# --- pages and visibility -----------------------------------------------------------------------------------


def test_a_grid_worker_sees_only_their_grids_patrols(world, gina, grid_a, grid_b, community_a):
    day = timezone.localdate()
    patrols.create_duties(day)
    client = client_for(gina)
    page = client.get(reverse("disputes:patrols"))
    assert page.status_code == 200
    assert {d.region for d in [*page.context["due_now"], *page.context["duties"]]} == {grid_a}
    assert client.get(reverse("disputes:patrol", args=[duty_on(grid_b, day).pk])).status_code == 404
    assert client.get(reverse("disputes:patrol", args=[duty_on(community_a, day).pk])).status_code == 404
    assert (
        client.post(
            reverse("disputes:patrol", args=[duty_on(grid_b, day).pk]), {"outcome": "nil"}
        ).status_code
        == 404
    )
    assert set(PatrolDuty.objects.visible_to(gina)) == {duty_on(grid_a, day)}


def test_the_list_shows_pending_patrols_first(world, alice, community_a, grid_a):
    day = timezone.localdate()
    for d in (day - dt.timedelta(days=1), day):
        patrols.create_duties(d)
    patrols.submit_patrol_report(duty_on(grid_a, day).pk, alice, is_nil=True)
    page = client_for(alice).get(reverse("disputes:patrols"))
    due_now = page.context["due_now"]
    assert due_now and {d.status for d in due_now} == {Status.PENDING}
    assert [d.due_at for d in due_now] == sorted(d.due_at for d in due_now)
    rest = page.context["duties"]
    assert duty_on(grid_a, day) in rest and all(d.status != Status.PENDING for d in rest)
    assert [d.due_at for d in rest] == sorted((d.due_at for d in rest), reverse=True)


def test_the_list_costs_the_same_queries_however_many_patrols(world, alice, community_a, grid_a):
    client = client_for(alice)
    url = reverse("disputes:patrols")
    patrols.create_duties(timezone.localdate() - dt.timedelta(days=1))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for offset in range(2, 9):
        patrols.create_duties(timezone.localdate() - dt.timedelta(days=offset))
    patrols.create_duties(timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few) and response.context["due_now"]


def test_the_list_pages_by_cursor_and_stays_stable_under_inserts(world, alice, community_a, grid_a):
    from disputes.views import patrols as patrol_views

    for offset in range(1, 8):
        patrols.create_duties(timezone.localdate() - dt.timedelta(days=offset))
    PatrolDuty.objects.filter(status=Status.PENDING).update(status=Status.MISSING)
    expected = list(
        PatrolDuty.objects.visible_to(alice).order_by("-due_at", "-pk").values_list("pk", flat=True)
    )
    client, seen, query = client_for(alice), [], "status=missing"
    size = patrol_views.PAGE_SIZE
    patrol_views.PAGE_SIZE = 3
    try:
        while True:
            page = client.get(f"{reverse('disputes:patrols')}?{query}")
            seen += [d.pk for d in page.context["duties"]]
            if len(seen) == 3:
                # A duty created meanwhile (today's) sorts before the cursor: it appears on no later page.
                patrols.create_duties(timezone.localdate())
                PatrolDuty.objects.filter(status=Status.PENDING).update(status=Status.MISSING)
            if not page.context["page"].next_cursor:
                break
            query = page.context["next_query"]
    finally:
        patrol_views.PAGE_SIZE = size
    assert seen == expected


def test_the_history_read_region_by_region_is_the_same_pages_as_one_walk(world, carol, street):
    """Keyset.page_within (a street's history, each region's head merged) gives page() rows, page after page."""
    for offset in range(1, 6):
        patrols.create_duties(timezone.localdate() - dt.timedelta(days=offset))
    PatrolDuty.objects.filter(due_at__lt=timezone.now()).update(status=Status.MISSING)
    history = PatrolDuty.objects.visible_to(carol).exclude(status=Status.PENDING)
    regions = list(Region.objects.visible_to(carol).values_list("pk", flat=True))
    assert 1 < len(regions) <= keyset.MERGE_AT_MOST
    order, cursor, pages = patrols.HISTORY_ORDER, None, 0
    while True:
        merged = order.page_within(history, "region_id", regions, cursor, 4)
        walked = order.page(history, cursor, 4)
        assert [d.pk for d in merged.rows] == [d.pk for d in walked.rows]
        assert merged.next_cursor == walked.next_cursor
        pages += 1
        if not merged.next_cursor:
            break
        cursor = merged.next_cursor
    assert pages > 2


def test_the_report_form_makes_a_nil_report(world, gina, grid_a):
    day = timezone.localdate()
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    client = client_for(gina)
    url = reverse("disputes:patrol", args=[duty.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert f"?patrol={duty.pk}" in page.content.decode()
    response = client.post(url, {"outcome": "nil", "risk_notes": "平稳"})
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.status == Status.ON_TIME and duty.report.is_nil


def test_the_report_form_links_disputes_by_choice_and_by_number(world, gina, grid_a):
    day = timezone.localdate()
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    first, second = register_dispute(gina, grid_a), register_dispute(gina, grid_a, title="邻里纠纷")
    client = client_for(gina)
    url = reverse("disputes:patrol", args=[duty.pk])
    response = client.post(
        url, {"outcome": "found", "disputes": [first.pk], "numbers": second.number.lower()}
    )
    assert response.status_code == 302
    assert set(PatrolReport.objects.get(duty=duty).disputes.all()) == {first, second}


def test_the_report_form_shows_service_errors(world, gina, grid_a):
    day = timezone.localdate()
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    client = client_for(gina)
    url = reverse("disputes:patrol", args=[duty.pk])
    assert client.post(url, {"outcome": "found"}).status_code == 400
    assert client.post(url, {"outcome": "found", "numbers": "DDK-1999-000001"}).status_code == 400
    assert not PatrolReport.objects.exists()


def test_a_supervisor_reads_patrols_without_a_report_form(world, carol, grid_a):
    day = timezone.localdate()
    patrols.create_duties(day)
    page = client_for(carol).get(reverse("disputes:patrol", args=[duty_on(grid_a, day).pk]))
    assert page.status_code == 200 and page.context["form"] is None


def test_patrol_pages_need_the_permission(world, charlie, dave):
    for user in (charlie, dave):
        assert client_for(user).get(reverse("disputes:patrols")).status_code == 403
        assert client_for(user).get(reverse("disputes:patrol_compliance")).status_code == 403


def test_the_navigation_offers_patrols_to_the_staff(world, gina, charlie):
    assert "disputes:patrols" in [i.url_name for i in _nav(gina)]
    assert "disputes:patrols" not in [i.url_name for i in _nav(charlie)]


def _nav(user):
    from mediation.navigation import menu_items

    return [item for item in menu_items() if item.allowed(user)]


# --- compliance ---------------------------------------------------------------------------------------------


def test_the_compliance_indicator_counts_on_time_late_and_missing(
    world, district, street, community_a, grid_a, alice, heidi, grace
):
    month = days_of()
    for day in month[:10]:
        patrols.create_duties(day)
    # Grid A: days 1–7 reported on time, 8–9 late, the 10th still due; grid B reports nothing.
    for day in month[:7]:
        patrols.submit_patrol_report(duty_on(grid_a, day).pk, alice, is_nil=True, now=at(day, 20))
    for day in month[7:9]:
        patrols.submit_patrol_report(
            duty_on(grid_a, day).pk, alice, is_nil=True, now=at(day + dt.timedelta(1), 8)
        )
    # The street's first half and the district's month, reported on time but due later.
    patrols.submit_patrol_report(duty_on(street, month[0]).pk, grace, is_nil=True, now=at(month[5], 9))
    patrols.submit_patrol_report(duty_on(district, month[0]).pk, heidi, is_nil=True, now=at(month[5], 9))
    as_of = month[9]
    patrols.sweep_missing(now=at(as_of, 1))

    with translation.override("en"):
        result = indicator("patrol_on_time_rate", as_of)

    rows = {row.obj: row for row in result.rows}
    # Weeks that ended by the 9th were due (and missed) by both communities.
    weeks = sum(1 for day in month[:9] if day.weekday() == 6)
    assert (result.numerator, result.denominator) == (7, 7 + 2 + 9 + 2 * weeks)
    assert rows[RegionLevel.GRID].detail == "7 on time, 2 late, 9 missing"
    assert rows[RegionLevel.COMMUNITY].detail == f"0 on time, 0 late, {2 * weeks} missing"
    assert rows[RegionLevel.COMMUNITY].met is (weeks == 0)
    # Not due yet: not counted, even though reported.
    assert (
        rows[RegionLevel.STREET].detail == rows[RegionLevel.DISTRICT].detail == "0 on time, 0 late, 0 missing"
    )
    assert rows[RegionLevel.DISTRICT].met and not rows[RegionLevel.GRID].met

    # At the end of the month the street's first half and the district's month count too; duties still
    # pending (nobody has swept them, and their due time is still ahead of the real clock) are not counted.
    for day in month[10:]:
        patrols.create_duties(day)
    with translation.override("en"):
        result = indicator("patrol_on_time_rate", month[-1])
    rows = {row.obj: row for row in result.rows}
    assert rows[RegionLevel.DISTRICT].detail == "1 on time, 0 late, 0 missing"
    assert rows[RegionLevel.STREET].detail == "1 on time, 0 late, 0 missing"


def test_the_compliance_indicator_is_registered_with_a_label(world):
    result = indicator("patrol_on_time_rate", dt.date(YEAR, 1, 5))
    assert result.label and result.denominator == 0 and result.rate is None
    assert [row.obj for row in result.rows] == [
        RegionLevel.DISTRICT,
        RegionLevel.STREET,
        RegionLevel.COMMUNITY,
        RegionLevel.GRID,
    ]


def test_the_compliance_page_shows_only_visible_regions(world, gina, carol, grid_a, grid_b):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    patrols.create_duties(yesterday)
    patrols.sweep_missing()
    # Yesterday's year (on 1 January, last year's figures hold yesterday's duties).
    shown = {"level": RegionLevel.GRID, "year": yesterday.year}
    page = client_for(carol).get(reverse("disputes:patrol_compliance"), shown)
    assert page.status_code == 200
    assert {row["obj"] for row in page.context["regions"]} == {grid_a, grid_b}
    assert {row["obj"]: row for row in page.context["levels"]}[RegionLevel.GRID]["missing"] == 2
    page = client_for(gina).get(reverse("disputes:patrol_compliance"), shown)
    assert [row["obj"] for row in page.context["regions"]] == [grid_a]
    assert [row["missing"] for row in page.context["regions"]] == [1]


def test_a_patrol_page_counts_the_disputes_the_reader_cannot_see(world, gina, alice, grid_a, community_a):
    day = timezone.localdate()
    patrols.create_duties(day)
    duty = duty_on(grid_a, day)
    # alice lists a dispute of the community (above gina's grid) in the grid's report.
    dispute = register_dispute(alice, community_a)
    patrols.submit_patrol_report(duty.pk, alice, is_nil=False, dispute_ids=[dispute.pk])
    page = client_for(gina).get(reverse("disputes:patrol", args=[duty.pk]))
    assert page.status_code == 200
    assert (page.context["found"], page.context["hidden"]) == ([], 1)
    assert dispute.number not in page.content.decode()
    assert (
        dispute.number in client_for(alice).get(reverse("disputes:patrol", args=[duty.pk])).content.decode()
    )


def test_a_region_nobody_staffs_is_reminded_through_the_level_above(world, grid_b, bob):
    day = WEDNESDAY
    patrols.create_duties(day)
    duty = duty_on(grid_b, day)
    assert patrols.staff_recipients(grid_b, day) == []
    patrols.remind_due(now=at(day, 22, 30))
    assert [a.recipient_user for a in alerts(AlertKind.PATROL_DUE, object_id=duty.pk)] == [bob]
