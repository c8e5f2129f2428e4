"""Benchmark: the main pages, as four kinds of user, over a database made by `manage.py generate_load`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dadukou_bench_1e5 python bench/pages.py

1. Uses the database of DATABASE_URL as it is (no test database is made) and changes nothing: every request runs
   inside one transaction that is rolled back at the end (the logins' sessions included).
2. Picks four users of the home district (settings.DISTRICT_CODE) the generator created, each with the busiest
   scope of their kind: the grand-mediation office (the whole district), the supervisor of the street with the
   most disputes, the mediator of that street's busiest community, the grid worker of that community's busiest
   grid.
3. For each user and page: 2 warm-up requests, then 20 timed ones with the Django test client (production
   settings: DEBUG off, cached templates), p50/p95 and the number of queries; a page that takes longer than the
   timeout once (30 s) is not run again and is marked so. Then its floor: the same SQL statements the page ran
   (captured with connection.execute_wrapper), re-run directly on the database connection and timed, median of 5.
4. Writes its section of docs/BENCHMARKS.md (one table per dataset size; the other sections are left alone).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import statistics
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:pages:start -->", "<!-- bench:pages:end -->"
# Targets at 10^6 on 2 cores (issue 9): lists and the dispute page within 150 ms at p95, every other page 300 ms,
# and no page more than 3 times its floor.
LIST_TARGET_MS, PAGE_TARGET_MS, FLOOR_FACTOR = 150, 300, 3
# Statements our own measuring adds around each request (a savepoint, so a cancelled query cannot end the run).
_OWN = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--warmups", type=int, default=2, help="untimed requests first (default 2)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds after which a page is not run again"
    )
    parser.add_argument("--floor-runs", type=int, default=5, help="re-runs of a page's SQL for its floor")
    parser.add_argument(
        "--only",
        help="comma-separated page keys (list, detail, …) and/or user keys (office, street, community, grid)",
    )
    parser.add_argument("--no-doc", action="store_true", help="print the table without writing the doc")
    args = parser.parse_args()
    _setup_django()
    import logging

    from django.db import transaction

    # A 403 or 404 is a result here, not something to log with its traceback; the static files are not collected.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="No directory at")
    from django.test.utils import override_settings

    only = set((args.only or "").split(",")) - {""}
    wanted_users = (only & set(USER_LABELS)) or set(USER_LABELS)
    pages = [p for p in PAGES if p.key in only] or PAGES
    results: list[Result] = []
    require_stored_figures()
    with override_settings(**TEST_SETTINGS), transaction.atomic():
        users = pick_users()
        for user_key, user in users.items():
            if user_key not in wanted_users:
                continue
            targets = page_targets(user)
            for page in pages:
                result = measure(page, user_key, user, targets, args)
                results.append(result)
                print(result.line(), flush=True)
        context = describe(users)
        transaction.set_rollback(True)
    report = render(context, results)
    if args.no_doc:
        print(report)
    else:
        write_doc(context, report)
        print(f"written to {DOC.relative_to(ROOT)}")


TEST_SETTINGS = {
    "ALLOWED_HOSTS": ["testserver"],
    # The project's URLs and the reference page (bench/layout_urls.py).
    "ROOT_URLCONF": "bench.layout_urls",
    "SECURE_SSL_REDIRECT": False,
    # The hashed-name manifest needs collectstatic; the pages are the same without it.
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    if not (os.environ.get("DATABASE_URL") or "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database made by manage.py generate_load.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dadukou.settings")
    # Production settings (DEBUG off: cached templates, no query log), with a throwaway key.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    import django

    django.setup()


# --- who and what ------------------------------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    target_ms: int
    url: object  # a function of the user's targets → URL, or None when the page does not apply


def _list(query: str = ""):
    return lambda t: "/disputes/" + (f"?{query}" if query else "")


LAYOUT = Page("layout", "the layout alone (reference)", 0, lambda t: "/bench/layout/")
PAGES = [
    LAYOUT,
    Page("list", "dispute list, first page", LIST_TARGET_MS, _list()),
    Page("list_deep", "dispute list, a deep page (cursor)", LIST_TARGET_MS, lambda t: t.get("deep_url")),
    Page(
        "list_filter",
        "dispute list, open work by due date",
        LIST_TARGET_MS,
        _list("status=assigned&status=in_progress&status=reported_up&sort=due"),
    ),
    Page("search_text", "search: a word of the summary", LIST_TARGET_MS, lambda t: t.get("search_text")),
    Page("search_name", "search: a party's name", LIST_TARGET_MS, lambda t: t.get("search_name")),
    Page("search_id", "search: a party's ID number", LIST_TARGET_MS, lambda t: t.get("search_id")),
    Page("search_phone", "search: a party's phone", LIST_TARGET_MS, lambda t: t.get("search_phone")),
    Page("queue", "to-do queue", LIST_TARGET_MS, lambda t: "/disputes/queue/"),
    Page("detail", "dispute page, longest timeline", LIST_TARGET_MS, lambda t: t.get("detail")),
    Page("casefile", "case file (卷宗)", PAGE_TARGET_MS, lambda t: t.get("casefile")),
    Page("patrols", "patrol list", LIST_TARGET_MS, lambda t: "/disputes/patrols/"),
    Page("registry", "registry overview", PAGE_TARGET_MS, lambda t: "/mediation/registry/"),
    Page(
        "indicator",
        "indicator: assignments on time",
        PAGE_TARGET_MS,
        lambda t: "/mediation/registry/indicators/assignment_on_time_rate/",
    ),
    Page("matrix", "task-plan matrix", PAGE_TARGET_MS, lambda t: "/plan/"),
    Page("task", "task page", PAGE_TARGET_MS, lambda t: t.get("task")),
]
USER_LABELS = {
    "office": "district office",
    "street": "street supervisor",
    "community": "community mediator",
    "grid": "grid worker",
}


def require_stored_figures() -> None:
    """The registry, indicator, matrix and task pages read the figures the `refresh_indicators` job stores (every
    ten minutes in production). A generated database has none until `manage.py rebuild_indicators` runs, and a
    page would then compute them itself inside the benchmark's rolled-back transaction, on every request."""
    from django.utils import timezone

    from mediation.models import IndicatorSnapshot
    from mediation.services import indicator_store

    days = indicator_store.maintained(timezone.localdate())
    stored = set(IndicatorSnapshot.objects.filter(day__in=days).values_list("day", "code"))
    missing = sorted(
        (day, code) for day, codes in days.items() for code in codes if (day, code) not in stored
    )
    if missing:
        sys.exit(
            f"{len(missing)} stored indicator figure(s) missing (e.g. {missing[0][1]} on {missing[0][0]}): run "
            "`manage.py rebuild_indicators` on this database first, as the refresh_indicators job would have."
        )


