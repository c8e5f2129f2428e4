"""Time the list pages on the bench/lists dataset with Django's test client (p50, max, SQL time, queries).

    DATABASE_URL=postgres://…/DB DEBUG=1 BENCH_STAND_IN_GRANTS=1 python bench/lists/pages.py [label] [url-part …]

Creates two users on first run: "office" (the office of district 2, 26,000 disputes) and "gridw" (one grid).
"""

# ruff: noqa: E402 - Django is set up before the project's modules are imported.

import json
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dadukou.settings")
sys.path.insert(0, os.getcwd())
django.setup()
if os.environ.get("BENCH_STAND_IN_GRANTS"):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import stand_in_grants  # noqa: F401
from django.conf import settings

settings.ALLOWED_HOSTS = ["*"]
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mediation.models import Membership

User = get_user_model()


def user(name, role, region_id):
    u, created = User.objects.get_or_create(username=name)
    if created or not Membership.objects.filter(user=u).exists():
        Membership.objects.create(user=u, role=role, region_id=region_id, started_on="2020-01-01")
    return User.objects.get(pk=u.pk)


office = user("office", "office_admin", 2)
grid = user("gridw", "grid_worker", 10001)
URLS = [
    ("office", "/disputes/"),
    ("office", "/disputes/?cursor=DEEP"),
    ("office", "/disputes/?status=in_progress"),
    ("office", "/disputes/?sort=due"),
    ("office", "/disputes/?sort=-occurred"),
    ("office", "/disputes/?sort=risk"),
    ("office", "/disputes/?q=漏水拆迁"),
    ("office", "/disputes/?q=王伟明"),
    ("office", "/disputes/?q=漏水"),
    ("office", "/disputes/?q=王伟"),
    ("office", "/disputes/?q=500104000000123457"),
    ("office", "/disputes/?q=DDK-2024-0456789"),
    ("grid", "/disputes/"),
    ("office", "/disputes/queue/"),
    ("office", "/disputes/999994/"),
    ("office", "/disputes/patrols/"),
    ("office", "/mediation/notifications/"),
    ("office", "/disputes/reports/"),
]
only = sys.argv[2:] if len(sys.argv) > 2 else None
label = sys.argv[1] if len(sys.argv) > 1 else "run"
users = {"office": office, "grid": grid}
out = []
for who, url in URLS:
    if only and not any(o in url for o in only):
        continue
    c = Client()
    c.force_login(users[who])
    if "DEEP" in url:
        # a cursor 20 pages deep: walk there first
        u = "/disputes/"
        for _ in range(20):
            r = c.get(u)
            try:
                nq = r.context["next_query"]
            except (KeyError, TypeError):
                nq = None
            if not nq:
                break
            u = "/disputes/?" + nq
        url = u
    times, sql = [], []
    status = None
    for _ in range(11):
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            r = c.get(url)
            times.append(time.perf_counter() - t)
        status = r.status_code
        sql.append(sum(float(x["time"]) for x in q.captured_queries))
    times, sql = times[1:], sql[1:]
    row = dict(
        who=who,
        url=url[:60],
        status=status,
        p50=round(statistics.median(times) * 1000),
        max=round(max(times) * 1000),
        sql=round(statistics.median(sql) * 1000),
        queries=len(q.captured_queries),
    )
    print(json.dumps(row, ensure_ascii=False), flush=True)
