"""The SQL of each list case as the code tree at hand builds it, then EXPLAIN ANALYZE of each (median of 5).

    DATABASE_URL=postgres://…/DB DEBUG=1 python bench/lists/plans.py OUTDIR            # dump the SQL
    python bench/lists/plans.py OUTDIR --explain [--drop] [--database DB]               # time the plans

--drop runs the plans inside one transaction that first drops the indexes this branch added (the "before"),
and rolls back. The explicit-grant clause is stood in for (stand_in_grants.py) in both runs.
"""

# ruff: noqa: E402 - Django is set up before the project's modules are imported.

import glob
import os
import re
import statistics
import sys

if "--explain" in sys.argv:
    d = sys.argv[1]
    drop = "--drop" in sys.argv
    NEW = [
        "dispute_occurred_idx",
        "dispute_due_sort_idx",
        "dispute_due_desc_sort_idx",
        "dispute_risk_sort_idx",
        "dispute_risk_desc_sort_idx",
        "dispute_open_due_sort_idx",
        "dispute_open_created_idx",
        "dispute_category_occurred_idx",
        "party_phone_idx",
        "dispute_number_trgm",
        "dispute_title_trgm",
        "dispute_address_trgm",
        "dispute_description_trgm",
        "party_name_trgm",
        "patrol_due_idx",
        "periodic_report_list_idx",
        "notification_user_idx",
        "notification_user_unread_idx",
        "mediator_name_idx",
        "training_held_idx",
        "event_dispute_timeline_idx",
    ]
    import psycopg2 as psycopg
    import psycopg2.errors

    conn = psycopg.connect(
        os.environ.get("BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/dadukou_lists_big")
    )
    cur = conn.cursor()
    if drop:
        for name in NEW:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        cur.execute("CREATE INDEX IF NOT EXISTS event_dispute_at_idx ON disputes_event (dispute_id, at)")
    cur.execute("SET statement_timeout = '120s'")
    for path in sorted(glob.glob(f"{d}/*.sql")):
        sql = open(path).read().strip().rstrip(";")
        times, plan = [], None
        for _ in range(5):
            try:
                cur.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
            except psycopg2.errors.QueryCanceled:
                conn.rollback()
                times.append(120000.0)
                plan = ["timeout"]
                if drop:
                    for name in NEW:
                        cur.execute(f'DROP INDEX IF EXISTS "{name}"')
                break
            rows = [r[0] for r in cur.fetchall()]
            times.append(float(re.search(r"Execution Time: ([\d.]+)", rows[-1]).group(1)))
            plan = rows
        nodes = [
            ln.strip().split("  (")[0].lstrip("-> ") for ln in plan if "->" in ln or not ln.startswith(" ")
        ][:6]
        print(
            f"{os.path.basename(path)[:-4]:22s} {statistics.median(times):9.1f} ms | "
            + " / ".join(n for n in nodes if not n.startswith(("Planning", "Execution")))[:230]
        )
    conn.rollback()

    sys.exit(0)

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dadukou.settings")
sys.path.insert(0, os.getcwd())
django.setup()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stand_in_grants  # noqa: F401
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory

from disputes.filters import dispute_filter
from disputes.services import listing

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
User = get_user_model()
office, grid = User.objects.get(username="office"), User.objects.get(username="gridw")


def dump(name, qs):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as c:
        text = c.mogrify(sql, params)
    text = text.decode() if isinstance(text, bytes) else text
    open(f"{out}/{name}.sql", "w").write(text + ";\n")


def page_qs(user, **params):
    req = RequestFactory().get("/disputes/", params)
    req.user = user
    fs = dispute_filter(req)
    sort = listing.clean_sort(params.get("sort"))
    return listing.after_cursor(listing.ordered(fs.qs, sort), sort, params.get("cursor"))[:51], fs, sort


cases = {
    "list_first": dict(),
    "list_status": dict(status="in_progress"),
    "list_due": dict(sort="due"),
    "list_risk": dict(sort="risk"),
    "list_occurred": dict(sort="-occurred"),
    "search_text": dict(q="漏水拆迁"),
    "search_party": dict(q="王伟明"),
    "search_short": dict(q="漏水"),
    "search_short_rare": dict(q="火星"),
    "search_name2": dict(q="王伟"),
    "search_id": dict(q="500104000001999988"),
    "search_number": dict(q="DDK-2024-0456789"),
}
for name, params in cases.items():
    dump(name, page_qs(office, **params)[0])
qs, fs, sort = page_qs(office)
row = listing.ordered(fs.qs, sort)[2000]
dump("list_deep", page_qs(office, cursor=listing.cursor_for(row, sort))[0])
dump("grid_first", page_qs(grid)[0])
from disputes.models import PeriodicReport
from disputes.services import patrols
from mediation.models import Notification

duties = patrols.duties_for(office)
if duties.query.order_by:  # the old list: one ordered page after a COUNT
    dump("patrols_count", duties.order_by())
    dump("patrols_page", duties[:50])
else:
    dump("patrols_due", patrols.PENDING_ORDER.ordered(duties.filter(status="pending"))[:51])
    dump("patrols_page", patrols.HISTORY_ORDER.ordered(duties.exclude(status="pending"))[:51])
notes = Notification.objects.filter(user=office)
try:
    from mediation.views.notifications import ORDER

    dump("notifications_page", ORDER.ordered(notes)[:51])
except ImportError:
    dump("notifications_page", notes.order_by("-created_at", "-pk")[50:100])
reports = PeriodicReport.objects.visible_to(office)
try:
    from disputes.views.reports import ORDER as RORDER

    dump("reports_page", RORDER.ordered(reports.select_related("region", "unit"))[:51])
except ImportError:
    from django.db.models import F

    dump(
        "reports_page",
        reports.order_by(
            "-period_start", "kind", F("region__path").asc(nulls_last=True), "unit__name", "pk"
        ).select_related("region", "unit")[50:100],
    )
print("ok")