def pick_users() -> dict:
    """The four users, each of the busiest scope of their kind in the home district."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from mediation.models import Region

    User = get_user_model()
    district = Region.objects.get(code=settings.DISTRICT_CODE)

    def busiest(parent) -> Region:
        children = list(Region.objects.filter(parent=parent).order_by("code"))
        counts = {}
        with connection.cursor() as cursor:
            for child in children:
                cursor.execute(
                    "SELECT count(*) FROM disputes_dispute WHERE region_path LIKE %s", [child.path + "%"]
                )
                counts[child.pk] = cursor.fetchone()[0]
        return max(children, key=lambda r: (counts[r.pk], -r.pk))

    street = busiest(district)
    community = busiest(street)
    grid = busiest(community)
    names = {
        "office": f"office-{district.code}",
        "street": f"supervisor-{street.code}",
        "community": f"mediator-{community.code}",
        "grid": f"grid-{grid.code}",
    }
    users = {key: User.objects.get(username=name) for key, name in names.items()}
    for key, user in users.items():
        user.bench_scope = {"office": district, "street": street, "community": community, "grid": grid}[key]
    return users


def page_targets(user) -> dict:
    """The URLs that depend on what the user sees: a deep cursor, words and people to search, a long timeline."""
    from disputes.models import Dispute, Party
    from disputes.services import listing
    from tasks_plan.models import PlanTask, Responsibility

    visible = Dispute.objects.visible_to(user)
    scope = user.bench_scope
    targets = {}
    ordered = listing.ordered(visible, listing.DEFAULT_SORT)
    total = visible.count()
    if total > 50:  # more than one page
        # Half-way through the user's disputes, newest first (the office: tens of thousands of rows deep).
        row = ordered[total // 2]
        targets["deep_url"] = (
            f"/disputes/?sort={listing.DEFAULT_SORT}&cursor={listing.cursor_for(row, listing.DEFAULT_SORT)}"
        )
    in_scope = Dispute.objects.filter(region_path__startswith=scope.path)
    longest = in_scope.order_by("-version", "-pk").first()
    if longest is not None:
        targets["detail"] = f"/disputes/{longest.pk}/"
        targets["casefile"] = f"/disputes/{longest.pk}/casefile/"
        subject = longest.title.split("与", 1)[-1]
        word = next(
            (w for w in ("漏水", "噪音", "工资", "物业", "赔偿") if w in subject), subject[-6:-2] or "纠纷"
        )
        targets["search_text"] = "/disputes/?" + _query(q=word)
        party = (
            Party.objects.filter(dispute__in=in_scope.values("pk")[:200], kind="person")
            .exclude(id_number="")
            .exclude(phone="")
            .order_by("pk")
            .first()
        )
        if party is not None:
            targets["search_name"] = "/disputes/?" + _query(q=party.name)
            targets["search_id"] = "/disputes/?" + _query(q=party.id_number)
            targets["search_phone"] = "/disputes/?" + _query(q=party.phone)
    visible_tasks = set(Responsibility.objects.visible_to(user).values_list("task__number", flat=True))
    for number in (24, 26, 23, 22, 4, 1):
        if number in visible_tasks:
            task = PlanTask.objects.get(plan__is_current=True, number=number)
            targets["task"] = f"/plan/tasks/{task.pk}/"
            targets["task_number"] = number
            break
    if "task" not in targets:
        first = PlanTask.objects.filter(plan__is_current=True).order_by("number").first()
        targets["task"] = f"/plan/tasks/{first.pk}/" if first else None
    targets["visible"] = total
    return targets


def _query(**params) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


# --- measuring ---------------------------------------------------------------------------------------------------


@dataclass
class Result:
    page: Page
    user_key: str
    url: str | None
    status: int | None = None
    times_ms: list[float] = field(default_factory=list)
    queries: int = 0
    floor_ms: float | None = None
    floor_statements: int = 0
    timed_out: bool = False
    error: str = ""
    note: str = ""

    @property
    def p50(self) -> float | None:
        return percentile(self.times_ms, 50) if self.times_ms else None

    @property
    def p95(self) -> float | None:
        return percentile(self.times_ms, 95) if self.times_ms else None

    @property
    def ratio(self) -> float | None:
        if self.p95 is None or not self.floor_ms:
            return None
        return self.p95 / self.floor_ms

    @property
    def verdict(self) -> str:
        return verdict(self)

    def line(self) -> str:
        return (
            f"{USER_LABELS[self.user_key]:>18} | {self.page.label:<38} | {self.status or '-'} | "
            f"p50 {_ms(self.p50)} | p95 {_ms(self.p95)} | {self.queries} q | floor {_ms(self.floor_ms)} | {self.verdict}"
        )


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile with linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def verdict(result: Result) -> str:
    """ "meets" when p95 is within the page's target and within FLOOR_FACTOR times its floor; else what fails."""
    if result.error:
        return "error"
    if result.status not in (200, None):
        return f"n/a ({result.status})"
    if result.timed_out:
        return "fails: timed out"
    if result.p95 is None:
        return "n/a"
    if result.page is LAYOUT:
        return "reference"
    problems = []
    if result.p95 > result.page.target_ms:
        problems.append(f"p95 > {result.page.target_ms} ms")
    if result.floor_ms and result.p95 > FLOOR_FACTOR * result.floor_ms:
        problems.append(f"> {FLOOR_FACTOR}× floor")
    return "meets" if not problems else "fails: " + ", ".join(problems)


