from django.db import models
from django.utils.translation import gettext_lazy as _


class DueKind(models.TextChoices):
    DATE = "date", _("By a date")
    YEARLY = "yearly", _("Every year from a date")
    ONGOING = "ongoing", _("Ongoing")


class Comparison(models.TextChoices):
    AT_LEAST = ">=", _("at least")
    AT_MOST = "<=", _("at most")
    DONE = "done", _("done (judged by the office)")
    ONGOING = "ongoing", _("ongoing (judged by the office)")


class ResponsibilityRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    RESPONSIBLE = "responsible", _("Responsible unit")


class ResponsibilityStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Completed")
    OVERDUE = "overdue", _("Overdue")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned with comments")


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress")
    COMPLETION = "completion", _("Completion")
