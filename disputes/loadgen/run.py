"""The generator's entry point: `generate(options)`, run by `manage.py generate_load`.

1. Through the ORM (committed on its own, idempotent): the reference data, the role groups, the office's default
   configuration, the supervision ladder, and what the apps above contribute first (the task plan).
2. In one PostgreSQL transaction on the loader's own connection: the structure (disputes.loadgen.world), the
   disputes in registration order (disputes.loadgen.lifecycle), the patrols, explicit grants and the apps'
   contributions (disputes.loadgen.bulk: the unique and GIN indexes kept up to date by the server as the rows
   come, the plain B-tree indexes and the foreign keys dropped meanwhile, the foreign keys added back NOT VALID
   at the end); the per-year number counters and the id sequences set; the database's comment set to
   INCOMPLETE; commit.
3. After the commit, on several connections at once (bulk.finish): the plain B-tree indexes built, each foreign
   key validated over its whole table, every table analyzed. Then the comment describes the run, and the apps'
   after-commit steps run (the plan's overdue escalation through its own service).

Atomicity: an interruption or error before the commit of step 2 leaves the database as it was (the reference data
of step 1 aside, which is idempotent). One during step 3 leaves the rows committed with some B-tree indexes missing
or some foreign keys not yet validated (they hold for every later write: NOT VALID only means the rows already
in were not yet checked); the comment then says so, the run's error names what failed, and a new run refuses the
database with that reason. A validation can only fail through a bug of the generator: the rows are its own.

Determinism: the same seed, size, options and `now` give the same rows. Every random choice draws from a
random.Random seeded with the seed and a fixed name (the disputes from one per chunk of CHUNK disputes, in
registration order), no set or hash order decides anything, and ids are taken in a fixed order from the highest
id already in each table.
"""

from __future__ import annotations

import bisect
import datetime as dt
import importlib
import json
import math
import random
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from disputes.loadgen import tables
from disputes.loadgen.bulk import CheckFailed, Loader, TableWriter, finish
from disputes.loadgen.clock import DAY, HOUR, Clock, day_number
from disputes.loadgen.world import BENCH_PASSWORD, Fanout, World

CHUNK = 1000
GROWTH = 1.0  # the last year has about twice the disputes of the first


# The database's comment from the commit of the rows until the checks after it are done (bench/pages.py reads the
# comment back; a finished run replaces it with describe()).
INCOMPLETE = (
    "rows committed; B-tree indexes not yet built, foreign keys not yet validated, tables not yet analyzed"
)
FINISH_CONNECTIONS = 3


class GeneratorRefused(Exception):
    """The database is not one the generator may fill."""


class GeneratorIncomplete(Exception):
    """The rows are committed, but a check after the commit failed or did not run."""


@dataclass
class Options:
    disputes: int
    seed: int = 1
    years: int = 5
    now: dt.datetime | None = None
    home_share: float = 0.10
    fanout: Fanout = field(default_factory=Fanout)
    grid_patrol_days: int = 60
    grants_per: int = 2000  # one explicit (django-guardian) grant per this many disputes
    sink: object = None  # a dry run: sink(table, COPY data) gets every row, nothing is kept (bulk.Loader)
    tee: object = None  # tee(table, COPY data) gets a copy of every row written


class Ids:
    """Primary keys handed out in a fixed order, after the highest id each table holds."""

    def __init__(self):
        self._next: dict[str, int] = {}

    def start(self, label: str) -> None:
        table = tables.model_of(label)._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(max(id), 0) FROM "{table}"')
            self._next[label] = cursor.fetchone()[0] + 1

    def next(self, label: str) -> int:
        value = self._next[label]
        self._next[label] = value + 1
        return value

    def peek(self, label: str) -> int:
        return self._next[label]