class Capture:
    """connection.execute_wrapper: the statements of one request (not our savepoints), optionally cancelled."""

    def __init__(self):
        self.statements: list[tuple[str, object, bool]] = []
        self.deadline: float | None = None

    def __call__(self, execute, sql, params, many, context):
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise PageTimeout()
        if not _OWN.match(sql):
            self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


class PageTimeout(Exception):
    pass


def _get(client, url: str, capture: Capture, timeout: float):
    """One request inside a savepoint; a query still running at the timeout is cancelled on the server."""
    from django.db import connection, transaction

    capture.statements = []
    capture.deadline = time.perf_counter() + timeout
    connection.ensure_connection()
    # The timer runs on another thread, where `connection` is another (thread-local) connection: cancel this one.
    timer = threading.Timer(timeout, connection.connection.cancel)
    timer.start()
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.execute_wrapper(capture):
            response = client.get(url)
        return response, (time.perf_counter() - started) * 1000
    finally:
        timer.cancel()
        capture.deadline = None


def measure(page: Page, user_key: str, user, targets: dict, args) -> Result:
    from django.db import OperationalError
    from django.test import Client

    url = page.url(targets)
    result = Result(page, user_key, url)
    if url is None:
        result.note = "nothing to show for this user"
        return result
    client = Client(raise_request_exception=True)
    client.force_login(user)
    capture = Capture()
    try:
        for n in range(args.warmups + args.runs):
            response, ms = _get(client, url, capture, args.timeout)
            result.status = response.status_code
            if response.status_code != 200:
                break
            if n >= args.warmups:
                result.times_ms.append(ms)
            if ms > args.timeout * 1000:
                result.timed_out = True
                result.times_ms.append(ms)
                break
    except (PageTimeout, OperationalError) as exc:
        if isinstance(exc, PageTimeout) or "cancel" in str(exc).lower():
            result.timed_out = True
            result.note = f"> {args.timeout:.0f} s, stopped"
        else:
            result.error = str(exc).splitlines()[0][:200]
        return result
    result.queries = len(capture.statements)
    if result.status == 200 and not result.timed_out:
        result.floor_ms, result.floor_statements = floor(capture.statements, args.floor_runs)
    return result


