"""A responsibility's page (the task, the unit's reports, the report form), the office's review queue, the review
action and evidence downloads — always behind Responsibility.objects.visible_to."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from dadukou.kernel.errors import WorkflowError
from disputes.services.attachments import TYPES
from tasks_plan.choices import ReportStatus, ResponsibilityRole
from tasks_plan.forms.progress import ProgressReportForm, ReviewForm
from tasks_plan.models import ProgressAttachment, ProgressReport, Responsibility
from tasks_plan.services import progress

QUEUE_LIMIT = 100
COUNT_CAP = 1000


def review_form(report) -> ReviewForm:
    return ReviewForm(auto_id=f"review-{report.pk}-%s")


def _reports():
    return ProgressReport.objects.select_related("submitted_by", "reviewed_by").prefetch_related(
        Prefetch("attachments", queryset=ProgressAttachment.objects.order_by("pk"))
    )


class ResponsibilityView(PermissionRequiredMixin, View):
    """One unit's row of one task: the task, its targets, the reports so far; report here, review here."""

    permission_required = "tasks_plan.view_responsibility"
    template_name = "tasks_plan/responsibility.html"

    def get_object(self):
        return get_object_or_404(
            Responsibility.objects.visible_to(self.request.user).select_related("task__plan", "unit__region"),
            pk=self.kwargs["pk"],
        )

    def get(self, request, pk):
        responsibility = self.get_object()
        return self.render(responsibility, ProgressReportForm(initial=self.initial()))

    def post(self, request, pk):
        responsibility = self.get_object()
        form = ProgressReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                progress.submit_report(
                    responsibility.pk,
                    request.user,
                    period=form.cleaned_data["period"],
                    text=form.cleaned_data["text"],
                    figures=form.figures(),
                    kind=form.cleaned_data["kind"],
                    files=form.cleaned_data["files"],
                )
            except WorkflowError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Report submitted; the office will review it."))
                return redirect("tasks_plan:responsibility", pk=responsibility.pk)
        return self.render(responsibility, form, status=400)

    def initial(self) -> dict:
        return {"period": progress.period_label(timezone.localdate())}

    def render(self, responsibility, form, status=200):
        user = self.request.user
        task = responsibility.task
        reports = list(_reports().filter(responsibility=responsibility).order_by("-submitted_at", "-pk"))
        may_review = progress.may_review(user)
        for report in reports:
            report.review_form = (
                review_form(report) if may_review and report.status == ReportStatus.SUBMITTED else None
            )
        leads = [
            r.unit
            for r in Responsibility.objects.filter(task=task, role=ResponsibilityRole.LEAD)
            .select_related("unit")
            .order_by("unit__name")
        ]
        context = {
            "responsibility": responsibility,
            "task": task,
            "targets": list(task.targets.all()),
            "lead_units": leads,
            "deadline": task.deadline_on(timezone.localdate()),
            "reports": reports,
            "form": form if progress.may_report(responsibility, user) else None,
            "may_review": may_review,
            "next_url": self.request.path,
        }
        return render(self.request, self.template_name, context, status=status)


class ReviewQueueView(PermissionRequiredMixin, TemplateView):
    """The office's queue: submitted reports, oldest first, each with its accept/return form."""

    permission_required = "tasks_plan.review_progressreport"
    template_name = "tasks_plan/report_queue.html"

    def get_context_data(self, **kwargs):
        visible = Responsibility.objects.visible_to(self.request.user).values("pk")
        queryset = (
            _reports()
            .filter(status=ReportStatus.SUBMITTED, responsibility__in=visible)
            .select_related("responsibility__task", "responsibility__unit")
            .order_by("submitted_at", "pk")
        )
        reports = list(queryset[:QUEUE_LIMIT])
        # Shown as "1000+" past the cap: the badge needs no exact count over a long backlog.
        count = len(reports) if len(reports) < QUEUE_LIMIT else queryset.order_by()[: COUNT_CAP + 1].count()
        for report in reports:
            report.review_form = review_form(report)
        return super().get_context_data(
            reports=reports,
            count=min(count, COUNT_CAP),
            count_capped=count > COUNT_CAP,
            limit=QUEUE_LIMIT,
            next_url=self.request.path,
            **kwargs,
        )


class ReviewReportView(PermissionRequiredMixin, View):
    """Accept or return one report; back to where the office came from."""

    permission_required = "tasks_plan.review_progressreport"
    http_method_names = ["post"]

    def post(self, request, pk):
        visible = Responsibility.objects.visible_to(request.user).values("pk")
        report = get_object_or_404(ProgressReport.objects.filter(responsibility__in=visible), pk=pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose to accept or return the report."))
        else:
            accept = form.cleaned_data["decision"] == ReviewForm.ACCEPT
            try:
                progress.review_report(
                    report.pk, request.user, accept=accept, comments=form.cleaned_data["comments"]
                )
            except WorkflowError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("Report accepted.") if accept else _("Report returned to the unit.")
                )
        return redirect(self.next_url(report))

    def next_url(self, report) -> str:
        url = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()}):
            return url
        return reverse("tasks_plan:responsibility", args=[report.responsibility_id])


class EvidenceDownloadView(View):
    """Streams an evidence file; 404 unless the user sees the responsibility it was reported on."""

    def get(self, request, report_pk, pk):
        visible = Responsibility.objects.visible_to(request.user).values("pk")
        attachment = get_object_or_404(
            ProgressAttachment.objects.filter(report_id=report_pk, report__responsibility__in=visible), pk=pk
        )
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        file_type = TYPES.get(os.path.splitext(attachment.original_name)[1].lower())
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=file_type.content_type if file_type else "application/octet-stream",
        )
