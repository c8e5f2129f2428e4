"""Hand-built registry data for tests. Use with `pytest_plugins = ["tests.registry_fixtures"]`.

These are plain rows made with the ORM — organizations with their dates, units with headcounts, mediators,
appointments, expert-pool memberships, discipline-log entries, trainings. Nothing here decides what counts
on a date: that is the job of mediation/indicators.py, which the tests check against these rows.

The tree of tests/conftest.py (district 500104 with its 8 streets/towns, communities A and B under 新山村街道)
gets one more community, C, under 跃进村街道 (`community_c`).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from mediation.choices import (
    AppointmentRole,
    Gender,
    MediatorStatus,
    OrganizationKind,
    RegionKind,
    RegionLevel,
    TrainingLevel,
    UnitKind,
)
from mediation.models import (
    Appointment,
    ExpertMembership,
    MediationOrganization,
    Mediator,
    Region,
    StatusChange,
    Training,
    Unit,
    UnitHeadcount,
)
from tests.conftest import make_region

D = dt.date
# A date well before every as-of date of the tests: "has existed for a long time".
LONG_AGO = D(2019, 1, 1)
_sequence = itertools.count(1)


@pytest.fixture
def community_c(other_street):
    return make_region(other_street, "500104002001", "丙社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)


@pytest.fixture
def registrar(make_user):
    """The office clerk who records discipline-log entries."""
    return make_user("registrar")


def street_of(code: str) -> Region:
    return Region.objects.get(code=code)


def make_org(
    kind: str,
    region: Region,
    name: str | None = None,
    *,
    established_on: dt.date | None = LONG_AGO,
    dissolved_on: dt.date | None = None,
    **extra,
) -> MediationOrganization:
    return MediationOrganization.objects.create(
        kind=kind,
        region=region,
        name=name or f"{region.name}{OrganizationKind(kind).label}{next(_sequence)}",
        established_on=established_on,
        dissolved_on=dissolved_on,
        **extra,
    )


def make_unit(name: str, kind: str, region: Region, *, parent: Unit | None = None, **extra) -> Unit:
    return Unit.objects.create(
        code=f"test-unit-{next(_sequence)}", name=name, kind=kind, region=region, parent=parent, **extra
    )


def make_police_station(name: str, region: Region, *headcounts: tuple[int, dt.date]) -> Unit:
    """A police station under 区公安分局 with its headcount history: (officers, valid_from) pairs."""
    station = make_unit(name, UnitKind.POLICE_STATION, region, parent=Unit.objects.get(code="gaj"))
    for officers, valid_from in headcounts:
        UnitHeadcount.objects.create(unit=station, officers=officers, valid_from=valid_from)
    return station


def make_mediator(
    name: str, region: Region, *, gender: str = Gender.MALE, backgrounds=(), **extra
) -> Mediator:
    return Mediator.objects.create(
        name=name, region=region, gender=gender, backgrounds=list(backgrounds), **extra
    )


def appoint(
    mediator: Mediator,
    organization: MediationOrganization,
    *,
    full_time: bool = False,
    role: str = AppointmentRole.MEDIATOR,
    started_on: dt.date = LONG_AGO,
    ended_on: dt.date | None = None,
) -> Appointment:
    return Appointment.objects.create(
        mediator=mediator,
        organization=organization,
        is_full_time=full_time,
        role=role,
        started_on=started_on,
        ended_on=ended_on,
    )


def staff(organization: MediationOrganization, full_time: int = 0, part_time: int = 0, **appointment):
    """Give an organization `full_time` + `part_time` new mediators; returns them, full-time ones first."""
    people = []
    for i in range(full_time + part_time):
        person = make_mediator(f"{organization.name}调解员{i + 1}", organization.region)
        appoint(person, organization, full_time=i < full_time, **appointment)
        people.append(person)
    return people


def change_status(
    mediator: Mediator,
    status: str,
    effective_on: dt.date,
    recorded_by,
    ground: str = StatusChange.Ground.OTHER,
) -> StatusChange:
    """A discipline-log entry (人民调解法 Art. 15); the denormalized status follows it like the service does."""
    entry = StatusChange.objects.create(
        mediator=mediator, status=status, ground=ground, effective_on=effective_on, recorded_by=recorded_by
    )
    Mediator.objects.filter(pk=mediator.pk).update(status=status)
    return entry


def dismiss(mediator: Mediator, effective_on: dt.date, recorded_by) -> StatusChange:
    return change_status(
        mediator, MediatorStatus.DISMISSED, effective_on, recorded_by, StatusChange.Ground.GIFTS
    )


def add_expert(
    mediator: Mediator, *, joined_on: dt.date = LONG_AGO, left_on: dt.date | None = None, specialties=()
) -> ExpertMembership:
    return ExpertMembership.objects.create(
        mediator=mediator, joined_on=joined_on, left_on=left_on, specialties=list(specialties)
    )


def make_training(
    level: str, region: Region, held_on: dt.date, *, organizer: Unit | None = None, **extra
) -> Training:
    if organizer is None:
        code = "sfj" if level == TrainingLevel.DISTRICT else f"gov-{region.code}"
        organizer = Unit.objects.get(code=code)
    return Training.objects.create(
        level=level,
        region=region,
        organizer=organizer,
        held_on=held_on,
        title=extra.pop("title", f"调解员集中培训{next(_sequence)}"),
        **extra,
    )
