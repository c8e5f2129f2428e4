"""The task plan's entries in the main menu (mediation.navigation), registered when the app is ready."""

from django.utils.translation import gettext_lazy as _

from mediation.navigation import PLAN, NavItem, register

GROUP = _("Task plan")

register(
    NavItem(
        _("My plan tasks"), "tasks_plan:my_tasks", "tasks_plan.view_responsibility", group=GROUP, order=PLAN
    ),
    NavItem(
        _("Progress reports to review"),
        "tasks_plan:review_queue",
        "tasks_plan.review_progressreport",
        group=GROUP,
        order=PLAN,
    ),
    NavItem(
        _("Responsibility matrix"),
        "tasks_plan:matrix",
        "tasks_plan.view_responsibility",
        group=GROUP,
        order=PLAN,
    ),
    NavItem(
        _("Joint meetings"),
        "tasks_plan:meeting_list",
        "tasks_plan.view_jointmeeting",
        group=GROUP,
        order=PLAN,
    ),
)
