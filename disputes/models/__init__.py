from .config import (
    CalendarDay,
    CalendarNotice,
    CalendarYear,
    Category,
    RiskRule,
    RoutingRule,
    SensitivePeriod,
    TimeLimit,
)
from .disputes import Attachment, Dispute, DisputeCounter, Party
from .events import AppendOnlyError, Event
from .exports import ExportJob, ExportStatus
from .handling import (
    Agreement,
    Assignment,
    Extension,
    Feedback,
    FollowUp,
    MediationSession,
    Referral,
    Supervision,
)
from .patrols import Cadence, PatrolDuty, PatrolReport, PeriodicReport
from .stabilization import Stabilization
from .supervision_rules import SupervisionThreshold

__all__ = [
    "Agreement",
    "AppendOnlyError",
    "Assignment",
    "Attachment",
    "CalendarDay",
    "CalendarNotice",
    "CalendarYear",
    "Cadence",
    "Category",
    "Dispute",
    "DisputeCounter",
    "Event",
    "ExportJob",
    "ExportStatus",
    "Extension",
    "Feedback",
    "FollowUp",
    "MediationSession",
    "Party",
    "PatrolDuty",
    "PatrolReport",
    "PeriodicReport",
    "Referral",
    "RiskRule",
    "RoutingRule",
    "SensitivePeriod",
    "Stabilization",
    "Supervision",
    "SupervisionThreshold",
    "TimeLimit",
]
