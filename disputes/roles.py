"""Permissions the roles need on disputes (merged by mediation.roles.sync_roles)."""

from mediation.choices import Role

_VIEW = [
    "disputes.view_dispute",
    "disputes.view_party",
    "disputes.view_attachment",
    "disputes.view_event",
    "disputes.view_assignment",
    "disputes.view_supervision",
    "disputes.view_mediationsession",
    "disputes.view_agreement",
    "disputes.view_feedback",
    "disputes.view_followup",
    "disputes.view_category",
]
_CONFIG = [
    f"disputes.{action}_{model}"
    for model in (
        "category",
        "timelimit",
        "riskrule",
        "routingrule",
        "calendarday",
        "calendaryear",
        "sensitiveperiod",
    )
    for action in ("add", "change", "delete", "view")
]

# Patrols (排查): the staff of a region report its patrols; supervisors and the office read them.
_PATROL_VIEW = ["disputes.view_patrolduty", "disputes.view_patrolreport"]
_PATROL_REPORT = [*_PATROL_VIEW, "disputes.add_patrolreport"]

# The periodic reports (task 25): each sees those of their regions and units (PeriodicReport.visible_to).
_REPORTS = ["disputes.view_periodicreport"]

ROLE_PERMISSIONS = {
    Role.GRID_WORKER: [*_VIEW, *_PATROL_REPORT, "disputes.register_dispute"],
    Role.MEDIATOR: [*_VIEW, *_PATROL_REPORT, "disputes.register_dispute", "disputes.handle_dispute"],
    Role.DISPATCHER: [
        *_VIEW,
        *_REPORTS,
        *_PATROL_REPORT,
        "disputes.register_dispute",
        "disputes.assess_dispute",
        "disputes.export_dispute",
    ],
    Role.LIAISON: [*_VIEW, *_REPORTS, "disputes.handle_dispute"],
    Role.SUPERVISOR: [
        *_VIEW,
        *_PATROL_VIEW,
        *_REPORTS,
        "disputes.supervise_dispute",
        "disputes.export_dispute",
    ],
    Role.OFFICE_ADMIN: [
        *_VIEW,
        *_PATROL_VIEW,
        *_REPORTS,
        *_CONFIG,
        "disputes.export_dispute",
        "disputes.supervise_dispute",
    ],
    Role.AUDITOR: [
        *_VIEW,
        *_PATROL_VIEW,
        *_REPORTS,
        "disputes.export_dispute",
        "disputes.view_personal_data",
    ],
    Role.API_CLIENT: ["disputes.view_dispute", "disputes.register_dispute", "disputes.view_category"],
}
