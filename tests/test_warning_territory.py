"""Warnings that reach the territory (task 23: 属事单位、属地地区), stabilization (稳控) and risk re-assessment.

A red dispute in community A warns 区人力社保局 (属事, dave), the platforms of community A (pam), the street
(grace) and the district (heidi), the supervisors over it (ivan: the district), and the police station whose jurisdiction covers the street (peter); the
station of the other street (quinn) is not warned and sees nothing. Each acknowledges its own warning and is
escalated alone when late. alice dispatches in community A, erin mediates in committee A.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.choices import Complexity, RiskFlag, RiskGrade, Status
from disputes.models import Dispute, Event, RiskRule, Stabilization
from disputes.services import risk, warnings, workflow
from disputes.services.queue import queue_for
from mediation.choices import Role, UnitKind
from mediation.models import Alert, AlertKind, Notification
from mediation.services.alerts import acknowledge
from mediation.services.memberships import grant
from tests.dispute_fixtures import act, applicant, register_dispute, reload, respondent, state
from tests.registry_fixtures import make_unit
from tests.schedule_world import new_dispute
from tests.test_intake import credit_code

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def station(gaj, street):
    unit = make_unit("新山村派出所", UnitKind.POLICE_STATION, street, parent=gaj)
    unit.jurisdiction.add(street)
    return unit


@pytest.fixture
def other_station(gaj, other_street):
    unit = make_unit("跃进村派出所", UnitKind.POLICE_STATION, other_street, parent=gaj)
    unit.jurisdiction.add(other_street)
    return unit


@pytest.fixture
def peter(make_user, station):
    user = make_user("peter")
    grant(user, Role.LIAISON, unit=station)
    return user


@pytest.fixture
def quinn(make_user, other_station):
    user = make_user("quinn")
    grant(user, Role.LIAISON, unit=other_station)
    return user


@pytest.fixture
def pam(make_user, platform_a):
    user = make_user("pam")
    grant(user, Role.DISPATCHER, organization=platform_a)
    return user


@pytest.fixture
def world(defaults, platforms, committee_a, alice, dave, grace, heidi, ivan, pam, peter, quinn):
    return platforms


def warnings_on(dispute, **filters):
    return warnings.early_warnings(dispute).filter(**filters)


def assessed(alice, region, *, grade=None, **fields) -> Dispute:
    d = new_dispute(alice, region, **fields)
    extra = {"grade_override": grade, "override_reason": "研判调整"} if grade else {}
    return act(workflow.assess, d, alice, complexity=Complexity.GENERAL, **extra)


def red(alice, community_a) -> Dispute:
    d = assessed(alice, community_a, risk_flags=[RiskFlag.EXTREME_ACT])
    assert d.risk_grade == RiskGrade.RED
    return d


def reassess(d, user, grade, reason="研判发现风险变化"):
    return act(workflow.reassess_risk, d, user, grade=grade, reason=reason)


# --- recipients ----------------------------------------------------------------------------------------------------


def test_a_red_warning_reaches_each_shu_shi_and_shu_di_recipient_separately(
    world, alice, rsj, station, other_station, peter, community_a
):
    d = red(alice, community_a)
    received = warnings_on(d)
    expected = {
        f"unit:{rsj.pk}",
        f"org:{world['community_a'].pk}",
        f"org:{world['street'].pk}",
        f"org:{world['district'].pk}",
        f"unit:{station.pk}",
    }
    assert expected <= set(received.values_list("recipient_key", flat=True))
    assert not received.filter(recipient_unit=other_station).exists()
    # One alert each, with its own deadline, in the station's liaison's notification centre.
    assert received.count() == len(set(received.values_list("recipient_key", flat=True)))
    assert Notification.objects.filter(user=peter, alert__in=received).count() == 1
    assert all(a.ack_due_at is not None for a in received)
    # Raising again sends nothing twice.
    assert warnings.raise_early_warning(reload(d)) == []


def test_each_recipient_acknowledges_its_own_warning_and_no_other(
    world, client, alice, rsj, station, dave, pam, grace, heidi, peter, community_a
):
    d = red(alice, community_a)
    own = {
        dave: warnings_on(d).get(recipient_unit=rsj),
        pam: warnings_on(d).get(recipient_organization=world["community_a"]),
        grace: warnings_on(d).get(recipient_organization=world["street"]),
        heidi: warnings_on(d).get(recipient_organization=world["district"]),
        peter: warnings_on(d).get(recipient_unit=station),
    }
    # The community platform sees the station's warning in its territory, but cannot acknowledge it for it.
    with pytest.raises(Forbidden):
        acknowledge(own[peter], pam)
    page = reverse("disputes:detail", args=[d.pk])
    for user, alert in own.items():
        client.force_login(user)
        response = client.get(page)
        assert response.status_code == 200
        assert reverse("disputes:acknowledge_alert", args=[alert.pk]).encode() in response.content
        client.post(reverse("disputes:acknowledge_alert", args=[alert.pk]), {"next": page})
        alert.refresh_from_db()
        assert alert.acknowledged_by == user
        # Acknowledging one's own leaves the others open until their own recipient acknowledges.
        pending = [a for u, a in own.items() if u != user and not Alert.objects.get(pk=a.pk).acknowledged_at]
        assert all(Alert.objects.get(pk=a.pk).acknowledged_at is None for a in pending)
    assert all(Alert.objects.get(pk=a.pk).acknowledged_by == u for u, a in own.items())


def test_a_late_recipient_is_escalated_alone(world, alice, rsj, station, community_a):
    d = red(alice, community_a)
    late = warnings_on(d).get(recipient_unit=station)
    Alert.objects.filter(pk__in=warnings_on(d).exclude(pk=late.pk).values("pk")).update(
        acknowledged_at=timezone.now()
    )
    assert warnings.escalate_unacknowledged(late.ack_due_at + dt.timedelta(minutes=1)) == 1
    up = Alert.objects.filter(kind=AlertKind.ACK_ESCALATION)
    assert set(up.values_list("object_id", flat=True)) == {late.pk}
    assert up.filter(content_type=ContentType.objects.get_for_model(Alert)).count() == up.count()
    assert station.name in up.first().body and rsj.name not in up.first().body
    assert warnings.escalate_unacknowledged(late.ack_due_at + dt.timedelta(hours=9)) == 0


def test_the_police_station_is_warned_of_red_only(world, alice, station, community_a):
    orange = assessed(alice, community_a, people_involved=12)
    assert orange.risk_grade == RiskGrade.ORANGE
    assert warnings_on(orange).exists()
    assert not warnings_on(orange, recipient_unit=station).exists()
    # An orange dispute is not the district's: its platform is not warned at once (it is escalated to).
    assert not warnings_on(orange, recipient_organization=world["district"]).exists()


def test_a_warned_station_opens_the_dispute_and_a_neighbour_station_sees_nothing(
    world, client, alice, grace, peter, quinn, community_a
):
    d = assessed(alice, community_a, people_involved=12)  # orange: no station is warned yet
    page = reverse("disputes:detail", args=[d.pk])
    client.force_login(peter)
    assert client.get(page).status_code == 404
    reassess(d, grace, RiskGrade.RED)
    assert client.get(page).status_code == 200
    assert Dispute.objects.visible_to(peter).filter(pk=d.pk).exists()
    client.force_login(quinn)
    assert client.get(page).status_code == 404
    assert not Dispute.objects.visible_to(quinn).filter(pk=d.pk).exists()


# --- re-assessment ---------------------------------------------------------------------------------------------------


def test_a_raised_grade_warns_the_new_grade_and_withdraws_the_old(world, alice, grace, station, community_a):
    d = assessed(alice, community_a, people_involved=12)
    orange = set(warnings_on(d).values_list("pk", flat=True))
    d = reassess(d, grace, RiskGrade.RED, "当事人扬言报复")
    assert d.risk_grade == RiskGrade.RED and d.status == Status.ASSESSED
    event = Event.objects.filter(dispute=d, action="reassess_risk").get()
    assert (event.after["grade_before"], event.after["grade_after"]) == (RiskGrade.ORANGE, RiskGrade.RED)
    assert event.note == "当事人扬言报复"
    reds = warnings_on(d, level=RiskGrade.RED)
    assert reds.filter(recipient_unit=station).exists()
    assert reds.filter(recipient_organization=world["district"]).exists()
    # The orange warnings are kept, marked withdrawn, and no longer escalate.
    assert set(warnings_on(d, level=RiskGrade.ORANGE).values_list("pk", flat=True)) == orange
    assert not warnings_on(d, level=RiskGrade.ORANGE, withdrawn_at__isnull=True).exists()

    # Lowered to yellow: the red warnings are withdrawn too, nothing is deleted, nothing escalates.
    d = reassess(d, grace, RiskGrade.YELLOW, "已化解主要矛盾")
    assert not warnings_on(d, withdrawn_at__isnull=True, acknowledged_at__isnull=True).exists()
    assert warnings_on(d).count() == len(orange) + reds.count()
    assert warnings.escalate_unacknowledged(timezone.now() + dt.timedelta(days=3)) == 0


def test_reassessment_is_refused_to_a_non_handler_and_for_bad_input(world, alice, dave, grace, community_a):
    d = assessed(alice, community_a, people_involved=12)
    before = state(d)
    v = reload(d).version
    attempts = [
        (dave, {"grade": RiskGrade.RED, "reason": "r"}, "forbidden"),  # 属事 unit, but not the handler
        (grace, {"grade": 9, "reason": "r"}, "invalid_grade"),
        (grace, {"grade": "red", "reason": "r"}, "invalid_grade"),
        (grace, {"grade": RiskGrade.RED, "reason": "  "}, "reason_required"),
        (grace, {"grade": RiskGrade.ORANGE, "reason": "r"}, "grade_unchanged"),
    ]
    alerts = Alert.objects.count()
    for user, kwargs, code in attempts:
        with pytest.raises(WorkflowError) as info:
            workflow.reassess_risk(d.pk, user, version=v, **kwargs)
        assert info.value.code == code
        assert state(d) == before and reload(d).risk_grade == RiskGrade.ORANGE
    assert Alert.objects.count() == alerts
    assert "reassess_risk" not in workflow.allowed_actions(reload(d), dave)
    assert "reassess_risk" in workflow.allowed_actions(reload(d), grace)


# --- stabilization (稳控) -------------------------------------------------------------------------------------------


def test_a_red_dispute_without_stabilization_is_a_gap_until_recorded(
    world, client, alice, heidi, community_a
):
    d = red(alice, community_a)
    assert d in queue_for(heidi).to_stabilize
    client.force_login(heidi)
    page = client.get(reverse("disputes:detail", args=[d.pk])).content.decode()
    assert 'id="stabilization-gap"' in page

    today = timezone.localdate()
    d = act(
        workflow.record_stabilization,
        d,
        heidi,
        person_in_charge="王主任",
        measures="每日走访，专人盯守",
        starts_on=today,
        review_on=today + dt.timedelta(days=7),
    )
    assert d not in queue_for(heidi).to_stabilize
    first = Stabilization.objects.current().get(dispute=d)

    d = act(
        workflow.record_stabilization,
        d,
        heidi,
        person_in_charge="李书记",
        measures="每日走访；心理疏导",
        starts_on=today,
        review_on=today + dt.timedelta(days=14),
        review_notes="情绪稳定",
    )
    first.refresh_from_db()
    current = Stabilization.objects.current().get(dispute=d)
    assert first.superseded_at is not None and first.superseded_by == current
    assert Stabilization.objects.filter(dispute=d).count() == 2
    page = client.get(reverse("disputes:detail", args=[d.pk])).content.decode()
    assert 'id="stabilization-gap"' not in page
    assert "王主任" in page and "李书记" in page and "情绪稳定" in page


def test_stabilization_is_refused_where_not_needed_or_wrong(world, alice, dave, heidi, community_a):
    today = timezone.localdate()
    blue = assessed(alice, community_a)
    d = red(alice, community_a)
    for dispute, user, kwargs, code in [
        (blue, alice, {}, "stabilization_not_needed"),
        (d, dave, {}, "forbidden"),
        (d, heidi, {"review_on": today - dt.timedelta(days=1)}, "invalid_review_date"),
        (d, heidi, {"person_in_charge": " "}, "person_required"),
        (d, heidi, {"starts_on": None}, "date_required"),
    ]:
        before = state(dispute)
        arguments = {
            "person_in_charge": "王主任",
            "measures": "专人盯守",
            "starts_on": today,
            "review_on": today,
        } | kwargs
        with pytest.raises(WorkflowError) as info:
            workflow.record_stabilization(dispute.pk, user, version=reload(dispute).version, **arguments)
        assert info.value.code == code
        assert state(dispute) == before
    assert not Stabilization.objects.exists()


# --- risk rules ------------------------------------------------------------------------------------------------------


# The flags the default table grades; the public-opinion flag has no default rule (the office adds one).
DEFAULT_FLAG_RULES = set(RiskFlag.values) - {RiskFlag.PUBLIC_OPINION}


@pytest.mark.parametrize("flag", RiskFlag.values)
def test_every_risk_flag_drives_a_rule(world, alice, community_a, flag):
    d = register_dispute(
        alice,
        community_a,
        amount=0,
        people_involved=1,
        risk_flags=[flag],
        parties=[applicant(seq=900 + RiskFlag.values.index(flag)), respondent()],
    )
    rules = RiskRule.objects.filter(is_active=True, flag=flag)
    assert rules.exists() == (flag in DEFAULT_FLAG_RULES), flag
    if not rules.exists():
        assert risk.grade(risk.facts_for(d, timezone.localdate())) == RiskGrade.BLUE
        RiskRule.objects.create(name="涉舆情风险", grade=RiskGrade.ORANGE, flag=flag)
    facts = risk.facts_for(d, timezone.localdate())
    assert risk.grade(facts) < RiskGrade.BLUE, flag
    assert facts.matched and set(facts.matched) <= set(rules.values_list("name", flat=True))
    # The rule drives it: without the flag's rules the same dispute is blue again.
    rules.update(is_active=False)
    assert risk.grade(risk.facts_for(d, timezone.localdate())) == RiskGrade.BLUE


def test_the_repeat_rule_counts_the_same_people_not_an_organization(world, alice, community_a):
    company = respondent(id_number=credit_code())  # its unified social credit code, in every dispute
    for seq in range(3):  # three unrelated people against the same company
        register_dispute(alice, community_a, amount=0, parties=[applicant(seq=700 + seq), company])
    d = register_dispute(alice, community_a, amount=0, parties=[applicant(seq=710), company])
    assert risk.repeat_dispute_count(d) == 0

    # The same person by name and phone when no ID number was taken, and by ID number.
    wang = {"name": "王五", "phone": "13900001111"}
    register_dispute(alice, community_a, amount=0, parties=[applicant(id_number="", **wang), company])
    again = register_dispute(alice, community_a, amount=0, parties=[applicant(seq=720, **wang), company])
    assert risk.repeat_dispute_count(again) == 1
    same_id = register_dispute(
        alice, community_a, amount=0, parties=[applicant(seq=720, name="王 五"), company]
    )
    assert risk.repeat_dispute_count(same_id) == 1
