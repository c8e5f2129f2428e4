"""The closed loop through the service layer, as real users with memberships (no superusers).

alice dispatches at community A's platform, erin mediates in community A's committee, dave is the liaison of
区人力社保局 (rsj) and frank of 区公安分局 (gaj), carol supervises the street, grace and heidi dispatch at the street
and district platforms, ivan supervises the district. See tests/dispute_fixtures.py.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from dadukou.kernel.errors import Conflict, Forbidden, WorkflowError
from disputes.choices import (
    AgreementForm,
    AssignmentRole,
    AssignmentStatus,
    Complexity,
    ConfirmationResult,
    ConsentMode,
    DayType,
    FailureGuidance,
    FeedbackTarget,
    HandlingLevel,
    Outcome,
    Performance,
    RiskFlag,
    RiskGrade,
    Satisfaction,
    SessionMode,
    Source,
    Status,
    SupervisionLevel,
    TerminationReason,
)
from disputes.models import Agreement, AppendOnlyError, Dispute, Event, Supervision
from disputes.services import workflow
from disputes.services.intake import possible_duplicates
from mediation.choices import Role
from mediation.services.memberships import grant
from tests.dispute_fixtures import act, applicant, register_dispute, reload, respondent, state

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

WRITTEN_AGREEMENT = {
    "form": AgreementForm.WRITTEN,
    "facts": "申请人在被申请人处务工，被申请人拖欠其2026年7月至9月工资共计12000元，双方对金额无异议。",
    "terms": "被申请人于2026年12月10日前一次性支付申请人工资12000元，申请人放弃其他请求。",
    "performance_method": "被申请人于2026年12月10日前通过银行转账一次性支付。",
    "amount": Decimal("12000"),
    "signed_by_all": True,
}


@pytest.fixture
def world(defaults, platforms, committee_a, alice, bob, carol, dave, erin, frank, grace, heidi):
    """The cast and the platforms of the loop (ivan, the district supervisor, only where a test asks)."""
    return platforms


def now():
    return timezone.now()


def today():
    return timezone.localdate()


def in_mediation(world, alice, erin, committee_a, **register_kwargs):
    """A blue dispute of community A, assigned to the committee and accepted by erin."""
    d = register_dispute(alice, committee_a.region, **register_kwargs)
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    d = act(workflow.assign, d, alice, to=committee_a)
    return act(workflow.accept, d, erin, assignment_id=d.lead_assignment.pk)


def mediated(d, erin, agreement=None):
    """notify rights, hold a session and record a successful outcome with a written agreement."""
    d = act(workflow.notify_rights, d, erin)
    d = act(
        workflow.record_session,
        d,
        erin,
        held_at=now() - dt.timedelta(hours=1),
        mode=SessionMode.ON_SITE,
        participants="张三；重庆某某建筑劳务有限公司 李经理",
        minutes="双方陈述事实，调解员释明法律规定，双方达成一致。",
    )
    return act(
        workflow.record_outcome,
        d,
        erin,
        outcome=Outcome.SUCCESS,
        note="调解成功",
        agreement=agreement or WRITTEN_AGREEMENT,
    )


def fed_back(d, erin):
    d = act(workflow.give_feedback, d, erin, target=FeedbackTarget.PARTIES, channel="电话", content="已告知")
    return act(
        workflow.give_feedback, d, erin, target=FeedbackTarget.PLATFORM, channel="系统", content="已办结"
    )


def refused(code, call, dispute, error=WorkflowError):
    """`call` raises `error` with `code`, and the dispute's status, version and events are unchanged."""
    before = state(dispute)
    with pytest.raises(error) as info:
        call()
    assert info.value.code == code, info.value.message
    assert info.value.message
    assert state(dispute) == before


# --- the whole loop ----------------------------------------------------------------------------------------


