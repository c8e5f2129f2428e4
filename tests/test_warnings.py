"""Early warnings (task 23): red and orange disputes warn the 属事 units, the 属地 platform and the supervisors at
once; recipients acknowledge; what is not acknowledged in time goes one level up, once; the warning_timeliness
indicator counts the disputes whose warning reached both sides and was acknowledged in time.

alice dispatches in community A, carol supervises the street, ivan the district; dave is the liaison of 区人力社保局
(the 属事 unit of labour disputes), frank of 区公安分局.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from disputes.choices import Complexity, RiskFlag, RiskGrade
from disputes.models import Dispute
from disputes.services import warnings, workflow
from mediation.indicators import indicator
from mediation.models import Alert, AlertKind, Notification, OutboxMessage
from mediation.services.alerts import acknowledge
from tests.conftest import PASSWORD
from tests.dispute_fixtures import act
from tests.schedule_world import new_dispute

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def world(defaults, platforms, committee_a, alice, carol, dave, frank, grace, heidi, ivan):
    return platforms


def assessed(alice, region, *, grade=None, **fields) -> Dispute:
    d = new_dispute(alice, region, **fields)
    extra = {"grade_override": grade, "override_reason": "研判调整"} if grade else {}
    return act(workflow.assess, d, alice, complexity=Complexity.GENERAL, **extra)


def warnings_on(dispute, **filters):
    return Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Dispute),
        object_id=dispute.pk,
        kind=AlertKind.EARLY_WARNING,
        **filters,
    )


def keys(alerts) -> set[str]:
    return set(alerts.values_list("recipient_key", flat=True))


def escalations(dispute, warning=None):
    """The escalations of the dispute's late warnings (each about one warning), or of one of them."""
    about = [warning.pk] if warning is not None else warnings_on(dispute).values("pk")
    return Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Alert),
        object_id__in=about,
        kind=AlertKind.ACK_ESCALATION,
    )


# --- warnings on assessment ------------------------------------------------------------------------------------


def test_a_red_dispute_warns_shu_shi_shu_di_and_supervisors_at_once(
    world, alice, rsj, carol, ivan, dave, community_a
):
    ivan.email = "ivan@dadukou.example"
    ivan.save()
    before = timezone.now()
    d = assessed(alice, community_a, risk_flags=[RiskFlag.EXTREME_ACT])
    assert d.risk_grade == RiskGrade.RED and d.platform == world["district"]

    sent = warnings_on(d)
    # 属事: the unit; 属地: the community, street and district platforms; the supervisors over the region.
    assert keys(sent) == {
        f"unit:{rsj.pk}",
        f"org:{world['district'].pk}",
        f"org:{world['street'].pk}",
        f"org:{world['community_a'].pk}",
        f"user:{carol.pk}",
        f"user:{ivan.pk}",
    }
    assert set(sent.values_list("level", flat=True)) == {RiskGrade.RED}
    # Red: acknowledge the same day, within hours.
    for alert in sent:
        assert before + dt.timedelta(hours=4) <= alert.ack_due_at <= timezone.now() + dt.timedelta(hours=4)
    # In the notification centre of the unit's liaison, and in the outbox for whoever has an e-mail address.
    assert Notification.objects.filter(user=dave, alert__in=sent).count() == 1
    assert OutboxMessage.objects.filter(recipient="ivan@dadukou.example").count() == 1


def test_an_orange_dispute_warns_the_street_platform_with_a_day_to_acknowledge(
    world, alice, rsj, carol, community_a
):
    d = assessed(alice, community_a, people_involved=12)
    assert d.risk_grade == RiskGrade.ORANGE and d.platform == world["street"]
    sent = warnings_on(d, level=RiskGrade.ORANGE)
    assert {f"unit:{rsj.pk}", f"org:{world['street'].pk}", f"user:{carol.pk}"} <= keys(sent)
    alert = sent.first()
    assert alert.ack_due_at - alert.created_at == pytest.approx(
        dt.timedelta(days=1), abs=dt.timedelta(seconds=5)
    )


def test_yellow_and_blue_disputes_do_not_warn_at_once(world, alice, community_a):
    blue = assessed(alice, community_a)
    yellow = assessed(alice, community_a, grade=RiskGrade.YELLOW)
    assert (blue.risk_grade, yellow.risk_grade) == (RiskGrade.BLUE, RiskGrade.YELLOW)
    assert not Alert.objects.filter(kind=AlertKind.EARLY_WARNING).exists()


def test_supervisors_elsewhere_are_not_warned(world, alice, make_user, other_street, community_a):
    from mediation.choices import Role
    from mediation.services.memberships import grant

    olga = make_user("olga")
    grant(olga, Role.SUPERVISOR, region=other_street)
    d = assessed(alice, community_a, people_involved=12)
    assert f"user:{olga.pk}" not in keys(warnings_on(d))


def test_a_warning_is_sent_once_and_anew_only_to_new_recipients(world, alice, grace, community_a):
    d = assessed(alice, community_a, people_involved=12)
    first = keys(warnings_on(d))
    d = act(workflow.assess, d, grace, complexity=Complexity.COMPLEX)  # re-assessed at the same grade
    assert keys(warnings_on(d)) == first and warnings_on(d).count() == len(first)

    # Re-routed to the district platform: the new 属地 platform is warned; nobody else twice.
    d = act(workflow.reroute, d, grace, platform=world["district"], reason="涉及多个部门，提请区级统筹")
    assert keys(warnings_on(d)) == first | {f"org:{world['district'].pk}"}


