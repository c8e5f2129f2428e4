"""Reliability of the scheduled work, proved with a REAL Redis and REAL Celery processes (issue 6).

Each test starts `celery worker --pool=solo` (and `celery beat`, or a redis-server of its own) as subprocesses
on the pytest test database (tests/celery_harness.py) and sends the tasks through the broker, as beat does:

- beat fires twice for the same period: the jobs run twice, on two workers at once → no duplicate patrol
  duties, alerts, supervision notices, events, reports or e-mails;
- a worker is killed (SIGKILL) in the middle of an overdue sweep → the message it held is redelivered after the
  visibility timeout and the new run finishes the work: every assignment's steps and alerts exactly once;
- Redis is down during intake and transitions → the pages and the services still register and assess disputes,
  the early warnings wait in the outbox, and are delivered exactly once when Redis is back;
- beat was down for two days → each entry runs once (a catch-up), not once per missed run;
- the embedded default (no Redis: the filesystem broker, a worker with an embedded beat) runs the jobs too.

The settings these rest on are checked first, without processes.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import time
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from disputes.choices import AssignmentStatus, Complexity, DayType, RiskGrade, Source, Status
from disputes.models import Assignment, Category, Dispute, Event, PatrolDuty, PeriodicReport, Supervision
from disputes.services import patrols, reports, sweeps, workflow
from mediation import periodic
from mediation.choices import Role
from mediation.models import Alert, AlertKind, Notification, OutboxMessage, TaskRun
from mediation.services.memberships import grant
from mediation.tasks import run_periodic
from tests.celery_harness import use_broker, wait_until
from tests.dispute_fixtures import register_dispute

pytest_plugins = ["tests.dispute_fixtures", "tests.dispute_pages_world", "tests.celery_harness"]

LIMIT_DAYS = 10


# --- helpers ---------------------------------------------------------------------------------------------------


def runs(name: str, outcome: str | None = None) -> int:
    queryset = TaskRun.objects.filter(name=name)
    return queryset.filter(outcome=outcome).count() if outcome else queryset.count()


def wait_for_runs(expected: dict[str, int], timeout: float = 60) -> None:
    """Wait until each job has finished `expected[name]` runs; every run must have succeeded."""

    def done():
        unfinished = TaskRun.objects.filter(outcome=TaskRun.Outcome.RUNNING).count()
        return unfinished == 0 and all(runs(name) >= count for name, count in expected.items())

    wait_until(done, timeout, message=f"the runs {expected}")
    errors = list(TaskRun.objects.filter(outcome=TaskRun.Outcome.ERROR).values_list("name", "detail"))
    assert not errors
    assert {name: runs(name, TaskRun.Outcome.OK) for name in expected} == expected


def seed_open_assignments(count: int, platform, unit, user, *, share: float, red_every: int = 0) -> list[int]:
    """`count` disputes in progress, each with one open assignment to `unit` of which `share` of a 10-day limit
    has elapsed; every fifth assignment is still pending and past its acceptance deadline. Inserted in bulk."""
    now = timezone.now()
    category = Category.objects.get(code="labour")
    region = platform.region
    disputes = Dispute.objects.bulk_create(
        [
            Dispute(
                number=f"REL-{i:06d}",
                category=category,
                source=Source.APPLICATION,
                region=region,
                region_path=region.path,
                address="大渡口区新山村街道",
                occurred_at=now - dt.timedelta(days=20),
                title=f"可靠性测试纠纷 {i}",
                description="可靠性测试",
                risk_grade=RiskGrade.RED if red_every and i % red_every == 0 else RiskGrade.BLUE,
                risk_grade_by_rules=RiskGrade.BLUE,
                status=Status.IN_PROGRESS,
                handling_level=region.level,
                platform=platform,
                created_by=user,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    assigned_at = now - dt.timedelta(days=LIMIT_DAYS * share)
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                dispute=d,
                from_platform=platform,
                to_unit=unit,
                status=AssignmentStatus.PENDING if i % 5 == 0 else AssignmentStatus.ACCEPTED,
                limit_days=LIMIT_DAYS,
                day_type=DayType.CALENDAR,
                accept_due_at=assigned_at + dt.timedelta(days=1),
                due_at=assigned_at + dt.timedelta(days=LIMIT_DAYS),
                assigned_by=user,
            )
            for i, d in enumerate(disputes)
        ],
        batch_size=2000,
    )
    ids = [a.pk for a in assignments]
    Assignment.objects.filter(pk__in=ids).update(assigned_at=assigned_at)
    return ids


def assert_each_step_once(assignment_ids: list[int], recipients: int) -> None:
    """Every assignment reached its step once: one Event per climb, one alert per step and recipient, one
    supervision notice per notice step, nothing missing. Each recipient here is one user with an e-mail address,
    so each alert has exactly one notification and one e-mail in the outbox."""
    now = timezone.now()
    ladder = sweeps.ladder()
    assignment_type = ContentType.objects.get_for_model(Assignment)
    assignments = Assignment.objects.filter(pk__in=assignment_ids).select_related("dispute")
    alerts = Counter(
        Alert.objects.filter(content_type=assignment_type, object_id__in=assignment_ids).values_list(
            "object_id", "kind", "level"
        )
    )
    steps = Counter(
        e["assignment"]
        for e in Event.objects.filter(
            dispute__assignments__pk__in=assignment_ids, action="supervision_step"
        ).values_list("before", flat=True)
    )
    accept_events = Counter(
        Event.objects.filter(
            dispute__assignments__pk__in=assignment_ids, action="accept_overdue"
        ).values_list("dispute_id", flat=True)
    )
    notices = Counter(
        Supervision.objects.filter(assignment_id__in=assignment_ids).values_list("assignment_id", "level")
    )
    for a in assignments:
        levels = ladder.get(a.dispute.risk_grade, ladder[None])
        percent = sweeps.elapsed_percent(a.assigned_at, a.due_at, now)
        target = sweeps.step_reached(levels, percent)
        assert a.overdue_level == target, a.pk
        assert steps[a.pk] == 1, (a.pk, steps[a.pk])
        for level in levels:
            expected = recipients if level <= target else 0
            assert alerts[(a.pk, AlertKind.SUPERVISION, level)] == expected, (a.pk, level)
            notice = 1 if sweeps.NOTICE_FROM <= level <= target else 0
            assert notices[(a.pk, level)] == notice, (a.pk, level)
        pending = a.status == AssignmentStatus.PENDING
        assert alerts[(a.pk, AlertKind.ACCEPT_OVERDUE, 1)] == (recipients if pending else 0), a.pk
        assert accept_events[a.dispute_id] == (1 if pending else 0), a.pk
    # Each alert reached its user once, in the notification centre and in the outbox.
    alert_ids = set(
        Alert.objects.filter(content_type=assignment_type, object_id__in=assignment_ids).values_list(
            "pk", flat=True
        )
    )
    notified = Counter(Notification.objects.filter(alert__in=alert_ids).values_list("alert_id", flat=True))
    mailed = Counter(
        int(key.split(":")[1])
        for key in OutboxMessage.objects.filter(dedupe_key__startswith="alert:").values_list(
            "dedupe_key", flat=True
        )
    )
    assert notified == mailed == Counter(alert_ids)


def delivered_mail(mail_dir) -> list[email.message.EmailMessage]:
    """The e-mails Django's file-based backend wrote (each file holds messages separated by a line of 79 '-')."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def assert_outbox_delivered_once(mail_dir) -> None:
    outbox = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.EMAIL)
    assert outbox.exists()
    assert set(outbox.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    mail = delivered_mail(mail_dir)
    assert len(mail) == outbox.count()
    assert Counter(str(m["To"]) for m in mail) == Counter(outbox.values_list("recipient", flat=True))
    assert len({m["Message-ID"] for m in mail}) == len(mail)


def cron_slots(schedule, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The times in (start, end] at which a celery crontab fires, found by walking the calendar (independent of
    celery's own arithmetic): month, day of month AND day of week (Sunday = 0) must all match."""
    tz = timezone.get_default_timezone()
    start, end = start.astimezone(tz), end.astimezone(tz)
    slots = []
    day = start.date()
    while day <= end.date():
        if (
            day.month in schedule.month_of_year
            and day.day in schedule.day_of_month
            and day.isoweekday() % 7 in schedule.day_of_week
        ):
            for hour in sorted(schedule.hour):
                for minute in sorted(schedule.minute):
                    at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
                    if start < at <= end:
                        slots.append(at)
        day += dt.timedelta(days=1)
    return slots


# --- the settings the guarantees rest on --------------------------------------------------------------------


def test_celery_settings_for_reliability():
    from dadukou.celery import app

    conf = app.conf
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.task_default_queue == "dadukou"
    # The time limits are below the visibility timeout, with room for a task waiting behind a running one.
    visibility = 3 * 3600  # parsers.celery_broker's default with REDIS_URL set
    from dadukou.settings import parsers

    _url, options = parsers.celery_broker({"REDIS_URL": "redis://redis:6379/0"}, settings.VAR_DIR)
    assert options["visibility_timeout"] == visibility
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert 2 * conf.task_time_limit < visibility
    # Beat: celery's PersistentScheduler, its state under VAR_DIR; a missed run of any entry caught up once.
    assert conf.beat_scheduler == "celery.beat:PersistentScheduler"
    assert conf.beat_schedule_filename.startswith(str(settings.VAR_DIR))
    assert conf.beat_cron_starting_deadline >= 366 * 24 * 3600
    assert conf.result_expires is None  # no celery.backend_cleanup entry


def test_every_beat_entry_expires_before_its_next_run():
    """A message beat sent while no worker was up is dropped before the next one is sent: no backlog flood."""
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] == "mediation.tasks.run_periodic", name
        assert entry["args"][0] in periodic.discover(), name
        slots = cron_slots(entry["schedule"], start, start + dt.timedelta(days=2 * 366))
        shortest = min(b - a for a, b in zip(slots, slots[1:], strict=False))
        assert 0 < entry["options"]["expires"] < shortest.total_seconds(), name


# --- beat fires twice for the same period ------------------------------------------------------------------


@pytest.fixture
def staffed(defaults, platforms, rsj, dave, grace, ivan):
    """dave (rsj's liaison) and grace (the street platform's dispatcher) get e-mail, so alerts reach the outbox."""
    for user in (dave, grace, ivan):
        user.email = f"{user.username}@dadukou.example"
        user.save()
    return platforms


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
@pytest.mark.usefixtures("fast_password_hashing")
def test_beat_fired_twice_makes_nothing_twice(celery_env, staffed, rsj, grace, alice):
    today = timezone.localdate()
    ids = seed_open_assignments(20, staffed["street"], rsj, alice, share=1.6, red_every=4)
    jobs = ["create_patrol_duties", "assignment_overdue_sweep", "weekly_reports"]

    started = time.monotonic()
    celery_env.worker(wait=False)
    celery_env.worker()
    for worker in celery_env.processes:
        worker.wait_for_log(r"@\S+ ready\.")
    for name in jobs:  # each job twice in a row: the two workers take the two copies at the same time
        run_periodic.delay(name)
        run_periodic.delay(name)
    wait_for_runs(dict.fromkeys(jobs, 2))

    # Patrol duties: every region's duty for today's period, once (the job run here again creates none).
    assert PatrolDuty.objects.count() > 0
    assert patrols.create_duties(today) == 0
    assert (
        not PatrolDuty.objects.values("region", "period_start", "period_end")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    # The sweep: each step of each assignment once, to its assignee unit and the platform.
    assert_each_step_once(ids, recipients=2)
    assert sweeps.sweep().processed == 0
    # Reports: one per scope for last week.
    week = reports.period_for(PeriodicReport.Kind.WEEKLY, today)
    assert PeriodicReport.objects.filter(
        kind=PeriodicReport.Kind.WEEKLY, period_start=week[0]
    ).count() == len(reports.scopes())
    assert reports.generate(PeriodicReport.Kind.WEEKLY, today) == 0

    # The outbox delivered twice at once: each e-mail goes out once.
    run_periodic.delay("deliver_outbox")
    run_periodic.delay("deliver_outbox")
    wait_for_runs({"deliver_outbox": 2})
    assert_outbox_delivered_once(celery_env.mail_dir)
    print(f"\n  beat fired twice: {time.monotonic() - started:.1f} s")


# --- a worker killed in the middle of a sweep -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
@pytest.mark.usefixtures("fast_password_hashing")
def test_a_worker_killed_mid_sweep_leaves_nothing_doubled_or_lost(celery_env, staffed, rsj, alice):
    rows = 5 * sweeps.BATCH_SIZE + 300  # six batches, each its own transaction
    ids = seed_open_assignments(rows, staffed["street"], rsj, alice, share=1.6)
    visibility = 5  # seconds; production keeps 3 h
    started = time.monotonic()
    first = celery_env.worker(CELERY_VISIBILITY_TIMEOUT=str(visibility))
    run_periodic.delay("assignment_overdue_sweep")

    def stepped():
        return Event.objects.filter(action="supervision_step").count()

    # Kill it (no warm shutdown, no ack) as soon as the first batch has committed.
    wait_until(lambda: stepped() >= sweeps.BATCH_SIZE, 60, interval=0.05, message="the first batch")
    first.kill()
    killed_at = time.monotonic()
    done_before = stepped()
    assert sweeps.BATCH_SIZE <= done_before < rows, "the sweep was not killed in the middle"
    assert list(TaskRun.objects.values_list("outcome", flat=True)) == [TaskRun.Outcome.RUNNING]

    # A new worker; once the visibility timeout has passed, the unacknowledged message is delivered again.
    time.sleep(max(0.0, visibility + 1 - (time.monotonic() - killed_at)))
    second = celery_env.worker(CELERY_VISIBILITY_TIMEOUT=str(visibility))
    # The rest of the sweep (five batches) on a worker that just started: a bound, not a timing (a busy 2-core
    # machine took over 60 s).
    wait_until(
        lambda: TaskRun.objects.filter(outcome=TaskRun.Outcome.OK).exists(),
        240,
        message="the redelivered sweep",
    )
    second.wait_for_log(r"Task mediation\.tasks\.run_periodic\[\S+\] received")
    assert TaskRun.objects.filter(outcome=TaskRun.Outcome.OK).get().processed > 0
    assert_each_step_once(ids, recipients=2)
    assert sweeps.sweep().processed == 0
    print(f"\n  killed after {done_before} of {rows}; finished in {time.monotonic() - started:.1f} s")


# --- Redis down during intake and transitions -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
@pytest.mark.usefixtures("fast_password_hashing")
def test_redis_down_the_site_works_and_the_outbox_delivers_once_it_is_back(
    celery_env, redis_server, page_world, make_user
):
    from tests.dispute_pages_world import client_for, intake_data

    w = page_world
    ivan = make_user("ivan", email="ivan@dadukou.example")
    grant(ivan, Role.SUPERVISOR, region=w.district)
    for user in (w.dave, w.carol):
        user.email = f"{user.username}@dadukou.example"
        user.save()
    get_user_model().objects.filter(pk=w.grace.pk).update(email="grace@dadukou.example")

    celery_env.redis_url = redis_server.url
    with use_broker(redis_server.url):
        worker = celery_env.worker()
        redis_server.kill()  # Redis dies

        # The browser: register a dispute and assess it red (an extreme act): a transition with warnings.
        client = client_for(w.alice)
        started = time.monotonic()
        response = client.post(reverse("disputes:intake"), intake_data(w))
        assert response.status_code == 302, response.content.decode()[:2000]
        dispute = Dispute.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
        response = client.post(
            reverse("disputes:action", args=[dispute.pk, "assess"]),
            {"version": dispute.version, "complexity": Complexity.GENERAL, "risk_flags": ["extreme_act"]},
            follow=True,
        )
        assert response.status_code == 200
        dispute.refresh_from_db()
        assert dispute.status == Status.ASSESSED and dispute.risk_grade == RiskGrade.RED
        # The service layer: an orange dispute (a dozen people involved).
        other = register_dispute(w.alice, w.community_a, people_involved=12)
        other = workflow.assess(other.pk, w.alice, version=other.version, complexity=Complexity.GENERAL)
        assert other.risk_grade == RiskGrade.ORANGE
        assert time.monotonic() - started < 20  # nothing waited for the broker

        # The warnings are in the database, their e-mails wait in the outbox.
        warnings = Alert.objects.filter(kind=AlertKind.EARLY_WARNING)
        assert set(warnings.values_list("object_id", flat=True)) == {dispute.pk, other.pk}
        outbox = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.EMAIL)
        assert outbox.count() >= 4
        assert set(outbox.values_list("status", flat=True)) == {OutboxMessage.Status.PENDING}
        assert delivered_mail(celery_env.mail_dir) == []

        # Redis is back: the same worker reconnects and delivers, once, however often the job runs.
        redis_server.start()
        worker.wait_for_log(r"Connected to redis://", count=2, timeout=60)
        run_periodic.delay("deliver_outbox")
        wait_for_runs({"deliver_outbox": 1})
        assert_outbox_delivered_once(celery_env.mail_dir)
        run_periodic.delay("deliver_outbox")
        wait_for_runs({"deliver_outbox": 2})
        assert_outbox_delivered_once(celery_env.mail_dir)


# --- beat down for two days -------------------------------------------------------------------------------------


def write_beat_state(path, last_runs: dict[str, dt.datetime]) -> None:
    """The PersistentScheduler's state file, as a beat that ran each entry of `last_runs` last at that time left
    it (the other entries as new: last run now)."""
    from celery.beat import PersistentScheduler

    from dadukou.celery import app

    scheduler = PersistentScheduler(app=app, schedule_filename=str(path), lazy=False)
    for name, entry in scheduler.schedule.items():
        if name in last_runs:
            entry.last_run_at = last_runs[name]
    scheduler.sync()
    scheduler.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_beat_down_for_two_days_catches_up_once_not_a_flood(celery_env, defaults, platforms):
    now = timezone.now()
    down_since = now - dt.timedelta(days=2)
    schedule = settings.CELERY_BEAT_SCHEDULE
    last_runs = {}
    for name, entry in schedule.items():
        if cron_slots(entry["schedule"], down_since, now):
            last_runs[name] = down_since  # daily and more often: 2 to 2,880 runs missed
        else:
            # Weekly to annual entries with no run in those two days: beat went down just before their latest
            # run (up to a year ago, within CELERY_BEAT_CRON_STARTING_DEADLINE), so each has one run to catch up.
            latest = cron_slots(entry["schedule"], now - dt.timedelta(days=366), now)[-1]
            last_runs[name] = latest - dt.timedelta(minutes=1)
    write_beat_state(celery_env.schedule_file, last_runs)
    celery_env.worker()
    started = timezone.now()
    beat = celery_env.beat()
    missed = set(schedule)

    # Let beat run until every catch-up has been sent; anything more (a flood) it would send at once.
    beat.wait_for_log(r"Sending due task", count=len(missed), timeout=30)
    time.sleep(3)
    beat.stop()
    stopped = timezone.now()

    sent = Counter(re.findall(r"Sending due task (\S+) \(", beat.log()))
    meanwhile = {}
    for name, entry in schedule.items():
        # Once for the missed runs, plus whatever fell due while we watched (deliver-outbox each minute).
        meanwhile[name] = len(cron_slots(entry["schedule"], started, stopped))
        caught_up = 1 if name in missed else 0
        assert caught_up <= sent[name] <= caught_up + meanwhile[name], (name, sent[name])
    assert missed <= set(sent) <= missed | {name for name, n in meanwhile.items() if n}
    # What beat sent, the worker ran, each once.
    wait_until(lambda: TaskRun.objects.count() >= sum(sent.values()), 60, message="the caught-up runs")
    wait_for_runs(Counter({schedule[name]["args"][0]: n for name, n in sent.items()}))
    assert TaskRun.objects.count() == sum(sent.values())
    print(f"\n  beat back after two days sent {dict(sent)}")


# --- the embedded default ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_embedded_default_runs_the_schedule_without_redis(celery_env, reference):
    from dadukou.settings import parsers

    # The worker's settings make the same folders under its VAR_DIR.
    _url, options = parsers.celery_broker({}, celery_env.var_dir)
    # Beat's state says refresh-mediator-statuses last ran two days ago: the embedded beat catches it up.
    write_beat_state(
        celery_env.schedule_file, {"refresh-mediator-statuses": timezone.now() - dt.timedelta(days=2)}
    )
    celery_env.redis_url = None
    with use_broker("filesystem://", options):
        celery_env.worker("-B")
        run_periodic.delay("create_patrol_duties")
        wait_until(
            lambda: runs("create_patrol_duties", "ok") and runs("refresh_mediator_statuses", "ok"),
            30,
            message="the job sent by hand and the one beat caught up",
        )
    assert PatrolDuty.objects.exists()
