from .alerts import Alert, AlertKind, Notification, OutboxMessage
from .imports import ImportJob, ImportKind, ImportStatus
from .indicators import IndicatorCell, IndicatorSnapshot
from .mediators import Appointment, ExpertMembership, Mediator, StatusChange
from .memberships import Membership
from .operations import TaskRun
from .organizations import MediationOrganization
from .regions import Region
from .trainings import StaffingRule, Training, TrainingAttendance
from .units import Unit, UnitHeadcount

__all__ = [
    "Alert",
    "AlertKind",
    "Notification",
    "OutboxMessage",
    "Appointment",
    "ExpertMembership",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "IndicatorCell",
    "IndicatorSnapshot",
    "MediationOrganization",
    "Mediator",
    "Membership",
    "Region",
    "StaffingRule",
    "StatusChange",
    "Training",
    "TrainingAttendance",
    "TaskRun",
    "Unit",
    "UnitHeadcount",
]
