"""The main navigation: one list, filtered per user by permission (so each role sees its own menu)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # any one of these (comma-separated) suffices
    staff_only: bool = False
    group: str | None = None  # entries of a group share one drop-down menu

    def allowed(self, user) -> bool:
        if self.staff_only and not user.is_staff:
            return False
        if self.permission is None:
            return True
        return any(user.has_perm(p.strip()) for p in self.permission.split(","))


DISPUTES, REGISTRY, PLAN, SYSTEM = _("Disputes"), _("Registry"), _("Task plan"), _("System")

NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home"),
    NavItem(_("My to-do"), "disputes:queue", "disputes.view_dispute"),
    NavItem(_("Dispute list"), "disputes:list", "disputes.view_dispute", group=DISPUTES),
    NavItem(_("Register a dispute"), "disputes:intake", "disputes.register_dispute", group=DISPUTES),
    NavItem(_("Patrols"), "disputes:patrols", "disputes.view_patrolduty", group=DISPUTES),
    NavItem(_("Periodic reports"), "disputes:reports", "disputes.view_periodicreport", group=DISPUTES),
    NavItem(_("Regions and units"), "mediation:structure", "mediation.view_region", group=REGISTRY),
    NavItem(_("Registry"), "mediation:registry", "mediation.view_mediationorganization", group=REGISTRY),
    NavItem(
        _("Registry import"),
        "mediation:registry_import",
        "mediation.add_mediationorganization,mediation.add_mediator,mediation.add_trainingattendance",
        group=REGISTRY,
    ),
    NavItem(_("My plan tasks"), "tasks_plan:my_tasks", "tasks_plan.view_responsibility", group=PLAN),
    NavItem(
        _("Progress reports to review"),
        "tasks_plan:review_queue",
        "tasks_plan.review_progressreport",
        group=PLAN,
    ),
    NavItem(_("Responsibility matrix"), "tasks_plan:matrix", "tasks_plan.view_responsibility", group=PLAN),
    NavItem(_("Joint meetings"), "tasks_plan:meeting_list", "tasks_plan.view_jointmeeting", group=PLAN),
    NavItem(_("Operations"), "mediation:operations", "mediation.view_taskrun", group=SYSTEM),
    NavItem(_("Administration"), "admin:index", staff_only=True, group=SYSTEM),
]


def items_for(user, current_path: str = "") -> list[dict]:
    """The user's menu: links, and drop-downs ({"label", "children", "active"}) for groups of two or more."""
    links = []
    for item in NAV_ITEMS:
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        links.append({"label": item.label, "url": url, "active": False, "group": item.group})
    # The active entry is the one whose URL is the longest prefix of the page (so /plan/my/ beats /plan/).
    matches = [
        e
        for e in links
        if current_path == e["url"] or (e["url"] != "/" and current_path.startswith(e["url"]))
    ]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    menu: list[dict] = []
    groups: dict[str, dict] = {}
    for link in links:
        if link["group"] is None:
            menu.append(link)
            continue
        group = groups.get(link["group"])
        if group is None:
            group = groups[link["group"]] = {"label": link["group"], "children": [], "active": False}
            menu.append(group)
        group["children"].append(link)
        group["active"] = group["active"] or link["active"]
    # A group with one entry is just a link.
    return [e["children"][0] if "children" in e and len(e["children"]) == 1 else e for e in menu]
