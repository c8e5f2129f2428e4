"""Registry rules: the discipline log, appointments, the expert pool, staffing defaults, and the demo registry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from dadukou.kernel.errors import Forbidden, WorkflowError
from dadukou.kernel.validators import clean_id_number, clean_phone
from mediation.choices import AppointmentRole, Gender, MediatorStatus, OrganizationKind, Role
from mediation.demo.common import check_digit, id_number
from mediation.indicators import DEFAULT_STAFFING
from mediation.models import (
    Appointment,
    ExpertMembership,
    MediationOrganization,
    Mediator,
    StaffingRule,
    StatusChange,
    Training,
    Unit,
)
from mediation.services import registry
from mediation.services.memberships import grant

D = dt.date
Ground = StatusChange.Ground
PERMISSIONS = [
    "add_statuschange",
    "add_appointment",
    "change_appointment",
    "add_expertmembership",
    "change_expertmembership",
]


def give(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="mediation", codename__in=codenames)
    )
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


@pytest.fixture
def olga(make_user, reference):
    user = make_user("olga")
    grant(user, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    return give(user, *PERMISSIONS)


@pytest.fixture
def wang(street):
    return Mediator.objects.create(name="王建国", gender=Gender.MALE, region=street)


@pytest.fixture
def committee(street):
    return MediationOrganization.objects.create(
        name="新山村街道人民调解委员会", kind=OrganizationKind.STREET_COMMITTEE, region=street
    )


# --- the discipline log -----------------------------------------------------------------------------------------


def test_a_status_change_updates_the_status_and_the_history(wang, olga):
    entry = registry.record_status_change(
        wang, MediatorStatus.SUSPENDED, Ground.PARTIAL, D(2025, 3, 10), "偏袒一方", olga
    )
    assert entry.recorded_by == olga
    wang.refresh_from_db()
    assert wang.status == MediatorStatus.SUSPENDED
    assert Mediator.objects.active_on(D(2025, 3, 9)).filter(pk=wang.pk).exists()
    assert not Mediator.objects.active_on(D(2025, 3, 10)).filter(pk=wang.pk).exists()
    registry.record_status_change(wang, MediatorStatus.ACTIVE, Ground.REINSTATED, D(2025, 9, 1), "", olga)
    wang.refresh_from_db()
    assert wang.status == MediatorStatus.ACTIVE
    assert not Mediator.objects.active_on(D(2025, 8, 31)).filter(pk=wang.pk).exists()
    assert Mediator.objects.active_on(D(2025, 9, 1)).filter(pk=wang.pk).exists()
    assert registry.status_on(wang, D(2025, 5, 1)) == MediatorStatus.SUSPENDED


def test_a_change_dated_in_the_future_takes_effect_on_its_day(wang, olga):
    today = timezone.localdate()
    later = today + dt.timedelta(days=10)
    registry.record_status_change(wang, MediatorStatus.DISMISSED, Ground.GIFTS, later, "", olga)
    wang.refresh_from_db()
    assert wang.status == MediatorStatus.ACTIVE
    assert registry.refresh_statuses(today) == 0
    assert registry.refresh_statuses(later) == 1
    wang.refresh_from_db()
    assert wang.status == MediatorStatus.DISMISSED


def test_the_daily_task_refreshes_statuses(wang, olga):
    from mediation.tasks import refresh_mediator_statuses

    StatusChange.objects.create(
        mediator=wang,
        status=MediatorStatus.SUSPENDED,
        ground=Ground.OTHER,
        effective_on=D(2024, 1, 1),
        recorded_by=olga,
    )
    assert refresh_mediator_statuses() == 1
    wang.refresh_from_db()
    assert wang.status == MediatorStatus.SUSPENDED


@pytest.mark.parametrize(
    ("status", "ground", "note", "code"),
    [
        (MediatorStatus.ACTIVE, Ground.PARTIAL, "", "ground_mismatch"),
        (MediatorStatus.SUSPENDED, Ground.REINSTATED, "", "ground_mismatch"),
        (MediatorStatus.ACTIVE, Ground.REINSTATED, "", "status_unchanged"),
        (MediatorStatus.SUSPENDED, Ground.OTHER, " ", "note_required"),
        ("retired", Ground.OTHER, "x", "invalid_status"),
    ],
)
def test_invalid_status_changes_are_refused(wang, olga, status, ground, note, code):
    with pytest.raises(WorkflowError) as caught:
        registry.record_status_change(wang, status, ground, D(2025, 1, 1), note, olga)
    assert caught.value.code == code
    assert not StatusChange.objects.exists()


def test_status_changes_need_the_permission_and_the_mediator_in_view(wang, alice):
    with pytest.raises(Forbidden):
        registry.record_status_change(wang, MediatorStatus.SUSPENDED, Ground.LEAK, D(2025, 1, 1), "", alice)
    give(alice, "add_statuschange")
    # alice sees community A only; 王建国 works for the whole street.
    with pytest.raises(Forbidden):
        registry.record_status_change(wang, MediatorStatus.SUSPENDED, Ground.LEAK, D(2025, 1, 1), "", alice)
    assert not StatusChange.objects.exists()


# --- appointments -----------------------------------------------------------------------------------------------


def test_appoint_and_end(wang, committee, olga):
    post = registry.appoint(
        wang, committee, started_on=D(2020, 1, 1), role=AppointmentRole.DIRECTOR, is_full_time=True, by=olga
    )
    with pytest.raises(WorkflowError) as caught:
        registry.appoint(wang, committee, started_on=D(2023, 1, 1), by=olga)
    assert caught.value.code == "appointment_overlaps"
    registry.end_appointment(post, D(2022, 12, 31), by=olga)
    again = registry.appoint(wang, committee, started_on=D(2023, 1, 1), by=olga)
    assert list(Appointment.objects.on(D(2022, 6, 1)).filter(mediator=wang)) == [post]
    assert list(Appointment.objects.on(D(2023, 6, 1)).filter(mediator=wang)) == [again]
    with pytest.raises(WorkflowError) as caught:
        registry.end_appointment(post, D(2024, 1, 1), by=olga)
    assert caught.value.code == "already_ended"


def test_an_appointment_before_an_existing_one_must_end_before_it(wang, committee, olga):
    registry.appoint(wang, committee, started_on=D(2022, 1, 1), by=olga)
    with pytest.raises(WorkflowError):
        registry.appoint(wang, committee, started_on=D(2020, 1, 1), ended_on=D(2022, 6, 1), by=olga)
    registry.appoint(wang, committee, started_on=D(2020, 1, 1), ended_on=D(2022, 1, 1), by=olga)


def test_no_appointment_in_a_dissolved_organization_or_of_a_dismissed_mediator(wang, committee, olga):
    committee.dissolved_on = D(2024, 1, 1)
    committee.save()
    with pytest.raises(WorkflowError) as caught:
        registry.appoint(wang, committee, started_on=D(2024, 3, 1), by=olga)
    assert caught.value.code == "organization_dissolved"
    registry.record_status_change(wang, MediatorStatus.DISMISSED, Ground.GIFTS, D(2021, 1, 1), "", olga)
    with pytest.raises(WorkflowError) as caught:
        registry.appoint(wang, committee, started_on=D(2022, 1, 1), by=olga)
    assert caught.value.code == "mediator_dismissed"


def test_appointing_needs_the_permission(wang, committee, carol):
    with pytest.raises(Forbidden):
        registry.appoint(wang, committee, started_on=D(2022, 1, 1), by=carol)
    assert not Appointment.objects.exists()


# --- the expert pool --------------------------------------------------------------------------------------------


def test_joining_and_leaving_the_expert_pool(wang, olga):
    membership = registry.join_expert_pool(wang, ["medical", "labour"], D(2022, 1, 1), "医疗鉴定", by=olga)
    with pytest.raises(WorkflowError):
        registry.join_expert_pool(wang, ["medical"], D(2023, 1, 1), by=olga)
    with pytest.raises(WorkflowError):
        registry.join_expert_pool(wang, ["astrology"], D(2023, 1, 1), by=olga)
    registry.leave_expert_pool(membership, D(2024, 1, 1), by=olga)
    assert ExpertMembership.objects.on(D(2023, 6, 1)).filter(mediator=wang).exists()
    assert not ExpertMembership.objects.on(D(2024, 6, 1)).filter(mediator=wang).exists()


# --- staffing defaults ------------------------------------------------------------------------------------------


def test_staffing_defaults_are_loaded_once_and_office_changes_kept(db):
    assert registry.load_registry_defaults() == len(DEFAULT_STAFFING)
    rule = StaffingRule.objects.get(kind=OrganizationKind.INDUSTRY_COMMITTEE)
    assert (rule.min_full_time, rule.where_conditions_allow) == (3, False)
    assert StaffingRule.objects.get(kind=OrganizationKind.COMMUNITY_COMMITTEE).where_conditions_allow
    rule.min_full_time = 4
    rule.save()
    assert registry.load_registry_defaults() == 0
    assert StaffingRule.objects.get(kind=OrganizationKind.INDUSTRY_COMMITTEE).min_full_time == 4
    assert StaffingRule.objects.count() == len(DEFAULT_STAFFING)


# --- the demo registry ------------------------------------------------------------------------------------------


def test_generated_id_numbers_are_valid():
    assert check_digit("11010519491231002") == "X"
    number = id_number(D(1975, 6, 1), 123)
    assert number.startswith("500104197506011")
    assert clean_id_number(number) == number


@pytest.fixture
def demo(reference):
    from mediation.demo import foundation
    from mediation.demo.registry import load_registry_demo

    foundation.load_regions()
    foundation.load_accounts()
    return load_registry_demo()


def test_the_demo_registry_is_plausible_and_imperfect(demo):
    from mediation.indicators import committee_composition_warnings, indicator

    assert 180 <= Mediator.objects.count() <= 240
    assert not Mediator.objects.filter(is_demo=False).exists()
    assert not MediationOrganization.objects.filter(is_demo=False).exists()
    for mediator in Mediator.objects.all():
        assert clean_id_number(mediator.id_number) == mediator.id_number
        assert clean_phone(mediator.phone) == mediator.phone
        assert (int(mediator.id_number[16]) % 2 == 1) == (mediator.gender == Gender.MALE)
    studios = MediationOrganization.objects.filter(kind=OrganizationKind.BRAND_STUDIO)
    assert studios.count() == 6 and not studios.filter(named_after__isnull=True).exists()
    assert MediationOrganization.objects.filter(is_foreign_related=True).count() == 1
    occupancy = indicator("industry_room_occupancy")
    assert (occupancy.numerator, occupancy.denominator) == (9, 12)
    police = indicator("police_room_rate")
    assert (police.numerator, police.denominator) == (5, 6)
    courts = indicator("court_room_rate")
    assert (courts.numerator, courts.denominator) == (2, 3)
    assert indicator("admin_room_rate").numerator == 4
    assert indicator("field_rooms_covered").numerator == 5
    committees = indicator("committee_rate")
    assert committees.denominator - committees.numerator == 3
    assert indicator("brand_studios").numerator == 6
    assert indicator("trainings_district").numerator >= 1
    for code in ("staffing_street_committee", "staffing_industry_committee", "trainings_street"):
        result = indicator(code)
        assert 0 < result.numerator < result.denominator, code
    # A full-time mediator left a street committee last summer: the picture of a year ago differs.
    last_year = D(timezone.localdate().year - 1, 6, 1)
    assert (
        indicator("staffing_street_committee", last_year).numerator
        > indicator("staffing_street_committee").numerator
    )
    warned = [o for o in MediationOrganization.objects.all() if committee_composition_warnings(o)]
    assert 3 <= len(warned) <= 8
    assert StatusChange.objects.filter(status=MediatorStatus.DISMISSED).count() == 1
    assert 15 <= ExpertMembership.objects.values("mediator").distinct().count() <= 25
    assert Training.objects.filter(held_on__year=timezone.localdate().year - 1).exists()
    assert Mediator.objects.filter(user__username="mediator").exists()


def test_loading_the_demo_registry_twice_adds_nothing(demo):
    from mediation.demo.registry import load_registry_demo

    counts = [
        m.objects.count() for m in (Mediator, MediationOrganization, Appointment, Training, StatusChange)
    ]
    assert load_registry_demo() == {
        "organizations": 0,
        "mediators": 0,
        "appointments": 0,
        "trainings": 0,
        "attendance": 0,
    }
    assert counts == [
        m.objects.count() for m in (Mediator, MediationOrganization, Appointment, Training, StatusChange)
    ]
