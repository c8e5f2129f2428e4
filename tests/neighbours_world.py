"""Two neighbouring streets with something of everything, for the text-leak and stored-indicator tests.

Use with `pytest_plugins = ["tests.dispute_fixtures", "tests.neighbours_world"]` and the `neighbours` fixture.

- 新山村街道 (street, ours): communities A and B with their platforms (tests/dispute_fixtures.py); carol supervises
  the street, alice dispatches in A, bob mediates in B.
- 跃进村街道 (other_street, foreign): community C with its platform; victor dispatches in C, vera supervises the street.
- Everywhere: olive of the office, heidi of the district platform, root the superuser, frank of 区公安分局 (gaj).

Foreign to everyone of 新山村街道 — the strings of `neighbours.foreign` must appear in no page or export they read:
the dispute in C (number, title, parties), its twin merged into ours and the dispute linked to ours, community C
itself, the committee and the mediator of C, C's police station, the 跃进村街道 meeting and training. Also foreign
to alice: the dispute of community B (`neighbours.foreign_to_alice`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from disputes.choices import AssignmentStatus, FeedbackTarget, Outcome, RiskGrade, SessionMode, Source, Status
from disputes.models import Agreement, Assignment, Dispute, Event, Feedback, MediationSession, PatrolDuty
from disputes.services import workflow
from disputes.services.warnings import raise_early_warning
from mediation.choices import OrganizationKind, RegionKind, RegionLevel, Role, TrainingLevel, UnitKind
from mediation.models import AlertKind, Unit
from mediation.services.alerts import Recipient, raise_alert
from mediation.services.memberships import grant
from tasks_plan.models import JointMeeting
from tests.conftest import make_region
from tests.dispute_fixtures import applicant, make_platform, register_dispute, reload, respondent
from tests.registry_fixtures import add_expert, appoint, make_mediator, make_org, make_training, make_unit

YEAR_START = dt.date(timezone.localdate().year, 1, 1)


def _dispute(user, region, title, *, applicant_name, seq, **fields):
    parties = [applicant(applicant_name, seq=seq), respondent(f"{applicant_name}的对方物业公司")]
    return register_dispute(user, region, title=title, parties=parties, **fields)


def _assignment(dispute, platform, user, *, to_unit, due_at, completed_at=None):
    return Assignment.objects.create(
        dispute=dispute,
        from_platform=platform,
        assigned_by=user,
        to_unit=to_unit,
        limit_days=7,
        day_type="working",
        accept_due_at=due_at - dt.timedelta(days=6),
        due_at=due_at,
        completed_at=completed_at,
        status=AssignmentStatus.COMPLETED if completed_at else AssignmentStatus.ACCEPTED,
    )


def _concluded(dispute, outcome, **extra):
    Dispute.objects.filter(pk=dispute.pk).update(
        status=Status.RESOLVED if outcome == Outcome.SUCCESS else Status.FAILED,
        outcome=outcome,
        resolved_at=timezone.now() - dt.timedelta(hours=1),
        **extra,
    )
    return reload(dispute)


@pytest.fixture
def neighbours(
    make_user,
    defaults,
    platforms,
    district,
    street,
    other_street,
    community_a,
    community_b,
    alice,
    bob,
    carol,
    heidi,
    rsj,
    gaj,
):
    now = timezone.now()
    community_c = make_region(
        other_street, "500104002001", "丙社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY
    )
    platform_c = make_platform(community_c, "丙社区调处平台")
    victor = make_user("victor")
    grant(victor, Role.DISPATCHER, region=community_c)
    vera = make_user("vera")
    grant(vera, Role.SUPERVISOR, region=other_street)
    olive = make_user("olive")
    grant(olive, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    frank = make_user("frank")
    grant(frank, Role.LIAISON, unit=gaj)
    root = make_user("root", is_superuser=True, is_staff=True)

    # --- disputes --------------------------------------------------------------------------------------------
    ours = _dispute(
        heidi, community_a, "甲社区拖欠工资纠纷", applicant_name="张甲甲", seq=11, source=Source.COURT
    )
    in_b = _dispute(heidi, community_b, "乙社区噪音扰民纠纷", applicant_name="李乙乙", seq=12)
    foreign = _dispute(
        heidi, community_c, "丙社区邻里漏水纠纷", applicant_name="王丙丙", seq=13, source=Source.POLICE
    )
    twin = _dispute(heidi, community_c, "丙社区漏水纠纷重复登记", applicant_name="赵丙丁", seq=14)
    fresh = reload(twin)
    workflow.merge(fresh.pk, heidi, version=fresh.version, into=reload(ours), reason="同一纠纷")
    workflow.link(reload(ours), reload(foreign), heidi)

    # Ours: assigned to 区人社局, finished on time, resolved with feedback, a video session, confirmation applied.
    _assignment(
        ours,
        platforms["district"],
        heidi,
        to_unit=rsj,
        due_at=now - dt.timedelta(days=1),
        completed_at=now - dt.timedelta(days=2),
    )
    ours = _concluded(ours, Outcome.SUCCESS)
    for target in (FeedbackTarget.PARTIES, FeedbackTarget.PLATFORM):
        Feedback.objects.create(dispute=ours, target=target, channel="电话", content="已反馈", given_by=heidi)
    MediationSession.objects.create(
        dispute=ours,
        held_at=now - dt.timedelta(days=3),
        mode=SessionMode.VIDEO,
        participants="双方",
        minutes="…",
        recorded_by=heidi,
    )
    Agreement.objects.create(
        dispute=ours,
        form="written",
        terms="分期支付",
        effective_on=timezone.localdate(),
        recorded_by=heidi,
        confirmation_applied_on=timezone.localdate(),
        amount=Decimal("12000"),
    )

    # The foreign one: red, 区公安分局 responsible and warned, its assignment overdue, failed, never fed back.
    Dispute.objects.filter(pk=foreign.pk).update(risk_grade=RiskGrade.RED)
    foreign = reload(foreign)
    foreign.responsible_units.add(gaj)
    Event.objects.create(dispute=foreign, action="assess", actor=heidi, note="红色")
    raise_early_warning(foreign)
    _assignment(foreign, platforms["district"], heidi, to_unit=gaj, due_at=now - dt.timedelta(days=1))
    foreign = _concluded(foreign, Outcome.FAILURE)
    MediationSession.objects.create(
        dispute=foreign,
        held_at=now - dt.timedelta(days=3),
        mode=SessionMode.PHONE,
        participants="双方",
        minutes="…",
        recorded_by=heidi,
    )
    # A notification alice kept from before the dispute was another street's: it must not name it now.
    raise_alert(
        foreign,
        AlertKind.OVERDUE,
        [Recipient(user=alice)],
        title=f"逾期：{foreign.number} {foreign.title}",
        body=f"纠纷 {foreign.number}（{foreign.title}）已逾期。",
        url=f"/disputes/{foreign.pk}/",
        region=foreign.region,
    )

    # --- the registry ---------------------------------------------------------------------------------------
    committee_a = make_org(OrganizationKind.COMMUNITY_COMMITTEE, community_a, "甲社区人民调解委员会")
    committee_c = make_org(OrganizationKind.COMMUNITY_COMMITTEE, community_c, "丙社区人民调解委员会")
    make_org(OrganizationKind.PLATFORM, other_street, "跃进村街道综合调处平台")
    medic_c = make_mediator("丙调解员", community_c, backgrounds=["lawyer"])
    appoint(medic_c, committee_c, full_time=True)
    add_expert(medic_c, specialties=["medical"])
    medic_a = make_mediator("甲调解员", community_a, backgrounds=["party_delegate"])
    appoint(medic_a, committee_a, full_time=True)
    # A studio of community A named after C's mediator (who serves only in C): the studio is ours, the name not.
    make_org(OrganizationKind.BRAND_STUDIO, community_a, "甲社区品牌调解工作室", named_after=medic_c)
    make_org(OrganizationKind.INDUSTRY_COMMITTEE, community_c, "丙社区物业纠纷调委会", fields=["property"])
    make_org(OrganizationKind.INDUSTRY_COMMITTEE, community_a, "甲社区医患纠纷调委会", fields=["medical"])
    station_c = make_unit("跃进村派出所", UnitKind.POLICE_STATION, other_street, parent=gaj)
    station_c.headcounts.create(officers=30, valid_from=dt.date(2019, 1, 1))
    make_org(OrganizationKind.POLICE_ROOM, other_street, "跃进村派出所警调室", host_unit=station_c)
    make_training(TrainingLevel.STREET, street, YEAR_START, title="新山村街道调解员培训")
    make_training(TrainingLevel.STREET, other_street, YEAR_START, title="跃进村街道调解员培训")

    # --- patrols, meetings -------------------------------------------------------------------------------------
    for region, status in (
        (community_a, PatrolDuty.Status.ON_TIME),
        (community_c, PatrolDuty.Status.MISSING),
    ):
        PatrolDuty.objects.create(
            region=region,
            cadence="weekly",
            period_start=YEAR_START,
            period_end=YEAR_START + dt.timedelta(days=6),
            due_at=timezone.make_aware(dt.datetime.combine(YEAR_START + dt.timedelta(days=7), dt.time(12))),
            status=status,
        )
    foreign_gov = Unit.objects.get(code=f"gov-{other_street.code}")
    meeting_c = JointMeeting.objects.create(
        held_on=timezone.localdate(),
        title="跃进村街道联席会议",
        issues="漏水",
        decisions="…",
        recorded_by=olive,
        convened_by=foreign_gov,
    )
    meeting_c.attendees.add(foreign_gov)
    JointMeeting.objects.create(
        held_on=timezone.localdate(), title="全区联席会议", issues="…", decisions="…", recorded_by=olive
    )

    foreign_strings = [
        foreign.number,
        foreign.title,
        "王丙丙",
        twin.number,
        twin.title,
        "赵丙丁",
        "丙社区",
        "丙调解员",
        "跃进村派出所",
        "跃进村街道联席会议",
        "跃进村街道调解员培训",
    ]
    return SimpleNamespace(
        ours=ours,
        in_b=in_b,
        foreign_dispute=foreign,
        twin=reload(twin),
        community_c=community_c,
        platform_c=platform_c,
        victor=victor,
        vera=vera,
        olive=olive,
        frank=frank,
        root=root,
        heidi=heidi,
        carol=carol,
        alice=alice,
        bob=bob,
        medic_c=medic_c,
        meeting_c=meeting_c,
        station_c=station_c,
        foreign=foreign_strings,
        foreign_to_alice=[in_b.number, in_b.title, "李乙乙"],
        content_type=ContentType.objects.get_for_model(Dispute),
    )
