"""The registry's browser pages: organizations, mediators, expert pool, trainings and the indicator overview.

The people are those of tests/conftest.py plus olivia, of the grand-mediation office (she sees the district).
Community A and B are neighbours in 新山村街道: alice (community A) must not see B's committee or mediators.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.choices import (
    AppointmentRole,
    Background,
    Gender,
    MediationField,
    MediatorStatus,
    OrganizationKind,
    RegionKind,
    RegionLevel,
    Role,
    TrainingLevel,
)
from mediation.models import (
    Appointment,
    ExpertMembership,
    MediationOrganization,
    Mediator,
    StatusChange,
    Training,
    TrainingAttendance,
    Unit,
)
from mediation.services.memberships import grant
from tests.conftest import make_region

TODAY = timezone.localdate()
LONG_AGO = dt.date(2015, 1, 1)


def org(region, kind, name, **extra) -> MediationOrganization:
    extra.setdefault("established_on", LONG_AGO)
    return MediationOrganization.objects.create(region=region, kind=kind, name=name, **extra)


def mediator(region, name, **extra) -> Mediator:
    extra.setdefault("gender", Gender.MALE)
    return Mediator.objects.create(region=region, name=name, **extra)


def appoint(person, organization, *, full_time=False, role=AppointmentRole.MEDIATOR, **extra) -> Appointment:
    extra.setdefault("started_on", LONG_AGO)
    return Appointment.objects.create(
        mediator=person, organization=organization, is_full_time=full_time, role=role, **extra
    )


@pytest.fixture
def office_unit(reference):
    return Unit.objects.get(code="office")


@pytest.fixture
def olivia(make_user, office_unit):
    user = make_user("olivia")
    grant(user, Role.OFFICE_ADMIN, unit=office_unit)
    return user


@pytest.fixture
def committee_a(community_a):
    return org(
        community_a, OrganizationKind.COMMUNITY_COMMITTEE, "甲社区人民调解委员会", has_party_organization=True
    )


@pytest.fixture
def committee_b(community_b):
    return org(community_b, OrganizationKind.COMMUNITY_COMMITTEE, "乙社区人民调解委员会", online_capable=True)


@pytest.fixture
def medic_a(community_a, committee_a):
    person = mediator(
        community_a,
        "张调解",
        gender=Gender.FEMALE,
        id_number="500104198001010011",
        phone="13812345678",
        backgrounds=[Background.LAWYER],
        is_party_member=True,
    )
    appoint(person, committee_a, full_time=True, role=AppointmentRole.DIRECTOR)
    return person


@pytest.fixture
def medic_b(community_b, committee_b):
    person = mediator(community_b, "李调解", backgrounds=[Background.VOLUNTEER])
    appoint(person, committee_b)
    return person


@pytest.fixture
def industry(district):
    """A medical industry committee with one full-time mediator and two members, no woman among them."""
    committee = org(
        district,
        OrganizationKind.INDUSTRY_COMMITTEE,
        "区医疗纠纷人民调解委员会",
        fields=[MediationField.MEDICAL],
    )
    appoint(mediator(district, "王主任"), committee, full_time=True, role=AppointmentRole.DIRECTOR)
    appoint(mediator(district, "赵委员"), committee, role=AppointmentRole.MEMBER)
    return committee


@pytest.fixture
def registry(committee_a, committee_b, medic_a, medic_b, industry):
    return {"a": committee_a, "b": committee_b, "industry": industry}


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"mediation:{name}", args=args), params)


@pytest.mark.django_db
class TestOrganizations:
    def test_the_list_renders_in_chinese_for_the_office(self, client, olivia, registry):
        response = page(client, olivia, "organization_list")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html
        assert "调解组织" in html and "行业性专业性人民调解委员会" in html
        assert {o.name for o in response.context["organizations"]} == {
            "甲社区人民调解委员会",
            "乙社区人民调解委员会",
            "区医疗纠纷人民调解委员会",
        }

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"kind": OrganizationKind.INDUSTRY_COMMITTEE}, {"区医疗纠纷人民调解委员会"}),
            ({"field": MediationField.MEDICAL}, {"区医疗纠纷人民调解委员会"}),
            ({"field": MediationField.TRAFFIC}, set()),
            ({"has_party_organization": "true"}, {"甲社区人民调解委员会"}),
            ({"online_capable": "true"}, {"乙社区人民调解委员会"}),
            ({"q": "乙社区"}, {"乙社区人民调解委员会"}),
        ],
    )
    def test_filters(self, client, olivia, registry, params, expected):
        response = page(client, olivia, "organization_list", **params)
        assert {o.name for o in response.context["organizations"]} == expected

    def test_the_export_link_carries_the_list_filters(self, client, olivia, registry, street):
        from io import BytesIO

        from openpyxl import load_workbook

        listed = page(client, olivia, "organization_list", region=street.pk)
        link = reverse("mediation:registry_export", args=["organizations"]) + f"?region={street.pk}"
        assert link in listed.content.decode()
        workbook = load_workbook(BytesIO(b"".join(client.get(link).streaming_content)), read_only=True)
        names = {row[0] for row in list(workbook.active.iter_rows(values_only=True))[1:] if row[0]}
        assert names == {o.name for o in listed.context["organizations"]}

    def test_region_filter_takes_the_subtree(self, client, olivia, registry, street, community_a):
        by_street = page(client, olivia, "organization_list", region=street.pk)
        assert {o.name for o in by_street.context["organizations"]} == {
            "甲社区人民调解委员会",
            "乙社区人民调解委员会",
        }
        by_community = page(client, olivia, "organization_list", region=community_a.pk)
        assert {o.name for o in by_community.context["organizations"]} == {"甲社区人民调解委员会"}

    def test_active_on_a_date(self, client, olivia, registry, community_a):
        org(
            community_a,
            OrganizationKind.FIELD_ROOM,
            "旧调解室",
            established_on=dt.date(2018, 1, 1),
            dissolved_on=dt.date(2020, 1, 1),
        )
        names = lambda response: {o.name for o in response.context["organizations"]}  # noqa: E731
        assert "旧调解室" not in names(page(client, olivia, "organization_list"))
        assert "旧调解室" in names(page(client, olivia, "organization_list", on="2019-06-01"))
        assert "旧调解室" in names(page(client, olivia, "organization_list", on=""))
        assert "甲社区人民调解委员会" not in names(page(client, olivia, "organization_list", on="2010-01-01"))

    def test_neighbours_committee_is_invisible(self, client, alice, registry):
        response = page(client, alice, "organization_list")
        assert {o.name for o in response.context["organizations"]} == {"甲社区人民调解委员会"}
        assert page(client, alice, "organization_detail", registry["b"].pk).status_code == 404
        assert page(client, alice, "organization_detail", registry["a"].pk).status_code == 200

    def test_a_user_without_membership_sees_nothing(self, client, charlie, registry):
        assert page(client, charlie, "organization_list").status_code == 403

    def test_detail_shows_mediators_and_staffing_gap(self, client, olivia, registry):
        response = page(client, olivia, "organization_detail", registry["industry"].pk)
        html = response.content.decode()
        assert "1/3" in html
        assert response.context["staffing"].short
        assert "王主任" in html and "赵委员" in html
        assert "医疗" in html  # the field label, in Chinese

    def test_staffing_gap_is_shown_in_the_list_too(self, client, olivia, registry):
        response = page(client, olivia, "organization_list", kind=OrganizationKind.INDUSTRY_COMMITTEE)
        (industry,) = response.context["organizations"]
        staffing = industry.staffing
        assert (staffing.full_time, staffing.minimum, staffing.short) == (1, 3, True)

    def test_art_8_warning_for_two_men(self, client, olivia, registry):
        response = page(client, olivia, "organization_detail", registry["industry"].pk)
        warnings = response.context["warnings"]
        assert len(warnings) == 2
        html = response.content.decode()
        assert all(w in html for w in warnings)

    def test_no_art_8_warning_for_a_complete_committee(self, client, olivia, community_a):
        committee = org(community_a, OrganizationKind.COMMUNITY_COMMITTEE, "完整委员会")
        for i, gender in enumerate([Gender.FEMALE, Gender.MALE, Gender.MALE]):
            appoint(mediator(community_a, f"委员{i}", gender=gender), committee, role=AppointmentRole.MEMBER)
        response = page(client, olivia, "organization_detail", committee.pk)
        assert response.context["warnings"] == []

    def test_detail_on_a_past_date(self, client, olivia, registry, district):
        newcomer = mediator(district, "新来的")
        appoint(newcomer, registry["industry"], full_time=True, started_on=TODAY - dt.timedelta(days=10))
        today = page(client, olivia, "organization_detail", registry["industry"].pk)
        assert today.context["staffing"].full_time == 2
        earlier = (TODAY - dt.timedelta(days=30)).isoformat()
        before = page(client, olivia, "organization_detail", registry["industry"].pk, on=earlier)
        assert before.context["staffing"].full_time == 1
        assert "新来的" not in {a.mediator.name for a in before.context["serving"]}

    def test_hosted_rooms_and_history(self, client, olivia, district):
        centre = org(district, OrganizationKind.MAJOR_DISPUTE_CENTRE, "区调解中心")
        org(district, OrganizationKind.INDUSTRY_ROOM, "交通调解室", hosted_in=centre)
        old = org(
            district,
            OrganizationKind.INDUSTRY_ROOM,
            "旧室",
            hosted_in=centre,
            established_on=dt.date(2016, 1, 1),
            dissolved_on=dt.date(2017, 1, 1),
        )
        response = page(client, olivia, "organization_detail", centre.pk)
        assert {r.name for r in response.context["hosted_rooms"]} == {"交通调解室", "旧室"}
        dissolved = page(client, olivia, "organization_detail", old.pk)
        assert not dissolved.context["is_active_on_day"]
        assert "2017-01-01" in dissolved.content.decode()

    def test_cases_handled_counts_visible_assignments(self, client, olivia, registry, monkeypatch):
        from disputes.views import registry as dispute_sections

        calls = []

        def fake(ids, user):
            calls.append((list(ids), user.pk))
            return {ids[0]: {"total": 7, "completed": 3}}

        monkeypatch.setattr(dispute_sections, "cases_handled", fake)
        response = page(client, olivia, "organization_detail", registry["a"].pk)
        [cases] = response.context["sections"]["figures"]
        assert cases.context["cases"] == {"total": 7, "completed": 3}
        assert calls == [([registry["a"].pk], olivia.pk)]
        assert "交办纠纷：7 件（已办结：3 件）" in response.content.decode()

    def test_future_date_is_refused(self, client, olivia, registry):
        today = timezone.localdate()  # not the module's TODAY: a run may cross midnight in Shanghai
        future = (today + dt.timedelta(days=3)).isoformat()
        response = page(client, olivia, "organization_detail", registry["a"].pk, on=future)
        assert response.context["day"] == today
        assert response.context["form"].errors


@pytest.mark.django_db
class TestCasesHandled:
    """cases_handled against real assignments (needs the dispute defaults and platforms)."""

    def test_counts_distinct_visible_disputes(self, olivia, alice, committee_a, community_a, community_b):
        from disputes.choices import AssignmentStatus, Source
        from disputes.models import Assignment, Category, Dispute
        from disputes.views.registry import cases_handled

        platform = org(community_a, OrganizationKind.PLATFORM, "甲社区平台")
        category = Category.objects.create(code="neighbour", name="邻里纠纷")
        now = timezone.now()

        def dispute(region, number):
            return Dispute.objects.create(
                number=number,
                category=category,
                source=Source.APPLICATION,
                region=region,
                address="某路1号",
                occurred_at=now,
                title="邻里噪音",
                description="—",
                created_by=olivia,
                platform=platform,
            )

        def assign(d, status):
            Assignment.objects.create(
                dispute=d,
                from_platform=platform,
                to_organization=committee_a,
                status=status,
                limit_days=5,
                day_type="working",
                accept_due_at=now,
                due_at=now,
                assigned_by=olivia,
            )

        first = dispute(community_a, "T1")
        assign(first, AssignmentStatus.COMPLETED)
        assign(first, AssignmentStatus.ACCEPTED)  # the same dispute twice counts once
        assign(dispute(community_a, "T2"), AssignmentStatus.RETURNED)
        assign(dispute(community_b, "T3"), AssignmentStatus.ACCEPTED)
        assert cases_handled([committee_a.pk], olivia)[committee_a.pk] == {
            "to_organization": committee_a.pk,
            "total": 2,
            "completed": 1,
        }
        # T3 lies in community B: alice does not see it, so it is not counted for her.
        assert cases_handled([committee_a.pk], alice)[committee_a.pk]["total"] == 1


@pytest.mark.django_db
class TestSectionsFromOtherApps:
    """The dispute data on the registry pages comes through mediation.views.sections, not an import."""

    def test_an_organizations_categories_are_shown(self, client, olivia, registry):
        from disputes.models import Category

        category = Category.objects.create(code="neighbour", name="邻里纠纷")
        category.organizations.add(registry["a"])
        html = page(client, olivia, "organization_detail", registry["a"].pk).content.decode()
        assert "纠纷类型" in html and "邻里纠纷" in html
        assert (
            "邻里纠纷" not in page(client, olivia, "organization_detail", registry["b"].pk).content.decode()
        )

    def test_the_pages_stand_without_the_dispute_sections(
        self, client, olivia, registry, medic_a, monkeypatch
    ):
        from collections import defaultdict

        from mediation.views import sections

        monkeypatch.setattr(sections, "providers", defaultdict(list))
        response = page(client, olivia, "organization_detail", registry["a"].pk)
        assert response.status_code == 200
        assert response.context["sections"] == {"details": [], "figures": []}
        assert "交办纠纷" not in response.content.decode()
        response = page(client, olivia, "mediator_detail", medic_a.pk)
        assert response.status_code == 200
        assert response.context["sections"] == {"activity": []}
        assert 'aria-labelledby="cases"' not in response.content.decode()

    def test_a_provider_for_an_unknown_page_or_slot_is_refused(self, monkeypatch):
        from collections import defaultdict

        from mediation.views import sections

        monkeypatch.setattr(sections, "providers", defaultdict(list))
        with pytest.raises(ValueError, match="unknown registry page"):
            sections.provides("dispute_detail")
        sections.provides("mediator_detail")(lambda context: sections.Section("sidebar", "x.html"))
        with pytest.raises(ValueError, match="no slot"):
            sections.sections_for("mediator_detail", {})


@pytest.mark.django_db
class TestMediators:
    def test_the_list_renders_and_filters(self, client, olivia, registry):
        response = page(client, olivia, "mediator_list")
        assert response.status_code == 200
        assert {m.name for m in response.context["mediators"]} == {"张调解", "李调解", "王主任", "赵委员"}
        assert "女" in response.content.decode()  # the gender, in Chinese

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "调解"}, {"张调解", "李调解"}),
            ({"full_time": "true"}, {"张调解", "王主任"}),
            ({"full_time": "false"}, {"李调解", "赵委员"}),
            ({"background": Background.LAWYER}, {"张调解"}),
            ({"is_party_member": "true"}, {"张调解"}),
            ({"gender": Gender.FEMALE}, {"张调解"}),
            ({"status": MediatorStatus.SUSPENDED}, set()),
        ],
    )
    def test_filters(self, client, olivia, registry, params, expected):
        response = page(client, olivia, "mediator_list", **params)
        assert {m.name for m in response.context["mediators"]} == expected

    def test_organization_and_full_time_together(self, client, olivia, registry):
        industry = registry["industry"]
        both = page(client, olivia, "mediator_list", organization=industry.pk, full_time="true")
        assert {m.name for m in both.context["mediators"]} == {"王主任"}
        serving = page(client, olivia, "mediator_list", organization=industry.pk)
        assert {m.name for m in serving.context["mediators"]} == {"王主任", "赵委员"}

    def test_region_and_expert_filters(self, client, olivia, registry, street, medic_b):
        ExpertMembership.objects.create(mediator=medic_b, specialties=["traffic"], joined_on=LONG_AGO)
        in_street = page(client, olivia, "mediator_list", region=street.pk)
        assert {m.name for m in in_street.context["mediators"]} == {"张调解", "李调解"}
        experts = page(client, olivia, "mediator_list", expert="true")
        assert {m.name for m in experts.context["mediators"]} == {"李调解"}

    def test_neighbours_mediators_are_invisible(self, client, alice, registry, medic_a, medic_b):
        response = page(client, alice, "mediator_list")
        assert {m.name for m in response.context["mediators"]} == {"张调解"}
        assert page(client, alice, "mediator_detail", medic_b.pk).status_code == 404
        assert page(client, alice, "mediator_detail", medic_a.pk).status_code == 200

    def test_detail_masks_personal_data(self, client, olivia, medic_a):
        response = page(client, olivia, "mediator_detail", medic_a.pk)
        html = response.content.decode()
        assert "5001**********0011" in html and "138****5678" in html
        assert "500104198001010011" not in html and "13812345678" not in html
        assert response.context["unmask_form"] is None  # the office has no right to unmask

    def test_unmasking_needs_the_permission(self, client, olivia, medic_a):
        client.force_login(olivia)
        url = reverse("mediation:mediator_detail", args=[medic_a.pk])
        assert client.post(url, {"reason": "核对身份"}).status_code == 403

    def test_unmasking_with_a_reason_is_logged(self, client, make_user, medic_a, community_a, caplog):
        auditor = make_user("audrey")
        grant(auditor, Role.AUDITOR, region=community_a)
        client.force_login(auditor)
        url = reverse("mediation:mediator_detail", args=[medic_a.pk])
        assert "138****5678" in client.get(url).content.decode()
        no_reason = client.post(url, {"reason": ""})
        assert "13812345678" not in no_reason.content.decode()
        with caplog.at_level(logging.WARNING, logger="mediation.views.mediators"):
            response = client.post(url, {"reason": "核对身份"})
        html = response.content.decode()
        assert "500104198001010011" in html and "13812345678" in html
        (record,) = caplog.records
        assert record.levelno == logging.WARNING
        assert str(auditor.pk) in record.getMessage() and str(medic_a.pk) in record.getMessage()

    def test_detail_shows_history_trainings_and_discipline(
        self, client, olivia, medic_a, street, office_unit
    ):
        ExpertMembership.objects.create(
            mediator=medic_a, specialties=["marriage"], expertise="婚姻家庭法", joined_on=LONG_AGO
        )
        StatusChange.objects.create(
            mediator=medic_a,
            status=MediatorStatus.SUSPENDED,
            ground=StatusChange.Ground.GIFTS,
            effective_on=dt.date(2020, 3, 1),
            recorded_by=olivia,
        )
        training = Training.objects.create(
            level=TrainingLevel.STREET,
            region=street,
            organizer=office_unit,
            title="调解技巧培训",
            held_on=dt.date(2021, 5, 1),
            hours=Decimal("4"),
        )
        TrainingAttendance.objects.create(training=training, mediator=medic_a)
        response = page(client, olivia, "mediator_detail", medic_a.pk)
        html = response.content.decode()
        assert "婚姻家庭法" in html and "调解技巧培训" in html and "2020-03-01" in html
        [cases] = response.context["sections"]["activity"]
        assert cases.context["sessions"] is None  # no user account linked
        assert [row["organization"].name for row in cases.context["organization_cases"]] == [
            "甲社区人民调解委员会"
        ]

    def test_sessions_of_a_linked_user(self, client, olivia, bob, medic_b):
        medic_b.user = bob
        medic_b.save()
        response = page(client, olivia, "mediator_detail", medic_b.pk)
        [cases] = response.context["sections"]["activity"]
        assert cases.context["sessions"] == {"sessions": 0, "disputes": 0}


@pytest.mark.django_db
class TestExpertPool:
    def test_search_by_specialty_and_text(self, client, olivia, registry, medic_a, medic_b, district):
        ExpertMembership.objects.create(
            mediator=medic_a,
            specialties=["medical", "marriage"],
            expertise="医疗损害鉴定",
            joined_on=LONG_AGO,
        )
        ExpertMembership.objects.create(mediator=medic_b, specialties=["traffic"], joined_on=LONG_AGO)
        former = mediator(district, "前专家")
        ExpertMembership.objects.create(
            mediator=former, specialties=["medical"], joined_on=LONG_AGO, left_on=dt.date(2020, 1, 1)
        )
        names = lambda r: [m.mediator.name for m in r.context["members"]]  # noqa: E731
        assert sorted(names(page(client, olivia, "expert_list"))) == ["张调解", "李调解"]
        assert names(page(client, olivia, "expert_list", specialty="medical")) == ["张调解"]
        assert names(page(client, olivia, "expert_list", specialty="traffic")) == ["李调解"]
        assert names(page(client, olivia, "expert_list", q="鉴定")) == ["张调解"]
        assert names(page(client, olivia, "expert_list", q="李")) == ["李调解"]
        assert "医疗" in page(client, olivia, "expert_list").content.decode()

    def test_expert_outside_scope_is_not_listed(self, client, alice, registry, medic_b):
        ExpertMembership.objects.create(mediator=medic_b, specialties=["traffic"], joined_on=LONG_AGO)
        assert page(client, alice, "expert_list").context["members"] == []


@pytest.fixture
def trainings(street, other_street, district, office_unit, medic_a, medic_b):
    year = TODAY.year - 1
    made = [
        Training.objects.create(
            level=TrainingLevel.DISTRICT,
            region=district,
            organizer=office_unit,
            title="全区集中培训",
            held_on=dt.date(year, 3, 1),
        ),
        Training.objects.create(
            level=TrainingLevel.STREET,
            region=street,
            organizer=office_unit,
            title="街道培训一",
            held_on=dt.date(year, 4, 1),
        ),
        Training.objects.create(
            level=TrainingLevel.STREET,
            region=street,
            organizer=office_unit,
            title="街道培训二",
            held_on=dt.date(year, 9, 1),
        ),
        Training.objects.create(
            level=TrainingLevel.STREET,
            region=other_street,
            organizer=office_unit,
            title="跃进村街道培训",
            held_on=dt.date(year, 5, 1),
        ),
    ]
    for person in (medic_a, medic_b):
        TrainingAttendance.objects.create(training=made[0], mediator=person)
    return made


@pytest.mark.django_db
class TestTrainings:
    def test_list_with_attendee_counts_and_filters(self, client, olivia, trainings, street):
        response = page(client, olivia, "training_list")
        counts = {t.title: t.attendee_count for t in response.context["trainings"]}
        assert counts == {"全区集中培训": 2, "街道培训一": 0, "街道培训二": 0, "跃进村街道培训": 0}
        titles = lambda r: {t.title for t in r.context["trainings"]}  # noqa: E731
        assert titles(page(client, olivia, "training_list", level=TrainingLevel.DISTRICT)) == {"全区集中培训"}
        assert titles(page(client, olivia, "training_list", region=street.pk)) == {"街道培训一", "街道培训二"}
        assert titles(page(client, olivia, "training_list", year=TODAY.year)) == set()

    def test_detail_names_only_visible_attendees(self, client, alice, trainings):
        response = page(client, alice, "training_detail", trainings[0].pk)
        assert [a.mediator.name for a in response.context["attendance"]] == ["张调解"]
        assert response.context["hidden_attendees"] == 1

    def test_other_streets_training_is_invisible(self, client, alice, trainings):
        assert page(client, alice, "training_detail", trainings[3].pk).status_code == 404

    def test_compliance_per_year(self, client, olivia, trainings):
        response = page(client, olivia, "training_compliance", year=TODAY.year - 1)
        assert response.context["as_of"] == dt.date(TODAY.year - 1, 12, 31)
        assert response.context["district_met"]
        by_street = {row.label: (row.met, row.detail) for row in response.context["streets"].rows}
        assert by_street["新山村街道"] == (True, "2/2")
        assert by_street["跃进村街道"] == (False, "1/2")
        this_year = page(client, olivia, "training_compliance")
        assert this_year.context["as_of"] == timezone.localdate() and not this_year.context["district_met"]


@pytest.mark.django_db
class TestOverview:
    @pytest.fixture
    def dissolved_platform(self, community_a, community_b):
        last_year = TODAY.year - 1
        return org(
            community_a,
            OrganizationKind.PLATFORM,
            "甲社区综合调处平台",
            established_on=dt.date(last_year - 2, 1, 1),
            dissolved_on=dt.date(last_year, 6, 1),
        )

    def figures(self, response, code):
        (result,) = [r for r in response.context["results"] if r.code == code]
        return result.numerator, result.denominator

    def test_as_of_changes_the_figures(self, client, olivia, dissolved_platform):
        before = page(client, olivia, "registry", as_of=f"{TODAY.year - 1}-05-31")
        assert before.status_code == 200
        assert self.figures(before, "platform_rate_community") == (1, 2)
        after = page(client, olivia, "registry")
        assert self.figures(after, "platform_rate_community") == (0, 2)
        assert "50.0%" in before.content.decode()

    def test_drill_down_shows_met_rows_and_gaps(self, client, olivia, dissolved_platform):
        response = page(
            client, olivia, "indicator", "platform_rate_community", as_of=f"{TODAY.year - 1}-05-31"
        )
        rows = {s.row.label: s for s in response.context["rows"]}
        assert rows["新山村街道 / 甲社区"].row.met and not rows["新山村街道 / 乙社区"].row.met
        assert rows["新山村街道 / 甲社区"].url.startswith(reverse("mediation:organization_list"))
        gaps = page(client, olivia, "indicator", "platform_rate_community", gaps="1")
        assert len(gaps.context["rows"]) == 2

    def test_a_community_reads_its_own_row_only(self, client, alice, dissolved_platform):
        """alice (community A) reads A's figure and row; community B's row is neither counted nor named."""
        response = page(
            client, alice, "indicator", "platform_rate_community", as_of=f"{TODAY.year - 1}-05-31"
        )
        rows = {s.row.label: s.url for s in response.context["rows"]}
        assert list(rows) == ["新山村街道 / 甲社区"] and rows["新山村街道 / 甲社区"]
        assert (response.context["result"].numerator, response.context["result"].denominator) == (1, 1)
        assert "乙社区" not in response.content.decode()

    def test_unknown_indicator_is_404(self, client, olivia, reference):
        assert page(client, olivia, "indicator", "no_such_thing").status_code == 404

    def test_the_overview_needs_the_permission(self, client, charlie, reference):
        assert page(client, charlie, "registry").status_code == 403

    def test_navigation_has_the_registry(self, client, olivia, reference):
        html = page(client, olivia, "registry").content.decode()
        assert reverse("mediation:registry") in html


# --- query-count locks: a page costs the same number of queries for 3 rows as for 20 ---------------------------


def _lock(client, user, url, grow, django_assert_max_num_queries, small=3, large=20):
    """Measure `url` with `small` rows, grow to `large` rows, and require no more queries."""
    client.force_login(user)
    grow(small)
    client.get(url)  # warm caches (content types, sessions) so they do not count
    with django_assert_max_num_queries(1000) as before:
        assert client.get(url).status_code == 200
    grow(large)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
class TestQueryCounts:
    def test_organization_list(self, client, olivia, street, django_assert_max_num_queries):
        def grow(n):
            for i in range(MediationOrganization.objects.count(), n):
                committee = org(street, OrganizationKind.INDUSTRY_COMMITTEE, f"委员会{i}", fields=["medical"])
                appoint(mediator(street, f"调解员{i}"), committee, full_time=True)

        _lock(client, olivia, reverse("mediation:organization_list"), grow, django_assert_max_num_queries)

    def test_organization_detail(self, client, olivia, street, district, django_assert_max_num_queries):
        centre = org(district, OrganizationKind.MAJOR_DISPUTE_CENTRE, "中心")

        def grow(n):
            for i in range(Appointment.objects.count(), n):
                appoint(mediator(street, f"调解员{i}"), centre, full_time=i % 2 == 0)
                org(district, OrganizationKind.INDUSTRY_ROOM, f"室{i}", hosted_in=centre)

        url = reverse("mediation:organization_detail", args=[centre.pk])
        _lock(client, olivia, url, grow, django_assert_max_num_queries)

    def test_mediator_list(self, client, olivia, street, django_assert_max_num_queries):
        committee = org(street, OrganizationKind.STREET_COMMITTEE, "街道调委会")

        def grow(n):
            for i in range(Mediator.objects.count(), n):
                person = mediator(street, f"调解员{i}", backgrounds=["lawyer"])
                appoint(person, committee)
                ExpertMembership.objects.create(mediator=person, specialties=["medical"], joined_on=LONG_AGO)

        _lock(client, olivia, reverse("mediation:mediator_list"), grow, django_assert_max_num_queries)

    def test_mediator_detail(self, client, olivia, street, office_unit, django_assert_max_num_queries):
        person = mediator(street, "老调解员")

        def grow(n):
            for i in range(Appointment.objects.count(), n):
                committee = org(street, OrganizationKind.FIELD_ROOM, f"室{i}")
                appoint(person, committee, started_on=LONG_AGO + dt.timedelta(days=i))
                ExpertMembership.objects.create(
                    mediator=person, specialties=["medical"], joined_on=LONG_AGO + dt.timedelta(days=i)
                )
                StatusChange.objects.create(
                    mediator=person,
                    status=MediatorStatus.ACTIVE,
                    ground=StatusChange.Ground.REINSTATED,
                    effective_on=LONG_AGO + dt.timedelta(days=i),
                    recorded_by=olivia,
                )
                training = Training.objects.create(
                    level=TrainingLevel.STREET,
                    region=street,
                    organizer=office_unit,
                    title=f"培训{i}",
                    held_on=LONG_AGO + dt.timedelta(days=i),
                )
                TrainingAttendance.objects.create(training=training, mediator=person)

        url = reverse("mediation:mediator_detail", args=[person.pk])
        _lock(client, olivia, url, grow, django_assert_max_num_queries)

    def test_expert_list(self, client, olivia, street, django_assert_max_num_queries):
        committee = org(street, OrganizationKind.STREET_COMMITTEE, "街道调委会")

        def grow(n):
            for i in range(ExpertMembership.objects.count(), n):
                person = mediator(street, f"专家{i}")
                appoint(person, committee)
                ExpertMembership.objects.create(mediator=person, specialties=["medical"], joined_on=LONG_AGO)

        _lock(client, olivia, reverse("mediation:expert_list"), grow, django_assert_max_num_queries)

    def test_training_list_and_detail(
        self, client, olivia, street, office_unit, django_assert_max_num_queries
    ):
        first = Training.objects.create(
            level=TrainingLevel.STREET, region=street, organizer=office_unit, title="首次", held_on=LONG_AGO
        )

        def grow(n):
            for i in range(Training.objects.count(), n):
                Training.objects.create(
                    level=TrainingLevel.STREET,
                    region=street,
                    organizer=office_unit,
                    title=f"培训{i}",
                    held_on=LONG_AGO + dt.timedelta(days=i),
                )
            for i in range(first.attendance.count(), n):
                TrainingAttendance.objects.create(training=first, mediator=mediator(street, f"学员{i}"))

        _lock(client, olivia, reverse("mediation:training_list"), grow, django_assert_max_num_queries)
        url = reverse("mediation:training_detail", args=[first.pk])
        _lock(client, olivia, url, grow, django_assert_max_num_queries, small=20, large=40)

    def test_training_compliance(self, client, olivia, district, office_unit, django_assert_max_num_queries):
        def grow(n):
            for i in range(Training.objects.count(), n):
                Training.objects.create(
                    level=TrainingLevel.DISTRICT,
                    region=district,
                    organizer=office_unit,
                    title=f"培训{i}",
                    held_on=dt.date(TODAY.year, 1, 1),
                )

        _lock(client, olivia, reverse("mediation:training_compliance"), grow, django_assert_max_num_queries)

    def test_overview_and_drill_down(self, client, olivia, street, django_assert_max_num_queries):
        def grow(n):
            for i in range(street.children.count(), n):
                community = make_region(
                    street, f"500104001{i + 100:03d}", f"社区{i}", RegionLevel.COMMUNITY, RegionKind.COMMUNITY
                )
                org(community, OrganizationKind.PLATFORM, f"社区{i}平台")
                org(community, OrganizationKind.COMMUNITY_COMMITTEE, f"社区{i}调委会")

        _lock(client, olivia, reverse("mediation:registry"), grow, django_assert_max_num_queries)
        url = reverse("mediation:indicator", args=["platform_rate_community"])
        _lock(client, olivia, url, grow, django_assert_max_num_queries, small=20, large=40)


@pytest.mark.django_db
class TestKeysetPages:
    """Registry lists page by cursor: every row once, in order, a new row never shown twice, a capped count."""

    def _walk(self, client, user, name, monkeypatch, size=2, between=None):
        from mediation.views import common

        monkeypatch.setattr(common, "PAGE_SIZE", size)
        client.force_login(user)
        url, seen = reverse(f"mediation:{name}"), []
        query = ""
        while True:
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200
            rows = response.context["page"].rows
            seen += [r.pk for r in rows]
            if between and len(seen) == size:
                between()
            if not response.context["page"].next_cursor:
                return seen, response
            query = response.context["next_query"]

    def test_mediators(self, client, olivia, street, monkeypatch):
        for name in ["乙", "甲", "丙", "甲", "丁"]:
            mediator(street, name)
        expected = list(Mediator.objects.order_by("name", "pk").values_list("pk", flat=True))
        seen, last = self._walk(
            client, olivia, "mediator_list", monkeypatch, between=lambda: mediator(street, "丁")
        )
        # The newcomer sorts among the rows already walked past or still ahead; never twice.
        assert len(seen) == len(set(seen)) and set(expected) <= set(seen)
        assert [pk for pk in seen if pk in expected] == expected

    def test_trainings_latest_first(self, client, olivia, district, office_unit, monkeypatch):
        for day in (3, 1, 2, 2, 5):
            Training.objects.create(
                region=district,
                level=TrainingLevel.DISTRICT,
                organizer=office_unit,
                title=f"培训{day}-{Training.objects.count()}",
                held_on=TODAY.replace(day=day),
            )
        expected = list(Training.objects.order_by("-held_on", "-pk").values_list("pk", flat=True))
        seen, _ = self._walk(client, olivia, "training_list", monkeypatch)
        assert seen == expected

    def test_organizations_and_a_capped_count(self, client, olivia, street, monkeypatch):
        from mediation.views import common

        for i in range(5):
            org(street, OrganizationKind.STREET_COMMITTEE, f"调委会{i}")
        monkeypatch.setattr(common, "COUNT_CAP", 3)
        seen, last = self._walk(client, olivia, "organization_list", monkeypatch)
        assert len(seen) == len(set(seen)) == MediationOrganization.objects.count()
        assert last.context["total_capped"] and last.context["total"] == 3
        assert "3" in last.content.decode()
