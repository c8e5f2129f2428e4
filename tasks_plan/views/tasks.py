"""One task of the plan: its content, standard and deadline; each target's live value against the plan's number
and by-date with the rows behind it; the responsibilities the user sees with their latest reports; the joint
meetings that concerned it.

A task is shown to those who see at least one of its rows (Responsibility.objects.visible_to); others get 404.
The targets are measured on the figures the user may see (a street's own, tasks_plan.services.targets), and the
rows behind them are those figures' rows: they name and link to an organization, training, dispute or meeting only
where the user may open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from disputes.models import Dispute
from mediation.indicators import REGISTRY, IndicatorRow
from mediation.models import Region
from mediation.services import indicator_store
from mediation.views.common import visible_ids
from mediation.views.overview import shown_rows
from tasks_plan.choices import ResponsibilityRole
from tasks_plan.models import JointMeeting, PlanTask, ProgressReport, Responsibility
from tasks_plan.services.matrix import column_key, section_heading
from tasks_plan.services.targets import Evaluation, Evaluator

# Rows shown under a target on the page (gaps first); the registry's indicator page lists them all.
ROWS_SHOWN = 50


@dataclass
class LinkedRow:
    row: IndicatorRow
    url: str = ""


@dataclass
class ShownTarget:
    evaluation: Evaluation
    rows: list[LinkedRow]
    hidden_rows: int
    full_list_url: str
    row_count: int = 0
    gap_count: int = 0


def _is_registry(code: str) -> bool:
    return code in REGISTRY and REGISTRY[code][1].__module__ == "mediation.indicators"


def rows_behind(evaluation: Evaluation, user) -> list[IndicatorRow]:
    """At most ROWS_SHOWN rows behind the figure, gaps first: a stored figure's own rows, or the first page of the
    gaps (of the rows, for a judged target) of a figure with a row per case."""
    result = evaluation.current.result
    if not result.paged:
        return indicator_store.resolve_objects(evaluation.rows[:ROWS_SHOWN])
    page = indicator_store.rows_page(
        result.code, result.as_of, user, gaps_only=evaluation.measured, limit=ROWS_SHOWN, result=result
    )
    return page.rows[:ROWS_SHOWN]


def linked_rows(evaluation: Evaluation, user) -> list[LinkedRow]:
    """The rows behind the evaluation's figure with a link where the user may follow one."""
    if evaluation.current is None:
        return []
    rows = rows_behind(evaluation, user)
    if not rows:
        return []
    result = evaluation.current.result
    urls: dict[int, str] = {}
    if _is_registry(result.code):
        # The registry's own drill-down: organizations, trainings, regions, fields, backgrounds.
        for shown in shown_rows(result, user, rows):
            urls[id(shown.row)] = shown.url
    else:
        disputes = visible_ids(Dispute, user, [r.obj.pk for r in rows if isinstance(r.obj, Dispute)])
        regions = visible_ids(Region, user, [r.obj.pk for r in rows if isinstance(r.obj, Region)])
        meetings = visible_ids(
            JointMeeting, user, [r.obj.pk for r in rows if isinstance(r.obj, JointMeeting)]
        )
        may_see_meetings = user.has_perm("tasks_plan.view_jointmeeting")
        may_list_disputes = user.has_perm("disputes.view_dispute")
        for row in rows:
            obj = row.obj
            if isinstance(obj, Dispute) and obj.pk in disputes:
                urls[id(row)] = reverse("disputes:detail", args=[obj.pk])
            elif isinstance(obj, Region) and obj.pk in regions and may_list_disputes:
                urls[id(row)] = f"{reverse('disputes:list')}?{urlencode({'region': obj.pk})}"
            elif isinstance(obj, JointMeeting) and obj.pk in meetings and may_see_meetings:
                urls[id(row)] = reverse("tasks_plan:meeting_detail", args=[obj.pk])
    return [LinkedRow(row, urls.get(id(row), "")) for row in rows]


def shown_target(evaluation: Evaluation, user) -> ShownTarget:
    full_list_url = ""
    result = evaluation.current.result if evaluation.current else None
    if result is not None and user.has_perm("mediation.view_mediationorganization"):
        full_list_url = (
            f"{reverse('mediation:indicator', args=[result.code])}?as_of={evaluation.today.isoformat()}"
        )
    rows = linked_rows(evaluation, user)
    row_count = result.row_count if result else 0
    return ShownTarget(
        evaluation,
        rows,
        max(0, row_count - len(rows)),
        full_list_url,
        row_count=row_count,
        gap_count=result.gap_count if result else 0,
    )


class TaskDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "tasks_plan.view_responsibility"
    template_name = "tasks_plan/task_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        task = get_object_or_404(PlanTask.objects.select_related("plan"), pk=self.kwargs["pk"])
        latest_first = ProgressReport.objects.order_by("-submitted_at").select_related("submitted_by")
        responsibilities = list(
            Responsibility.objects.visible_to(user)
            .filter(task=task)
            .select_related("unit")
            .prefetch_related(Prefetch("reports", queryset=latest_first, to_attr="latest_reports"))
        )
        if not responsibilities:
            raise Http404
        lead_first = {ResponsibilityRole.LEAD: 0, ResponsibilityRole.RESPONSIBLE: 1}
        responsibilities.sort(key=lambda r: (lead_first[r.role], *column_key(r.unit)))
        today = timezone.localdate()
        evaluations = Evaluator(today, viewer=user).evaluate_all(
            task.targets.select_related("task").order_by("order")
        )
        meetings = (
            list(JointMeeting.objects.visible_to(user).filter(tasks=task).order_by("-held_on", "-pk"))
            if user.has_perm("tasks_plan.view_jointmeeting")
            else None
        )
        return super().get_context_data(
            task=task,
            today=today,
            deadline=task.deadline_on(today),
            section=section_heading(task.section, task.section_title),
            targets=[shown_target(e, user) for e in evaluations],
            responsibilities=responsibilities,
            meetings=meetings,
            **kwargs,
        )
