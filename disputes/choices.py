"""Choices of the disputes app, as classes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a dispute came from (案件来源)."""

    APPLICATION = "application", _("Party's application")
    COMMITTEE_PATROL = "committee_patrol", _("Committee's own patrol")
    GRID_PATROL = "grid_patrol", _("Grid patrol")
    POLICE = "police", _("Referred by the police (警调)")
    COURT = "court", _("Entrusted by the court (诉调)")
    PETITION = "petition", _("Referred from petitions (访调)")
    REVIEW = "review", _("Referred from administrative review (复调)")
    DESIGNATED = "designated", _("Designated by the government or a department")
    HIGHER_LEVEL = "higher_level", _("Assigned by a higher level")
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    API = "api", _("Municipal system (API)")


class RiskGrade(models.IntegerChoices):
    """Risk grades (分级): 1 is the highest. The higher the grade, the higher the level that controls it."""

    RED = 1, _("Red (level 1)")
    ORANGE = 2, _("Orange (level 2)")
    YELLOW = 3, _("Yellow (level 3)")
    BLUE = 4, _("Blue (level 4)")


class RiskFlag(models.TextChoices):
    EXTREME_ACT = "extreme_act", _("Possible extreme act by an individual")
    MASS_INCIDENT = "mass_incident", _("Possible mass incident")
    CIVIL_TO_CRIMINAL = "civil_to_criminal", _("May turn criminal")
    REPEATED_PETITION = "repeated_petition", _("Repeated petitions")
    CROSS_UNIT = "cross_unit", _("Crosses several units")
    PUBLIC_OPINION = "public_opinion", _("Public-opinion risk")


class Vulnerability(models.TextChoices):
    """Vulnerabilities of a party: sensitive personal information (PIPL) that raises the risk."""

    MINOR = "minor", _("Minor")
    ELDERLY = "elderly", _("Elderly")
    DISABLED = "disabled", _("Disabled")
    MENTAL_ILLNESS = "mental_illness", _("Mental illness")
    PREGNANT = "pregnant", _("Pregnant")


class Complexity(models.TextChoices):
    SIMPLE = "simple", _("Simple")
    GENERAL = "general", _("General")
    COMPLEX = "complex", _("Complex")


class Status(models.TextChoices):
    """Where a dispute stands in the closed loop."""

    REGISTERED = "registered", _("Registered")
    ASSESSED = "assessed", _("Assessed")
    ASSIGNED = "assigned", _("Assigned, awaiting acceptance")
    IN_PROGRESS = "in_progress", _("In mediation")
    REPORTED_UP = "reported_up", _("Reported up")
    RESOLVED = "resolved", _("Resolved")
    FAILED = "failed", _("Mediation failed")
    FED_BACK = "fed_back", _("Fed back")
    ARCHIVED = "archived", _("Archived")
    VOIDED = "voided", _("Voided")
    MERGED = "merged", _("Merged into another dispute")


OPEN_STATUSES = [
    Status.REGISTERED,
    Status.ASSESSED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.REPORTED_UP,
]


class HandlingLevel(models.IntegerChoices):
    """The level of the platform that controls a dispute (same numbers as RegionLevel)."""

    DISTRICT = 2, _("District")
    STREET = 3, _("Street/Town")
    COMMUNITY = 4, _("Community/Village")


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    REPRESENTATIVE = "representative", _("Representative")
    THIRD_PARTY = "third_party", _("Third party")


class DayType(models.TextChoices):
    WORKING = "working", _("Working days")
    CALENDAR = "calendar", _("Calendar days")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn (reassigned)")


OPEN_ASSIGNMENT_STATUSES = [AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead handler")
    CO_HANDLER = "co_handler", _("Co-handler")


class SupervisionLevel(models.IntegerChoices):
    """The supervision ladder (提醒 → 催办 → 督办 → 挂牌督办)."""

    REMINDER = 1, _("Reminder")
    URGE = 2, _("Urging")
    SUPERVISE = 3, _("Supervision notice")
    LISTED = 4, _("Listed supervision")


class SessionMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Mediated successfully")
    FAILURE = "failure", _("Mediation failed")
    # 终止调解 on a party's refusal or withdrawal (人民调解法 Art. 17, 23, 26), with or without a session.
    TERMINATED = "terminated", _("Mediation terminated")


class TerminationReason(models.TextChoices):
    """Why mediation was terminated (终止调解)."""

    REFUSED = "refused", _("A party refuses mediation (Art. 17)")
    WITHDRAWN = "withdrawn", _("A party withdrew from mediation (Art. 23)")
    NO_AGREEMENT = "no_agreement", _("No agreement can be reached (Art. 26)")


class ConsentMode(models.TextChoices):
    """How a party's consent, refusal or withdrawal was given."""

    IN_PERSON = "in_person", _("In person, orally")
    WRITTEN = "written", _("In writing")
    PHONE = "phone", _("By phone")
    APPLICATION = "application", _("By applying for mediation")


class FailureGuidance(models.TextChoices):
    LITIGATION = "litigation", _("Guided to litigation")
    ARBITRATION = "arbitration", _("Guided to arbitration")
    ADMINISTRATIVE = "administrative", _("Guided to administrative channels")


class Prevention(models.TextChoices):
    """Prevention outcomes counted in statistics."""

    SUICIDE = "suicide", _("Prevented a suicide")
    CIVIL_TO_CRIMINAL = "civil_to_criminal", _("Prevented a civil dispute turning criminal")
    MASS_PETITION = "mass_petition", _("Prevented a mass petition")
    MASS_FIGHT = "mass_fight", _("Prevented a mass fight")


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("Written")
    ORAL = "oral", _("Oral")


class Performance(models.TextChoices):
    PENDING = "pending", _("Not yet due")
    PERFORMED = "performed", _("Performed")
    PARTIAL = "partial", _("Partly performed")
    UNPERFORMED = "unperformed", _("Not performed")


class ConfirmationResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class FeedbackTarget(models.TextChoices):
    PARTIES = "parties", _("The parties")
    PLATFORM = "platform", _("The assigning platform")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