class Context:
    """What every part of the generator shares: options, clock, ids, writers, lookups."""

    def __init__(self, options: Options, out):
        self.options = options
        self.out = out
        self.seed = options.seed
        self.fanout = options.fanout
        self.home_share = options.home_share
        self.grid_patrol_days = options.grid_patrol_days
        now = options.now or timezone.now()
        self.now = int(now.timestamp())
        self.clock = None
        self.ids = Ids()
        self.writers = {}
        self.suspended_mediators: set[int] = set()
        self.sensitive_days: dict[int, bool] = {}
        self.started = time.perf_counter()
        self.counts: dict[str, int] = {}

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def w(self, label: str):
        return self.writers[label]

    def say(self, message: str) -> None:
        self.out(f"[{time.perf_counter() - self.started:7.1f} s] {message}")

    # --- lookups -----------------------------------------------------------------------------------------------

    def load_lookups(self) -> None:
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        from disputes.models import Assignment as AssignmentModel
        from disputes.models import Category, Dispute, PatrolDuty, RiskRule, RoutingRule
        from mediation.models import Unit

        self.today = self.clock.local_day(self.now)
        self.first_day = self.today - 365 * self.options.years
        self.content_types = {
            "dispute": ContentType.objects.get_for_model(Dispute).pk,
            "assignment": ContentType.objects.get_for_model(AssignmentModel).pk,
            "patrolduty": ContentType.objects.get_for_model(PatrolDuty).pk,
        }
        self.view_dispute = Permission.objects.get(
            content_type__app_label="disputes", codename="view_dispute"
        ).pk
        from disputes.loadgen.lifecycle import CATEGORY_WEIGHTS

        categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "pk"))
        self.categories = [(c.pk, c.code) for c in categories]
        self._category_weights = list(_cumulative([CATEGORY_WEIGHTS.get(c.code, 1) for c in categories]))
        self.category_units = {
            c.code: [u.code for u in c.units.order_by("code")]
            for c in Category.objects.prefetch_related("units")
        }
        self.risk_rules = list(RiskRule.objects.filter(is_active=True).order_by("pk"))
        self.routing_rules = list(RoutingRule.objects.filter(is_active=True).order_by("priority", "pk"))
        self.reference_units = list(
            Unit.objects.filter(region__code=settings.DISTRICT_CODE)
            .exclude(kind="street_government")
            .order_by("pk")
            .values_list("code", "name", "kind")
        )
        self.agreement_history = tables.has_column("disputes.Agreement", "superseded_at")
        from django.contrib.auth.hashers import make_password

        # One hash for every generated account (a fixed salt keeps the rows the same from run to run).
        self.password_hash = make_password(BENCH_PASSWORD, salt="dadukoubench2026")

    def set_districts(self, districts) -> None:
        self._districts = districts
        self._district_weights = list(_cumulative([d.weight for d in districts]))

    def pick_district(self, rng):
        return self._districts[
            bisect.bisect(self._district_weights, rng.random() * self._district_weights[-1])
        ]

    def pick_category(self, rng):
        return self.categories[
            bisect.bisect(self._category_weights, rng.random() * self._category_weights[-1])
        ]

    # --- alerts (mediation.services.alerts.raise_alert) ---------------------------------------------------------

    def alert(
        self,
        *,
        kind,
        level,
        ct,
        object_id,
        region,
        recipient,
        title,
        body,
        url,
        at,
        users,
        rng,
        ack_due_at=None,
        acknowledged_at=None,
        acknowledged_by=None,
    ) -> None:
        """One alert for one recipient with its in-app notifications (generated accounts have no e-mail, so
        raise_alert writes no outbox rows for them)."""
        clock = self.clock
        recipient_kind, target = recipient
        alert_id = self.ids.next("mediation.Alert")
        self.w("mediation.Alert").add(
            id=alert_id,
            kind=kind,
            level=level,
            content_type_id=self.content_types[ct],
            object_id=object_id,
            region_id=region.id if region else None,
            recipient_key=f"{recipient_kind}:{target.id}",
            recipient_user_id=target.id if recipient_kind == "user" else None,
            recipient_unit_id=target.id if recipient_kind == "unit" else None,
            recipient_organization_id=target.id if recipient_kind == "org" else None,
            title=title,
            body=body,
            url=url,
            created_at=clock.ts(at),
            ack_due_at=clock.ts(ack_due_at) if ack_due_at else None,
            acknowledged_at=clock.ts(acknowledged_at) if acknowledged_at else None,
            acknowledged_by_id=acknowledged_by.id if acknowledged_by else None,
        )
        notifications = self.w("mediation.Notification")
        for user in users:
            read = acknowledged_at
            if read is None and rng.random() < 0.7:
                read = at + int(rng.expovariate(1 / (6 * HOUR)))
            notifications.add(
                id=self.ids.next("mediation.Notification"),
                user_id=user.id,
                alert_id=alert_id,
                title=title,
                body=body,
                url=url,
                created_at=clock.ts(at),
                read_at=clock.ts(read) if read is not None and read <= self.now else None,
            )


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def app_hooks():
    """`<app>.loadgen` modules of the apps above disputes (found by name, as setup_demo finds `<app>.demo`)."""
    found = []
    for config in apps.get_app_configs():
        if config.name in ("mediation", "disputes"):
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.loadgen"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.loadgen":
                raise
    return found


