"""Shared fixtures. The people in these tests, as in healthchecks' hc/test.py:

- alice: dispatcher of community A (新山村街道), sees community A only;
- bob: mediator of community B, alice's neighbour in the same street;
- carol: supervisor of the whole 新山村街道 street, sees A and B;
- dave: liaison of 区人力社保局, sees what is his unit's;
- charlie: a user with no membership at all.
"""

from __future__ import annotations

import pytest

# Fixture modules whose helpers test modules import directly: rewrite their asserts before the import.
pytest.register_assert_rewrite(
    "tests.dispute_fixtures",
    "tests.registry_fixtures",
    "tests.dispute_list_fixtures",
    "tests.dispute_pages_world",
)

from django.contrib.auth import get_user_model  # noqa: E402

from mediation.choices import RegionKind, RegionLevel, Role  # noqa: E402
from mediation.models import Region, Unit  # noqa: E402
from mediation.roles import sync_roles  # noqa: E402
from mediation.services.memberships import grant  # noqa: E402
from mediation.services.reference import load_reference_data  # noqa: E402

PASSWORD = "correct horse battery staple"


@pytest.fixture
def reference(db):
    load_reference_data()
    sync_roles(strict=True)
    return Region.objects.get(code="500104")


@pytest.fixture
def district(reference):
    return reference


@pytest.fixture
def street(reference):
    return Region.objects.get(code="500104001")


@pytest.fixture
def other_street(reference):
    return Region.objects.get(code="500104002")


def make_region(parent: Region, code: str, name: str, level: int, kind: str) -> Region:
    return Region.objects.create(code=code, name=name, level=level, kind=kind, parent=parent)


@pytest.fixture
def community_a(street):
    return make_region(street, "500104001001", "甲社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)


@pytest.fixture
def community_b(street):
    return make_region(street, "500104001002", "乙社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)


@pytest.fixture
def grid_a(community_a):
    return make_region(community_a, "500104001001-001", "甲社区第一网格", RegionLevel.GRID, RegionKind.GRID)


@pytest.fixture
def make_user(db):
    def make(username: str, **extra):
        return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)

    return make


@pytest.fixture
def alice(make_user, community_a):
    user = make_user("alice", first_name="爱丽丝")
    grant(user, Role.DISPATCHER, region=community_a)
    return user


@pytest.fixture
def bob(make_user, community_b):
    user = make_user("bob")
    grant(user, Role.MEDIATOR, region=community_b)
    return user


@pytest.fixture
def carol(make_user, street):
    user = make_user("carol")
    grant(user, Role.SUPERVISOR, region=street)
    return user


@pytest.fixture
def dave(make_user, reference):
    user = make_user("dave")
    grant(user, Role.LIAISON, unit=Unit.objects.get(code="rsj"))
    return user


@pytest.fixture
def charlie(make_user, reference):
    return make_user("charlie")