def test_the_full_loop_from_intake_to_archive(world, alice, dave, erin, frank, rsj, committee_a, community_a):
    d = register_dispute(alice, community_a)
    assert re.fullmatch(rf"DDK-{timezone.localtime().year}-\d{{6}}", d.number)
    assert d.status == Status.REGISTERED
    assert list(d.events.values_list("action", "actor")) == [("register", alice.pk)]

    # 研判: graded by the rules, complexity sets the limit, routed 属地 to community A and 属事 to rsj.
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    assert d.status == Status.ASSESSED
    assert d.risk_grade == d.risk_grade_by_rules == RiskGrade.BLUE
    assert d.complexity == Complexity.GENERAL
    assert d.platform == world["community_a"]
    assert d.handling_level == HandlingLevel.COMMUNITY
    assert d.routing_rule.name == "其他纠纷由村(社区)平台就地化解"
    assert list(d.responsible_units.all()) == [rsj]

    # 交办 to 区人力社保局; the general limit is 7 working days.
    d = act(workflow.assign, d, alice, to=rsj)
    first = d.lead_assignment
    assert d.status == Status.ASSIGNED
    assert (first.to_unit, first.from_platform, first.limit_days) == (rsj, world["community_a"], 7)
    assert first.day_type == DayType.WORKING
    assert d.due_at == first.due_at
    assert Dispute.objects.visible_to(dave).filter(pk=d.pk).exists()
    assert not Dispute.objects.visible_to(frank).filter(pk=d.pk).exists()

    # dave returns it with a reason: back to the dispatcher.
    d = act(
        workflow.return_assignment, d, dave, assignment_id=first.pk, reason="双方系邻里借款，不属劳动争议"
    )
    first.refresh_from_db()
    assert d.status == Status.ASSESSED and d.due_at is None
    assert (first.status, first.return_reason) == (AssignmentStatus.RETURNED, "双方系邻里借款，不属劳动争议")

    # Assigned again, to community A's mediation committee, in calendar days; erin accepts.
    d = act(workflow.assign, d, alice, to=committee_a, limit_days=15, day_type=DayType.CALENDAR)
    second = d.lead_assignment
    assert second.to_organization == committee_a and second.pk != first.pk
    assert second.due_at.astimezone(timezone.get_current_timezone()).date() == today() + dt.timedelta(15)
    d = act(workflow.accept, d, erin, assignment_id=second.pk)
    assert d.status == Status.IN_PROGRESS
    second.refresh_from_db()
    assert (second.status, second.accepted_by) == (AssignmentStatus.ACCEPTED, erin)

    # Mediation: rights notice, a session, success with a written agreement (Art. 29).
    d = mediated(d, erin)
    assert d.status == Status.RESOLVED and d.outcome == Outcome.SUCCESS
    agreement = Agreement.objects.get(dispute=d)
    assert agreement.form == AgreementForm.WRITTEN and agreement.effective_on == today()
    assert agreement.facts and agreement.terms and agreement.performance_method
    second.refresh_from_db()
    assert second.status == AssignmentStatus.COMPLETED

    # Judicial confirmation applied for within 30 days, and confirmed.
    d = act(
        workflow.apply_confirmation,
        d,
        erin,
        applied_on=today(),
        court="大渡口区人民法院",
        party_ids=[p.pk for p in d.parties.all()],
    )
    d = act(workflow.record_confirmation, d, erin, result=ConfirmationResult.CONFIRMED, decided_on=today())
    agreement.refresh_from_db()
    assert agreement.confirmation_result == ConfirmationResult.CONFIRMED

    # Feedback: it was assigned, so both the parties and the platform must hear back (task 26).
    d = act(workflow.give_feedback, d, erin, target=FeedbackTarget.PARTIES, channel="电话", content="已告知")
    assert d.status == Status.RESOLVED
    d = act(workflow.give_feedback, d, erin, target=FeedbackTarget.PLATFORM, channel="系统", content="已办结")
    assert d.status == Status.FED_BACK

    # 回访, then archive.
    d = act(
        workflow.follow_up,
        d,
        erin,
        visited_on=today(),
        satisfaction=Satisfaction.SATISFIED,
        performance=Performance.PERFORMED,
    )
    assert d.status == Status.FED_BACK
    d = act(workflow.archive, d, erin)
    assert d.status == Status.ARCHIVED and d.closed_at is not None

    assert list(d.events.order_by("pk").values_list("action", flat=True)) == [
        "register",
        "assess",
        "assign",
        "return",
        "assign",
        "accept",
        "notify_rights",
        "record_session",
        "record_outcome",
        "apply_confirmation",
        "record_confirmation",
        "feedback",
        "feedback",
        "follow_up",
        "archive",
    ]
    assert workflow.allowed_actions(d, erin) == [
        "record_court_progress",
        "record_confirmation",
        "record_notarization",
    ]


# --- assessment and routing ----------------------------------------------------------------------------------


def test_orange_goes_to_the_street_platform(world, alice, grace, community_a):
    d = register_dispute(alice, community_a, people_involved=12)
    d = act(workflow.assess, d, alice, complexity=Complexity.COMPLEX)
    assert d.risk_grade == RiskGrade.ORANGE
    assert d.platform == world["street"] and d.handling_level == HandlingLevel.STREET
    assert d.routing_rule.name == "橙色纠纷由镇街平台统筹"
    assert "assign" in workflow.allowed_actions(d, grace)
    # alice's territory is community A only: the street platform's dispute is no longer hers to assign.
    assert "assign" not in workflow.allowed_actions(d, alice)


def test_red_goes_to_the_district_with_its_leader(world, ivan, alice, heidi, rsj, community_a):
    d = register_dispute(alice, community_a, risk_flags=[RiskFlag.EXTREME_ACT])
    d = act(workflow.assess, d, alice, complexity=Complexity.COMPLEX)
    assert d.risk_grade == RiskGrade.RED
    assert d.platform == world["district"] and d.handling_level == HandlingLevel.DISTRICT
    assert d.routing_rule.needs_leader
    assert d.leader == ivan  # the district's supervisor by default
    d = act(workflow.assign, d, heidi, to=rsj)
    assert d.status == Status.ASSIGNED
    # The leader in charge sees the dispute, wherever it is.
    assert Dispute.objects.visible_to(ivan).filter(pk=d.pk).exists()


def test_red_needs_a_leader_before_assignment(world, alice, heidi, carol, rsj, community_a):
    d = register_dispute(alice, community_a, risk_flags=[RiskFlag.MASS_INCIDENT], people_involved=30)
    d = act(workflow.assess, d, alice, complexity=Complexity.COMPLEX)
    assert d.risk_grade == RiskGrade.RED and d.leader is None  # nobody supervises the district yet
    refused(
        "leader_required",
        lambda: workflow.assign(d.pk, heidi, version=reload(d).version, to=rsj),
        d,
    )
    d = act(workflow.set_leader, d, heidi, leader=carol)
    assert d.leader == carol
    d = act(workflow.assign, d, heidi, to=rsj)
    assert d.status == Status.ASSIGNED


def test_cross_unit_disputes_go_to_the_district(world, alice, community_a, reference):
    wages = register_dispute(alice, community_a, category="migrant_wages")
    wages = act(workflow.assess, wages, alice, complexity=Complexity.GENERAL)
    assert wages.risk_grade == RiskGrade.BLUE
    assert wages.platform == world["district"]
    assert wages.routing_rule.name == "跨部门纠纷由区级平台统筹"
    assert set(wages.responsible_units.values_list("code", flat=True)) == {"rsj", "zjw"}

    flagged = register_dispute(alice, community_a, category="neighbourhood", risk_flags=[RiskFlag.CROSS_UNIT])
    flagged = act(workflow.assess, flagged, alice, complexity=Complexity.GENERAL)
    assert flagged.platform == world["district"] and flagged.risk_grade == RiskGrade.YELLOW


def test_risk_override_needs_a_reason(world, alice, community_a):
    d = register_dispute(alice, community_a)
    version = reload(d).version
    refused(
        "override_reason_required",
        lambda: workflow.assess(
            d.pk, alice, version=version, complexity=Complexity.GENERAL, grade_override=RiskGrade.RED
        ),
        d,
    )
    refused(
        "override_reason_required",
        lambda: workflow.assess(
            d.pk,
            alice,
            version=version,
            complexity=Complexity.GENERAL,
            grade_override=RiskGrade.ORANGE,
            override_reason="   ",
        ),
        d,
    )
    d = act(
        workflow.assess,
        d,
        alice,
        complexity=Complexity.GENERAL,
        grade_override=RiskGrade.ORANGE,
        override_reason="申请人扬言到区政府上访",
    )
    assert (d.risk_grade, d.risk_grade_by_rules) == (RiskGrade.ORANGE, RiskGrade.BLUE)
    assert d.risk_override_reason == "申请人扬言到区政府上访"
    assert d.platform == world["street"]  # routed by the grade that stands


