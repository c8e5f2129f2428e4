"""The admin of the task plan; importing the modules registers their ModelAdmins.

plan: plans, tasks with their targets and responsibilities, progress reports, joint meetings. escalation:
the office's escalation ladder.
"""

from tasks_plan.admin import escalation, plan  # noqa: F401
