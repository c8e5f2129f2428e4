"""Shared fixtures for dispute tests. Use with `pytest_plugins = ["tests.dispute_fixtures"]`.

The platforms of the tree in tests/conftest.py: the district's (区矛盾纠纷综合调处中心), 新山村街道's, and one for
each of community A and B. Besides alice, bob, carol, dave and charlie from conftest:

- erin: mediator of community A's people's mediation committee (a mediation organization in community A);
- frank: liaison of 区公安分局 (gaj), dave's counterpart in another department;
- grace: dispatcher of the 新山村街道 platform (she staffs it: an organization membership);
- heidi: dispatcher of the district platform;
- ivan: supervisor of the whole district (the default leader in charge of red disputes).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from disputes.choices import PartyKind, PartyRole, Source
from disputes.models import Category, Dispute, Event
from disputes.services.defaults import load_defaults
from disputes.services.intake import DisputeData, PartyData, register
from mediation.choices import OrganizationKind, Role
from mediation.models import MediationOrganization, Unit
from mediation.services.memberships import grant

_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    value = (12 - sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def make_id_number(birth: str = "19800101", seq: int = 1, area: str = "500104") -> str:
    """A valid resident ID number (大渡口区 by default) with a correct check digit."""
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + id_check_digit(first17)


@pytest.fixture
def fast_password_hashing(settings):
    """Hashing each test user's password with PBKDF2 costs ~0.2 s; these tests never check passwords' strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def defaults(reference):
    load_defaults()


def make_platform(region, name: str | None = None):
    return MediationOrganization.objects.create(
        region=region, kind=OrganizationKind.PLATFORM, name=name or f"{region.name}综合调处平台"
    )


@pytest.fixture
def district_platform(district):
    return make_platform(district, "大渡口区矛盾纠纷综合调处中心")


@pytest.fixture
def street_platform(street, district_platform):
    return make_platform(street)


@pytest.fixture
def platform_a(community_a, street_platform):
    return make_platform(community_a)


@pytest.fixture
def platform_b(community_b, street_platform):
    return make_platform(community_b)


@pytest.fixture
def platforms(district_platform, street_platform, platform_a, platform_b):
    """Every level has a platform: district, 新山村街道, community A and community B."""
    return {
        "district": district_platform,
        "street": street_platform,
        "community_a": platform_a,
        "community_b": platform_b,
    }


@pytest.fixture
def committee_a(community_a):
    return MediationOrganization.objects.create(
        region=community_a, kind=OrganizationKind.COMMUNITY_COMMITTEE, name="甲社区人民调解委员会"
    )


@pytest.fixture
def rsj(reference):
    return Unit.objects.get(code="rsj")


@pytest.fixture
def gaj(reference):
    return Unit.objects.get(code="gaj")


@pytest.fixture
def erin(make_user, committee_a):
    user = make_user("erin")
    grant(user, Role.MEDIATOR, organization=committee_a)
    return user


@pytest.fixture
def frank(make_user, gaj):
    user = make_user("frank")
    grant(user, Role.LIAISON, unit=gaj)
    return user


@pytest.fixture
def grace(make_user, street_platform):
    user = make_user("grace")
    grant(user, Role.DISPATCHER, organization=street_platform)
    return user


@pytest.fixture
def heidi(make_user, district_platform):
    user = make_user("heidi")
    grant(user, Role.DISPATCHER, organization=district_platform)
    return user


@pytest.fixture
def ivan(make_user, district):
    user = make_user("ivan")
    grant(user, Role.SUPERVISOR, region=district)
    return user


def applicant(name: str = "张三", seq: int = 1, **extra) -> PartyData:
    data = {
        "name": name,
        "role": PartyRole.APPLICANT,
        "id_number": make_id_number(seq=seq),
        "phone": "13812345678",
        "consents_to_mediation": True,
    }
    return PartyData(**(data | extra))


def respondent(name: str = "重庆某某建筑劳务有限公司", **extra) -> PartyData:
    data = {
        "name": name,
        "role": PartyRole.RESPONDENT,
        "kind": PartyKind.ORGANIZATION,
        "phone": "023-68812345",
        "consents_to_mediation": True,
    }
    return PartyData(**(data | extra))


def register_dispute(user, region, *, category: str = "labour", parties=None, **fields) -> Dispute:
    """Register a dispute through the intake service with sensible defaults; `fields` override DisputeData."""
    data = {
        "category": Category.objects.get(code=category),
        "source": Source.APPLICATION,
        "region": region,
        "address": "大渡口区新山村街道某路1号",
        "occurred_at": timezone.now() - dt.timedelta(days=2),
        "title": "拖欠工资纠纷",
        "description": "申请人称被申请人拖欠其三个月工资共计一万二千元。",
        "people_involved": 2,
        "amount": Decimal("12000"),
    }
    if parties is None:
        parties = [applicant(), respondent()]
    return register(user, DisputeData(**(data | fields)), parties)


def reload(dispute) -> Dispute:
    return Dispute.objects.get(pk=dispute.pk)


def state(dispute) -> tuple:
    """What must not change when an action is refused: status, version and the number of events."""
    fresh = reload(dispute)
    return fresh.status, fresh.version, Event.objects.filter(dispute=fresh).count()


def act(action, dispute, user, *, versioned: bool = True, **kwargs) -> Dispute:
    """Call a workflow function as `user` with the version they saw; check it wrote exactly one Event.

    Returns the dispute as reloaded from the database.
    """
    fresh = reload(dispute)
    events_before = Event.objects.filter(dispute=fresh).count()
    if versioned:
        kwargs["version"] = fresh.version
    action(fresh.pk, user, **kwargs)
    after = reload(dispute)
    events = list(Event.objects.filter(dispute=after).order_by("pk"))
    assert len(events) == events_before + 1, f"{action.__name__} wrote {len(events) - events_before} events"
    event = events[-1]
    assert event.actor_id == user.pk
    assert event.before["status"] == fresh.status
    assert event.before["version"] == fresh.version
    assert event.after["status"] == after.status
    assert event.after["version"] == after.version == fresh.version + 1
    return after