def test_assessment_refuses_bad_input(world, alice, community_a):
    d = register_dispute(alice, community_a)
    v = reload(d).version
    refused("invalid_complexity", lambda: workflow.assess(d.pk, alice, version=v, complexity="easy"), d)
    refused(
        "invalid_flag",
        lambda: workflow.assess(d.pk, alice, version=v, complexity=Complexity.SIMPLE, risk_flags=["bogus"]),
        d,
    )


def test_a_dispatcher_reroutes_with_a_reason(world, alice, grace, community_a):
    d = register_dispute(alice, community_a)
    d = act(workflow.assess, d, alice, complexity=Complexity.SIMPLE)
    refused(
        "reason_required",
        lambda: workflow.reroute(d.pk, alice, version=reload(d).version, platform=world["street"], reason=""),
        d,
    )
    d = act(workflow.reroute, d, alice, platform=world["street"], reason="涉及两个社区，由街道统筹")
    assert d.platform == world["street"] and d.routing_rule is None
    assert d.events.last().note == "涉及两个社区，由街道统筹"


# --- assignment ----------------------------------------------------------------------------------------------


def test_reassignment_keeps_the_history(world, alice, dave, erin, rsj, committee_a, community_a):
    d = register_dispute(alice, community_a)
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    d = act(workflow.assign, d, alice, to=rsj)
    first = d.lead_assignment
    refused(
        "reason_required",
        lambda: workflow.reassign(d.pk, alice, version=reload(d).version, to=committee_a, reason=""),
        d,
    )
    d = act(workflow.reassign, d, alice, to=committee_a, reason="人社局工作量大，改由社区调委会调解")
    first.refresh_from_db()
    assert first.status == AssignmentStatus.WITHDRAWN
    assert d.status == Status.ASSIGNED and d.lead_assignment.to_organization == committee_a
    assert d.assignments.count() == 2
    # The withdrawn assignment can no longer be accepted by dave; the new one by erin can.
    refused(
        "forbidden",
        lambda: workflow.accept(d.pk, dave, version=reload(d).version, assignment_id=first.pk),
        d,
        Forbidden,
    )
    d = act(workflow.accept, d, erin, assignment_id=d.lead_assignment.pk)
    assert d.status == Status.IN_PROGRESS


def test_co_handlers(world, alice, dave, frank, rsj, gaj, community_a):
    d = register_dispute(alice, community_a)
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    d = act(workflow.assign, d, alice, to=rsj, co_handlers=[gaj])
    lead = d.current_assignments.get(role=AssignmentRole.LEAD)
    co = d.current_assignments.get(role=AssignmentRole.CO_HANDLER)
    assert (lead.to_unit, co.to_unit) == (rsj, gaj)
    assert co.due_at == lead.due_at
    assert Dispute.objects.visible_to(frank).filter(pk=d.pk).exists()
    # The co-handler accepting does not start the mediation; the lead does.
    d = act(workflow.accept, d, frank, assignment_id=co.pk)
    assert d.status == Status.ASSIGNED
    d = act(workflow.accept, d, dave, assignment_id=lead.pk)
    assert d.status == Status.IN_PROGRESS
    # Adding one later is the dispatcher's, not the handler's.
    zjw = gaj.__class__.objects.get(code="zjw")
    refused(
        "forbidden",
        lambda: workflow.add_co_handler(d.pk, dave, version=reload(d).version, to=zjw),
        d,
        Forbidden,
    )
    d = act(workflow.add_co_handler, d, alice, to=zjw, note="涉及住房")
    assert d.current_assignments.count() == 3


def test_an_accepted_assignment_cannot_be_returned(world, alice, dave, rsj, community_a):
    d = register_dispute(alice, community_a)
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    d = act(workflow.assign, d, alice, to=rsj)
    assignment = d.lead_assignment
    refused(
        "reason_required",
        lambda: workflow.return_assignment(
            d.pk, dave, version=reload(d).version, assignment_id=assignment.pk, reason=" "
        ),
        d,
    )
    d = act(workflow.accept, d, dave, assignment_id=assignment.pk)
    refused(
        "invalid_transition",
        lambda: workflow.return_assignment(
            d.pk, dave, version=reload(d).version, assignment_id=assignment.pk, reason="不属本单位"
        ),
        d,
    )
    refused(
        "already_accepted",
        lambda: workflow.accept(d.pk, dave, version=reload(d).version, assignment_id=assignment.pk),
        d,
    )


# --- escalation: report up, guidance, supervision ------------------------------------------------------------


def test_report_up_from_community_to_street(world, alice, grace, rsj, community_a):
    d = register_dispute(alice, community_a)
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    refused(
        "reason_required", lambda: workflow.report_up(d.pk, alice, version=reload(d).version, reason=""), d
    )
    d = act(workflow.report_up, d, alice, reason="涉及街道辖区内多家企业，社区无法协调")
    assert d.status == Status.REPORTED_UP
    assert d.platform == world["street"] and d.handling_level == HandlingLevel.STREET
    assert d.events.last().after["platform_name"] == world["street"].name
    # The street platform takes it: assessing again keeps it at the street, then grace assigns.
    d = act(workflow.assess, d, grace, complexity=Complexity.COMPLEX)
    assert d.status == Status.ASSESSED and d.platform == world["street"]
    d = act(workflow.assign, d, grace, to=rsj)
    assert d.lead_assignment.from_platform == world["street"]