# --- the run -----------------------------------------------------------------------------------------------------


def check_database() -> None:
    from disputes.models import Dispute
    from mediation.models import Region

    if connection.vendor != "postgresql":
        raise GeneratorRefused(
            f"generate_load writes with PostgreSQL COPY and needs a PostgreSQL database; this one is "
            f"{connection.vendor}. Set DATABASE_URL=postgres://… to an empty, migrated database."
        )
    if Dispute.objects.exists():
        unfinished = _unfinished()
        raise GeneratorRefused(
            "This database already holds disputes"
            + (
                f" from a generate_load run that did not finish ({unfinished}): it is not to be used as it is"
                if unfinished
                else ""
            )
            + ". generate_load only fills a database that has none (create a new one and migrate it): it does "
            "not append to or mix with existing data."
        )
    if Region.objects.filter(level__gte=4).exists():
        raise GeneratorRefused(
            "This database already has communities or grids. generate_load builds the region tree below the "
            "streets itself; run it on a freshly migrated database."
        )


def _comment() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        text = cursor.fetchone()[0]
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _unfinished() -> str:
    """What the comment of a generated database says is missing, or "" (a finished run, or not generated)."""
    comment = _comment()
    return comment.get("incomplete", "") if comment.get("generator") == "manage.py generate_load" else ""


def _set_comment(value: dict, execute=None) -> None:
    """The database's comment (COMMENT ON DATABASE is transactional: `execute` the loader's, to go with the rows)."""
    sql = f'COMMENT ON DATABASE "{connection.settings_dict["NAME"]}" IS %s'
    params = [json.dumps(value, ensure_ascii=False)]
    if execute is not None:
        execute(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def prepare_reference() -> None:
    """The data the generator builds on, through the services (idempotent, committed before the bulk load)."""
    from disputes.services import sweeps
    from disputes.services.defaults import load_defaults
    from mediation.roles import sync_roles
    from mediation.services.reference import load_reference_data

    load_reference_data()
    sync_roles(strict=True)
    load_defaults()
    sweeps.load_thresholds()
    for hook in app_hooks():
        if hasattr(hook, "prepare"):
            hook.prepare()


def dispute_times(ctx: Context, n: int) -> list[int]:
    """Registration instants of `n` disputes over the years before now, more in later years, mostly in office
    hours on working days; sorted."""
    rng = ctx.rng("times")
    start = ctx.clock.day_start(ctx.first_day)
    span = ctx.now - start
    g = GROWTH
    hours = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 5, 9, 10, 9, 6, 7, 9, 10, 9, 7, 4, 3, 2, 1.5, 1, 0.5]
    cumulative = list(_cumulative(hours))
    times = []
    for _n in range(n):
        u = rng.random()
        x = (-1 + math.sqrt(1 + 2 * g * u * (1 + g / 2))) / g
        day = ctx.clock.local_day(start + int(x * span))
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5 and rng.random() < 0.5:
            day += 7 - weekday if rng.random() < 0.5 else 4 - weekday
        hour = bisect.bisect(cumulative, rng.random() * cumulative[-1])
        t = ctx.clock.day_start(day) + hour * HOUR + rng.randrange(HOUR)
        times.append(min(t, ctx.now - rng.randrange(60, HOUR)))
    times.sort()
    return times


