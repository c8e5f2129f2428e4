"""The disputes app's entries in the main menu (mediation.navigation), registered when the app is ready."""

from django.utils.translation import gettext_lazy as _

from mediation.navigation import DISPUTES, OWN_WORK, SYSTEM, SYSTEM_GROUP, NavItem, register

GROUP = _("Disputes")

register(
    NavItem(_("My to-do"), "disputes:queue", "disputes.view_dispute", order=OWN_WORK),
    NavItem(_("Dispute list"), "disputes:list", "disputes.view_dispute", group=GROUP, order=DISPUTES),
    NavItem(
        _("Register a dispute"), "disputes:intake", "disputes.register_dispute", group=GROUP, order=DISPUTES
    ),
    NavItem(_("Patrols"), "disputes:patrols", "disputes.view_patrolduty", group=GROUP, order=DISPUTES),
    NavItem(
        _("Periodic reports"), "disputes:reports", "disputes.view_periodicreport", group=GROUP, order=DISPUTES
    ),
    NavItem(
        _("Holiday calendar"),
        "disputes:calendar",
        "disputes.change_calendaryear",
        group=SYSTEM_GROUP,
        order=SYSTEM,
    ),
)
