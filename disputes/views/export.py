"""The xlsx export of the filtered dispute list."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from disputes.models import ExportJob, ExportStatus
from disputes.services import export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_name() -> str:
    return f"{_('Disputes')}_{timezone.localdate():%Y%m%d}.xlsx"


class ExportView(PermissionRequiredMixin, View):
    """The list's filters as xlsx: written here when small, by the background worker when large."""

    permission_required = export.EXPORT_PERMISSION
    raise_exception = True

    def get(self, request):
        query = request.GET.urlencode()
        queryset = export.list_queryset(request.user, query)
        rows = queryset[: min(export.SYNC_ROWS, export.MAX_ROWS) + 1].count()
        if rows > export.MAX_ROWS:
            messages.error(
                request,
                _("An export holds at most %(max)s disputes. Narrow the filters and export again.")
                % {"max": f"{export.MAX_ROWS:,}"},
            )
            return redirect(f"{reverse('disputes:list')}?{query}")
        if rows > export.SYNC_ROWS:
            job = ExportJob.objects.create(created_by=request.user, query=query)
            export.queue_job(job.pk)
            return redirect("disputes:export_job", pk=job.pk)
        personal_data = export.with_personal_data(request.user, queryset)
        if personal_data:
            export.log_personal_data(request.user, query)
        out = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
        export.write_disputes(queryset, out, personal_data=personal_data)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=download_name(), content_type=XLSX)


def _job_for(request, pk) -> ExportJob:
    """The user's own export (anyone else's answers 404)."""
    return get_object_or_404(ExportJob.objects.filter(created_by=request.user), pk=pk)


class ExportJobView(PermissionRequiredMixin, View):
    """One large export: a progress bar while the worker writes it (polled by htmx), then the download."""

    permission_required = "disputes.export_dispute"
    raise_exception = True

    def get(self, request, pk):
        job = _job_for(request, pk)
        context = {"job": job, "list_query": job.query, "keep_days": settings.EXPORT_KEEP_DAYS}
        if request.htmx:
            return render(request, "disputes/_export_progress.html", context)
        return render(request, "disputes/export_job.html", context)


class ExportJobRunView(PermissionRequiredMixin, View):
    """Write an export that no worker has picked up, here and now."""

    permission_required = "disputes.export_dispute"
    raise_exception = True

    def post(self, request, pk):
        job = _job_for(request, pk)
        export.run_job(job.pk)
        return redirect("disputes:export_job", pk=job.pk)


class ExportDownloadView(PermissionRequiredMixin, View):
    permission_required = "disputes.export_dispute"
    raise_exception = True

    def get(self, request, pk):
        job = _job_for(request, pk)
        if job.status == ExportStatus.EXPIRED:
            # The job's page says why the file is gone and leads back to the list to export it again.
            return redirect("disputes:export_job", pk=job.pk)
        if job.status != ExportStatus.DONE or not job.file:
            raise Http404
        filename = f"{_('Disputes')}_{timezone.localtime(job.finished_at):%Y%m%d}.xlsx"
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename, content_type=XLSX)