def test_warnings_commit_or_roll_back_with_the_assessment(world, alice, community_a):
    d = new_dispute(alice, community_a, risk_flags=[RiskFlag.EXTREME_ACT])
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.assess(d.pk, alice, version=d.version, complexity=Complexity.GENERAL)
        assert warnings_on(d).exists()
        raise RuntimeError("the request failed after the assessment")
    assert not warnings_on(d).exists() and not Notification.objects.exists()


# --- escalation of unacknowledged warnings -------------------------------------------------------------------


def test_an_unacknowledged_warning_goes_one_level_up_once(world, alice, ivan, rsj, community_a):
    d = assessed(alice, community_a, people_involved=12)
    due = warnings_on(d).first().ack_due_at
    assert warnings.escalate_unacknowledged(due - dt.timedelta(minutes=1)) == 0

    late = warnings_on(d).count()
    assert warnings.escalate_unacknowledged(due + dt.timedelta(minutes=1)) == late
    up = escalations(d, warnings_on(d).get(recipient_unit=rsj))
    # The street platform's level above: the district platform, and the district's supervisors.
    assert keys(up) == {f"org:{world['district'].pk}", f"user:{ivan.pk}"}
    assert set(up.values_list("level", flat=True)) == {RiskGrade.ORANGE}
    assert rsj.name in up.first().body and rsj.name in up.first().title

    assert warnings.escalate_unacknowledged(due + dt.timedelta(hours=5)) == 0
    assert escalations(d).count() == 2 * late


def test_acknowledged_warnings_do_not_escalate(world, alice, dave, grace, community_a):
    d = assessed(alice, community_a, people_involved=12)
    # Each recipient acknowledges its own warning: dave for 区人社局, grace for the street
    # platform, each supervisor for themselves (the community platform's, unstaffed here, directly).
    by = {"unit": dave, "org": grace}
    for alert in warnings_on(d).exclude(recipient_organization=world["community_a"]):
        assert acknowledge(alert, alert.recipient_user or by[alert.recipient_key.split(":")[0]])
    for alert in warnings_on(d, recipient_organization=world["community_a"]):
        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=timezone.now())
    assert warnings.escalate_unacknowledged(timezone.now() + dt.timedelta(days=3)) == 0
    assert not escalations(d).exists()


def test_a_red_warning_at_the_district_goes_to_the_district_supervisors(world, alice, ivan, rsj, community_a):
    d = assessed(alice, community_a, risk_flags=[RiskFlag.EXTREME_ACT])
    assert warnings.escalate_unacknowledged(timezone.now() + dt.timedelta(hours=5)) == warnings_on(d).count()
    # Nothing above the district platform.
    assert keys(escalations(d, warnings_on(d).get(recipient_unit=rsj))) == {f"user:{ivan.pk}"}


# --- acknowledging ----------------------------------------------------------------------------------------------


def test_the_unit_acknowledges_its_warning(world, client, alice, dave, rsj, community_a):
    d = assessed(alice, community_a, people_involved=12)
    alert = warnings_on(d).get(recipient_unit=rsj)
    url = reverse("disputes:acknowledge_alert", args=[alert.pk])
    client.login(username="dave", password=PASSWORD)

    assert client.get(url).status_code == 405
    page = reverse("disputes:detail", args=[d.pk])
    response = client.post(url, {"next": page})
    assert response.status_code == 302 and response.url == page
    alert.refresh_from_db()
    assert alert.acknowledged_by == dave and alert.acknowledged_at is not None

    # A second click changes nothing; a link to another site is not followed.
    acknowledged_at = alert.acknowledged_at
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == alert.url
    alert.refresh_from_db()
    assert alert.acknowledged_at == acknowledged_at


def test_an_alert_the_user_cannot_see_answers_404(world, client, alice, frank, charlie, rsj, community_a):
    d = assessed(alice, community_a, people_involved=12)
    alert = warnings_on(d).get(recipient_unit=rsj)
    url = reverse("disputes:acknowledge_alert", args=[alert.pk])
    for name in ("frank", "charlie"):
        client.login(username=name, password=PASSWORD)
        assert client.post(url).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# --- the indicator (task 23) ------------------------------------------------------------------------------------


def test_warning_timeliness_counts_warnings_that_reached_both_sides_in_time(
    world, alice, dave, rsj, community_a
):
    on_time = assessed(alice, community_a, risk_flags=[RiskFlag.EXTREME_ACT])
    late = assessed(alice, community_a, people_involved=12)
    unreached = assessed(alice, community_a, people_involved=15)
    assessed(alice, community_a)  # blue: not counted

    for alert in warnings_on(on_time):
        Alert.objects.filter(pk=alert.pk).update(
            acknowledged_at=alert.created_at + dt.timedelta(hours=2), acknowledged_by=dave
        )
    for alert in warnings_on(late):
        # Everyone in time but the 属事 unit, half an hour late.
        late_unit = alert.recipient_unit_id == rsj.pk
        acked = alert.ack_due_at + dt.timedelta(minutes=30 if late_unit else -60)
        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=acked, acknowledged_by=dave)
    warnings_on(unreached, recipient_unit=rsj).delete()  # as if the 属事 unit had never been told

    with translation.override("en"):
        result = indicator("warning_timeliness", timezone.localdate(timezone.now() + dt.timedelta(days=2)))
    assert (result.numerator, result.denominator) == (1, 3)
    rows = {row.obj.pk: row for row in result.rows}
    assert rows[on_time.pk].met and "2 h 0 min" in rows[on_time.pk].detail
    assert not rows[late.pk].met and rsj.name in rows[late.pk].detail
    assert not rows[unreached.pk].met and rsj.name in rows[unreached.pk].detail
