"""Benchmark: the overdue sweep (disputes.services.sweeps) over many open assignments on PostgreSQL.

    python bench/overdue_sweep.py --rows 100000

1. Creates a scratch database (dadukou_bench by default) on the PostgreSQL server of DATABASE_URL (or
   postgres://postgres@127.0.0.1:5432), migrates it and loads the reference data, platforms and a few staff.
2. Bulk-inserts ROWS disputes with one open assignment each (90% accepted, 10% still pending; grades 5% red,
   15% orange, the rest yellow/blue) whose elapsed shares of a 10-day limit spread evenly over 0–250%.
3. In a fresh process (as a Celery worker would run it), runs the sweep as the beat does — one run after another
   until a run finds nothing left — and records wall time, runs, batches, queries per batch and peak memory;
   then one more run with nothing to do (the cost of every later beat tick), and the plan of a batch's query.
4. Writes the results into docs/BENCHMARKS.md (its own section; other sections are left alone) and drops the
   scratch database unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:overdue_sweep:start -->", "<!-- bench:overdue_sweep:end -->"
LIMIT_DAYS = 10
MAX_SHARE = 2.5  # elapsed shares spread over 0–250% of the limit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="open assignments to create")
    parser.add_argument(
        "--closed",
        type=int,
        default=0,
        help="completed assignments of archived disputes to create before them",
    )
    parser.add_argument(
        "--database", default="dadukou_bench", help="scratch database (dropped and recreated)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--no-doc", action="store_true", help="print the results without writing the doc")
    parser.add_argument("--phase", choices=["all", "sweep"], default="all", help=argparse.SUPPRESS)
    args = parser.parse_args()

    url = _database_url(args.database)
    if args.phase == "sweep":
        _setup_django(url)
        profile = os.environ.get("BENCH_PROFILE")  # a file name: write cProfile stats of the sweep there
        if profile:
            import cProfile

            with cProfile.Profile() as profiler:
                results = measure_sweep()
            profiler.dump_stats(profile)
        else:
            results = measure_sweep()
        print(json.dumps(results))
        return

    _recreate_database(url)
    try:
        _setup_django(url)
        started = time.perf_counter()
        seed(args.rows, args.closed)
        seeded = time.perf_counter() - started
        child = subprocess.run(
            [sys.executable, __file__, "--phase", "sweep", "--database", args.database],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ.copy(),
        )
        results = json.loads(child.stdout.strip().splitlines()[-1])
        results |= {"rows": args.rows, "closed": args.closed, "seed_seconds": round(seeded, 1)}
        if args.no_doc:
            print(render(results, [table_row(results)]))
        else:
            print(write_doc(results))
            print(f"written to {DOC.relative_to(ROOT)}")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _drop_database(url)


# --- the scratch database ------------------------------------------------------------------------------------


def _database_url(name: str) -> str:
    base = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.scheme.startswith("postgres"):
        sys.exit(
            "The benchmark needs PostgreSQL: set DATABASE_URL to a postgres:// URL (any database on the server)."
        )
    return urlunsplit(base._replace(path=f"/{name}"))


def _admin(url: str, statement: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def _recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        sys.exit(f"unsafe database name: {name!r}")
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    _admin(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def _setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dadukou.settings")
    # Production settings (DEBUG off: no query log kept in memory), with a throwaway key.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    import django

    django.setup()


# --- seeding ---------------------------------------------------------------------------------------------------


def seed(rows: int, closed: int = 0, chunk: int = 5_000) -> None:
    """The world, `closed` finished assignments (older, lower ids) and `rows` open ones, inserted in bulk."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from disputes.choices import DayType, RiskGrade, Source, Status
    from disputes.models import Assignment, Category, Dispute
    from disputes.services.defaults import load_defaults
    from mediation.choices import OrganizationKind, RegionLevel, Role, UnitKind
    from mediation.models import MediationOrganization, Region, Unit
    from mediation.services.memberships import grant

    call_command("migrate", verbosity=0)
    from mediation.services.reference import load_reference_data

    load_reference_data()
    load_defaults()
    User = get_user_model()
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    streets = list(Region.objects.filter(level=RegionLevel.STREET).order_by("code"))
    platforms = {
        region.pk: MediationOrganization.objects.create(
            region=region, kind=OrganizationKind.PLATFORM, name=f"{region.name}综合调处平台"
        )
        for region in [district, *streets]
    }
    dispatcher = User.objects.create_user("bench-dispatcher", email="dispatcher@bench.example")
    for region_pk, platform in platforms.items():
        user = User.objects.create_user(f"bench-platform-{region_pk}", email=f"p{region_pk}@bench.example")
        grant(user, Role.DISPATCHER, organization=platform)
    units = list(Unit.objects.filter(kind=UnitKind.GOVERNMENT).order_by("code")[:10])
    for unit in units:
        user = User.objects.create_user(f"bench-liaison-{unit.code}", email=f"{unit.code}@bench.example")
        grant(user, Role.LIAISON, unit=unit)
    grant(User.objects.create_user("bench-supervisor"), Role.SUPERVISOR, region=district)
    categories = list(Category.objects.order_by("pk"))

    now = timezone.now()
    grades = [RiskGrade.RED] * 1 + [RiskGrade.ORANGE] * 3 + [RiskGrade.YELLOW] * 8 + [RiskGrade.BLUE] * 8
    total = closed + rows
    for start in range(0, total, chunk):
        batch = []
        for i in range(start, min(start + chunk, total)):
            region = streets[i % len(streets)]
            grade = grades[i % len(grades)]
            platform = platforms[district.pk if grade == RiskGrade.RED else region.pk]
            batch.append(
                Dispute(
                    number=f"DDK-BENCH-{i:07d}",
                    category=categories[i % len(categories)],
                    source=Source.APPLICATION,
                    region=region,
                    region_path=region.path,
                    address="大渡口区",
                    occurred_at=now,
                    title=f"基准测试纠纷 {i}",
                    description="基准测试",
                    risk_grade=grade,
                    risk_grade_by_rules=grade,
                    status=Status.ARCHIVED if i < closed else Status.IN_PROGRESS,
                    handling_level=platform.region.level,
                    platform=platform,
                    created_by=dispatcher,
                )
            )
        disputes = Dispute.objects.bulk_create(batch)
        Assignment.objects.bulk_create(
            [
                Assignment(
                    dispute=d,
                    from_platform=d.platform,
                    to_unit=units[d.pk % len(units)],
                    status=_assignment_status(d),
                    limit_days=LIMIT_DAYS,
                    day_type=DayType.CALENDAR,
                    accept_due_at=now,
                    due_at=now,
                    assigned_by=dispatcher,
                )
                for d in disputes
            ]
        )
    # Spread the open ones' elapsed shares evenly (and deterministically) over 0–250% of a 10-day limit as of
    # now; the finished ones were assigned a year ago.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE disputes_assignment SET assigned_at = assigned_at - interval '1 year', "
            "due_at = due_at - interval '1 year', accept_due_at = accept_due_at - interval '1 year' "
            "WHERE status = 'completed'"
        )
        cursor.execute(
            """
            UPDATE disputes_assignment
               SET assigned_at = %(now)s - ((id * 7919) %% 10000) / 10000.0 * %(max_share)s * %(limit)s,
                   due_at = %(now)s - ((id * 7919) %% 10000) / 10000.0 * %(max_share)s * %(limit)s + %(limit)s,
                   accept_due_at = %(now)s - ((id * 7919) %% 10000) / 10000.0 * %(max_share)s * %(limit)s
                                   + interval '1 day'
             WHERE status IN ('pending', 'accepted')
            """,
            {"now": now, "max_share": MAX_SHARE, "limit": dt.timedelta(days=LIMIT_DAYS)},
        )
        cursor.execute("ANALYZE")


