"""Consent and its end (人民调解法 Art. 17, 23, 26): a party's consent recorded or changed at any stage, unknown
consent blocking a session, refusal and withdrawal ending the mediation without a session, and a terminated case
closed or referred — never stuck.

The cast is tests/dispute_fixtures.py's: alice dispatches at community A's platform, erin mediates in community
A's committee, bob dispatches in community B (a neighbour).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dadukou.kernel.errors import Forbidden
from disputes.choices import (
    AssignmentStatus,
    ConsentMode,
    FailureGuidance,
    FeedbackTarget,
    Outcome,
    SessionMode,
    Status,
    TerminationReason,
)
from disputes.models import Event, Referral
from disputes.services import workflow
from tests.dispute_fixtures import act, applicant, register_dispute, reload, respondent
from tests.test_workflow import in_mediation, refused

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

CHANNELS = [FailureGuidance.LITIGATION, FailureGuidance.ARBITRATION]


@pytest.fixture
def world(defaults, platforms, committee_a, alice, bob, erin):
    return platforms


def session(d, erin, **extra):
    fresh = reload(d)
    return workflow.record_session(
        fresh.pk,
        erin,
        version=fresh.version,
        held_at=timezone.now(),
        mode=SessionMode.ON_SITE,
        participants="张三、某公司代表",
        minutes="双方陈述意见",
        **extra,
    )


def the_respondent(d):
    return d.parties.get(role="respondent")


def test_unknown_consent_blocks_a_session_until_it_is_recorded_at_any_stage(world, alice, erin, committee_a):
    d = in_mediation(
        world, alice, erin, committee_a, parties=[applicant(), respondent(consents_to_mediation=None)]
    )
    d = act(workflow.notify_rights, d, erin)
    refused("consent_unknown", lambda: session(d, erin), d)
    company = the_respondent(d)
    d = act(workflow.record_consent, d, erin, party_id=company.pk, consents=True, mode=ConsentMode.PHONE)
    company.refresh_from_db()
    assert company.consents_to_mediation is True and company.consent_recorded_at is not None
    event = Event.objects.filter(dispute=d, action="record_consent").get()
    assert event.after["consent"] == {"before": None, "after": True} and event.after["kind"] == "consents"
    session(d, erin)  # now it may be held
    assert reload(d).sessions.count() == 1


def test_a_refusal_at_intake_ends_the_mediation_without_a_session_and_the_platform_closes_it(
    world, alice, committee_a
):
    d = register_dispute(
        alice, committee_a.region, parties=[applicant(), respondent(consents_to_mediation=None)]
    )
    assert d.status == Status.REGISTERED
    d = act(
        workflow.record_consent,
        d,
        alice,
        party_id=the_respondent(d).pk,
        consents=False,
        mode=ConsentMode.WRITTEN,
    )
    assert Event.objects.get(dispute=d, action="record_consent").after["kind"] == "refuses"
    d = act(
        workflow.terminate,
        d,
        alice,
        reason=TerminationReason.REFUSED,
        channels=CHANNELS,
        note="被申请人书面拒绝调解，已告知双方可以向人民法院起诉或申请劳动仲裁。",
    )
    assert (d.status, d.outcome, d.termination_reason) == (Status.FAILED, Outcome.TERMINATED, "refused")
    assert d.channels_told == CHANNELS and d.resolved_at is not None and not d.sessions.exists()
    # Nobody was assigned: the controlling platform gives the feedback and archives — the case is not stuck.
    d = act(workflow.give_feedback, d, alice, target=FeedbackTarget.PARTIES, channel="电话", content="已告知")
    assert d.status == Status.FED_BACK
    d = act(workflow.archive, d, alice)
    assert d.status == Status.ARCHIVED


def test_a_withdrawal_during_mediation_terminates_it_and_completes_the_assignment(
    world, alice, erin, committee_a
):
    d = in_mediation(world, alice, erin, committee_a)
    d = act(workflow.notify_rights, d, erin)
    session(d, erin)
    applicant_party = d.parties.get(role="applicant")
    d = act(
        workflow.record_consent,
        d,
        erin,
        party_id=applicant_party.pk,
        consents=False,
        mode=ConsentMode.IN_PERSON,
        note="申请人表示不再调解",
    )
    assert Event.objects.filter(dispute=d, action="record_consent").get().after["kind"] == "withdraws"
    refused("party_refuses", lambda: session(d, erin), d)
    d = act(
        workflow.terminate,
        d,
        erin,
        reason=TerminationReason.WITHDRAWN,
        channels=[FailureGuidance.LITIGATION],
        note="申请人撤回调解申请，已告知可向人民法院起诉。",
    )
    assert d.status == Status.FAILED and d.outcome == Outcome.TERMINATED
    assert d.lead_assignment is None or d.assignments.get().status == AssignmentStatus.COMPLETED


def test_a_failed_case_is_referred_and_archived_with_its_receiving_body(world, alice, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    d = act(workflow.notify_rights, d, erin)
    session(d, erin)
    d = act(
        workflow.terminate,
        d,
        erin,
        reason=TerminationReason.NO_AGREEMENT,
        channels=[FailureGuidance.ADMINISTRATIVE],
        note="经两次调解双方分歧较大，调解不成。",
    )
    refused(
        "invalid_date",
        lambda: workflow.refer(
            d.pk,
            erin,
            version=reload(d).version,
            channel=FailureGuidance.ADMINISTRATIVE,
            body="区人力社保局",
            referred_on=timezone.localdate() + dt.timedelta(days=1),
        ),
        d,
    )
    d = act(
        workflow.refer,
        d,
        erin,
        channel=FailureGuidance.ADMINISTRATIVE,
        body="区人力社保局劳动保障监察大队",
        referred_on=timezone.localdate(),
    )
    assert d.status == Status.ARCHIVED and d.closed_at is not None
    referral = Referral.objects.get(dispute=d)
    assert (referral.channel, referral.body) == (
        FailureGuidance.ADMINISTRATIVE,
        "区人力社保局劳动保障监察大队",
    )


def test_termination_input_is_checked_and_changes_nothing(world, alice, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    v = reload(d).version
    note = "调解终止"
    for code, kwargs in [
        ("invalid_reason", {"reason": "bored", "channels": CHANNELS, "note": note}),
        ("channels_required", {"reason": TerminationReason.REFUSED, "channels": [], "note": note}),
        ("channels_required", {"reason": TerminationReason.REFUSED, "channels": ["prayer"], "note": note}),
        ("note_required", {"reason": TerminationReason.REFUSED, "channels": CHANNELS, "note": " "}),
        # Everyone consents: a refusal must be recorded before it can end the mediation.
        ("no_refusal_recorded", {"reason": TerminationReason.REFUSED, "channels": CHANNELS, "note": note}),
        ("no_session", {"reason": TerminationReason.NO_AGREEMENT, "channels": CHANNELS, "note": note}),
    ]:
        refused(code, lambda kw=kwargs: workflow.terminate(d.pk, erin, version=v, **kw), d)


def test_consent_input_is_checked_and_a_neighbour_may_not_record_it(world, alice, bob, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    other = register_dispute(alice, committee_a.region)
    v = reload(d).version
    party = d.parties.first()
    for code, kwargs in [
        (
            "invalid_party",
            {"party_id": other.parties.first().pk, "consents": True, "mode": ConsentMode.PHONE},
        ),
        ("invalid_party", {"party_id": None, "consents": True, "mode": ConsentMode.PHONE}),
        ("invalid_consent", {"party_id": party.pk, "consents": "maybe", "mode": ConsentMode.PHONE}),
        ("invalid_consent_mode", {"party_id": party.pk, "consents": False, "mode": "telepathy"}),
        ("consent_unchanged", {"party_id": party.pk, "consents": True, "mode": ConsentMode.PHONE}),
    ]:
        refused(code, lambda kw=kwargs: workflow.record_consent(d.pk, erin, version=v, **kw), d)
    refused(
        "forbidden",
        lambda: workflow.record_consent(
            d.pk, bob, version=v, party_id=party.pk, consents=False, mode=ConsentMode.PHONE
        ),
        d,
        error=Forbidden,
    )


def test_the_dispute_page_offers_consent_and_termination_and_the_form_terminates(
    client, world, alice, committee_a
):
    d = register_dispute(
        alice, committee_a.region, parties=[applicant(), respondent(consents_to_mediation=False)]
    )
    client.force_login(alice)
    page = client.get(reverse("disputes:detail", args=[d.pk])).content.decode()
    assert 'name="consents"' in page and 'name="channels"' in page
    response = client.post(
        reverse("disputes:action", args=[d.pk, "terminate"]),
        {
            "version": reload(d).version,
            "reason": TerminationReason.REFUSED,
            "channels": [FailureGuidance.LITIGATION],
            "note": "被申请人拒绝调解，已告知可以起诉。",
        },
    )
    assert response.status_code == 302
    assert reload(d).status == Status.FAILED
