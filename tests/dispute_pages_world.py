"""The people and places of the dispute page tests, as one `page_world` fixture.

Use with `pytest_plugins = ["tests.dispute_pages_world"]`. One fixture with a namespace (rather than many
small fixtures) keeps its names from colliding with other plugins' fixtures in the same run.

Besides alice (dispatcher of community A), bob (mediator of community B), carol (supervisor of the
street) and dave (liaison of 区人力社保局) from conftest:
- erin: mediator of 甲社区王大姐调解工作室, a mediation organization in community A;
- mia: mediator of 甲社区人民调解委员会;
- olga: auditor of community A, who may see personal data in full;
- grace: dispatcher who staffs the 新山村街道 platform.

PYTEST_DONT_REWRITE: the test modules import `id_number` from here before pytest loads it as a plugin.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disputes.models import Category, Dispute
from disputes.services.defaults import load_defaults
from mediation.choices import OrganizationKind, Role
from mediation.models import MediationOrganization, Unit
from mediation.services.memberships import grant

_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def id_number(seq: int = 1, birth: str = "19800101") -> str:
    """A valid resident ID number of 大渡口区 (GB 11643 check character included)."""
    first17 = f"500104{birth}{seq:03d}"
    check = (12 - sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


def _organization(region, kind, name):
    return MediationOrganization.objects.create(region=region, kind=kind, name=name)


@pytest.fixture
def page_world(make_user, district, street, community_a, community_b, grid_a, alice, bob, carol, dave):
    load_defaults()
    platforms = {
        "district": _organization(district, OrganizationKind.PLATFORM, "大渡口区矛盾纠纷综合调处中心"),
        "street": _organization(street, OrganizationKind.PLATFORM, "新山村街道综合调处平台"),
        "a": _organization(community_a, OrganizationKind.PLATFORM, "甲社区调处平台"),
        "b": _organization(community_b, OrganizationKind.PLATFORM, "乙社区调处平台"),
    }
    committee = _organization(community_a, OrganizationKind.COMMUNITY_COMMITTEE, "甲社区人民调解委员会")
    studio = _organization(community_a, OrganizationKind.BRAND_STUDIO, "甲社区王大姐调解工作室")
    erin = make_user("erin", first_name="王大姐")
    grant(erin, Role.MEDIATOR, organization=studio)
    mia = make_user("mia")
    grant(mia, Role.MEDIATOR, organization=committee)
    olga = make_user("olga")
    grant(olga, Role.AUDITOR, region=community_a)
    grace = make_user("grace")
    grant(grace, Role.DISPATCHER, organization=platforms["street"])
    return SimpleNamespace(
        district=district,
        street=street,
        community_a=community_a,
        community_b=community_b,
        grid_a=grid_a,
        platforms=platforms,
        committee=committee,
        studio=studio,
        rsj=Unit.objects.get(code="rsj"),
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        erin=erin,
        mia=mia,
        olga=olga,
        grace=grace,
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def intake_data(world, **overrides) -> dict:
    data = {
        "category": Category.objects.get(code="labour").pk,
        "source": "application",
        "region": world.grid_a.pk,
        "address": "新山村街道甲社区某路1号",
        "occurred_at": (timezone.localtime() - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "title": "拖欠工资纠纷",
        "description": "申请人称被申请人拖欠其三个月工资共计一万二千元。",
        "people_involved": "2",
        "amount": "12000",
        "attachment_kind": "application",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "parties-0-kind": "person",
        "parties-0-role": "applicant",
        "parties-0-name": "张三",
        "parties-0-id_number": id_number(1),
        "parties-0-phone": "13812345678",
        "parties-0-address": "甲社区1栋",
        "parties-0-consent": "yes",
        "parties-0-vulnerabilities": ["elderly"],
        "parties-1-kind": "organization",
        "parties-1-role": "respondent",
        "parties-1-name": "重庆某某劳务有限公司",
        "parties-1-phone": "023-68812345",
        "parties-1-consent": "yes",
        # An untouched extra form is not a party.
        "parties-2-kind": "person",
        "parties-2-role": "applicant",
        "parties-2-consent": "unknown",
    }
    return data | overrides


def register(world, user=None, **overrides) -> Dispute:
    client = client_for(user or world.alice)
    response = client.post(reverse("disputes:intake"), intake_data(world, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Dispute.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
