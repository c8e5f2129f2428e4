"""Demo data for the embedded default: communities, grids and platforms marked as demo, and one account per role.

The real community list comes from the statistics division-code table (import_division_codes); until the
office loads it, these stand in, with codes in a range (9xx) that real communities do not use.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from mediation.choices import OrganizationKind, RegionKind, RegionLevel, Role
from mediation.services.division_codes import add_grids
from mediation.services.memberships import grant
from mediation.services.reference import district_region

DEMO_PASSWORD = "Dadukou-demo-2026"
COMMUNITIES_PER_STREET = 3
GRIDS_PER_COMMUNITY = 2
_NUMERALS = "一二三四五六七八九"


@transaction.atomic
def load_regions() -> None:
    from mediation.models import MediationOrganization, Region

    district = district_region()
    _platform(district, f"{district.name}矛盾纠纷综合调处中心")
    for street in Region.objects.filter(parent=district, level=RegionLevel.STREET).order_by("code"):
        _platform(street, f"{street.name}矛盾纠纷综合调处平台")
        is_town = street.kind == RegionKind.TOWN
        for n in range(1, COMMUNITIES_PER_STREET + 1):
            village = is_town and n == COMMUNITIES_PER_STREET
            kind = RegionKind.VILLAGE if village else RegionKind.COMMUNITY
            suffix = "村" if village else "社区"
            community, _ = Region.objects.get_or_create(
                code=f"{street.code}{900 + n}",
                defaults={
                    "name": f"{street.name.removesuffix('街道').removesuffix('镇')}演示{_NUMERALS[n - 1]}{suffix}",
                    "level": RegionLevel.COMMUNITY,
                    "kind": kind,
                    "parent": street,
                    "urban_rural_code": "220" if village else "111",
                    "is_demo": True,
                },
            )
            _platform(community, f"{community.name}矛盾纠纷调处平台")
            missing = GRIDS_PER_COMMUNITY - community.children.count()
            if missing > 0:
                add_grids(community, count=missing)
    assert MediationOrganization.objects.platforms().exists()


def _platform(region, name):
    from mediation.models import MediationOrganization

    platform, _ = MediationOrganization.objects.get_or_create(
        region=region, kind=OrganizationKind.PLATFORM, name=name, defaults={"is_demo": True}
    )
    return platform


DEMO_ACCOUNTS = [
    # username, role, (anchor kind, lookup), display name
    ("grid_worker", Role.GRID_WORKER, ("region", {"code": "500104001901-001"}), "王网格"),
    ("mediator", Role.MEDIATOR, ("region", {"code": "500104001901"}), "李调解"),
    (
        "dispatcher",
        Role.DISPATCHER,
        ("organization", {"region__code": "500104001", "kind": OrganizationKind.PLATFORM}),
        "张坐席",
    ),
    ("liaison", Role.LIAISON, ("unit", {"code": "rsj"}), "赵联络"),
    ("supervisor", Role.SUPERVISOR, ("region", {"code": "500104"}), "陈领导"),
    ("office", Role.OFFICE_ADMIN, ("unit", {"code": "office"}), "刘办公室"),
    ("auditor", Role.AUDITOR, ("region", {"code": "500104"}), "孙审计"),
    ("api_client", Role.API_CLIENT, ("region", {"code": "500104"}), "市级平台"),
]


@transaction.atomic
def load_accounts() -> list[tuple[str, str, str]]:
    """One account per role; returns (username, password, role label) for printing."""
    from mediation.models import MediationOrganization, Region, Unit

    models = {"region": Region, "unit": Unit, "organization": MediationOrganization}
    User = get_user_model()
    printed = []
    for username, role, (anchor, lookup), display in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": display, "is_staff": role == Role.OFFICE_ADMIN}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        grant(user, role, **{anchor: models[anchor].objects.get(**lookup)})
        printed.append((username, DEMO_PASSWORD, Role(role).label))
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "系统管理员"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    printed.append(("admin", DEMO_PASSWORD, "superuser"))
    return printed
