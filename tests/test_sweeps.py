"""The overdue sweep: the supervision ladder (提醒 → 催办 → 督办 → 挂牌督办) and assignments not accepted in time.

Time travels by passing `now`: `at(assignment, 81)` is when 81% of its time limit has passed. The default ladder:
提醒 80%, 催办 100% (overdue), 督办 150%, 挂牌督办 200%; red disputes 督办 at 125% and 挂牌督办 at 150%.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.choices import AssignmentStatus, RiskGrade, SupervisionLevel
from disputes.models import Assignment, Event, Supervision, SupervisionThreshold
from disputes.services import sweeps, workflow
from mediation.models import Alert, AlertKind, Notification
from tests.dispute_fixtures import act
from tests.schedule_world import at, blue_assignment, red_assignment, resolved_with_agreement

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

L = SupervisionLevel


def ladder_alerts(assignment, **filters):
    return Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Assignment),
        object_id=assignment.pk,
        kind=AlertKind.SUPERVISION,
        **filters,
    )


def levels(assignment) -> list[tuple[int, str]]:
    return sorted(ladder_alerts(assignment).values_list("level", "recipient_key"))


def steps_of(assignment) -> list:
    return list(
        Event.objects.filter(dispute=assignment.dispute, action="supervision_step").values_list(
            "actor", "before__overdue_level", "after__overdue_level"
        )
    )


def level_of(assignment):
    return Assignment.objects.get(pk=assignment.pk).overdue_level


@pytest.fixture
def world(defaults, platforms, committee_a, alice, carol, dave, erin, heidi, ivan):
    """The platforms and the cast; ivan supervises the district, carol the street."""
    return platforms


@pytest.fixture
def blue(world, alice, community_a, rsj):
    return blue_assignment(alice, community_a, rsj)


def test_the_ladder_step_by_step(world, blue, rsj, dave):
    platform = world["community_a"]
    to_both = [f"org:{platform.pk}", f"unit:{rsj.pk}"]

    assert sweeps.sweep(at(blue, 79)).stepped == 0
    assert level_of(blue) is None and not ladder_alerts(blue).exists()

    # 80%: 提醒 to the assignee (区人力社保局) and the controlling platform; not overdue yet.
    assert sweeps.sweep(at(blue, 81)).stepped == 1
    assert level_of(blue) == L.REMINDER
    assert levels(blue) == [(1, k) for k in to_both]
    assert Notification.objects.filter(user=dave, alert__kind=AlertKind.SUPERVISION).count() == 1
    assert steps_of(blue) == [(None, None, L.REMINDER)]
    assert not Supervision.objects.exists()

    # 100%: 催办, and the assignment is overdue.
    assert sweeps.sweep(at(blue, 101)).stepped == 1
    assert level_of(blue) == L.URGE
    assert ladder_alerts(blue, level=2).count() == 2
    step = Event.objects.filter(dispute=blue.dispute, action="supervision_step").last()
    assert step.after["overdue"] is True and step.after["elapsed_percent"] == 101

    # 150%: 督办, with a written notice from the ladder itself that the handler must answer.
    now = at(blue, 151)
    assert sweeps.sweep(now).stepped == 1
    assert level_of(blue) == L.SUPERVISE
    notice = Supervision.objects.get()
    assert (notice.level, notice.issued_by, notice.assignment_id) == (L.SUPERVISE, None, blue.pk)
    assert notice.answer_due_at > now and notice.notice

    # 200%: 挂牌督办, a second notice; every step happened once, by nobody.
    assert sweeps.sweep(at(blue, 201)).stepped == 1
    assert level_of(blue) == L.LISTED
    assert list(Supervision.objects.order_by("level").values_list("level", flat=True)) == [3, 4]
    assert levels(blue) == sorted((lv, k) for lv in (1, 2, 3, 4) for k in to_both)
    assert steps_of(blue) == [(None, None, 1), (None, 1, 2), (None, 2, 3), (None, 3, 4)]

    # The top of the ladder: nothing more, ever.
    assert sweeps.sweep(at(blue, 1000)).stepped == 0


def test_each_step_once_on_repeated_sweeps(world, blue):
    now = at(blue, 151)
    first = sweeps.sweep(now)
    assert first.stepped == 1
    alerts, notices, events = ladder_alerts(blue).count(), Supervision.objects.count(), Event.objects.count()
    for _ in range(3):
        assert sweeps.sweep(now).processed == 0
        assert sweeps.sweep(now + dt.timedelta(minutes=10)).processed == 0
    assert (ladder_alerts(blue).count(), Supervision.objects.count(), Event.objects.count()) == (
        alerts,
        notices,
        events,
    )


def test_a_late_first_sweep_still_sends_every_step_lowest_first(world, blue):
    assert sweeps.sweep(at(blue, 205)).stepped == 1
    assert level_of(blue) == L.LISTED
    raised = list(ladder_alerts(blue).order_by("pk").values_list("level", flat=True))
    assert raised == sorted(raised) and set(raised) == {1, 2, 3, 4}
    assert list(Supervision.objects.order_by("pk").values_list("level", flat=True)) == [3, 4]
    # One climb, one event.
    assert steps_of(blue) == [(None, None, L.LISTED)]


def test_red_disputes_climb_faster_once_overdue(world, alice, heidi, ivan, community_a, rsj, blue):
    red = red_assignment(alice, heidi, community_a, rsj)
    assert red.dispute.risk_grade == RiskGrade.RED and red.dispute.leader == ivan

    sweeps.sweep(at(red, 81))
    assert level_of(red) == L.REMINDER  # the same 80% before the deadline
    sweeps.sweep(at(red, 101))
    assert level_of(red) == L.URGE

    # 125%: red is under 督办 while a blue assignment at the same share is only urged.
    sweeps.sweep(at(red, 126))
    sweeps.sweep(at(blue, 126))
    assert (level_of(red), level_of(blue)) == (L.SUPERVISE, L.URGE)
    # The leader in charge hears of 督办 on a red dispute.
    assert ladder_alerts(red, level=3, recipient_key=f"user:{ivan.pk}").exists()
    assert not ladder_alerts(red, level=2, recipient_key=f"user:{ivan.pk}").exists()

    # 150%: red is listed (挂牌督办) while blue only now reaches 督办.
    sweeps.sweep(at(red, 151))
    sweeps.sweep(at(blue, 151))
    assert (level_of(red), level_of(blue)) == (L.LISTED, L.SUPERVISE)


def test_the_office_configures_the_ladder(world, blue):
    assert sweeps.ladder()[None] == {1: 80, 2: 100, 3: 150, 4: 200}  # defaults loaded into the empty table
    assert SupervisionThreshold.objects.count() == len(sweeps.DEFAULT_THRESHOLDS)
    assert sweeps.ladder()[RiskGrade.RED] == {1: 80, 2: 100, 3: 125, 4: 150}
    # The office reminds blue disputes earlier, at half the limit; other grades keep 80%.
    SupervisionThreshold.objects.create(risk_grade=RiskGrade.BLUE, level=L.REMINDER, share_percent=50)
    assert sweeps.ladder()[RiskGrade.BLUE][1] == 50 and sweeps.ladder()[RiskGrade.YELLOW][1] == 80
    assert sweeps.load_thresholds() == 0  # the table is not empty: nothing is reloaded over the office's rows
    sweeps.sweep(at(blue, 55))
    assert level_of(blue) == L.REMINDER


def test_closed_assignments_never_escalate(world, alice, erin, committee_a, community_a, rsj, dave):
    resolved = resolved_with_agreement(alice, erin, committee_a)
    completed = resolved.assignments.get()
    assert completed.status == AssignmentStatus.COMPLETED

    returned = blue_assignment(alice, community_a, rsj)
    act(
        workflow.return_assignment, returned.dispute, dave, assignment_id=returned.pk, reason="不属本单位职责"
    )

    result = sweeps.sweep(timezone.now() + dt.timedelta(days=365))
    assert result.processed == 0
    assert not Alert.objects.filter(kind__in=[AlertKind.SUPERVISION, AlertKind.ACCEPT_OVERDUE]).exists()
    assert Assignment.objects.exclude(overdue_level=None).count() == 0


def test_not_accepted_in_time_is_reported_once(world, blue, rsj, dave):
    assert sweeps.sweep(blue.accept_due_at - dt.timedelta(minutes=1)).accept_overdue == 0
    now = blue.accept_due_at + dt.timedelta(minutes=1)
    assert sweeps.sweep(now).accept_overdue == 1
    alerts = Alert.objects.filter(kind=AlertKind.ACCEPT_OVERDUE)
    assert sorted(alerts.values_list("recipient_key", flat=True)) == sorted(
        [f"unit:{rsj.pk}", f"org:{world['community_a'].pk}"]
    )
    assert Event.objects.filter(dispute=blue.dispute, action="accept_overdue", actor=None).count() == 1
    assert sweeps.sweep(now + dt.timedelta(hours=1)).accept_overdue == 0
    assert alerts.count() == 2


def test_an_accepted_assignment_is_not_reported_as_unaccepted(world, blue, dave):
    act(workflow.accept, blue.dispute, dave, assignment_id=blue.pk)
    assert sweeps.sweep(blue.accept_due_at + dt.timedelta(hours=1)).accept_overdue == 0
    assert not Alert.objects.filter(kind=AlertKind.ACCEPT_OVERDUE).exists()


def test_work_per_run_is_bounded_and_the_next_run_goes_on(world, alice, community_a, rsj):
    assignments = [blue_assignment(alice, community_a, rsj) for _ in range(5)]
    now = max(at(a, 101) for a in assignments)
    first = sweeps.sweep(now, batch_size=2, max_batches=2)
    assert (first.batches, first.complete) == (2, False)
    assert first.processed == 4
    second = sweeps.sweep(now, batch_size=2, max_batches=10)
    assert second.complete
    assert Assignment.objects.filter(overdue_level=L.URGE).count() == 5
    assert Alert.objects.filter(kind=AlertKind.ACCEPT_OVERDUE).count() == 10  # 5 assignments × 2 recipients


def test_a_batch_costs_the_same_queries_for_2_rows_as_for_6(world, alice, community_a, rsj):
    sweeps.sweep()  # loads the ladder and warms the content-type cache

    def queries_to_remind(count: int) -> int:
        group = [blue_assignment(alice, community_a, rsj) for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            result = sweeps.sweep(max(at(a, 81) for a in group))
        assert (result.stepped, result.accept_overdue, result.batches) == (count, count, 2)
        return len(queries)

    # Not accepted in time and 提醒, each with two recipients: alerts, notifications, outbox, events in bulk.
    assert queries_to_remind(2) == queries_to_remind(6) <= 35


# --- two sweeps at once --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_sweeps_at_once_double_nothing(world, alice, community_a, rsj):
    assignments = [blue_assignment(alice, community_a, rsj) for _ in range(12)]
    now = max(at(a, 201) for a in assignments)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(sweeps.sweep(now, batch_size=3))
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(r.stepped for r in results) == 12
    assert sum(r.accept_overdue for r in results) == 12
    for assignment in assignments:
        assert level_of(assignment) == L.LISTED
        assert ladder_alerts(assignment).count() == 4 * 2  # four steps, two recipients
        assert len(steps_of(assignment)) == 1
        assert Supervision.objects.filter(assignment=assignment).count() == 2
    assert Alert.objects.filter(kind=AlertKind.ACCEPT_OVERDUE).count() == 12 * 2
