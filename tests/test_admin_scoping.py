"""The admin follows the one visibility rule (mediation/admin_scoping.py).

sam is staff of the grand-mediation office role, but his membership is in 新山村街道 only (not district-wide):
in the admin he sees that street's rows and not 跃进村街道's, a foreign object's change page sends him away as
for a missing one, and no relation choice offers (or accepts) a foreign object. root, a superuser, sees all.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from disputes.models import Event
from mediation.choices import OrganizationKind, RegionKind, RegionLevel, Role
from mediation.models import (
    Alert,
    AlertKind,
    MediationOrganization,
    Membership,
    Notification,
    OutboxMessage,
    Unit,
)
from mediation.services.alerts import Recipient, raise_alert
from mediation.services.memberships import grant
from tasks_plan.models import JointMeeting, ProgressReport, Responsibility
from tests.conftest import PASSWORD, make_region
from tests.dispute_list_fixtures import new_dispute

pytest_plugins = ["tests.dispute_fixtures", "tests.dispute_list_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, defaults, platforms, street, other_street, community_a, alice):
    """Rows on both sides: a community, an organization, a member, a dispute, a meeting in each street."""
    community_c = make_region(
        other_street, "500104002001", "丙社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY
    )
    own_org = MediationOrganization.objects.create(
        region=community_a, kind=OrganizationKind.COMMUNITY_COMMITTEE, name="甲社区人民调解委员会"
    )
    foreign_org = MediationOrganization.objects.create(
        region=community_c, kind=OrganizationKind.COMMUNITY_COMMITTEE, name="丙社区人民调解委员会"
    )
    foreign_platform = MediationOrganization.objects.create(
        region=other_street, kind=OrganizationKind.PLATFORM, name="跃进村街道综合调处平台"
    )
    victor = make_user("victor")
    grant(victor, Role.DISPATCHER, region=community_c)
    own_dispute = new_dispute(alice, community_a, title="甲社区拖欠工资纠纷")
    foreign_dispute = new_dispute(victor, community_c, title="丙社区邻里漏水纠纷")
    own_gov = Unit.objects.get(code=f"gov-{street.code}")
    foreign_gov = Unit.objects.get(code=f"gov-{other_street.code}")
    clerk = make_user("clerk")
    own_meeting = JointMeeting.objects.create(
        held_on="2026-01-05",
        title="新山村街道联席会议",
        issues="…",
        decisions="…",
        recorded_by=clerk,
        convened_by=own_gov,
    )
    foreign_meeting = JointMeeting.objects.create(
        held_on="2026-01-06",
        title="跃进村街道联席会议",
        issues="…",
        decisions="…",
        recorded_by=clerk,
        convened_by=foreign_gov,
    )
    sam = make_user("sam", is_staff=True)
    grant(sam, Role.OFFICE_ADMIN, region=street)
    root = make_user("root", is_staff=True, is_superuser=True)
    return {
        "community_c": community_c,
        "own_org": own_org,
        "foreign_org": foreign_org,
        "foreign_platform": foreign_platform,
        "victor": victor,
        "own_dispute": own_dispute,
        "foreign_dispute": foreign_dispute,
        "own_gov": own_gov,
        "foreign_gov": foreign_gov,
        "own_meeting": own_meeting,
        "foreign_meeting": foreign_meeting,
        "sam": sam,
        "root": root,
    }


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def changelist(client, model: str) -> str:
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200, model
    return response.content.decode()


def change_page(client, model: str, pk: int):
    return client.get(reverse(f"admin:{model}_change", args=[pk]))


def test_a_street_staff_member_sees_only_the_streets_rows_in_every_changelist(client, world, community_a):
    login(client, world["sam"])
    regions = changelist(client, "mediation_region")
    assert community_a.name in regions and world["community_c"].name not in regions
    organizations = changelist(client, "mediation_mediationorganization")
    assert world["own_org"].name in organizations
    assert (
        world["foreign_org"].name not in organizations and world["foreign_platform"].name not in organizations
    )
    units = changelist(client, "mediation_unit")
    assert world["own_gov"].name in units and world["foreign_gov"].name not in units
    memberships = changelist(client, "mediation_membership")
    assert "alice" in memberships and "victor" not in memberships
    disputes = changelist(client, "disputes_dispute")
    assert world["own_dispute"].number in disputes and world["foreign_dispute"].number not in disputes
    events = changelist(client, "disputes_event")
    assert world["own_dispute"].number in events and world["foreign_dispute"].number not in events
    meetings = changelist(client, "tasks_plan_jointmeeting")
    assert world["own_meeting"].title in meetings and world["foreign_meeting"].title not in meetings


def test_a_foreign_objects_change_page_sends_him_away_as_for_a_missing_one(client, world, community_a):
    login(client, world["sam"])
    own_and_foreign = [
        ("mediation_region", community_a.pk, world["community_c"].pk),
        ("mediation_mediationorganization", world["own_org"].pk, world["foreign_org"].pk),
        ("mediation_unit", world["own_gov"].pk, world["foreign_gov"].pk),
        (
            "mediation_membership",
            Membership.objects.get(user__username="alice").pk,
            Membership.objects.get(user=world["victor"]).pk,
        ),
        ("disputes_dispute", world["own_dispute"].pk, world["foreign_dispute"].pk),
        (
            "disputes_event",
            Event.objects.filter(dispute=world["own_dispute"]).first().pk,
            Event.objects.filter(dispute=world["foreign_dispute"]).first().pk,
        ),
        ("tasks_plan_jointmeeting", world["own_meeting"].pk, world["foreign_meeting"].pk),
    ]
    for model, own, foreign in own_and_foreign:
        assert change_page(client, model, own).status_code == 200, model
        response = change_page(client, model, foreign)
        assert response.status_code == 302 and response["Location"] == reverse("admin:index"), model
        assert client.get(reverse(f"admin:{model}_history", args=[foreign])).status_code in (302, 404), model


def test_the_superuser_sees_everything(client, world):
    login(client, world["root"])
    assert world["foreign_org"].name in changelist(client, "mediation_mediationorganization")
    assert world["foreign_dispute"].number in changelist(client, "disputes_dispute")
    assert change_page(client, "tasks_plan_jointmeeting", world["foreign_meeting"].pk).status_code == 200


def choices(response, field: str) -> set:
    return {str(value) for value, _label in response.context["adminform"].form.fields[field].choices if value}


def test_relation_choices_offer_no_foreign_object(client, world, street, community_a, other_street):
    login(client, world["sam"])
    response = client.get(reverse("admin:tasks_plan_jointmeeting_add"))
    assert response.status_code == 200
    conveners, attendees = choices(response, "convened_by"), choices(response, "attendees")
    assert str(world["own_gov"].pk) in conveners and str(world["foreign_gov"].pk) not in conveners
    assert str(world["own_gov"].pk) in attendees and str(world["foreign_gov"].pk) not in attendees
    assert world["foreign_gov"].name not in response.content.decode()
    # A raw-id field accepts no foreign id either: the organization's region, the membership's region.
    response = client.post(
        reverse("admin:mediation_mediationorganization_add"),
        {
            "name": "越界的调委会",
            "kind": OrganizationKind.COMMUNITY_COMMITTEE,
            "region": world["community_c"].pk,
        },
    )
    assert response.status_code == 200 and "region" in response.context["adminform"].form.errors
    assert not MediationOrganization.objects.filter(name="越界的调委会").exists()
    response = change_page(client, "mediation_membership", Membership.objects.get(user__username="alice").pk)
    form = response.context["adminform"].form
    assert form.fields["region"].queryset.filter(pk=community_a.pk).exists()
    assert not form.fields["region"].queryset.filter(pk=other_street.pk).exists()
    assert not form.fields["organization"].queryset.filter(pk=world["foreign_platform"].pk).exists()


def test_saving_a_form_keeps_relations_the_editor_cannot_see(client, world, street):
    """A meeting attended by both governments, edited by sam: the foreign attendee stays."""
    meeting = world["own_meeting"]
    meeting.attendees.set([world["own_gov"], world["foreign_gov"]])
    login(client, world["sam"])
    response = change_page(client, "tasks_plan_jointmeeting", meeting.pk)
    assert str(world["foreign_gov"].pk) in choices(response, "attendees")
    response = client.post(
        reverse("admin:tasks_plan_jointmeeting_change", args=[meeting.pk]),
        {
            "held_on": "2026-01-05",
            "title": "新山村街道联席会议（改）",
            "convened_by": world["own_gov"].pk,
            "chaired_by": "",
            "attendees": [world["own_gov"].pk, world["foreign_gov"].pk],
            "issues": "…",
            "decisions": "…",
        },
    )
    assert response.status_code == 302
    assert set(meeting.attendees.all()) == {world["own_gov"], world["foreign_gov"]}


def test_the_plan_rows_and_reports_are_the_streets_only(client, world, street, other_street, loaded_plan):
    own_row = Responsibility.objects.filter(unit=world["own_gov"]).first()
    foreign_row = Responsibility.objects.filter(unit=world["foreign_gov"]).first()
    for row in (own_row, foreign_row):
        ProgressReport.objects.create(
            responsibility=row,
            kind="progress",
            period="2026Q1",
            text=f"{row.unit.name}的进展",
            submitted_by=world["root"],
        )
    login(client, world["sam"])
    response = client.get(reverse("admin:tasks_plan_progressreport_changelist"))
    shown = {r.pk for r in response.context["cl"].result_list}
    assert shown == {own_row.reports.get().pk}
    response = change_page(client, "tasks_plan_plantask", foreign_row.task_id)
    inline_units = {
        form.instance.unit_id
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.model is Responsibility
        for form in formset.formset.forms
    }
    assert world["foreign_gov"].pk not in inline_units


def test_alerts_notifications_and_the_outbox_follow_the_alerts_subject(client, world, community_a):
    # sam's office role reads alerts, notifications and the outbox in the admin (rights come with a role).
    sam, victor = world["sam"], world["victor"]
    victor.email, sam.email = "victor@example.org", "sam@example.org"
    victor.save()
    sam.save()
    own = raise_alert(
        world["own_dispute"],
        AlertKind.EARLY_WARNING,
        [Recipient(user=sam)],
        title="甲社区预警",
        region=community_a,
    )[0]
    foreign = raise_alert(
        world["foreign_dispute"],
        AlertKind.EARLY_WARNING,
        [Recipient(user=victor)],
        title="丙社区预警",
        region=world["community_c"],
    )[0]
    login(client, sam)
    alerts = changelist(client, "mediation_alert")
    assert own.title in alerts and foreign.title not in alerts
    notifications = changelist(client, "mediation_notification")
    assert own.title in notifications and foreign.title not in notifications
    outbox = client.get(reverse("admin:mediation_outboxmessage_changelist"))
    subjects = {m.subject for m in outbox.context["cl"].result_list}
    assert subjects == {own.title}
    assert OutboxMessage.objects.filter(subject=foreign.title).exists()
    assert Notification.objects.filter(title=foreign.title).exists()
    assert Alert.objects.filter(pk=foreign.pk).exists()