def generate(options: Options, out=print) -> dict:
    from disputes.loadgen.lifecycle import Lifecycle
    from disputes.loadgen.patrols import Patrols

    check_database()
    translation.activate(settings.LANGUAGE_CODE)
    ctx = Context(options, out)
    ctx.say(
        f"generating {options.disputes:,} disputes, seed {options.seed}, on {connection.settings_dict['NAME']}"
    )
    prepare_reference()
    now_date = timezone.localtime(dt.datetime.fromtimestamp(ctx.now, dt.UTC)).date()
    ctx.clock = Clock(settings.TIME_ZONE, now_date - dt.timedelta(days=365 * options.years + 10), now_date)
    ctx.load_lookups()
    for hook in app_hooks():
        if hasattr(hook, "declare"):
            hook.declare()
    if ctx.agreement_history and "superseded_at" not in tables.COLUMNS["disputes.Agreement"]:
        # Agreements are a history (superseded ones stay, marked): the generator writes every one.
        tables.COLUMNS["disputes.Agreement"] = [*tables.COLUMNS["disputes.Agreement"], "superseded_at"]
    schema = tables.check()
    for label in tables.COLUMNS:
        if "id" in tables.COLUMNS[label]:
            ctx.ids.start(label)

    world = World(ctx)
    world.read_existing()
    for hook in app_hooks():
        if hasattr(hook, "read"):
            hook.read(ctx)
    loader = Loader(_dsn(), sink=options.sink, tee=options.tee)
    try:
        truncated = set(loader.prepare([spec.table for spec in schema.values()]))
        for label, spec in schema.items():
            writer = ctx.writers[label] = TableWriter(
                loader, spec.table, spec.supplied, spec.kinds, spec.defaults
            )
            writer.freeze = spec.table in truncated
        ctx.say(
            f"bulk mode: {len(schema)} tables, {len(truncated)} truncated for COPY FREEZE, foreign keys and plain B-tree indexes dropped"
        )

        world.build()
        ctx.set_districts(world.districts)
        ctx.say(
            f"structure: {len(world.districts)} districts, {sum(len(d.streets) for d in world.districts):,} streets, "
            f"{sum(len(d.communities) for d in world.districts):,} communities, "
            f"{sum(len(d.grids) for d in world.districts):,} grids, {len(world.users):,} users"
        )

        lifecycle = Lifecycle(ctx, world)
        times = dispute_times(ctx, options.disputes)
        counters: dict[int, int] = {}
        first_id = ctx.ids.peek("disputes.Dispute")
        report_every = max(1, options.disputes // 10)
        rng = None
        for index, t in enumerate(times):
            if index % CHUNK == 0:
                rng = ctx.rng(f"disputes:{index // CHUNK}")
            year = ctx.clock.local_year(t)
            counters[year] = counters.get(year, 0) + 1
            dispute_id = ctx.ids.next("disputes.Dispute")
            lifecycle.play(dispute_id, f"DDK-{year}-{counters[year]:06d}", t, rng)
            if (index + 1) % report_every == 0:
                ctx.say(f"disputes: {index + 1:,} of {options.disputes:,}{_copy_state(loader)}")
        ctx.say(f"disputes done: {dict(sorted(lifecycle.statuses.items()))}")

        patrols = Patrols(ctx, world, lifecycle.patrol_finds).build()
        ctx.say(f"patrols: {patrols:,} duties{_copy_state(loader)}")
        grants = _grants(ctx, world, first_id, options)
        for hook in app_hooks():
            if hasattr(hook, "contribute"):
                hook.contribute(ctx, world, loader)
        for writer in ctx.writers.values():
            writer.flush()
        loader.join()
        server = loader.server_seconds()
        ctx.say(
            "rows built (dry run)"
            if options.sink is not None
            else f"rows copied ({loader.copied_bytes / 2**20:,.0f} MiB with their indexes"
            + (f"; the loader's server process used {server:,.0f} s of CPU" if server is not None else "")
            + f"; the generator waited {loader.waited:,.0f} s for COPY); foreign keys back NOT VALID, commit"
        )
        started = time.perf_counter()
        pending = loader.restore()
        for year, last in sorted(counters.items()):
            loader.execute(
                "INSERT INTO disputes_disputecounter (year, last) VALUES (%s, %s) "
                "ON CONFLICT (year) DO UPDATE SET last = GREATEST(disputes_disputecounter.last, EXCLUDED.last)",
                [year, last],
            )
        loader.set_sequences([spec.table for spec in schema.values() if "id" in spec.supplied])
        if options.sink is None:
            _set_comment({"generator": "manage.py generate_load", "incomplete": INCOMPLETE}, loader.execute)
        loader.commit()
        ctx.say(
            f"{'rolled back (dry run)' if options.sink is not None else 'committed'} "
            f"{time.perf_counter() - started:,.0f} s after the last row"
        )
    finally:
        loader.close()
    rows = {label: w.rows for label, w in ctx.writers.items()}
    result = {
        "rows": rows,
        "statuses": lifecycle.statuses,
        "counters": counters,
        "grants": grants,
        "world": world,
    }
    if options.sink is not None:
        ctx.say(
            f"dry run done in {time.perf_counter() - ctx.started:,.0f} s: {sum(rows.values()):,} rows, none kept"
        )
        return result | {"seconds": time.perf_counter() - ctx.started}
    _check_after_commit(ctx, loader.indexes, pending)
    _set_comment(describe(options, ctx))
    for hook in app_hooks():
        if hasattr(hook, "after_commit"):
            hook.after_commit(ctx)
    seconds = time.perf_counter() - ctx.started
    ctx.say(f"done in {seconds:,.0f} s: {sum(rows.values()):,} rows")
    return result | {"seconds": seconds}


def _copy_state(loader: Loader) -> str:
    """How the server keeps up: the time the generator waited for COPY so far, the server process's CPU time."""
    if loader.sink is not None:
        return ""
    server = loader.server_seconds()
    return f" (waited {loader.waited:,.0f} s for COPY" + (f", server {server:,.0f} s CPU)" if server else ")")


def _check_after_commit(
    ctx: Context, indexes: list[tuple[str, str, str]], pending: list[tuple[str, str]]
) -> None:
    """Build the B-tree indexes dropped for the load, validate the foreign keys left NOT VALID and analyze every
    table, on FINISH_CONNECTIONS connections (bulk.finish): the builds first, each on its own, the largest
    tables' first; then, once a table's builds are done, its validations and its ANALYZE."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = current_schema()
             ORDER BY pg_total_relation_size(c.oid) DESC, c.relname
            """
        )
        tables = [row[0] for row in cursor.fetchall()]
    order = {table: n for n, table in enumerate(tables)}
    validations: dict[str, list[str]] = {}
    for table, name in pending:
        validations.setdefault(table, []).append(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"')
    jobs = [
        (table, [definition], True)
        for table, _name, definition in sorted(indexes, key=lambda index: order.get(index[0], len(order)))
    ]
    jobs += [(table, validations.pop(table, []) + [f'ANALYZE "{table}"'], False) for table in tables]
    jobs += [(table, statements, False) for table, statements in validations.items()]  # none expected
    ctx.say(
        f"after the commit: {len(indexes)} indexes to build, {len(pending)} foreign keys to validate and "
        f"{len(tables)} tables to analyze, on {FINISH_CONNECTIONS} connections"
    )
    started = time.perf_counter()
    try:
        spent = finish(_dsn(), jobs, FINISH_CONNECTIONS)
    except CheckFailed as exc:
        message = f"steps failed after the commit: {exc}"
        _set_comment({"generator": "manage.py generate_load", "incomplete": message[:2000]})
        raise GeneratorIncomplete(
            f"The rows are committed, but {message}\nThe database is marked incomplete in its comment; a new run "
            "refuses it. Drop it and generate into a new one (a failed validation is a bug of the generator)."
        ) from exc
    ctx.say(
        f"indexes, checks and statistics done in {time.perf_counter() - started:,.0f} s: "
        + ", ".join(f"{kind} {seconds:,.0f} s" for kind, seconds in sorted(spent.items()))
        + " (summed over the connections)"
    )


def describe(options: Options, ctx: Context) -> dict:
    return {
        "generator": "manage.py generate_load",
        "disputes": options.disputes,
        "seed": options.seed,
        "years": options.years,
        "now": ctx.clock.iso_utc(ctx.now),
        "home_share": options.home_share,
        "fanout": [
            options.fanout.districts,
            options.fanout.streets,
            options.fanout.communities,
            options.fanout.grids,
        ],
        "grid_patrol_days": options.grid_patrol_days,
        "seconds": round(time.perf_counter() - ctx.started),
    }


def _grants(ctx: Context, world, first_id: int, options: Options) -> int:
    """Explicit view grants (django-guardian) on single disputes for users elsewhere: the rare cross-region case."""
    rng = ctx.rng("grants")
    count = options.disputes // options.grants_per
    writer = ctx.w("guardian.UserObjectPermission")
    seen = set()
    for _n in range(count):
        dispute_id = first_id + rng.randrange(options.disputes)
        user = rng.choice(world.users)
        if (user.id, dispute_id) in seen:
            continue
        seen.add((user.id, dispute_id))
        writer.add(
            id=ctx.ids.next("guardian.UserObjectPermission"),
            user_id=user.id,
            permission_id=ctx.view_dispute,
            content_type_id=ctx.content_types["dispute"],
            object_pk=str(dispute_id),
        )
    return len(seen)


def _dsn() -> dict:
    db = connection.settings_dict
    dsn = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    return {k: v for k, v in dsn.items() if v is not None}


__all__ = ["DAY", "GeneratorRefused", "Options", "day_number", "generate"]
