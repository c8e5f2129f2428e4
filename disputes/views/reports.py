"""The periodic reports (task 25): the list of those the user may see, one report, its xlsx export.

A report stores the dispute numbers behind each figure as they were when it was made. Its reader sees the report's
figures as stored, but only the numbers of disputes they may open now (Dispute.objects.visible_to): a report shown
by an explicit grant, or a dispute moved or merged away since, never names a dispute its reader cannot open.
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from disputes.models import PeriodicReport
from disputes.services import reports
from disputes.services.naming import visible_numbers
from mediation import keyset
from mediation.keyset import Column, Keyset

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
SHOWN_ITEMS = 200
# Newest period first, then by kind and scope (the index periodic_report_list_idx).
ORDER = Keyset(
    Column("period_start", "date", descending=True),
    Column("kind", "str"),
    Column("scope_key", "str"),
    pk_descending=False,
)  # dispute numbers shown under a figure on the page; the export has them all


class ReportMixin(PermissionRequiredMixin):
    permission_required = "disputes.view_periodicreport"

    def visible(self):
        return PeriodicReport.objects.visible_to(self.request.user)

    def get_report(self, pk: int) -> PeriodicReport:
        return get_object_or_404(self.visible().select_related("region", "unit"), pk=pk)

    def visible_numbers(self, report: PeriodicReport) -> set[str] | None:
        """The report's dispute numbers the user may open (None: every one, for a superuser)."""
        if self.request.user.is_superuser:
            return None
        return visible_numbers(self.request.user, reports.dispute_numbers(report))


class ReportListView(ReportMixin, TemplateView):
    template_name = "disputes/reports/list.html"

    def get_context_data(self, **kwargs):
        kind = self.request.GET.get("kind", "")
        scope = self.request.GET.get("scope", "")
        queryset = self.visible()
        if kind in PeriodicReport.Kind.values:
            queryset = queryset.filter(kind=kind)
        if scope == "region":
            queryset = queryset.filter(region__isnull=False)
        elif scope == "unit":
            queryset = queryset.filter(unit__isnull=False)
        page = ORDER.page(
            queryset.select_related("region", "unit"), self.request.GET.get("cursor"), PAGE_SIZE
        )
        query, next_query = keyset.query_strings(self.request, page)
        return super().get_context_data(
            page=page,
            kinds=PeriodicReport.Kind.choices,
            kind=kind,
            scope=scope,
            query=query,
            next_query=next_query,
            **kwargs,
        )


class ReportDetailView(ReportMixin, TemplateView):
    template_name = "disputes/reports/detail.html"

    def get_context_data(self, **kwargs):
        report = self.get_report(kwargs["pk"])
        return super().get_context_data(
            report=report,
            title=reports.title(report),
            lines=reports.for_reader(reports.lines(report), self.visible_numbers(report), report),
            shown_items=SHOWN_ITEMS,
            **kwargs,
        )


class ReportExportView(ReportMixin, View):
    raise_exception = True

    def get(self, request, pk: int):
        report = self.get_report(pk)
        out = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
        reports.write_xlsx(report, out, self.visible_numbers(report))
        out.seek(0)
        filename = f"{_('Report')}_{report.kind}_{report.period_start:%Y%m%d}_{report.scope_key.replace(':', '-')}.xlsx"
        return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