def _assignment_status(dispute) -> str:
    from disputes.choices import AssignmentStatus, Status

    if dispute.status == Status.ARCHIVED:
        return AssignmentStatus.COMPLETED
    return AssignmentStatus.PENDING if dispute.pk % 10 == 0 else AssignmentStatus.ACCEPTED


# --- measuring (in its own process) -----------------------------------------------------------------------------


def measure_sweep() -> dict:
    import resource

    from django.db import connection
    from django.utils import timezone

    from disputes.models import Event, Supervision
    from disputes.services import sweeps
    from mediation.models import Alert, Notification, OutboxMessage

    sweeps.load_thresholds()
    counter = _QueryCounter()
    now = timezone.now()
    first_plan = _plan(now)
    runs, batches, stepped, accept_overdue = 0, 0, 0, 0
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        while True:
            result = sweeps.sweep(now)
            runs += 1
            batches += result.batches
            stepped += result.stepped
            accept_overdue += result.accept_overdue
            if result.complete:
                break
    seconds = time.perf_counter() - started
    per_batch = counter.per_batch()

    # Twice: the first right after the big run, whose updates left dead row versions and whose new alerts the
    # planner's statistics do not know yet; the second after ANALYZE, as autovacuum's autoanalyze does by itself.
    first_idle_started = time.perf_counter()
    sweeps.sweep(now)
    first_idle_seconds = time.perf_counter() - first_idle_started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    idle = _QueryCounter()
    idle_started = time.perf_counter()
    with connection.execute_wrapper(idle):
        idle_result = sweeps.sweep(now)
    idle_seconds = time.perf_counter() - idle_started

    return {
        "runs": runs,
        "batches": batches,
        "batch_size": sweeps.BATCH_SIZE,
        "max_batches": sweeps.MAX_BATCHES,
        "stepped": stepped,
        "accept_overdue": accept_overdue,
        "seconds": round(seconds, 1),
        "queries": counter.total,
        "queries_per_batch": {
            "median": statistics.median(per_batch) if per_batch else 0,
            "max": max(per_batch, default=0),
        },
        "ms_per_batch": round(seconds * 1000 / max(batches, 1)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "first_idle_seconds": round(first_idle_seconds, 3),
        "idle_seconds": round(idle_seconds, 3),
        "idle_queries": idle.total,
        "idle_processed": idle_result.processed,
        "alerts": Alert.objects.count(),
        "notifications": Notification.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "events": Event.objects.filter(action__in=["supervision_step", "accept_overdue"]).count(),
        "supervisions": Supervision.objects.count(),
        "first_plan": first_plan,
        "plan": _plan(now),
        "postgres": _server_version(),
    }


class _QueryCounter:
    """Counts queries, and the queries of each batch (a batch starts with its locking SELECT)."""

    def __init__(self):
        self.total = 0
        self.batches: list[int] = []

    def __call__(self, execute, sql, params, many, context):
        self.total += 1
        if "SKIP LOCKED" in sql:
            self.batches.append(0)
        if self.batches:
            self.batches[-1] += 1
        return execute(sql, params, many, context)

    def per_batch(self) -> list[int]:
        # The last locking SELECT of each phase finds nothing: not a batch.
        return [n for n in self.batches if n > 1]


def _plan(now) -> str:
    from django.db import connection

    from disputes.services import sweeps

    first_page = sweeps.needing_a_step(sweeps.ladder(), now).values("pk")[: sweeps.BATCH_SIZE]
    sql, params = first_page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# --- the report ------------------------------------------------------------------------------------------------


TABLE_HEADER = (
    "| open assignments | finished beside them | beat runs | batches | seconds | ms per batch "
    "| queries per batch (median / max) | peak memory | next run, nothing to do | measured |\n"
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
)


def table_row(r: dict) -> str:
    q = r["queries_per_batch"]
    return (
        f"| {r['rows']:,} | {r['closed']:,} | {r['runs']} | {r['batches']} | {r['seconds']} | {r['ms_per_batch']} "
        f"| {q['median']:.0f} / {q['max']} | {r['peak_rss_mb']} MB | {r['idle_seconds']} s, {r['idle_queries']} queries "
        f"| {time.strftime('%Y-%m-%d')} |"
    )


def render(r: dict, rows: list[str]) -> str:
    command = f"python bench/overdue_sweep.py --rows {r['rows']}" + (
        f" --closed {r['closed']}" if r["closed"] else ""
    )
    plan = "\n".join(f"    {line}" for line in _short(r["plan"]).splitlines())
    first_plan = "\n".join(f"    {line}" for line in _short(r["first_plan"]).splitlines())
    table = "\n".join([TABLE_HEADER, *rows])
    return f"""{START}
## Overdue sweep (`bench/overdue_sweep.py`)

Each run makes a scratch database on PostgreSQL with N open assignments (one per dispute; 90% accepted, 10% still
pending; 5% red, 15% orange disputes) whose elapsed shares of a 10-day limit spread evenly over 0–250%, so about
two thirds need one or more steps of the ladder and every pending one is past its acceptance deadline; optionally
finished assignments of archived disputes beside them (`--closed`), as a database that has run for years holds.
Then, in a fresh process as a Celery worker would, the sweep runs as the beat runs it — one run after another until
a run finds nothing left (a run does at most {r["max_batches"]} batches of {r["batch_size"]}) — and then with nothing
to do, the cost of every later tick. That is measured after ANALYZE, as autovacuum's autoanalyze runs by itself
after such a burst: right after the burst, with the planner unaware of the new alerts, the anti-join that skips
assignments already reported as not accepted was planned as a nested loop, and the first idle run took
{r["first_idle_seconds"]} s in the latest run.
Peak memory is that process's resident size. Seeding is not counted.

{table}

Latest run: `{command}` on PostgreSQL {r["postgres"]}, {os.cpu_count()} CPUs (a shared machine: other test suites
were running, so the times are upper bounds). It made {r["stepped"]:,} assignments climb the ladder and reported
{r["accept_overdue"]:,} as not accepted in time: {r["alerts"]:,} alerts, {r["notifications"]:,} notifications,
{r["outbox"]:,} outbox e-mails, {r["supervisions"]:,} supervision notices and {r["events"]:,} timeline events in
{r["queries"]:,} queries. Alerts, notifications, outbox rows, notices and events are written per batch in bulk
(mediation.services.alerts.raise_alerts), so a batch costs the same queries whether it holds 5 rows or 500.

Plan of the first batch's candidate query (the ladder's condition shortened to `…`) — keyset order (due_at, id) on
the partial index of open work, so finished rows are never read:

{first_plan}

The same query once the sweep is done (nothing left to find, as on every later run until a limit passes a
threshold): the whole partial index is read once, open rows only.

{plan}
{END}"""


def _short(plan: str) -> str:
    """The plan with the long ladder condition elided (it repeats every step's threshold for each grade group)."""
    return re.sub(
        r"((?:Join )?Filter): \(.*(?:risk_grade|date_part).*", r"\1: (the ladder's condition …)", plan
    )


def write_doc(results: dict) -> str:
    """Put this run's row into the section's table (one row per size) and its details under it."""
    text = (
        DOC.read_text(encoding="utf-8")
        if DOC.exists()
        else "# Benchmarks\n\nMeasured numbers: each benchmark keeps its own section, with the command that reproduces it.\n"
    )
    rows: dict[tuple, str] = {}
    if START in text and END in text:
        old = text[text.index(START) : text.index(END)]
        for line in old.splitlines():
            cells = [c.strip().replace(",", "") for c in line.strip("|").split("|")]
            if line.startswith("| ") and cells[0].isdigit():
                rows[(int(cells[0]), int(cells[1]))] = line
    rows[(results["rows"], results["closed"])] = table_row(results)
    report = render(results, [rows[k] for k in sorted(rows)])
    if START in text and END in text:
        text = text[: text.index(START)] + report + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + report + "\n"
    DOC.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
