"""Permissions the roles need on the task plan (merged by mediation.roles.sync_roles)."""

from mediation.choices import Role

_VIEW = [
    "tasks_plan.view_plan",
    "tasks_plan.view_plantask",
    "tasks_plan.view_target",
    "tasks_plan.view_responsibility",
    "tasks_plan.view_progressreport",
    "tasks_plan.view_progressattachment",
    "tasks_plan.view_jointmeeting",
]

ROLE_PERMISSIONS = {
    # A unit's liaison reports on the unit's own rows.
    Role.LIAISON: [*_VIEW, "tasks_plan.add_progressreport"],
    # The office reviews the reports, keeps the rows and records the joint meetings (task 28).
    Role.OFFICE_ADMIN: [
        *_VIEW,
        "tasks_plan.add_progressreport",
        "tasks_plan.review_progressreport",
        "tasks_plan.change_responsibility",
        "tasks_plan.add_jointmeeting",
        "tasks_plan.change_jointmeeting",
        # The escalation ladder is data the office edits in the admin.
        "tasks_plan.view_escalationstep",
        "tasks_plan.add_escalationstep",
        "tasks_plan.change_escalationstep",
        "tasks_plan.delete_escalationstep",
    ],
    Role.SUPERVISOR: _VIEW,
    Role.AUDITOR: _VIEW,
}
