from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from mediation.scoping import ScopedQuerySet


def the_office():
    """The default convening unit: the grand-mediation office (None until the reference data is loaded)."""
    from mediation.choices import UnitKind
    from mediation.models import Unit

    return Unit.objects.filter(kind=UnitKind.OFFICE).order_by("pk").values_list("pk", flat=True).first()


class JointMeetingQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> Q:
        # A meeting is seen throughout the territory of the unit that convened it (the office's: the whole
        # district): by users whose territory lies inside it or contains it, by the members of units located in
        # it, and by the attending units wherever they are.
        from mediation.models import Unit

        units_inside = Unit.objects.filter(
            pk__in=scope.unit_ids, region__path__startswith=OuterRef("convened_by__region__path")
        )
        attended = JointMeeting.attendees.through.objects.filter(
            jointmeeting_id=OuterRef("pk"), unit_id__in=scope.unit_ids
        )
        return (
            scope.region_q("convened_by__region__path")
            | Q(convened_by__region__path__in=scope.ancestor_paths)
            | Exists(units_inside)
            | Exists(attended)
        )


class JointMeeting(models.Model):
    """A joint meeting (联席会议, task 28): attendees, issues raised, decisions, and the tasks concerned."""

    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=150)
    chaired_by = models.CharField(_("chaired by"), max_length=100, blank=True)
    convened_by = models.ForeignKey(
        "mediation.Unit",
        models.PROTECT,
        related_name="convened_meetings",
        default=the_office,
        verbose_name=_("convened by"),
        help_text=_("The unit that called the meeting; the meeting is seen throughout its territory."),
    )
    attendees = models.ManyToManyField(
        "mediation.Unit", related_name="joint_meetings", verbose_name=_("attending units")
    )
    issues = models.TextField(_("issues raised"))
    decisions = models.TextField(_("decisions"))
    tasks = models.ManyToManyField(
        "tasks_plan.PlanTask", blank=True, related_name="meetings", verbose_name=_("tasks concerned")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = JointMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"
