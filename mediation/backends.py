"""The authentication backend that gives permissions through memberships.

`user.has_perm(perm)` (no object) answers "does some current membership carry `perm`?" — enough to show a menu
entry or open a page, never enough to act. `user.has_perm(perm, obj)` answers "does a current membership whose
role carries `perm` cover `obj`?" (NetBox-style constraints: the right holds only inside the membership's
scope), through the object's own `visible_to(user, perm)`. Services use the scoped form, or the authority
module built on the same scopes.

It replaces Django's ModelBackend (it keeps its password authentication): a permission given to a user or a
group directly would hold everywhere, which is the fault this backend removes. Superusers have every right.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from mediation.scoping import Access, ScopedQuerySet


class MembershipBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        access = Access.of(user_obj)
        if access is None or access.superuser or obj is not None:
            return set()
        return set(access.permissions)

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        access = Access.of(user_obj)
        if access is None:
            return False
        if obj is None:
            return perm in access.permissions
        queryset = type(obj)._default_manager.all()
        if not isinstance(queryset, ScopedQuerySet):
            return False
        return queryset.covers(user_obj, perm, obj)
