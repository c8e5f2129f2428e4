from .meetings import JointMeeting
from .plans import Plan, PlanTask, Target
from .progress import ProgressAttachment, ProgressReport, Responsibility

__all__ = [
    "JointMeeting",
    "Plan",
    "PlanTask",
    "ProgressAttachment",
    "ProgressReport",
    "Responsibility",
    "Target",
]
