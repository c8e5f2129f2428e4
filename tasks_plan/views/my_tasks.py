"""A unit's own page of the plan ("my tasks"): its rows of the current plan, what is due next, what is overdue."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.views.generic import TemplateView

from mediation.models import Unit
from mediation.scoping import Scope
from tasks_plan.choices import ReportStatus, ResponsibilityStatus
from tasks_plan.models import Responsibility

DUE_NEXT_LIMIT = 10


@dataclass
class Row:
    responsibility: Responsibility
    deadline: object  # date or None
    late: bool  # overdue, or past its deadline without an accepted completion

    @property
    def days_left(self):
        return None if self.deadline is None else (self.deadline - timezone.localdate()).days


class MyTasksView(PermissionRequiredMixin, TemplateView):
    """The user's own units' rows by default; someone who sees more units (the office, a street) picks one."""

    permission_required = "tasks_plan.view_responsibility"
    template_name = "tasks_plan/my_tasks.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        visible = Responsibility.objects.visible_to(self.request.user).filter(task__plan__is_current=True)
        units = list(Unit.objects.filter(pk__in=visible.values("unit_id")).only("pk", "name", "kind"))
        selected = self.selected_units(units)
        rows = [self.row(r, today) for r in self.rows(visible, selected)]
        due_next = sorted(
            (r for r in rows if r.deadline and r.responsibility.status != ResponsibilityStatus.DONE),
            key=lambda r: (r.deadline, r.responsibility.task.number, r.responsibility.unit.name),
        )[:DUE_NEXT_LIMIT]
        counts = {status: 0 for status in ResponsibilityStatus.values}
        for r in rows:
            counts[r.responsibility.status] += 1
        return super().get_context_data(
            today=today,
            units=units,
            selected=selected,
            rows=rows,
            due_next=due_next,
            late_count=sum(r.late for r in rows),
            status_counts=[(s, label, counts[s]) for s, label in ResponsibilityStatus.choices],
            **kwargs,
        )

    def selected_units(self, units: list) -> list:
        """The unit asked for (if the user sees its rows), else the user's own units among those."""
        wanted = self.request.GET.get("unit", "")
        if wanted.isdigit():
            return [u for u in units if u.pk == int(wanted)]
        own = Scope.for_user(self.request.user).unit_ids
        return [u for u in units if u.pk in own]

    def rows(self, visible, selected):
        if not selected:
            return []
        return (
            visible.filter(unit__in=[u.pk for u in selected])
            .select_related("task", "unit")
            .annotate(
                pending_reports=Count("reports", filter=Q(reports__status=ReportStatus.SUBMITTED)),
                last_report_at=Max("reports__submitted_at"),
            )
            .order_by("task__number", "unit__name")
        )

    @staticmethod
    def row(responsibility, today) -> Row:
        deadline = responsibility.task.deadline_on(today)
        late = responsibility.status == ResponsibilityStatus.OVERDUE or (
            responsibility.status != ResponsibilityStatus.DONE and deadline is not None and deadline < today
        )
        return Row(responsibility, deadline, late)
