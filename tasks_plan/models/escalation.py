"""The overdue escalation ladder (督办升级): office-edited steps that an overdue responsibility climbs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class EscalationAudience(models.TextChoices):
    """Who a step's alert goes to."""

    UNIT_AND_LEAD = "unit_and_lead", _("The responsible unit and the task's lead units")
    OFFICE = "office", _("The grand-mediation office")
    JOINT_MEETING = "joint_meeting", _("The joint meeting (office and district supervisors)")


class EscalationStep(models.Model):
    """One rung of the ladder: once a row has been overdue for `days_overdue` days, alert `audience`.

    Steps are climbed in order and each is alerted once per row (see tasks_plan.services.escalation);
    the office edits the days, audiences and labels in the admin.
    """

    step = models.PositiveSmallIntegerField(_("step"), unique=True, validators=[MinValueValidator(1)])
    days_overdue = models.PositiveSmallIntegerField(
        _("days overdue"), help_text=_("The step is reached this many days after the row became overdue.")
    )
    audience = models.CharField(_("alert goes to"), max_length=20, choices=EscalationAudience.choices)
    label = models.CharField(_("label"), max_length=100)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["step"]
        constraints = [
            models.CheckConstraint(condition=models.Q(step__gte=1), name="escalationstep_step_positive")
        ]

    def __str__(self) -> str:
        return f"{self.step}. {self.label}"

    def clean(self) -> None:
        # A later step must not be reached before an earlier one, or the ladder would alert out of order.
        others = EscalationStep.objects.exclude(pk=self.pk)
        earlier = (
            others.filter(step__lt=self.step, days_overdue__gt=self.days_overdue).order_by("step").first()
        )
        later = others.filter(step__gt=self.step, days_overdue__lt=self.days_overdue).order_by("step").first()
        if earlier or later:
            raise ValidationError(
                {
                    "days_overdue": _(
                        "Step %(other)s is reached after %(days)s days; keep the days in step order."
                    )
                    % {"other": (earlier or later).step, "days": (earlier or later).days_overdue}
                }
            )
