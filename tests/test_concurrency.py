"""Concurrency on PostgreSQL: numbers under concurrent intake, and two people acting on one dispute at once.

Threads each use their own database connection (Django's connections are per thread), so these tests need
real commits: `django_db(transaction=True)`. Every thread closes its connection when it ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from dadukou.kernel.errors import Conflict, WorkflowError
from disputes.choices import AssignmentStatus, Complexity, Source, Status
from disputes.models import Assignment, Dispute, DisputeCounter, Event
from disputes.services import workflow
from mediation.choices import Role
from mediation.models import Region
from mediation.services.memberships import grant
from tests.dispute_fixtures import applicant, register_dispute, reload, respondent, state

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and concurrent writers need PostgreSQL"
    ),
    pytest.mark.usefixtures("fast_password_hashing"),
]

THREADS = 8
PER_THREAD = 10


def in_threads(count: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Run `work(i)` in `count` threads released together by a barrier; return (results, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [], []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = work(i)
            with lock:
                results.append(result)
        except BaseException as exc:  # every failure is reported to the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results, errors


def fresh(user):
    """The user loaded anew in this thread (no caches shared between threads)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def world(defaults, platforms, committee_a, alice, dave, erin):
    return platforms


@pytest.fixture
def amy(make_user, community_a):
    """A second dispatcher of community A, alice's colleague at the same platform."""
    user = make_user("amy")
    grant(user, Role.DISPATCHER, region=community_a)
    return user


@pytest.fixture
def dan(make_user, rsj):
    """A second liaison of 区人力社保局, dave's colleague."""
    user = make_user("dan")
    grant(user, Role.LIAISON, unit=rsj)
    return user


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_under_concurrent_intake(world, alice, community_a):
    def intake(i: int) -> list[str]:
        user, region = fresh(alice), Region.objects.get(pk=community_a.pk)
        return [
            register_dispute(
                user, region, title=f"并发登记{i}-{n}", parties=[applicant(seq=i * 100 + n + 1)]
            ).number
            for n in range(PER_THREAD)
        ]

    results, errors = in_threads(THREADS, intake)
    assert errors == []
    numbers = [n for batch in results for n in batch]
    total = THREADS * PER_THREAD
    year = timezone.localtime().year
    assert len(numbers) == len(set(numbers)) == total
    # Nothing was rolled back, so there is no gap either: exactly 1..total, and the counter says so.
    assert sorted(numbers) == [f"DDK-{year}-{n:06d}" for n in range(1, total + 1)]
    assert DisputeCounter.objects.get(year=year).last == total
    assert Dispute.objects.count() == Event.objects.filter(action="register").count() == total


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_of_the_same_external_id_creates_one_dispute(world, alice, community_a):
    def intake(i: int) -> int:
        return register_dispute(
            fresh(alice),
            Region.objects.get(pk=community_a.pk),
            source=Source.HOTLINE_12345,
            external_id="12345-20261128-0001",
            parties=[applicant(), respondent()],
        ).pk

    results, errors = in_threads(THREADS, intake)
    assert errors == []
    assert len(set(results)) == 1 and len(results) == THREADS
    assert Dispute.objects.count() == 1
    assert Event.objects.count() == 1
    # The losers took a number and rolled back: gap-tolerant, still unique.
    assert DisputeCounter.objects.get(year=timezone.localtime().year).last >= 1


@pytest.mark.django_db
def test_the_second_of_two_people_who_saw_the_same_version_gets_a_conflict(
    world, alice, amy, rsj, committee_a, community_a
):
    d = register_dispute(alice, community_a)
    d = workflow.assess(d.pk, alice, version=d.version, complexity=Complexity.GENERAL)
    seen = d.version  # both open the dispute page now
    workflow.assign(d.pk, alice, version=seen, to=rsj)
    before = state(d)
    with pytest.raises(Conflict) as info:
        workflow.assign(d.pk, amy, version=seen, to=committee_a)
    assert info.value.code == "version_conflict"
    assert info.value.message  # a clear message for the loser
    assert state(d) == before
    assert list(Assignment.objects.filter(dispute=d).values_list("to_unit", flat=True)) == [rsj.pk]


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_assigning_at_once_one_wins(world, alice, amy, rsj, committee_a, community_a):
    d = register_dispute(alice, community_a)
    d = workflow.assess(d.pk, alice, version=d.version, complexity=Complexity.GENERAL)
    seen = d.version
    before_events = Event.objects.filter(dispute=d).count()
    people = [(alice, rsj), (amy, committee_a)]

    def assign(i: int):
        user, target = people[i]
        return workflow.assign(d.pk, fresh(user), version=seen, to=target).version

    results, errors = in_threads(2, assign)
    assert results == [seen + 1]
    assert len(errors) == 1 and isinstance(errors[0], Conflict) and errors[0].code == "version_conflict"
    after = reload(d)
    assert (after.status, after.version) == (Status.ASSIGNED, seen + 1)
    assert Assignment.objects.filter(dispute=d).count() == 1
    assert Event.objects.filter(dispute=d).count() == before_events + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("with_version", "loser_code"), [(True, "version_conflict"), (False, "already_accepted")]
)
def test_two_liaisons_accepting_at_once_one_wins(
    world, alice, dave, dan, rsj, community_a, with_version, loser_code
):
    d = register_dispute(alice, community_a)
    d = workflow.assess(d.pk, alice, version=d.version, complexity=Complexity.GENERAL)
    d = workflow.assign(d.pk, alice, version=d.version, to=rsj)
    assignment = d.lead_assignment
    seen = d.version
    liaisons = [dave, dan]

    def accept(i: int):
        # Without a version (an API call or a task) the row lock alone serializes them.
        version = seen if with_version else None
        return workflow.accept(d.pk, fresh(liaisons[i]), version=version, assignment_id=assignment.pk).pk

    results, errors = in_threads(2, accept)
    assert results == [d.pk]
    assert len(errors) == 1 and isinstance(errors[0], WorkflowError) and errors[0].code == loser_code
    after = reload(d)
    assert (after.status, after.version) == (Status.IN_PROGRESS, seen + 1)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED and assignment.accepted_by in liaisons
    assert Event.objects.filter(dispute=d, action="accept").count() == 1
