import pytest

from mediation.choices import RegionKind, RegionLevel
from mediation.models import Region
from tests.conftest import make_region


@pytest.mark.django_db
class TestRegionTree:
    def test_paths_follow_primary_keys(self, grid_a, community_a, street, district):
        city = district.parent
        assert city.path == f"/{city.pk}/"
        assert grid_a.path == f"{community_a.path}{grid_a.pk}/"
        assert community_a.path.startswith(street.path)

    def test_subtree_at_every_level(self, district, street, community_a, community_b, grid_a):
        city = district.parent
        assert set(Region.objects.subtree(city)) == set(Region.objects.all())
        assert Region.objects.subtree(district).count() == Region.objects.count() - 1
        assert set(Region.objects.subtree(street)) == {street, community_a, community_b, grid_a}
        assert set(Region.objects.subtree(community_a)) == {community_a, grid_a}
        assert set(Region.objects.subtree(grid_a)) == {grid_a}
        assert set(street.descendants()) == {community_a, community_b, grid_a}

    def test_subtree_does_not_leak_into_sibling_with_common_prefix(self, street):
        # Paths end with "/", so /1/2/3/ is never a prefix of /1/2/34/.
        siblings = [
            make_region(street, f"50010400100{n}", f"社区{n}", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)
            for n in range(1, 10)
        ]
        for region in siblings:
            assert set(Region.objects.subtree(region)) == {region}

    def test_ancestors(self, grid_a, community_a, street, district):
        assert list(grid_a.ancestors()) == [district.parent, district, street, community_a]
        assert list(grid_a.ancestors(include_self=True))[-1] == grid_a
        assert grid_a.full_name == "新山村街道 / 甲社区 / 甲社区第一网格"

    def test_moving_a_region_moves_its_subtree(self, community_a, grid_a, other_street):
        community_a.parent = other_street
        community_a.save()
        grid_a.refresh_from_db()
        assert grid_a.path == f"{other_street.path}{community_a.pk}/{grid_a.pk}/"
        assert grid_a.is_within(other_street)

    def test_at_level(self, district, community_a):
        assert set(Region.objects.at_level(RegionLevel.STREET).values_list("code", flat=True)) == {
            "500104001",
            "500104002",
            "500104003",
            "500104004",
            "500104005",
            "500104101",
            "500104102",
            "500104103",
        }

    def test_siblings_are_listed_in_division_code_order_not_in_the_order_they_were_made(
        self, street, community_a, client, make_user
    ):
        from django.urls import reverse

        from disputes.forms.intake import region_choices
        from mediation.choices import Role
        from tests.conftest import grant

        # The 009 community is made first (the smaller primary key, the path that sorts first), then 008.
        nine = make_region(street, "500104001009", "玖社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)
        eight = make_region(street, "500104001008", "捌社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)
        assert eight.pk > nine.pk
        siblings = [r.code for r in Region.objects.filter(parent=street)]
        assert siblings == sorted(siblings)
        office = make_user("ordering-office")
        grant(office, Role.OFFICE_ADMIN, region=street.parent)
        grouped = dict(region_choices(office)[1:])
        labels = [label for _pk, label in grouped[street.name]]
        assert labels.index("新山村街道 / 捌社区") < labels.index("新山村街道 / 玖社区")
        client.force_login(office)
        page = client.get(reverse("mediation:structure")).content.decode()
        assert page.index("捌社区") < page.index("玖社区")