def floor(statements, runs: int) -> tuple[float, int]:
    """The median time (ms) of running the page's statements directly on the database connection, in order,
    fetching every row — what the page cannot go below without changing its SQL."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    totals = []
    for n in range(runs + 1):
        started = time.perf_counter()
        with raw.cursor() as cursor:
            for sql, params, many in statements:
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
        if n:  # the first round warms the plan cache and the buffers
            totals.append((time.perf_counter() - started) * 1000)
    return statistics.median(totals), len(statements)


# --- the report --------------------------------------------------------------------------------------------------


def describe(users: dict) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        comment = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM disputes_dispute")
        disputes = cursor.fetchone()[0]
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'disputes_event'")
        events = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    try:
        generated = json.loads(comment) if comment else {}
    except ValueError:
        generated = {}
    return {
        "server": server,
        "disputes": disputes,
        "events": events,
        "size_gb": size / 2**30,
        "generated": generated,
        "database": connection.settings_dict["NAME"],
        "cpu": _cpu(),
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "users": {key: (user.username, user.bench_scope.full_name) for key, user in users.items()},
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
    }


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ms(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def render(context: dict, results: list[Result]) -> str:
    g = context["generated"]
    size = context["disputes"]
    header = (
        "| page | user | status | p50 ms | p95 ms | queries | floor ms | p95 ÷ floor | target | verdict |\n"
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    )
    rows = []
    for r in results:
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None else "—"
        p50 = _ms(r.p50) if not r.timed_out else f"> {_ms(r.times_ms[-1]) if r.times_ms else '30,000'}"
        rows.append(
            f"| {r.page.label} | {USER_LABELS[r.user_key]} | {r.status or '—'} | {p50} | {_ms(r.p95) if not r.timed_out else '—'} "
            f"| {r.queries or '—'} | {_ms(r.floor_ms)} | {ratio} | {r.page.target_ms or '—'} | {r.verdict}"
            + (f" ({r.note})" if r.note and not r.timed_out else "")
            + " |"
        )
    met = sum(r.verdict == "meets" for r in results)
    measured = sum(
        r.verdict not in ("n/a", "error", "reference") and not r.verdict.startswith("n/a") for r in results
    )
    users = "; ".join(f"{USER_LABELS[k]} `{name}` ({scope})" for k, (name, scope) in context["users"].items())
    generated = (
        f"`manage.py generate_load --disputes {g.get('disputes', size)} --seed {g.get('seed', '?')}` "
        f"(now = {g.get('now', '?')}, generated in {g.get('seconds', '?')} s)"
        if g
        else "unknown generator parameters"
    )
    return f"""<!-- bench:pages:{size} -->
