"""The one visibility rule (mediation.scoping), proven on the models of the foundation."""

import datetime

import pytest
from guardian.shortcuts import assign_perm

from mediation.choices import OrganizationKind, Role
from mediation.models import MediationOrganization, Membership, Region, Unit
from mediation.scoping import Scope
from mediation.services.memberships import grant


@pytest.fixture
def platforms(street, community_a, community_b):
    def make(region):
        return MediationOrganization.objects.create(
            name=f"{region.name}平台", kind=OrganizationKind.PLATFORM, region=region
        )

    return {"street": make(street), "a": make(community_a), "b": make(community_b)}


@pytest.mark.django_db
class TestRegionVisibility:
    def test_a_community_user_sees_its_community_not_the_neighbours(self, alice, community_a, community_b, grid_a):
        visible = set(Region.objects.visible_to(alice))
        assert visible == {community_a, grid_a}
        assert community_b not in visible

    def test_a_street_user_sees_all_its_communities(self, carol, street, community_a, community_b, grid_a):
        assert set(Region.objects.visible_to(carol)) == {street, community_a, community_b, grid_a}

    def test_a_user_without_membership_sees_nothing(self, charlie, community_a):
        assert not Region.objects.visible_to(charlie).exists()

    def test_inactive_users_and_anonymous_see_nothing(self, alice, community_a):
        from django.contrib.auth.models import AnonymousUser

        assert not Region.objects.visible_to(AnonymousUser()).exists()
        alice.is_active = False
        Scope.forget(alice)
        assert not Region.objects.visible_to(alice).exists()

    def test_superuser_sees_everything(self, make_user, community_a):
        root = make_user("root", is_superuser=True)
        assert Region.objects.visible_to(root).count() == Region.objects.count()

    def test_ended_membership_no_longer_counts(self, alice, community_a):
        Membership.objects.filter(user=alice).update(ended_on=datetime.date(2020, 1, 1))
        Scope.forget(alice)
        assert not Region.objects.visible_to(alice).exists()

    def test_explicit_guardian_grant_adds_one_object(self, alice, community_b, grid_a, community_a):
        assign_perm("mediation.view_region", alice, community_b)
        Scope.forget(alice)
        assert set(Region.objects.visible_to(alice)) == {community_a, grid_a, community_b}


@pytest.mark.django_db
class TestUnitVisibility:
    def test_liaison_sees_own_unit_only(self, dave):
        assert list(Unit.objects.visible_to(dave).values_list("code", flat=True)) == ["rsj"]

    def test_community_user_sees_units_above_but_not_the_neighbouring_street(self, alice):
        codes = set(Unit.objects.visible_to(alice).values_list("code", flat=True))
        assert {"rsj", "gaj", "office", "gov-500104001"} <= codes
        assert "gov-500104002" not in codes

    def test_street_government_membership_gives_its_territory(self, make_user, street, community_a):
        clerk = make_user("clerk")
        grant(clerk, Role.DISPATCHER, unit=Unit.objects.get(code="gov-500104001"))
        assert community_a in Region.objects.visible_to(clerk)
        assert not Region.objects.visible_to(clerk).filter(code="500104002").exists()


@pytest.mark.django_db
class TestOrganizationVisibility:
    def test_platform_staff_see_their_platform_territory(self, make_user, platforms, community_a, community_b):
        staff = make_user("staff")
        grant(staff, Role.DISPATCHER, organization=platforms["a"])
        assert set(MediationOrganization.objects.visible_to(staff)) == {platforms["a"]}
        assert community_a in Region.objects.visible_to(staff)
        assert community_b not in Region.objects.visible_to(staff)

    def test_street_user_sees_street_and_community_platforms(self, carol, platforms):
        assert set(MediationOrganization.objects.visible_to(carol)) == set(platforms.values())

    def test_neighbour_platform_invisible(self, bob, platforms):
        assert set(MediationOrganization.objects.visible_to(bob)) == {platforms["b"]}


@pytest.mark.django_db
class TestMembershipVisibility:
    def test_users_see_their_own_and_their_territorys_memberships(self, alice, bob, carol):
        assert set(Membership.objects.visible_to(alice).values_list("user__username", flat=True)) == {"alice"}
        assert set(Membership.objects.visible_to(carol).values_list("user__username", flat=True)) == {
            "alice",
            "bob",
            "carol",
        }


@pytest.mark.django_db
def test_scope_is_computed_once_per_user_object(alice, django_assert_num_queries):
    Scope.forget(alice)
    Scope.for_user(alice)
    with django_assert_num_queries(0):
        Scope.for_user(alice)
