"""Shared fixtures. The people in these tests, as in healthchecks' hc/test.py:

- alice: dispatcher of community A (新山村街道), sees community A only;
- bob: mediator of community B, alice's neighbour in the same street;
- carol: supervisor of the whole 新山村街道 street, sees A and B;
- dave: liaison of 区人力社保局, sees what is his unit's;
- charlie: a user with no membership at all.
"""

from __future__ import annotations

import pytest

# Fixture modules whose helpers test modules import directly: rewrite their asserts before the import.
pytest.register_assert_rewrite(
    "tests.dispute_fixtures",
    "tests.registry_fixtures",
    "tests.dispute_list_fixtures",
    "tests.dispute_pages_world",
)

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402

from mediation.choices import RegionKind, RegionLevel, Role  # noqa: E402
from mediation.models import Region, Unit  # noqa: E402
from mediation.roles import sync_roles  # noqa: E402
from mediation.services.memberships import grant  # noqa: E402
from mediation.services.reference import load_reference_data  # noqa: E402
from tasks_plan.models import Plan, PlanTask, Responsibility, Target  # noqa: E402
from tasks_plan.services.loader import load_plan  # noqa: E402

PASSWORD = "correct horse battery staple"
DISTRICT = "500104"


# --- Shared data, loaded once per worker database ---------------------------------------------------------
#
# The real district (load_reference_data) and the role groups (sync_roles) are committed in the test
# database when it is created, so every test's transaction starts from, and rolls back to, a database that
# has them.
#
# The plan (load_plan: 32 tasks, 784 responsibilities, 45 targets) is not: most tests must not see one
# (their own small plans are current, the sweeps and reminders would find its rows, the liaisons would
# have its tasks). It is computed once per worker instead (load_plan in a transaction rolled back at once,
# its rows kept in memory) and the `loaded_plan` fixture inserts those rows in the test's transaction:
# 4 queries (~30 ms) instead of load_plan's ~5,300 (~1 s).
#
# A transactional test (django_db(transaction=True), transactional_db, a module fixture that commits and
# flushes) empties every table when it ends. Before each test, pytest_runtest_setup below looks for the
# district and, if a flush took it, loads everything again, committed, before the test's own transaction
# starts. (serialized_rollback would not do: it restores at the start of a transactional test only, not
# for the ordinary tests after one, nor after a module fixture's flush.)


class _Shared:
    blocker = None  # pytest-django's DjangoDbBlocker, once the worker's test database exists
    plan: dict | None = None  # the rows load_plan() makes, without primary keys


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


def _capture_plan() -> dict:
    with transaction.atomic():
        load_plan()
        plan = Plan.objects.get(is_current=True)
        rows = {
            "plan": _fields(plan),
            "tasks": [(t.pk, _fields(t)) for t in PlanTask.objects.filter(plan=plan).order_by("pk")],
            "responsibilities": [
                _fields(r) for r in Responsibility.objects.filter(task__plan=plan).order_by("pk")
            ],
            "targets": [_fields(t) for t in Target.objects.filter(task__plan=plan).order_by("pk")],
        }
        transaction.set_rollback(True)
    return rows


def load_shared_data() -> None:
    load_reference_data()
    sync_roles(strict=True)
    _Shared.plan = _capture_plan()


def insert_plan() -> Plan:
    """The current plan with the rows load_plan() makes (primary keys new, order kept)."""
    rows = _Shared.plan
    plan = Plan.objects.create(**rows["plan"])
    tasks = PlanTask.objects.bulk_create(
        [PlanTask(**{**fields, "plan_id": plan.pk}) for _pk, fields in rows["tasks"]]
    )
    task_id = {old: task.pk for (old, _row), task in zip(rows["tasks"], tasks, strict=True)}
    Responsibility.objects.bulk_create(
        [Responsibility(**{**f, "task_id": task_id[f["task_id"]]}) for f in rows["responsibilities"]]
    )
    Target.objects.bulk_create([Target(**{**f, "task_id": task_id[f["task_id"]]}) for f in rows["targets"]])
    return plan


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_shared_data()
    _Shared.blocker = django_db_blocker
    yield
    _Shared.blocker = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Reload the shared data a flush took (before this test's fixtures: its transaction is not open yet)."""
    if _Shared.blocker is None:
        return
    with _Shared.blocker.unblock():
        if not Region.objects.filter(code=DISTRICT).exists():
            load_shared_data()


@pytest.fixture
def reference(db):
    """The district (大渡口区); the shared data is already in the database."""
    return Region.objects.get(code=DISTRICT)


@pytest.fixture
def loaded_plan(reference):
    """The current plan ddk-2023 as load_plan() loads it: computed once per worker, inserted in the test's
    transaction. (Named apart from the `plan` fixtures of the modules that build small plans of their own.)"""
    return insert_plan()


@pytest.fixture
def district(reference):
    return reference


@pytest.fixture
def street(reference):
    return Region.objects.get(code="500104001")


@pytest.fixture
def other_street(reference):
    return Region.objects.get(code="500104002")


def make_region(parent: Region, code: str, name: str, level: int, kind: str) -> Region:
    return Region.objects.create(code=code, name=name, level=level, kind=kind, parent=parent)


@pytest.fixture
def community_a(street):
    return make_region(street, "500104001001", "甲社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)


@pytest.fixture
def community_b(street):
    return make_region(street, "500104001002", "乙社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)


@pytest.fixture
def grid_a(community_a):
    return make_region(community_a, "500104001001-001", "甲社区第一网格", RegionLevel.GRID, RegionKind.GRID)


@pytest.fixture
def make_user(db):
    def make(username: str, **extra):
        return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)

    return make


@pytest.fixture
def alice(make_user, community_a):
    user = make_user("alice", first_name="爱丽丝")
    grant(user, Role.DISPATCHER, region=community_a)
    return user


@pytest.fixture
def bob(make_user, community_b):
    user = make_user("bob")
    grant(user, Role.MEDIATOR, region=community_b)
    return user


@pytest.fixture
def carol(make_user, street):
    user = make_user("carol")
    grant(user, Role.SUPERVISOR, region=street)
    return user


@pytest.fixture
def dave(make_user, reference):
    user = make_user("dave")
    grant(user, Role.LIAISON, unit=Unit.objects.get(code="rsj"))
    return user


@pytest.fixture
def charlie(make_user, reference):
    return make_user("charlie")
