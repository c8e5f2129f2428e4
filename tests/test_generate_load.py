"""manage.py generate_load on a small world (2 districts of 2 streets of 2 communities of 2 grids, 400 disputes),
and the helpers of bench/pages.py.

The generator writes through its own connection and commits, so the data is made once for the module (outside
the tests' transactions) and flushed at the end, as a TransactionTestCase leaves the database.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from disputes.choices import OPEN_STATUSES
from disputes.loadgen.run import GeneratorRefused, Options, check_database, generate
from disputes.loadgen.world import Fanout
from disputes.models import Agreement, Assignment, Dispute, DisputeCounter, Event, PatrolDuty, PatrolReport
from mediation.models import Alert, Membership, Region
from mediation.roles import GROUP_NAMES

NOW = dt.datetime(2026, 11, 30, 4, 0, tzinfo=dt.UTC)
SIZE = 400


def _options(seed: int = 7, size: int = SIZE, **extra) -> Options:
    return Options(
        disputes=size,
        seed=seed,
        now=NOW,
        fanout=Fanout(districts=2, streets=2, communities=2, grids=2),
        grid_patrol_days=7,
        grants_per=50,
        **extra,
    )


def _collector():
    copied = defaultdict(list)
    return copied, lambda table, data: copied[table].append(data)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """A dry run, a small dry run with another seed, then the real run with the first seed (its COPY data kept)."""
    quiet = {"out": lambda _line: None}
    with django_db_blocker.unblock():
        dry, sink = _collector()
        generate(_options(7, sink=sink), **quiet)
        other, sink = _collector()
        generate(_options(8, size=50, sink=sink), **quiet)
        real, tee = _collector()
        result = generate(_options(7, tee=tee), **quiet)
        joined = [
            {table: "".join(chunks) for table, chunks in copied.items()} for copied in (dry, other, real)
        ]
        yield {"dry": joined[0], "other": joined[1], "real": joined[2], "result": result}
        call_command("flush", interactive=False, verbosity=0)


# --- determinism ---------------------------------------------------------------------------------------------


def test_the_same_seed_writes_the_same_rows(generated):
    dry, real = generated["dry"], generated["real"]
    assert set(dry) == set(real)
    for table in dry:
        assert dry[table] == real[table], table
    assert len(real["disputes_dispute"].splitlines()) == SIZE


def _column(data: dict, table: str, index: int) -> list[str]:
    return [line.split("\t")[index] for line in data[table].splitlines()]


def test_another_seed_writes_other_disputes(generated):
    first, other = generated["dry"], generated["other"]
    # The same region tree (codes follow the fan-out); other disputes and other parties.
    assert _column(first, "mediation_region", 1) == _column(other, "mediation_region", 1)
    assert _column(first, "disputes_dispute", 9)[:50] != _column(other, "disputes_dispute", 9)
    assert _column(first, "disputes_party", 4)[:100] != _column(other, "disputes_party", 4)[:100]


def test_the_database_holds_what_was_copied(generated, db):
    assert list(Dispute.objects.order_by("pk").values_list("number", flat=True)) == _column(
        generated["real"], "disputes_dispute", 1
    )
    assert list(Dispute.objects.order_by("pk").values_list("title", flat=True)) == _column(
        generated["real"], "disputes_dispute", 9
    )


# --- counts and spread ----------------------------------------------------------------------------------------


def test_counts_and_status_spread(generated, db):
    statuses = Counter(Dispute.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == SIZE
    assert statuses["archived"] > 0.8 * SIZE  # five years of history: most are closed
    assert sum(statuses[s] for s in OPEN_STATUSES) >= 5
    assert statuses["voided"] + statuses["merged"] > 0
    overdue = Dispute.objects.open().filter(due_at__lt=NOW).count()
    assert overdue >= 1
    years = Counter(Dispute.objects.values_list("created_at__year", flat=True))
    assert len(years) >= 5
    assert 8 < Event.objects.count() / SIZE < 20  # about ten events each
    assert Region.objects.filter(level=2).count() == 2
    assert Region.objects.filter(level=5).count() == (8 + 2) * 2 * 2  # Dadukou's 8 streets and 2 generated
    assert PatrolDuty.objects.exists() and PatrolReport.objects.exists()


def test_every_role_has_members(generated, db):
    roles = set(Membership.objects.values_list("role", flat=True))
    assert {
        "office_admin",
        "supervisor",
        "dispatcher",
        "mediator",
        "grid_worker",
        "liaison",
        "auditor",
    } <= roles


# --- consistency: the rows are what the services would have written -------------------------------------------

# Actions that save the dispute (workflow._finish or intake): each adds one to its version.
UNVERSIONED = {"merged_in", "link", "view_personal_data", "attach", "supervision_step", "accept_overdue"}


def test_region_path_copies_and_counters(generated, db):
    assert not Dispute.objects.exclude(region_path=F("region__path")).exists()
    pattern = re.compile(r"^DDK-(\d{4})-(\d{6})$")
    highest = defaultdict(int)
    for number in Dispute.objects.values_list("number", flat=True):
        year, sequence = pattern.match(number).groups()
        highest[int(year)] = max(highest[int(year)], int(sequence))
    assert dict(DisputeCounter.objects.values_list("year", "last")) == dict(highest)


def test_versions_and_snapshots_follow_the_timeline(generated, db):
    events = defaultdict(list)
    for event in Event.objects.order_by("at", "pk"):
        events[event.dispute_id].append(event)
    for dispute in Dispute.objects.all():
        timeline = events[dispute.pk]
        versioned = [e for e in timeline if e.action not in UNVERSIONED]
        assert versioned[0].action == "register"
        assert versioned[0].after == {
            "status": "registered",
            "number": dispute.number,
            "source": dispute.source,
            "version": 1,
        }
        assert dispute.version == len(versioned), dispute.number
        for previous, event in zip(versioned, versioned[1:], strict=False):
            assert {"status", "risk_grade", "platform", "due_at", "version"} <= set(event.after), event.action
            assert event.before["version"] == previous.after["version"]
            assert event.after["version"] == event.before["version"] + 1
            assert event.before["status"] == previous.after["status"]
        assert versioned[-1].after["status"] == dispute.status
        assert dispute.updated_at == versioned[-1].at


def test_assignments_match_the_dispute_status(generated, db):
    open_by_dispute = defaultdict(list)
    for a in Assignment.objects.filter(status__in=["pending", "accepted"]):
        open_by_dispute[a.dispute_id].append(a)
    for dispute in Dispute.objects.all():
        current = open_by_dispute.get(dispute.pk, [])
        lead = [a for a in current if a.role == "lead"]
        if dispute.status == "assigned":
            assert [a.status for a in lead] == ["pending"], dispute.number
        elif dispute.status == "in_progress":
            assert [a.status for a in lead] == ["accepted"], dispute.number
        else:
            assert not current, (dispute.number, dispute.status)
        if lead:
            assert dispute.due_at == lead[0].due_at
            assert lead[0].from_platform_id == dispute.platform_id


def test_outcomes_agreements_and_archive(generated, db):
    for dispute in Dispute.objects.prefetch_related("follow_ups", "feedbacks"):
        assert (dispute.closed_at is not None) == (dispute.status == "archived")
        if dispute.status == "archived" and dispute.outcome == "success":
            assert Agreement.objects.filter(dispute=dispute).exists()
            assert dispute.follow_ups.exists()
            assert {"parties"} <= {f.target for f in dispute.feedbacks.all()}
        if dispute.status in ("resolved", "fed_back") or (dispute.status == "archived" and dispute.outcome):
            assert dispute.resolved_at is not None
    assert (
        not Agreement.objects.exclude(dispute__outcome="success")
        .exclude(dispute__status="in_progress")
        .exists()
    )


def test_alerts_name_their_recipient_and_subject(generated, db):
    from django.contrib.contenttypes.models import ContentType

    assert Alert.objects.exists()
    subjects = defaultdict(set)
    for alert in Alert.objects.all():
        kind, pk = alert.recipient_key.split(":")
        column = {
            "user": "recipient_user_id",
            "unit": "recipient_unit_id",
            "org": "recipient_organization_id",
        }[kind]
        assert getattr(alert, column) == int(pk)
        subjects[alert.content_type_id].add(alert.object_id)
    for content_type_id, ids in subjects.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        assert model.objects.filter(pk__in=ids).count() == len(ids), model
    warned = list(Alert.objects.filter(kind="early_warning").values_list("object_id", "level"))
    grades = dict(Dispute.objects.values_list("pk", "risk_grade"))
    assert warned and all(level in (1, 2) for _pk, level in warned)
    # A warning's level is the grade it was raised at; a dispute's grade can move later, but seldom does.
    assert sum(grades[pk] == level for pk, level in warned) >= 0.8 * len(warned)


def test_patrol_reports_follow_the_duty_status(generated, db):
    for duty in PatrolDuty.objects.select_related("report"):
        reported = hasattr(duty, "report")
        assert reported == (duty.status in ("on_time", "late")), duty.pk
        if reported:
            assert (duty.report.reported_at <= duty.due_at) == (duty.status == "on_time")


def test_rights_come_from_the_memberships_not_from_groups(generated, db):
    from mediation.roles import role_permissions

    User = get_user_model()
    assert not User.groups.through.objects.filter(group__name__in=GROUP_NAMES.values()).exists()
    perms = role_permissions()
    roles = defaultdict(set)
    for user_id, role in Membership.objects.current().values_list("user_id", "role"):
        roles[user_id].add(role)
    for user in User.objects.filter(pk__in=list(roles)[:50]):
        expected = frozenset().union(*(perms[r] for r in roles[user.pk]))
        assert user.get_all_permissions() == expected, user.username


def test_the_services_carry_on_where_the_generator_stopped(generated, db):
    """The sequences and the year counter are past the generated rows: a new intake gets the next number."""
    from disputes.models import Category
    from disputes.services.intake import DisputeData, PartyData, register

    grid = Region.objects.filter(level=5, code__startswith="500104").order_by("code").first()
    worker = get_user_model().objects.get(username=f"grid-{grid.code}")
    dispute = register(
        worker,
        DisputeData(
            category=Category.objects.get(code="neighbourhood"),
            source="grid_patrol",
            region=grid,
            address="钢花路1号",
            occurred_at=NOW - dt.timedelta(hours=1),
            title="甲某与乙某噪音纠纷",
            description="楼上噪音扰民。",
        ),
        [PartyData(name="甲某某", role="applicant")],
    )
    year = timezone.localdate().year
    counter = DisputeCounter.objects.get(year=year).last
    assert counter == generated["result"]["counters"].get(year, 0) + 1
    assert dispute.number == f"DDK-{year}-{counter:06d}"


# --- pages -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["office-500104", "supervisor-500104", "mediator-500104", "grid-500104"])
def test_main_pages_render_for_generated_users(generated, db, client, prefix):
    user = get_user_model().objects.filter(username__startswith=prefix).order_by("username").first()
    client.force_login(user)
    visible = Dispute.objects.visible_to(user)
    dispute = visible.order_by("-version", "pk").first()
    assert dispute is not None
    listing = client.get("/disputes/")
    assert listing.status_code == 200
    assert visible.order_by("-created_at", "-pk").first().number in listing.content.decode()
    assert client.get("/disputes/queue/").status_code == 200
    page = client.get(f"/disputes/{dispute.pk}/")
    assert page.status_code == 200
    assert dispute.number in page.content.decode()
    assert client.get(f"/disputes/{dispute.pk}/casefile/").status_code == 200


# --- refusals ------------------------------------------------------------------------------------------------


def test_it_refuses_a_database_with_disputes(generated, db):
    with pytest.raises(GeneratorRefused, match="already holds disputes"):
        check_database()


def test_the_run_is_recorded_on_the_database_and_the_schema_is_whole(generated, db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        comment = json.loads(cursor.fetchone()[0])
        # The B-tree indexes dropped for the load were built again, the foreign keys validated.
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated")
        not_valid = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'disputes_event' AND indexname LIKE '%action%'"
        )
        action_indexes = cursor.fetchone()[0]
    assert comment["generator"] == "manage.py generate_load" and "incomplete" not in comment
    assert comment["disputes"] == SIZE
    assert not_valid == 0
    assert action_indexes == 2  # action, and action varchar_pattern_ops


def test_it_refuses_a_database_a_run_did_not_finish(generated, db):
    from disputes.loadgen.run import INCOMPLETE, _set_comment

    _set_comment(
        {"generator": "manage.py generate_load", "incomplete": INCOMPLETE}
    )  # rolled back with the test
    with pytest.raises(
        GeneratorRefused, match="already holds disputes from a generate_load run that did not finish"
    ):
        check_database()


def test_the_steps_after_the_commit_report_what_failed(generated, db):
    from disputes.loadgen.bulk import CheckFailed, finish
    from disputes.loadgen.run import _dsn

    jobs = [
        ("disputes_dispute", ["SELECT 1"], True),
        ("disputes_dispute", ["SELECT count(*) FROM disputes_dispute", "SELECT * FROM no_such_table"], False),
        ("disputes_event", ["SELECT 2"], False),
    ]
    with pytest.raises(CheckFailed, match="SELECT \\* FROM no_such_table: .*no_such_table"):
        finish(_dsn(), jobs, workers=2)
    assert set(finish(_dsn(), jobs[:1] + jobs[2:], workers=2)) <= {"CREATE INDEX", "VALIDATE", "ANALYZE"}


def test_it_refuses_sqlite(db, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(GeneratorRefused, match="needs a PostgreSQL database"):
        check_database()


# --- bench/pages.py helpers ----------------------------------------------------------------------------------


def _bench():
    """bench/pages.py is a script, not a package: load it by path (once)."""
    if "bench_pages" not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "bench" / "pages.py"
        spec = importlib.util.spec_from_file_location("bench_pages", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_pages"] = module  # its dataclasses look their module up while they are made
        spec.loader.exec_module(module)
    return sys.modules["bench_pages"]


def test_percentiles_interpolate_between_ranks():
    bench = _bench()
    assert bench.percentile([4, 1, 3, 2], 50) == 2.5
    assert bench.percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert bench.percentile([7], 95) == 7


def test_verdicts():
    bench = _bench()
    page = bench.Page("list", "list", 150, None)

    def result(times, floor, status=200):
        r = bench.Result(page, "office", "/disputes/", status=status, times_ms=times, floor_ms=floor)
        return r.verdict

    assert result([100.0] * 20, 50.0) == "meets"
    assert result([100.0] * 18 + [200.0] * 2, 150.0) == "fails: p95 > 150 ms"
    assert result([100.0] * 20, 20.0) == "fails: > 3× floor"
    assert result([], None, status=403) == "n/a (403)"


def test_the_floor_reruns_the_captured_statements(db):
    bench = _bench()
    milliseconds, statements = bench.floor(
        [("SELECT %s", [1], False), ("SELECT pg_sleep(0.01)", None, False)], 3
    )
    assert statements == 2
    assert milliseconds >= 10


def test_the_report_keeps_the_other_sections(tmp_path, monkeypatch):
    bench = _bench()
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text(
        "# Benchmarks\n\n<!-- bench:overdue_sweep:start -->\nkept\n<!-- bench:overdue_sweep:end -->\n"
    )
    monkeypatch.setattr(bench, "DOC", doc)
    report = "<!-- bench:pages:100 -->\n### 100 disputes\n<!-- bench:pages:100:end -->"
    bench.write_doc({"disputes": 100}, report)
    bench.write_doc({"disputes": 1000}, report.replace("100", "1000"))
    bench.write_doc({"disputes": 100}, report.replace("### 100", "### 100 again"))
    text = doc.read_text()
    assert "kept" in text
    assert text.count("<!-- bench:pages:start -->") == 1
    assert "### 100 again" in text and "### 1000 disputes" in text
    assert text.index("### 100 again") < text.index("### 1000 disputes")
