"""Roles as Django groups with model permissions.

Each app declares the permissions its roles need in `<app>/roles.py` as ROLE_PERMISSIONS
({Role: ["app_label.codename", ...]}). `sync_roles()` merges them and makes the groups match,
idempotently; it runs after every migrate and from `manage.py setup_roles`.

A role's group holds the role's permissions; users are not members of the role groups. A permission reaches a
user only through a current membership with that role, and holds only inside that membership's scope
(mediation.scoping, mediation.backends).
"""

from __future__ import annotations

import functools
import importlib
from collections import defaultdict

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from mediation.choices import Role

# The group of each role. Chinese names, because office staff read them in the admin.
GROUP_NAMES: dict[str, str] = {
    Role.GRID_WORKER: "网格员",
    Role.MEDIATOR: "调解员",
    Role.DISPATCHER: "坐席",
    Role.LIAISON: "部门联络员",
    Role.SUPERVISOR: "领导",
    Role.OFFICE_ADMIN: "大调解办",
    Role.AUDITOR: "审计员",
    Role.API_CLIENT: "接口客户端",
}

_REFERENCE = [
    "mediation.view_region",
    "mediation.view_unit",
    "mediation.view_mediationorganization",
    # The registry (issue 4): mediators, their appointments, the expert pool, trainings.
    "mediation.view_mediator",
    "mediation.view_training",
    "mediation.view_appointment",
    "mediation.view_expertmembership",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.GRID_WORKER: _REFERENCE,
    Role.MEDIATOR: _REFERENCE,
    Role.DISPATCHER: [*_REFERENCE, "mediation.view_membership"],
    Role.LIAISON: _REFERENCE,
    Role.SUPERVISOR: [*_REFERENCE, "mediation.view_membership"],
    Role.OFFICE_ADMIN: [
        f"mediation.{action}_{model}"
        for model in ("region", "unit", "mediationorganization", "membership")
        for action in ("add", "change", "delete", "view")
    ]
    + [
        f"mediation.{action}_{model}"
        for model in (
            "mediator",
            "appointment",
            "expertmembership",
            "statuschange",
            "training",
            "trainingattendance",
        )
        for action in ("add", "change", "view")
    ]
    # The operations page (periodic jobs, outbox backlog); the outbox, alerts and notifications in the admin
    # (each scoped to the office's area by ScopedAdminMixin).
    + [
        "mediation.view_taskrun",
        "mediation.view_outboxmessage",
        "mediation.view_alert",
        "mediation.view_notification",
    ],
    Role.AUDITOR: [*_REFERENCE, "mediation.view_membership"],
    Role.API_CLIENT: ["mediation.view_region", "mediation.view_unit"],
}


class UnknownPermission(LookupError):
    pass


def declared_permissions() -> dict[str, set[str]]:
    """Every app's ROLE_PERMISSIONS, merged."""
    merged: dict[str, set[str]] = defaultdict(set)
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.roles")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.roles":
                raise
            continue
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged[role].update(perms)
    return merged


@functools.cache
def role_permissions() -> dict[str, frozenset[str]]:
    """The permissions of each role, as the apps declare them (read once per process).

    The role groups hold exactly these (`sync_roles` after every migrate puts a hand-edited group back), so the
    declarations are the truth and the database need not be asked on every request: reading the groups'
    permissions was one query and about 1.5 ms of every page."""
    return {role: frozenset(perms) for role, perms in declared_permissions().items()}


def group_for(role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
    return group


@transaction.atomic
def sync_roles(strict: bool = True) -> dict[str, int]:
    """Create the role groups and set their permissions to exactly what the apps declare.

    With strict=False, permissions not created yet (an app migrated later in the same run) are left out;
    the next run adds them.
    """
    declared = declared_permissions()
    wanted = {perm for perms in declared.values() for perm in perms}
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    missing = sorted(wanted - by_name.keys())
    if missing and strict:
        raise UnknownPermission(f"Unknown permissions declared for roles: {', '.join(missing)}")
    counts = {}
    for role in Role.values:
        group = group_for(role)
        group.permissions.set([by_name[p] for p in declared.get(role, ()) if p in by_name])
        counts[role] = group.permissions.count()
    return counts
