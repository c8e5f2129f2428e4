from .escalation import EscalationAudience, EscalationStep
from .meetings import JointMeeting
from .plans import Plan, PlanTask, Target
from .progress import ProgressAttachment, ProgressReport, Responsibility

__all__ = [
    "EscalationAudience",
    "EscalationStep",
    "JointMeeting",
    "Plan",
    "PlanTask",
    "ProgressAttachment",
    "ProgressReport",
    "Responsibility",
    "Target",
]