### {size:,} disputes

Measured {context["date"]} on database `{context["database"]}`: {size:,} disputes, ~{context["events"]:,} events,
{context["size_gb"]:.1f} GB, made by {generated}. PostgreSQL {context["server"]}, {context["cpus"]} CPUs
({context["cpu"]}), Python {context["python"]}; load average {context["load"]:.1f} when the run ended (a shared
machine: other test suites run beside it, so the times are upper bounds). Users: {users}.
{met} of {measured} measured pages meet their target.

{header}
{chr(10).join(rows)}
<!-- bench:pages:{size}:end -->"""


INTRO = f"""{START}
## Pages at 10^5 and 10^6 disputes (`bench/pages.py`)

`python bench/pages.py` with DATABASE_URL on a database made by `manage.py generate_load` (see "Generated data"
below): for a district office user, a street supervisor, a community mediator and a grid worker of the home
district — each the busiest scope of its kind — every page is requested 2 times to warm up and 20 times timed with
the Django test client under production settings (DEBUG off), p50 and p95 in milliseconds and the number of SQL
queries of one request. The floor is the same SQL statements, captured with `connection.execute_wrapper`, re-run
directly on the database connection in order with every row fetched (median of 5): what the page cannot go below
without changing its queries. Targets at 10^6 on 2 cores (issue 9): p95 ≤ {LIST_TARGET_MS} ms for the lists, the
queue and the dispute page, ≤ {PAGE_TARGET_MS} ms for every other page, and p95 ≤ {FLOOR_FACTOR}× the floor. A page
that took longer than 30 s once is not run again ("timed out"); a page the user may not open shows its status
(403, 404). Everything runs in one transaction that is rolled back: the benchmark changes nothing.

The first row of each user, "the layout alone", is a page that renders templates/base.html and nothing else
(bench/layout_urls.py): the session, the user and their memberships, the navigation, the unread count and the
base template — what every page pays before its own work, and below which no page can go. It has no target.

Searching by a party's ID number or phone goes through the list's search box (`q`), which recognizes both and
looks them up exactly on the parties' indexes (disputes/services/search.py); a name or a word is a substring
search on the trigram and bigram indexes.
"""


def write_doc(context: dict, report: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    size = context["disputes"]
    tables: dict[int, str] = {}
    if START in text and END in text:
        section = text[text.index(START) : text.index(END)]
        for match in re.finditer(r"<!-- bench:pages:(\d+) -->.*?<!-- bench:pages:\1:end -->", section, re.S):
            tables[int(match.group(1))] = match.group(0)
    tables[size] = report
    body = INTRO + "\n" + "\n\n".join(tables[k] for k in sorted(tables)) + f"\n{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + body + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
