"""Rights per membership, a service layer that checks everything it is handed, the table as the whole truth,
and visibility that follows a region move.

alice dispatches in community A and bob mediates in community B (both in 新山村街道, the `street`); carol
supervises the street; erin mediates for committee A; dave is the 区人力社保局 liaison; grace dispatches at the
street platform. penny is the two-membership case: a dispatcher in community A and a grid worker in community B.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.choices import Complexity, Outcome, SessionMode, Status
from disputes.models import Dispute, Event
from disputes.services import authority, workflow
from disputes.services.queue import queue_for
from disputes.services.workflow import table
from mediation.choices import Role
from mediation.models import MediationOrganization, Membership
from mediation.scoping import NOTHING, Scope
from mediation.services.memberships import grant
from tests.conftest import PASSWORD
from tests.dispute_fixtures import act, make_platform, register_dispute, reload, state

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def world(defaults, platforms, committee_a, alice, bob, carol, dave, erin, grace):
    return platforms


@pytest.fixture
def penny(make_user, community_a, community_b):
    """A dispatcher in community A who is also a grid worker in community B."""
    user = make_user("penny")
    grant(user, Role.DISPATCHER, region=community_a)
    grant(user, Role.GRID_WORKER, region=community_b)
    return user


def refused(code, call, dispute, error=WorkflowError):
    before = state(dispute)
    with pytest.raises(error) as info:
        call()
    assert info.value.code == code, (info.value.code, info.value.message)
    assert info.value.message
    assert state(dispute) == before


def fresh(user):
    """The same user as a new request would load it (nothing cached on the object)."""
    return type(user).objects.get(pk=user.pk)


# --- a role's rights hold only inside the membership that grants them -------------------------------------------


def test_a_dispatcher_in_one_community_is_only_a_grid_worker_in_the_other(
    world, penny, community_a, community_b
):
    in_a = register_dispute(penny, community_a)
    in_b = register_dispute(penny, community_b)  # a grid worker registers disputes too
    # She sees both (every membership gives sight of its territory) ...
    assert set(Dispute.objects.visible_to(penny).values_list("pk", flat=True)) >= {in_a.pk, in_b.pk}
    # ... but assesses only in A, where her dispatcher membership is.
    assert "assess" in workflow.allowed_actions(reload(in_a), penny)
    assert workflow.allowed_actions(reload(in_b), penny) == []
    assert penny.has_perm("disputes.assess_dispute", in_a) and not penny.has_perm(
        "disputes.assess_dispute", in_b
    )
    refused(
        "forbidden",
        lambda: workflow.assess(in_b.pk, penny, version=reload(in_b).version, complexity=Complexity.SIMPLE),
        in_b,
        Forbidden,
    )
    act(workflow.assess, in_a, penny, complexity=Complexity.SIMPLE)
    # The queue and the queryset form of the rule agree with the predicate.
    assert [d.pk for d in queue_for(fresh(penny)).to_assess] == []
    assert list(workflow.disputes_for(fresh(penny), "assess").values_list("pk", flat=True)) == [in_a.pk]
    assert list(queue_for(fresh(penny)).to_assign.values_list("pk", flat=True)) == [in_a.pk]
    # The export right is the dispatcher's: it reaches A only.
    exportable = Dispute.objects.visible_to(penny, "disputes.export_dispute")
    assert set(exportable.values_list("pk", flat=True)) == {in_a.pk}


def test_the_export_holds_only_the_rows_of_the_exporting_membership(
    client, world, penny, community_a, community_b
):
    import io

    from openpyxl import load_workbook

    in_a = register_dispute(penny, community_a, title="甲社区的纠纷")
    in_b = register_dispute(penny, community_b, title="乙社区的纠纷")
    assert client.login(username=penny.username, password=PASSWORD)
    response = client.get(reverse("disputes:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    assert in_a.number in text and in_b.number not in text


def test_a_membership_takes_effect_and_ends_on_its_dates_without_a_save(
    world, alice, make_user, community_a, monkeypatch
):
    today = timezone.localdate()
    user = make_user("quinn")
    later = grant(user, Role.DISPATCHER, region=community_a)
    later.started_on, later.ended_on = today + dt.timedelta(days=1), today + dt.timedelta(days=3)
    later.save()
    d = register_dispute(alice, community_a)

    def on(day):
        monkeypatch.setattr("mediation.models.memberships.timezone.localdate", lambda: day)
        return fresh(user)

    assert not on(today).has_perm("disputes.assess_dispute")
    assert not Dispute.objects.visible_to(on(today)).filter(pk=d.pk).exists()
    assert on(today + dt.timedelta(days=1)).has_perm("disputes.assess_dispute", reload(d))
    assert "assess" in workflow.allowed_actions(reload(d), on(today + dt.timedelta(days=2)))
    # Ended on day 3: gone that day, though nothing was saved since.
    assert not on(today + dt.timedelta(days=3)).has_perm("disputes.assess_dispute")
    assert not Dispute.objects.visible_to(on(today + dt.timedelta(days=3))).filter(pk=d.pk).exists()
    assert Membership.objects.filter(user=user).count() == 1


def test_a_permission_given_directly_or_by_a_group_reaches_nothing(world, make_user, community_a):
    from django.contrib.auth.models import Group, Permission

    user = make_user("rogue")
    user.user_permissions.add(Permission.objects.get(codename="assess_dispute"))
    group = Group.objects.create(name="自建组")
    group.permissions.add(Permission.objects.get(codename="handle_dispute"))
    user.groups.add(group)
    user = fresh(user)
    assert not user.has_perm("disputes.assess_dispute") and not user.has_perm("disputes.handle_dispute")
    assert not Dispute.objects.visible_to(user).exists()


# --- the service layer checks everything it is handed -------------------------------------------------------------


@pytest.fixture
def foreign(community_b, other_street):
    """Objects alice (community A) cannot see or use: community B's committee, another street's platform."""
    committee_b = MediationOrganization.objects.create(
        region=community_b, kind="community_committee", name="乙社区人民调解委员会"
    )
    other_platform = make_platform(other_street)
    return {"committee_b": committee_b, "other_platform": other_platform}


def assessed(alice, region):
    d = register_dispute(alice, region)
    return act(workflow.assess, d, alice, complexity=Complexity.GENERAL)


def test_assign_refuses_a_target_the_dispatcher_cannot_see(world, alice, foreign, committee_a, community_a):
    d = assessed(alice, community_a)
    v = reload(d).version
    refused(
        "target_not_allowed", lambda: workflow.assign(d.pk, alice, version=v, to=foreign["committee_b"]), d
    )
    refused(
        "target_not_allowed",
        lambda: workflow.assign(d.pk, alice, version=v, to=committee_a, co_handlers=[foreign["committee_b"]]),
        d,
    )
    refused("invalid_target", lambda: workflow.assign(d.pk, alice, version=v, to=alice), d)
    d = act(workflow.assign, d, alice, to=committee_a)
    v = d.version
    refused(
        "target_not_allowed",
        lambda: workflow.reassign(d.pk, alice, version=v, to=foreign["committee_b"], reason="换人"),
        d,
    )
    refused(
        "target_not_allowed",
        lambda: workflow.add_co_handler(d.pk, alice, version=v, to=foreign["committee_b"]),
        d,
    )


def test_reroute_refuses_a_platform_outside_and_a_leader_who_is_not_one(
    world, alice, carol, foreign, platforms, community_a, bob, make_user, other_street
):
    d = assessed(alice, community_a)
    v = reload(d).version
    refused(
        "target_not_allowed",
        lambda: workflow.reroute(d.pk, alice, version=v, platform=foreign["other_platform"], reason="r"),
        d,
    )
    refused(
        "not_a_platform",
        lambda: workflow.reroute(d.pk, alice, version=v, platform=foreign["committee_b"], reason="r"),
        d,
    )
    elsewhere = make_user("ursula")
    grant(elsewhere, Role.SUPERVISOR, region=other_street)
    for leader in (bob, elsewhere):  # a mediator; a supervisor of another street
        refused(
            "leader_not_allowed",
            lambda leader=leader: workflow.set_leader(d.pk, alice, version=v, leader=leader),
            d,
        )
        refused(
            "leader_not_allowed",
            lambda leader=leader: workflow.reroute(
                d.pk, alice, version=v, platform=platforms["street"], reason="r", leader=leader
            ),
            d,
        )
    # The street platform above her is allowed, with the street's supervisor as leader.
    d = act(workflow.reroute, d, alice, platform=platforms["street"], reason="统筹", leader=carol)
    assert d.platform == platforms["street"] and d.leader == carol


def test_merge_and_link_refuse_a_partner_out_of_sight_or_out_of_control(
    world, alice, bob, grace, community_a, community_b
):
    d = register_dispute(alice, community_a)
    in_b = register_dispute(bob, community_b)  # alice cannot see it
    v = reload(d).version
    refused("forbidden", lambda: workflow.merge(d.pk, alice, version=v, into=in_b), d, Forbidden)
    refused("forbidden", lambda: workflow.link(reload(d), in_b, alice), d, Forbidden)
    # grace (street platform) sees both, but controls neither community's dispute: merging one into the other
    # needs control of both.
    assert Dispute.objects.visible_to(grace).filter(pk__in=[d.pk, in_b.pk]).count() == 2
    mine = register_dispute(alice, community_a, title="又一起")
    refused("invalid_merge_target", lambda: workflow.merge(d.pk, alice, version=v, into=d), d)
    act(workflow.merge, mine, alice, into=d)


def test_sessions_and_extensions_refuse_strangers(world, alice, bob, erin, committee_a, community_a):
    d = assessed(alice, community_a)
    d = act(workflow.assign, d, alice, to=committee_a)
    d = act(workflow.accept, d, erin, assignment_id=d.lead_assignment.pk)
    d = act(workflow.notify_rights, d, erin)
    other = register_dispute(alice, community_a, title="别的纠纷")
    v = d.version
    refused(
        "mediator_not_allowed",
        lambda: workflow.record_session(
            d.pk,
            erin,
            version=v,
            held_at=timezone.now(),
            mode=SessionMode.ON_SITE,
            participants="p",
            minutes="m",
            mediators=[bob],
        ),
        d,
    )
    parties = list(d.parties.values_list("pk", flat=True)) + [other.parties.first().pk]
    refused(
        "invalid_party",
        lambda: workflow.extend(
            d.pk,
            erin,
            version=v,
            new_due_at=timezone.now() + dt.timedelta(days=40),
            reason="r",
            consent_note="c",
            consenting_party_ids=parties,
        ),
        d,
    )


def test_acting_on_a_dispute_out_of_sight_looks_like_no_right_at_all(world, alice, bob, community_b):
    d = register_dispute(bob, community_b)
    refused(
        "forbidden",
        lambda: workflow.assess(d.pk, alice, version=reload(d).version, complexity=Complexity.SIMPLE),
        d,
        Forbidden,
    )
    refused("forbidden", lambda: workflow.guide(d.pk, alice, text="t"), d, Forbidden)


def test_an_unknown_authority_holds_for_nobody(world, alice, community_a, monkeypatch):
    d = register_dispute(alice, community_a)
    scope = Scope.for_user(alice, "disputes.assess_dispute")
    facts = authority.Facts.of(reload(d))
    assert authority.holds(scope, "control", facts, alice.pk)
    assert not authority.holds(scope, "owner", facts, alice.pk)
    assert authority.q(scope, "owner", alice.pk) is NOTHING
    assert not authority.has_right(alice, [("disputes.assess_dispute", "owner")], facts)
    monkeypatch.setitem(
        table.TRANSITIONS,
        "assess",
        table._t({Status.REGISTERED}, Status.ASSESSED, ("disputes.assess_dispute", "owner")),
    )
    with pytest.raises(ImproperlyConfigured):
        table._check_table()
    refused(
        "forbidden",
        lambda: workflow.assess(d.pk, alice, version=reload(d).version, complexity=Complexity.SIMPLE),
        d,
        Forbidden,
    )


def test_nobody_acts_without_a_user(world, alice, community_a):
    d = register_dispute(alice, community_a)
    refused(
        "forbidden", lambda: workflow.void(d.pk, None, version=reload(d).version, reason="r"), d, Forbidden
    )


# --- the table is the whole truth ----------------------------------------------------------------------------------


def test_the_state_diagram_comes_from_the_table_and_every_move_is_in_it(
    world, alice, carol, erin, committee_a, community_a
):
    diagram = table.state_diagram()
    # Every status can be reached from registration, and every open status can be left.
    reachable, frontier = {Status.REGISTERED}, [Status.REGISTERED]
    while frontier:
        here = frontier.pop()
        for source, _action, target in diagram:
            if source == here and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(Status.values)
    assert ("in_progress", "record_outcome", "resolved") in diagram and (
        "fed_back",
        "follow_up",
        "in_progress",
    ) in diagram
    # A loop with a re-mediation and a reopening: every Event's move is an edge of the diagram.
    d = assessed(alice, community_a)
    d = act(workflow.assign, d, alice, to=committee_a)
    d = act(workflow.accept, d, erin, assignment_id=d.lead_assignment.pk)
    d = act(workflow.notify_rights, d, erin)
    for _round in range(2):
        d = act(
            workflow.record_session,
            d,
            erin,
            held_at=timezone.now(),
            mode=SessionMode.PHONE,
            participants="双方",
            minutes="调解",
        )
        d = act(workflow.record_outcome, d, erin, outcome=Outcome.FAILURE, failure_guidance="litigation")
        d = act(workflow.reopen, d, carol, reason="当事人再次申请")
    moves = (
        Event.objects.filter(dispute=d)
        .exclude(before={})
        .values_list("before__status", "action", "after__status")
    )
    for move in moves:
        assert move in diagram, move
    assert len(moves) >= 10


def test_no_code_sets_a_dispute_status_outside_the_table():
    """Only the workflow's finish() assigns Dispute.status; nothing updates it in bulk or deletes loop rows."""
    offenders = []
    for path in [
        *ROOT.glob("disputes/**/*.py"),
        *ROOT.glob("tasks_plan/**/*.py"),
        *ROOT.glob("mediation/**/*.py"),
    ]:
        if "migrations" in path.parts or "demo" in path.parts or path.name == "demo.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == "status":
                        owner = ast.unparse(target.value)
                        if owner == "dispute" and path.name != "base.py":
                            offenders.append(f"{path}:{node.lineno}")
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"Dispute\.objects[^\n]*\.update\([^)]*\bstatus=", text):
            offenders.append(f"{path}: {match.group(0)}")
    workflow_dir = ROOT / "disputes" / "services" / "workflow"
    for path in workflow_dir.glob("*.py"):
        assert ".delete(" not in path.read_text(encoding="utf-8"), f"{path} deletes something"
    assert offenders == []


