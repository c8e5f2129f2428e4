"""My to-do queue (/disputes/queue/).

dave is the liaison of 区人力社保局 (rsj); alice dispatches in community A and bob mediates in community B;
grace dispatches at the street platform; carol supervises the street.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.choices import AssignmentStatus, SupervisionLevel
from disputes.models import Assignment, Dispute
from disputes.services import workflow
from disputes.services.queue import queue_for
from mediation.choices import Role
from mediation.services.memberships import grant
from tests.conftest import PASSWORD
from tests.dispute_fixtures import reload
from tests.dispute_list_fixtures import accept, assess, assign, new_dispute

pytest_plugins = ["tests.dispute_fixtures", "tests.dispute_list_fixtures"]
pytestmark = pytest.mark.django_db

QUEUE = reverse("disputes:queue")


@pytest.fixture
def world(defaults, platforms, alice, bob, carol, dave):
    return platforms


def sections(client, user) -> dict[str, list]:
    """{section key: [dispute numbers]} as the page shows them, with the heading counts checked."""
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(QUEUE)
    assert response.status_code == 200
    result = {}
    for section in response.context["sections"]:
        numbers = [getattr(row, "dispute", row).number for row in section.rows]
        assert section.count == len(numbers)
        result[section.key] = numbers
    return result


def test_a_liaison_sees_an_assignment_through_its_life(client, world, alice, dave, community_a, rsj):
    d = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    queue = sections(client, dave)
    assert queue == {"to_accept": [d.number], "in_mediation": [], "overdue": [], "supervisions": []}
    html_before = client.get(QUEUE).content.decode()
    assert f'href="{reverse("disputes:detail", args=[d.pk])}"' in html_before

    accept(d, dave)
    assert sections(client, dave) == {
        "to_accept": [],
        "in_mediation": [d.number],
        "overdue": [],
        "supervisions": [],
    }

    Assignment.objects.filter(dispute=d).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert sections(client, dave) == {
        "to_accept": [],
        "in_mediation": [],
        "overdue": [d.number],
        "supervisions": [],
    }


def test_an_overdue_assignment_not_yet_accepted_is_listed_once(client, world, alice, dave, community_a, rsj):
    d = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    Assignment.objects.filter(dispute=d).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    queue = sections(client, dave)
    assert queue["overdue"] == [d.number]
    assert queue["to_accept"] == []


def test_a_returned_or_withdrawn_assignment_leaves_the_queue(
    client, world, alice, dave, community_a, rsj, gaj
):
    returned = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    workflow.return_assignment(
        returned.pk,
        dave,
        version=returned.version,
        assignment_id=returned.lead_assignment.pk,
        reason="不属于本单位职责",
    )
    moved = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    workflow.reassign(moved.pk, alice, version=moved.version, to=gaj, reason="属公安管辖")
    assert Assignment.objects.filter(to_unit=rsj, status=AssignmentStatus.PENDING).count() == 0
    assert sections(client, dave)["to_accept"] == []


def test_a_supervision_waits_for_the_handlers_answer(client, world, alice, carol, dave, community_a, rsj):
    d = accept(assign(assess(new_dispute(alice, community_a), alice), alice, rsj), dave)
    workflow.supervise(d.pk, carol, level=SupervisionLevel.SUPERVISE, notice="请于三日内书面报告调处进展。")
    assert sections(client, dave)["supervisions"] == [d.number]
    supervision = reload(d).supervisions.get()
    workflow.answer_supervision(
        d.pk, dave, supervision_id=supervision.pk, answer="已组织双方调解，待签协议。"
    )
    assert sections(client, dave)["supervisions"] == []


def test_a_dispatcher_sees_what_waits_at_her_platform(client, world, alice, bob, community_a, community_b):
    registered = new_dispute(alice, community_a)
    assessed = assess(new_dispute(alice, community_a), alice)
    new_dispute(bob, community_b)
    assert sections(client, alice) == {
        "to_assess": [registered.number],
        "to_assign": [assessed.number],
        "to_stabilize": [],
    }


def test_the_street_dispatcher_sees_both_communities(
    client, world, alice, bob, grace, community_a, community_b
):
    a = new_dispute(alice, community_a)
    b = new_dispute(bob, community_b)
    assert sections(client, grace)["to_assess"] == [a.number, b.number]


@pytest.fixture
def bea(make_user, community_b):
    """Dispatcher of community B, alice's counterpart."""
    user = make_user("bea")
    grant(user, Role.DISPATCHER, region=community_b)
    return user


def test_neighbours_do_not_see_each_others_work(
    client, world, alice, bob, bea, carol, community_a, community_b, platforms
):
    a = new_dispute(alice, community_a)
    b = assign(assess(new_dispute(bob, community_b), bea), bea, platforms["community_b"])
    queue_alice = sections(client, alice)
    assert queue_alice == {"to_assess": [a.number], "to_assign": [], "to_stabilize": []}
    queue_bob = sections(client, bob)
    assert queue_bob["to_accept"] == [b.number]
    assert a.number not in str(queue_bob)
    # carol supervises: she has no acceptance or dispatch work of her own.
    assert sections(client, carol) == {}


def test_a_user_without_a_role_is_refused(client, world, charlie):
    assert client.login(username=charlie.username, password=PASSWORD)
    assert client.get(QUEUE).status_code == 403


def test_the_service_matches_the_workflows_assignee_rule(
    world, alice, bob, dave, community_a, rsj, platforms
):
    """Every assignment the queue offers to accept is one the workflow lets the user accept."""
    mine = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    other = assign(assess(new_dispute(alice, community_a), alice), alice, platforms["community_a"])
    for user in (dave, bob):
        queue = queue_for(user)
        offered = {a.dispute_id for a in queue.to_accept}
        for d in (mine, other):
            may = "accept" in workflow.allowed_actions(Dispute.objects.get(pk=d.pk), user)
            assert (d.pk in offered) == may, (user.username, d.number)


def test_its_query_count_does_not_grow_with_the_rows(client, world, alice, carol, dave, community_a, rsj):
    def make(n):
        for i in range(n):
            d = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
            if i % 3 == 1:
                d = accept(d, dave)
                workflow.supervise(d.pk, carol, level=SupervisionLevel.REMINDER, notice="请加快办理。")
            if i % 3 == 2:
                Assignment.objects.filter(dispute=d).update(due_at=timezone.now() - dt.timedelta(hours=1))

    assert client.login(username=dave.username, password=PASSWORD)
    make(5)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    make(25)
    with CaptureQueriesContext(connection) as many:
        response = client.get(QUEUE)
    assert sum(s.count for s in response.context["sections"]) == 40  # 30 assignments + 10 supervisions
    assert len(many) == len(few)


def test_its_query_count_is_locked(
    client, world, alice, dave, community_a, rsj, django_assert_max_num_queries
):
    for _ in range(30):
        assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    assert client.login(username=dave.username, password=PASSWORD)
    with django_assert_max_num_queries(12):
        client.get(QUEUE)
