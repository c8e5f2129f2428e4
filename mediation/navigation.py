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

    def allowed(self, user) -> bool:
        if self.staff_only and not user.is_staff:
            return False
        if self.permission is None:
            return True
        return any(user.has_perm(p.strip()) for p in self.permission.split(","))


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home"),
    NavItem(_("My to-do"), "disputes:queue", "disputes.view_dispute"),
    NavItem(_("Disputes"), "disputes:list", "disputes.view_dispute"),
    NavItem(_("Register a dispute"), "disputes:intake", "disputes.register_dispute"),
    NavItem(_("Patrols"), "disputes:patrols", "disputes.view_patrolduty"),
    NavItem(_("Regions and units"), "mediation:structure", "mediation.view_region"),
    NavItem(_("Registry"), "mediation:registry", "mediation.view_mediationorganization"),
    NavItem(
        _("Registry import"),
        "mediation:registry_import",
        "mediation.add_mediationorganization,mediation.add_mediator,mediation.add_trainingattendance",
    ),
    NavItem(_("Periodic reports"), "disputes:reports", "disputes.view_periodicreport"),
    NavItem(_("Operations"), "mediation:operations", "mediation.view_taskrun"),
    NavItem(_("My plan tasks"), "tasks_plan:my_tasks", "tasks_plan.view_responsibility"),
    NavItem(_("Progress reports to review"), "tasks_plan:review_queue", "tasks_plan.review_progressreport"),
    NavItem(_("Responsibility matrix"), "tasks_plan:matrix", "tasks_plan.view_responsibility"),
    NavItem(_("Joint meetings"), "tasks_plan:meeting_list", "tasks_plan.view_jointmeeting"),
    NavItem(_("Administration"), "admin:index", staff_only=True),
]


def items_for(user, current_path: str = "") -> list[dict]:
    result = []
    for item in NAV_ITEMS:
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append({"label": item.label, "url": url, "active": False})
    # The active entry is the one whose URL is the longest prefix of the page (so /plan/my/ beats /plan/).
    matches = [e for e in result if current_path == e["url"] or (e["url"] != "/" and current_path.startswith(e["url"]))]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return result