# --- visibility follows a region move -----------------------------------------------------------------------------


def test_a_community_moved_to_another_street_takes_its_disputes_along(
    world, bob, carol, make_user, community_b, other_street
):
    d = register_dispute(bob, community_b)
    neighbour = make_user("victor")
    grant(neighbour, Role.SUPERVISOR, region=other_street)
    assert Dispute.objects.visible_to(fresh(carol)).filter(pk=d.pk).exists()
    assert not Dispute.objects.visible_to(fresh(neighbour)).filter(pk=d.pk).exists()

    community_b.parent = other_street
    community_b.save()

    d = reload(d)
    assert d.region_path == community_b.path and d.region_path.startswith(other_street.path)
    assert not Dispute.objects.visible_to(fresh(carol)).filter(pk=d.pk).exists()
    assert Dispute.objects.visible_to(fresh(neighbour)).filter(pk=d.pk).exists()
    # bob's own membership is in community B: he still sees it.
    assert Dispute.objects.visible_to(fresh(bob)).filter(pk=d.pk).exists()


def test_an_explicit_grant_is_resolved_to_ids_and_reaches_only_its_object(world, alice, bob, community_b):
    from guardian.shortcuts import assign_perm

    granted = register_dispute(bob, community_b, title="委托查看")
    other = register_dispute(bob, community_b, title="不委托")
    assign_perm("disputes.view_dispute", alice, granted)
    visible = set(Dispute.objects.visible_to(fresh(alice)).values_list("pk", flat=True))
    assert granted.pk in visible and other.pk not in visible
    # Seeing is not acting.
    assert workflow.allowed_actions(reload(granted), fresh(alice)) == []
    sql = str(Dispute.objects.visible_to(fresh(alice)).query)
    assert "guardian" not in sql  # an id list, not a subquery run for every row
