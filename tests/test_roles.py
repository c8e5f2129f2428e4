import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from mediation.choices import Role
from mediation.models import Membership
from mediation.roles import GROUP_NAMES, ROLE_PERMISSIONS, UnknownPermission, sync_roles


@pytest.mark.django_db
class TestRoles:
    def test_every_role_is_a_group_with_its_permissions(self, reference):
        for role in Role.values:
            group = Group.objects.get(name=GROUP_NAMES[role])
            perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
            assert set(ROLE_PERMISSIONS[role]) <= perms

    def test_sync_is_idempotent(self, reference):
        before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
        sync_roles()
        call_command("setup_roles")
        after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
        assert before == after and len(after) == len(Role.values)

    def test_a_group_edited_by_hand_is_put_back(self, reference):
        group = Group.objects.get(name=GROUP_NAMES[Role.GRID_WORKER])
        group.permissions.clear()
        sync_roles()
        assert group.permissions.filter(codename="view_region").exists()

    def test_unknown_permission_is_loud(self, reference, monkeypatch):
        monkeypatch.setitem(ROLE_PERMISSIONS, Role.AUDITOR, ["mediation.fly_region"])
        with pytest.raises(UnknownPermission):
            sync_roles(strict=True)

    def test_office_admin_manages_the_structure_and_a_grid_worker_only_reads(self, reference, alice, make_user):
        office = make_user("office")
        from mediation.models import Unit
        from mediation.services.memberships import grant

        grant(office, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
        assert office.has_perm("mediation.add_region") and office.has_perm("mediation.change_unit")
        worker = make_user("worker")
        grant(worker, Role.GRID_WORKER, region=alice.memberships.get().region)
        assert worker.has_perm("mediation.view_region")
        assert not worker.has_perm("mediation.add_region")
        assert not alice.has_perm("mediation.delete_unit")


@pytest.mark.django_db
class TestMembershipRights:
    def test_rights_follow_current_memberships_not_groups(self, alice):
        from mediation.scoping import Scope

        assert not alice.groups.exists()  # role groups hold permissions; users are not put in them
        assert alice.has_perm("disputes.assess_dispute")
        membership = Membership.objects.get(user=alice)
        membership.is_active = False
        membership.save()
        Scope.forget(alice)
        assert not alice.has_perm("disputes.assess_dispute")

    def test_deleting_the_membership_removes_the_rights(self, bob):
        from mediation.scoping import Scope

        Membership.objects.filter(user=bob).delete()
        Scope.forget(bob)
        assert not bob.has_perm("disputes.handle_dispute") and not bob.get_all_permissions()

    def test_exactly_one_anchor(self, alice, street, reference):
        from django.db import IntegrityError, transaction

        from mediation.models import Unit

        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=alice, role=Role.MEDIATOR, region=street, unit=Unit.objects.first())
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=alice, role=Role.MEDIATOR)
