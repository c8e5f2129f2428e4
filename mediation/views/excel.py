"""Excel in and out for the registry: upload a sheet (imported in the background with a progress bar),
download the templates, export a list."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from mediation.filters import MediatorFilter, OrganizationFilter, TrainingFilter
from mediation.forms.imports import UploadForm
from mediation.models import ImportJob, ImportKind, MediationOrganization, Mediator, Training
from mediation.services import registry_export, registry_import

XLSX = registry_export.XLSX


def _importable_kinds(user) -> list[str]:
    return [kind for kind in ImportKind.values if registry_import.may_import(user, kind)]


def _job_for(request, pk) -> ImportJob:
    """The user's own import (anyone else's answers 404)."""
    jobs = ImportJob.objects.select_related("created_by")
    if not request.user.is_superuser:
        jobs = jobs.filter(created_by=request.user)
    return get_object_or_404(jobs, pk=pk)


SUMMARY_LABELS = {
    "organizations": _("Organizations"),
    "mediators": _("Mediators"),
    "appointments": _("Appointments"),
    "trainings": _("Trainings"),
    "attendance": _("Attendance records"),
}


def _job_context(job: ImportJob) -> dict:
    summary = [
        {
            "label": SUMMARY_LABELS.get(what, what),
            "created": counts.get("created", 0),
            "updated": counts.get("updated", 0),
            "unchanged": counts.get("unchanged", 0),
        }
        for what, counts in (job.summary or {}).items()
    ]
    errors = [
        registry_import.RowError(e.get("row"), e.get("column", ""), e.get("message", "")) for e in job.errors
    ]
    return {"job": job, "errors": errors, "summary": summary}


class ImportView(View):
    """The upload form, the template downloads and the user's recent imports."""

    template_name = "mediation/import/start.html"

    def dispatch(self, request, *args, **kwargs):
        self.kinds = _importable_kinds(request.user)
        if not self.kinds:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(UploadForm(kinds=self.kinds))

    def post(self, request):
        form = UploadForm(request.POST, request.FILES, kinds=self.kinds)
        if not form.is_valid():
            return self.render(form, status=400)
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            kind=form.cleaned_data["kind"],
            file=upload,
            original_name=Path(upload.name).name[:200],
            created_by=request.user,
        )
        registry_import.queue_job(job.pk)
        return redirect("mediation:registry_import_job", pk=job.pk)

    def render(self, form, status=200):
        jobs = ImportJob.objects.filter(created_by=self.request.user)[:10]
        templates = [(k, ImportKind(k).label) for k in self.kinds]
        return render(
            self.request,
            self.template_name,
            {"form": form, "jobs": jobs, "templates": templates},
            status=status,
        )


class ImportTemplateView(View):
    def get(self, request, kind):
        if kind not in ImportKind.values:
            raise Http404
        if not registry_import.may_import(request.user, kind):
            raise PermissionDenied
        workbook = registry_import.template_workbook(kind)
        response = HttpResponse(content_type=XLSX)
        response["Content-Disposition"] = _attachment(f"{registry_import.SHEET_TITLES[kind]}导入模板.xlsx")
        workbook.save(response)
        return response


def _attachment(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, filename)


class ImportJobView(View):
    """One import: a progress bar while it runs (polled by htmx every second), then the result."""

    def get(self, request, pk):
        job = _job_for(request, pk)
        context = _job_context(job)
        if request.htmx:
            return render(request, "mediation/import/_progress.html", context)
        return render(request, "mediation/import/job.html", context)


class ImportJobRunView(View):
    """Run a job that no worker has picked up, here and now (the office is never left waiting)."""

    def post(self, request, pk):
        job = _job_for(request, pk)
        registry_import.run_job(job.pk)
        return redirect("mediation:registry_import_job", pk=job.pk)


EXPORTS = {
    "organizations": (MediationOrganization, "mediation.view_mediationorganization", OrganizationFilter),
    "mediators": (Mediator, "mediation.view_mediator", MediatorFilter),
    "trainings": (Training, "mediation.view_training", TrainingFilter),
}


class ExportView(View):
    """A registry list as xlsx: what the user can see, narrowed by the list page's filters (its query string),
    personal data masked unless permitted."""

    def get(self, request, kind):
        if kind not in EXPORTS:
            raise Http404
        model, permission, filter_class = EXPORTS[kind]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        filterset = filter_class(
            request.GET, queryset=model.objects.visible_to(request.user), request=request
        )
        as_of = getattr(filterset, "day", None)
        workbook = registry_export.export_for(kind, filterset.qs, request.user, as_of=as_of)
        return registry_export.xlsx_response(workbook, kind)