def test_the_handler_reports_up_what_it_cannot_resolve(world, alice, bob, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    lead = d.lead_assignment
    refused("forbidden", lambda: workflow.report_up(d.pk, bob, version=d.version, reason="x"), d, Forbidden)
    d = act(workflow.report_up, d, erin, reason="调解员无法协调，申请街道介入")
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.WITHDRAWN
    assert d.status == Status.REPORTED_UP and d.due_at is None


def test_the_district_platform_cannot_report_up(world, ivan, alice, heidi, community_a):
    d = register_dispute(alice, community_a, risk_flags=[RiskFlag.CIVIL_TO_CRIMINAL])
    d = act(workflow.assess, d, alice, complexity=Complexity.COMPLEX)
    refused("top_level", lambda: workflow.report_up(d.pk, heidi, version=reload(d).version, reason="x"), d)


def test_guidance_and_supervision(world, alice, bob, carol, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    d = act(workflow.guide, d, carol, versioned=False, text="注意做好申请人情绪疏导，必要时联系劳动监察。")
    assert d.events.last().note.startswith("注意做好")
    refused("text_required", lambda: workflow.guide(d.pk, carol, text=""), d)

    d = act(
        workflow.supervise,
        d,
        carol,
        versioned=False,
        level=SupervisionLevel.SUPERVISE,
        notice="请三日内报告进展",
    )
    notice = Supervision.objects.get(dispute=d)
    assert notice.assignment == d.lead_assignment and notice.answer_due_at > now()
    # Only the handler answers, in writing.
    refused(
        "forbidden",
        lambda: workflow.answer_supervision(d.pk, bob, supervision_id=notice.pk, answer="x"),
        d,
        Forbidden,
    )
    refused(
        "text_required",
        lambda: workflow.answer_supervision(d.pk, erin, supervision_id=notice.pk, answer=""),
        d,
    )
    d = act(
        workflow.answer_supervision,
        d,
        erin,
        versioned=False,
        supervision_id=notice.pk,
        answer="已组织两次调解，双方分歧在于加班费，预计下周达成协议。",
    )
    notice.refresh_from_db()
    assert notice.answered_by == erin and notice.answered_at
    refused(
        "no_open_supervision",
        lambda: workflow.answer_supervision(d.pk, erin, supervision_id=notice.pk, answer="again"),
        d,
    )
    # Supervising is for those above: neither the dispatcher nor the mediator may.
    for user in (alice, erin):
        refused(
            "forbidden",
            lambda user=user: workflow.supervise(d.pk, user, level=SupervisionLevel.REMINDER, notice="x"),
            d,
            Forbidden,
        )


# --- mediation -------------------------------------------------------------------------------------------------


def test_no_session_before_the_rights_notice(world, alice, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    refused(
        "rights_not_notified",
        lambda: workflow.record_session(
            d.pk,
            erin,
            version=reload(d).version,
            held_at=now(),
            mode=SessionMode.PHONE,
            participants="张三",
            minutes="电话沟通",
        ),
        d,
    )
    d = act(workflow.notify_rights, d, erin, note="书面告知")
    assert d.rights_notified_at is not None
    refused("already_notified", lambda: workflow.notify_rights(d.pk, erin, version=reload(d).version), d)


def test_a_party_who_refuses_mediation_blocks_sessions(world, alice, erin, committee_a):
    d = in_mediation(
        world,
        alice,
        erin,
        committee_a,
        parties=[applicant(), respondent(consents_to_mediation=False)],
    )
    d = act(workflow.notify_rights, d, erin)
    refused(
        "party_refuses",
        lambda: workflow.record_session(
            d.pk,
            erin,
            version=reload(d).version,
            held_at=now(),
            mode=SessionMode.ON_SITE,
            participants="张三",
            minutes="被申请人明确拒绝调解",
        ),
        d,
    )


def test_session_input_is_checked(world, alice, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    d = act(workflow.notify_rights, d, erin)
    v = reload(d).version
    base = {"held_at": now(), "mode": SessionMode.VIDEO, "participants": "张三", "minutes": "视频调解"}
    for code, change in [
        ("invalid_mode", {"mode": "telepathy"}),
        ("minutes_required", {"minutes": ""}),
        ("participants_required", {"participants": ""}),
        ("future_session", {"held_at": now() + dt.timedelta(days=1)}),
    ]:
        refused(
            code, lambda change=change: workflow.record_session(d.pk, erin, version=v, **(base | change)), d
        )
    refused(
        "no_session",
        lambda: workflow.record_outcome(
            d.pk, erin, version=v, outcome=Outcome.FAILURE, failure_guidance=FailureGuidance.LITIGATION
        ),
        d,
    )


def test_extension_needs_both_parties_consent(world, alice, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    applicant_party, respondent_party = d.parties.order_by("pk")
    new_due = d.due_at + dt.timedelta(days=30)

    def extend(**kwargs):
        data = {
            "new_due_at": new_due,
            "reason": "需进行工伤鉴定",
            "consent_note": "双方当事人签署延期同意书",
            "consenting_party_ids": [applicant_party.pk, respondent_party.pk],
        }
        return lambda: workflow.extend(d.pk, erin, version=reload(d).version, **(data | kwargs))

    refused("consent_missing", extend(consenting_party_ids=[applicant_party.pk]), d)
    refused("consent_missing", extend(consenting_party_ids=[]), d)
    refused("consent_required", extend(consent_note=""), d)
    refused("reason_required", extend(reason=""), d)
    refused("not_later", extend(new_due_at=d.due_at - dt.timedelta(days=1)), d)
    assert not reload(d).extended

    d = act(
        workflow.extend,
        d,
        erin,
        new_due_at=new_due,
        reason="需进行工伤鉴定",
        consent_note="双方当事人签署延期同意书",
        consenting_party_ids=[applicant_party.pk, respondent_party.pk],
    )
    assert d.extended and d.due_at == new_due and d.lead_assignment.due_at == new_due
    extension = d.extensions.get()
    assert set(extension.consenting_parties.all()) == {applicant_party, respondent_party}


# --- outcome and agreement -------------------------------------------------------------------------------------


def test_a_written_agreement_states_what_art_29_requires(world, alice, erin, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    d = act(workflow.notify_rights, d, erin)
    d = act(
        workflow.record_session,
        d,
        erin,
        held_at=now(),
        mode=SessionMode.ON_SITE,
        participants="张三",
        minutes="调解",
    )
    v = reload(d).version

    def outcome(**kwargs):
        data = {"outcome": Outcome.SUCCESS, "agreement": WRITTEN_AGREEMENT}
        return lambda: workflow.record_outcome(d.pk, erin, version=v, **(data | kwargs))

    refused("agreement_required", outcome(agreement=None), d)
    refused("facts_required", outcome(agreement=WRITTEN_AGREEMENT | {"facts": ""}), d)
    refused("terms_required", outcome(agreement=WRITTEN_AGREEMENT | {"terms": ""}), d)
    refused(
        "performance_method_required", outcome(agreement=WRITTEN_AGREEMENT | {"performance_method": " "}), d
    )
    refused("invalid_agreement_form", outcome(agreement=WRITTEN_AGREEMENT | {"form": "carved"}), d)
    refused("guidance_required", outcome(outcome=Outcome.FAILURE), d)
    refused("invalid_outcome", outcome(outcome="maybe"), d)
    refused("invalid_prevention", outcome(preventions=["bogus"]), d)
    assert not Agreement.objects.filter(dispute=d).exists()

    # An oral agreement needs only its terms (Art. 30: effective the day it is reached).
    d = act(
        workflow.record_outcome,
        d,
        erin,
        outcome=Outcome.SUCCESS,
        agreement={"form": AgreementForm.ORAL, "terms": "被申请人当场支付3000元"},
        preventions=["civil_to_criminal"],
    )
    assert d.agreement.form == AgreementForm.ORAL and d.preventions == ["civil_to_criminal"]


def test_failure_records_the_guidance_given(world, alice, erin, carol, committee_a):
    d = in_mediation(world, alice, erin, committee_a)
    d = act(workflow.notify_rights, d, erin)
    d = act(
        workflow.record_session,
        d,
        erin,
        held_at=now(),
        mode=SessionMode.ON_SITE,
        participants="张三",
        minutes="x",
    )
    d = act(
        workflow.record_outcome,
        d,
        erin,
        outcome=Outcome.FAILURE,
        failure_guidance=FailureGuidance.ARBITRATION,
        note="引导申请劳动仲裁",
    )
    assert (d.status, d.failure_guidance) == (Status.FAILED, FailureGuidance.ARBITRATION)
    # A failed dispute is fed back to the parties and the platform; a supervisor may reopen it.
    d = fed_back(d, erin)
    assert d.status == Status.FED_BACK
    d = act(workflow.archive, d, erin)
    d = act(workflow.reopen, d, carol, reason="当事人申请再次调解")
    assert d.status == Status.IN_PROGRESS


def test_judicial_confirmation_within_30_days(world, alice, erin, committee_a, community_a):
    d = mediated(
        in_mediation(world, alice, erin, committee_a),
        erin,
        # Past the window even when its last day moved past a holiday (民事诉讼法 Art. 85).
        WRITTEN_AGREEMENT | {"effective_on": today() - dt.timedelta(days=40)},
    )
    refused(
        "window_closed",
        lambda: workflow.apply_confirmation(
            d.pk,
            erin,
            version=reload(d).version,
            applied_on=today(),
            court="大渡口区人民法院",
            party_ids=[p.pk for p in d.parties.all()],
        ),
        d,
    )
    refused(
        "not_applied",
        lambda: workflow.record_confirmation(
            d.pk, erin, version=reload(d).version, result=ConfirmationResult.CONFIRMED, decided_on=today()
        ),
        d,
    )

    on_time = mediated(
        in_mediation(world, alice, erin, committee_a, title="另一起工资纠纷"),
        erin,
        WRITTEN_AGREEMENT | {"effective_on": today() - dt.timedelta(days=30)},
    )
    assert workflow.confirmation_window_closes(on_time.agreement) >= today()  # later when today is a holiday
    both = [p.pk for p in on_time.parties.all()]
    refused(
        "court_required",
        lambda: workflow.apply_confirmation(
            on_time.pk, erin, version=reload(on_time).version, applied_on=today(), court="", party_ids=both
        ),
        on_time,
    )
    on_time = act(
        workflow.apply_confirmation,
        on_time,
        erin,
        applied_on=today(),
        court="大渡口区人民法院",
        party_ids=both,
    )
    refused(
        "already_applied",
        lambda: workflow.apply_confirmation(
            on_time.pk,
            erin,
            version=reload(on_time).version,
            applied_on=today(),
            court="大渡口区人民法院",
            party_ids=both,
        ),
        on_time,
    )
    refused(
        "invalid_date",
        lambda: workflow.record_confirmation(
            on_time.pk,
            erin,
            version=reload(on_time).version,
            result=ConfirmationResult.REJECTED,
            decided_on=today() - dt.timedelta(days=1),
        ),
        on_time,
    )
    on_time = act(
        workflow.record_confirmation, on_time, erin, result=ConfirmationResult.REJECTED, decided_on=today()
    )
    assert on_time.agreement.confirmation_result == ConfirmationResult.REJECTED


def test_performance_and_notarization(world, alice, erin, committee_a):
    d = mediated(in_mediation(world, alice, erin, committee_a), erin)
    d = act(workflow.record_performance, d, erin, performance=Performance.PARTIAL, note="已付一半")
    assert d.agreement.performance == Performance.PARTIAL
    refused(
        "invalid_performance",
        lambda: workflow.record_performance(d.pk, erin, version=reload(d).version, performance="soon"),
        d,
    )
    d = act(workflow.record_notarization, d, erin, notarized_on=today(), office="重庆市大渡口区公证处")
    assert d.agreement.notary_office == "重庆市大渡口区公证处"


# --- follow-up, re-mediation, reopening ------------------------------------------------------------------------


def test_an_unsatisfied_follow_up_sends_it_back_to_mediation(world, alice, erin, committee_a):
    d = fed_back(mediated(in_mediation(world, alice, erin, committee_a), erin), erin)
    d = act(
        workflow.apply_confirmation,
        d,
        erin,
        applied_on=today(),
        court="大渡口区人民法院",
        party_ids=[p.pk for p in d.parties.all()],
    )
    d = act(workflow.record_notarization, d, erin, notarized_on=today(), office="重庆市大渡口区公证处")
    lead = d.assignments.get(role=AssignmentRole.LEAD)
    assert lead.status == AssignmentStatus.COMPLETED
    d = act(
        workflow.follow_up,
        d,
        erin,
        visited_on=today(),
        satisfaction=Satisfaction.UNSATISFIED,
        notes="申请人认为赔偿过低",
    )
    assert d.status == Status.IN_PROGRESS and d.outcome == "" and d.resolved_at is None
    # Nothing is rewritten: the completed round stays completed with its report; a new accepted round begins.
    completed_at, report = lead.completed_at, lead.result_report
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.COMPLETED
    assert (lead.completed_at, lead.result_report) == (completed_at, report)
    new_round = d.assignments.get(role=AssignmentRole.LEAD, status=AssignmentStatus.ACCEPTED)
    assert new_round.to_organization == lead.to_organization and new_round.due_at > timezone.now()
    event = d.events.last()
    assert event.after["remediation"] is True and event.after["assignment"] == new_round.pk
    assert event.before["set_aside"]["outcome"] == Outcome.SUCCESS

    # Re-mediation: another session and a new agreement that replaces the old one (kept in the timeline).
    d = act(
        workflow.record_session,
        d,
        erin,
        held_at=now(),
        mode=SessionMode.ON_SITE,
        participants="张三",
        minutes="再调解",
    )
    d = act(
        workflow.record_outcome,
        d,
        erin,
        outcome=Outcome.SUCCESS,
        agreement=WRITTEN_AGREEMENT | {"terms": "被申请人支付13000元", "amount": Decimal("13000")},
    )
    # Nothing is deleted: the first agreement stays, superseded by the new one, with its court and notary data.
    first, second = Agreement.objects.filter(dispute=d).order_by("pk")
    assert second == d.agreement and second.amount == Decimal("13000") and second.superseded_at is None
    assert first.superseded_at is not None and first.superseded_by == second
    assert first.terms == WRITTEN_AGREEMENT["terms"]
    assert (first.confirmation_court, first.notary_office) == ("大渡口区人民法院", "重庆市大渡口区公证处")
    assert d.events.last().after["superseded_agreement"] == first.pk


def test_an_unperformed_agreement_sends_it_back(world, alice, erin, committee_a):
    d = fed_back(mediated(in_mediation(world, alice, erin, committee_a), erin), erin)
    d = act(
        workflow.follow_up,
        d,
        erin,
        visited_on=today(),
        satisfaction=Satisfaction.BASICALLY,
        performance=Performance.UNPERFORMED,
    )
    assert d.status == Status.IN_PROGRESS
    assert Agreement.objects.get(dispute=d).performance == Performance.UNPERFORMED


def test_follow_up_input_and_archive_rules(world, alice, erin, committee_a):
    d = fed_back(mediated(in_mediation(world, alice, erin, committee_a), erin), erin)
    v = reload(d).version
    refused("follow_up_required", lambda: workflow.archive(d.pk, erin, version=v), d)
    refused(
        "invalid_satisfaction",
        lambda: workflow.follow_up(d.pk, erin, version=v, visited_on=today(), satisfaction="meh"),
        d,
    )
    refused(
        "future_visit",
        lambda: workflow.follow_up(
            d.pk,
            erin,
            version=v,
            visited_on=today() + dt.timedelta(days=1),
            satisfaction=Satisfaction.SATISFIED,
        ),
        d,
    )


def test_reopen_with_a_reason(world, alice, erin, carol, committee_a):
    d = fed_back(mediated(in_mediation(world, alice, erin, committee_a), erin), erin)
    d = act(workflow.follow_up, d, erin, visited_on=today(), satisfaction=Satisfaction.VERY_SATISFIED)
    d = act(workflow.archive, d, erin)
    refused("reason_required", lambda: workflow.reopen(d.pk, carol, version=reload(d).version, reason=""), d)
    refused(
        "forbidden",
        lambda: workflow.reopen(d.pk, erin, version=reload(d).version, reason="想再调"),
        d,
        Forbidden,
    )
    d = act(workflow.reopen, d, carol, reason="被申请人反悔，申请人再次申请调解")
    assert d.status == Status.IN_PROGRESS and d.closed_at is None and d.outcome == ""
    assert d.lead_assignment.status == AssignmentStatus.ACCEPTED


# --- duplicates: void, merge, link -----------------------------------------------------------------------------


def test_void_with_a_reason_never_deletes(world, alice, community_a):
    d = register_dispute(alice, community_a)
    refused("reason_required", lambda: workflow.void(d.pk, alice, version=reload(d).version, reason=""), d)
    d = act(workflow.void, d, alice, reason="误录：当事人信息填错，已重新登记")
    assert d.status == Status.VOIDED and d.void_reason == "误录：当事人信息填错，已重新登记"
    assert Dispute.objects.filter(pk=d.pk).exists()
    with pytest.raises(ProtectedError):
        d.delete()  # its events protect it: a dispute is never deleted
    assert reload(d).status == Status.VOIDED


@pytest.fixture
def wang(make_user, grid_a):
    """A grid worker of community A's first grid."""
    user = make_user("wang")
    grant(user, Role.GRID_WORKER, region=grid_a)
    return user


def test_merge_the_same_dispute_reported_twice(world, alice, wang, grid_a):
    patrol = register_dispute(wang, grid_a, source=Source.GRID_PATROL, title="工地拖欠工资")
    hotline = register_dispute(
        alice,
        grid_a,
        source=Source.HOTLINE_12345,
        external_id="12345-20261128-0042",
        title="市民来电反映工地欠薪",
        address="新山村街道某路1号工地",
    )
    assert patrol in possible_duplicates(hotline)
    refused(
        "invalid_merge_target",
        lambda: workflow.merge(hotline.pk, alice, version=reload(hotline).version, into=hotline),
        hotline,
    )
    patrol_events = patrol.events.count()
    hotline = act(workflow.merge, hotline, alice, into=patrol, reason="同一纠纷，网格员已上报")
    assert hotline.status == Status.MERGED and hotline.duplicate_of == patrol
    assert patrol in hotline.linked.all() and hotline in reload(patrol).linked.all()
    assert patrol.events.count() == patrol_events + 1
    assert patrol.events.last().action == "merged_in"
    assert reload(patrol).status == Status.REGISTERED
    # A merged dispute is no longer a duplicate candidate, and nothing can be merged into it.
    assert hotline not in possible_duplicates(patrol)
    third = register_dispute(alice, grid_a)
    refused(
        "invalid_merge_target",
        lambda: workflow.merge(third.pk, alice, version=reload(third).version, into=hotline),
        third,
    )


def test_link_related_disputes(world, alice, community_a):
    one = register_dispute(alice, community_a)
    other = register_dispute(alice, community_a, category="neighbourhood", title="同一楼栋噪音纠纷")
    workflow.link(one, other, alice, note="同一当事人")
    assert other in one.linked.all() and one in other.linked.all()
    assert one.events.last().action == other.events.last().action == "link"
    assert one.events.last().actor == alice
    with pytest.raises(WorkflowError) as info:
        workflow.link(one, one, alice)
    assert info.value.code == "invalid_link"


def test_linking_needs_control_of_the_dispute_and_sight_of_the_other(
    world, alice, bea, bob, charlie, community_a, community_b
):
    one = register_dispute(alice, community_a)
    other = register_dispute(alice, community_a, title="另一起")
    in_b = register_dispute(bob, community_b)
    for user, first, second in [
        (charlie, one, other),
        (bob, in_b, one),
        (bea, one, in_b),
        (alice, one, in_b),
    ]:
        events = Event.objects.count()
        with pytest.raises(Forbidden):
            workflow.link(first, second, user)
        assert Event.objects.count() == events
        assert not first.linked.exists()


# --- every forbidden transition is refused ---------------------------------------------------------------------


def _calls(other, unit, platform):
    """One call per action of the transition table, with input that would otherwise be acceptable."""
    w = workflow
    return {
        "assess": lambda pk, u, v: w.assess(pk, u, version=v, complexity=Complexity.GENERAL),
        "reroute": lambda pk, u, v: w.reroute(pk, u, version=v, platform=platform, reason="r"),
        "void": lambda pk, u, v: w.void(pk, u, version=v, reason="r"),
        "merge": lambda pk, u, v: w.merge(pk, u, version=v, into=other),
        "assign": lambda pk, u, v: w.assign(pk, u, version=v, to=unit),
        "reassign": lambda pk, u, v: w.reassign(pk, u, version=v, to=unit, reason="r"),
        "add_co_handler": lambda pk, u, v: w.add_co_handler(pk, u, version=v, to=unit),
        "accept": lambda pk, u, v: w.accept(pk, u, version=v, assignment_id=0),
        "return": lambda pk, u, v: w.return_assignment(pk, u, version=v, assignment_id=0, reason="r"),
        "report_up": lambda pk, u, v: w.report_up(pk, u, version=v, reason="r"),
        "guide": lambda pk, u, v: w.guide(pk, u, text="t"),
        "supervise": lambda pk, u, v: w.supervise(pk, u, level=SupervisionLevel.REMINDER, notice="n"),
        "answer_supervision": lambda pk, u, v: w.answer_supervision(pk, u, supervision_id=0, answer="a"),
        "notify_rights": lambda pk, u, v: w.notify_rights(pk, u, version=v),
        "record_session": lambda pk, u, v: w.record_session(
            pk, u, version=v, held_at=now(), mode=SessionMode.PHONE, participants="p", minutes="m"
        ),
        "extend": lambda pk, u, v: w.extend(
            pk, u, version=v, new_due_at=now(), reason="r", consent_note="c", consenting_party_ids=[]
        ),
        "record_outcome": lambda pk, u, v: w.record_outcome(
            pk, u, version=v, outcome=Outcome.FAILURE, failure_guidance=FailureGuidance.LITIGATION
        ),
        "record_performance": lambda pk, u, v: w.record_performance(
            pk, u, version=v, performance=Performance.PERFORMED
        ),
        "apply_confirmation": lambda pk, u, v: w.apply_confirmation(
            pk, u, version=v, applied_on=today(), court="c"
        ),
        "record_confirmation": lambda pk, u, v: w.record_confirmation(
            pk, u, version=v, result=ConfirmationResult.CONFIRMED, decided_on=today()
        ),
        "record_court_progress": lambda pk, u, v: w.record_court_progress(
            pk, u, version=v, accepted_on=today()
        ),
        "record_notarization": lambda pk, u, v: w.record_notarization(
            pk, u, version=v, notarized_on=today(), office="o"
        ),
        "feedback": lambda pk, u, v: w.give_feedback(
            pk, u, version=v, target=FeedbackTarget.PARTIES, channel="c", content="c"
        ),
        "follow_up": lambda pk, u, v: w.follow_up(
            pk, u, version=v, visited_on=today(), satisfaction=Satisfaction.SATISFIED
        ),
        "archive": lambda pk, u, v: w.archive(pk, u, version=v),
        "set_leader": lambda pk, u, v: w.set_leader(pk, u, version=v, leader=u),
        "link": lambda pk, u, v: w.link(Dispute.objects.get(pk=pk), other, u),
        "reopen": lambda pk, u, v: w.reopen(pk, u, version=v, reason="r"),
        "record_consent": lambda pk, u, v: w.record_consent(
            pk, u, version=v, party_id=0, consents=False, mode=ConsentMode.PHONE
        ),
        "terminate": lambda pk, u, v: w.terminate(
            pk,
            u,
            version=v,
            reason=TerminationReason.REFUSED,
            channels=[FailureGuidance.LITIGATION],
            note="n",
        ),
        "refer": lambda pk, u, v: w.refer(
            pk, u, version=v, channel=FailureGuidance.LITIGATION, body="b", referred_on=today()
        ),
        "reassess_risk": lambda pk, u, v: w.reassess_risk(pk, u, version=v, grade=RiskGrade.RED, reason="r"),
        "record_stabilization": lambda pk, u, v: w.record_stabilization(
            pk, u, version=v, person_in_charge="p", measures="m", starts_on=today(), review_on=today()
        ),
    }


def test_every_forbidden_transition_is_refused(world, alice, rsj, community_a):
    d = register_dispute(alice, community_a)
    other = register_dispute(alice, community_a, title="另一起")
    calls = _calls(other, rsj, world["street"])
    assert set(calls) == set(workflow.TRANSITIONS), "every action of the table must be exercised here"
    tried = 0
    for action, transition in workflow.TRANSITIONS.items():
        if action == "link":
            continue  # every status but voided: tried below
        for status in sorted(set(Status.values) - transition.sources):
            # Test set-up only: put the dispute in the status directly, without an Event.
            Dispute.objects.filter(pk=d.pk).update(status=status)
            before, other_before = state(d), state(other)
            with pytest.raises(WorkflowError) as info:
                calls[action](d.pk, alice, reload(d).version)
            assert info.value.code == "invalid_transition", (action, status, info.value.code)
            assert type(info.value) is WorkflowError
            assert state(d) == before and state(other) == other_before, (action, status)
            tried += 1
    assert tried > 100
    Dispute.objects.filter(pk=d.pk).update(status=Status.VOIDED)
    with pytest.raises(WorkflowError) as info:
        calls["link"](d.pk, alice, None)
    assert info.value.code == "invalid_transition"


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, alice, community_a):
    d = register_dispute(alice, community_a)
    refused(
        "version_conflict",
        lambda: workflow.assess(d.pk, alice, version=reload(d).version - 1, complexity=Complexity.SIMPLE),
        d,
        Conflict,
    )


# --- permission and authority ----------------------------------------------------------------------------------


@pytest.fixture
def bea(make_user, community_b):
    """A dispatcher of community B: the permission to assess, but no authority over community A."""
    user = make_user("bea")
    grant(user, Role.DISPATCHER, region=community_b)
    return user


def test_without_permission_or_authority_nothing_changes(
    world, alice, bob, bea, carol, charlie, dave, erin, frank, rsj, committee_a, community_a
):
    d = register_dispute(alice, community_a)
    v = reload(d).version

    def assess(user):
        return lambda: workflow.assess(d.pk, user, version=v, complexity=Complexity.GENERAL)

    for user in (charlie, bob, carol, dave):  # no assess permission
        refused("forbidden", assess(user), d, Forbidden)
    refused("forbidden", assess(bea), d, Forbidden)  # the permission, but not her community
    assert workflow.allowed_actions(reload(d), bea) == []
    assert workflow.allowed_actions(reload(d), charlie) == []
    assert set(workflow.allowed_actions(reload(d), alice)) == {
        "assess",
        "reroute",
        "set_leader",
        "void",
        "merge",
        "link",
        "record_consent",
        "terminate",
        "reassess_risk",
        "record_stabilization",
    }

    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    d = act(workflow.assign, d, alice, to=rsj)
    assignment = d.lead_assignment
    v = d.version
    # Only rsj may accept or return what was assigned to rsj.
    for user in (frank, erin, alice, charlie):
        refused(
            "forbidden",
            lambda user=user: workflow.accept(d.pk, user, version=v, assignment_id=assignment.pk),
            d,
            Forbidden,
        )
        refused(
            "forbidden",
            lambda user=user: workflow.return_assignment(
                d.pk, user, version=v, assignment_id=assignment.pk, reason="x"
            ),
            d,
            Forbidden,
        )
    d = act(workflow.accept, d, dave, assignment_id=assignment.pk)
    # The handler mediates; the dispatcher and other departments do not.
    for user in (alice, frank, erin):
        refused(
            "forbidden", lambda user=user: workflow.notify_rights(d.pk, user, version=d.version), d, Forbidden
        )
    assert "notify_rights" in workflow.allowed_actions(d, dave)
    assert "notify_rights" not in workflow.allowed_actions(d, frank)
    assignment.refresh_from_db()
    assert assignment.accepted_by == dave


def test_intake_needs_the_permission(world, dave, community_a):
    before = Dispute.objects.count()
    with pytest.raises(Forbidden):
        register_dispute(dave, community_a)  # a liaison does not register disputes
    assert Dispute.objects.count() == before


# --- visibility ------------------------------------------------------------------------------------------------


def test_visibility_across_two_communities_and_two_departments(
    world, alice, bob, carol, dave, frank, charlie, rsj, community_a, community_b
):
    in_a = register_dispute(alice, community_a)
    in_b = register_dispute(bob, community_b)

    def seen(user):
        return set(Dispute.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(alice) == {in_a.pk}
    assert seen(bob) == {in_b.pk}
    assert seen(carol) == {in_a.pk, in_b.pk}
    assert seen(dave) == seen(frank) == seen(charlie) == set()

    in_a = act(workflow.assess, in_a, alice, complexity=Complexity.SIMPLE)
    act(workflow.assign, in_a, alice, to=rsj)
    assert seen(dave) == {in_a.pk}
    assert seen(frank) == set()
    assert seen(bob) == {in_b.pk}


# --- the timeline is append-only -------------------------------------------------------------------------------


def test_events_cannot_be_changed_in_code(world, alice, community_a):
    d = register_dispute(alice, community_a)
    event = d.events.get()
    event.note = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        d.events.all().update(note="篡改")
    assert Event.objects.get(pk=event.pk).note == ""


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE disputes_event SET note = 'tampered' WHERE id = %s",
        "DELETE FROM disputes_event WHERE id = %s",
    ],
)
def test_events_cannot_be_changed_in_the_database(world, alice, community_a, sql):
    d = register_dispute(alice, community_a)
    event = d.events.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert Event.objects.filter(pk=event.pk, note="").exists()


def test_every_event_names_its_actor_and_states(world, alice, erin, committee_a):
    d = fed_back(mediated(in_mediation(world, alice, erin, committee_a), erin), erin)
    events = list(d.events.order_by("pk"))
    assert len(events) == 9
    for previous, event in zip(events, events[1:], strict=False):
        assert event.actor is not None and event.at >= previous.at
        assert event.before["version"] + 1 == event.after["version"]
        assert event.before["status"] == previous.after["status"]
    assert events[-1].after["version"] == reload(d).version
