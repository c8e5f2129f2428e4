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
    order: int = 50  # the menu's position (the constants below)

    def allowed(self, user) -> bool:
        if self.staff_only and not user.is_staff:
            return False
        if self.permission is None:
            return True
        return any(user.has_perm(p.strip()) for p in self.permission.split(","))


# Where each part of the menu stands (NavItem.order); the apps above mediation add their own entries with
# register() when they are ready, so this module names none of their pages.
HOME, OWN_WORK, DISPUTES, REGISTRY, PLAN, SYSTEM = 0, 10, 20, 30, 40, 90

REGISTRY_GROUP, SYSTEM_GROUP = _("Registry"), _("System")

NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", order=HOME),
    NavItem(
        _("Regions and units"),
        "mediation:structure",
        "mediation.view_region",
        group=REGISTRY_GROUP,
        order=REGISTRY,
    ),
    NavItem(
        _("Registry"),
        "mediation:registry",
        "mediation.view_mediationorganization",
        group=REGISTRY_GROUP,
        order=REGISTRY,
    ),
    NavItem(
        _("Registry import"),
        "mediation:registry_import",
        "mediation.add_mediationorganization,mediation.add_mediator,mediation.add_trainingattendance",
        group=REGISTRY_GROUP,
        order=REGISTRY,
    ),
    NavItem(
        _("Operations"), "mediation:operations", "mediation.view_taskrun", group=SYSTEM_GROUP, order=SYSTEM
    ),
    NavItem(_("Administration"), "admin:index", staff_only=True, group=SYSTEM_GROUP, order=SYSTEM),
]


def register(*items: NavItem) -> None:
    """Add menu entries (an app's AppConfig.ready); registering the same entry twice adds it once."""
    NAV_ITEMS.extend(item for item in items if item not in NAV_ITEMS)


def menu_items() -> list[NavItem]:
    """Every entry in menu order: by `order`, then as registered."""
    return sorted(NAV_ITEMS, key=lambda item: item.order)


def items_for(user, current_path: str = "") -> list[dict]:
    """The user's menu: links, and drop-downs ({"label", "children", "active"}) for groups of two or more."""
    links = []
    for item in menu_items():
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
