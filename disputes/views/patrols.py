"""Patrol pages (排查, task 22): my patrols, one patrol with its report form, and compliance per region."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from dadukou.kernel.errors import WorkflowError
from disputes.forms.patrols import ComplianceForm, PatrolFilterForm, PatrolReportForm
from disputes.models import PatrolDuty, PatrolReport
from disputes.services import patrols
from mediation import keyset
from mediation.models import Region
from mediation.scoping import Scope

PAGE_SIZE = 50
VIEW_PERMISSION = "disputes.view_patrolduty"


class PatrolListView(PermissionRequiredMixin, TemplateView):
    permission_required = VIEW_PERMISSION
    template_name = "disputes/patrols/list.html"

    def get_context_data(self, **kwargs):
        request = self.request
        form = PatrolFilterForm(request.GET or None)
        duties = form.filter(patrols.duties_for(request.user))
        status = form.cleaned_data.get("status") if form.is_valid() else ""
        cursor = request.GET.get("cursor")
        # Without a status filter the duties still due come first, in a box of their own (they are the
        # current periods only, a few per region), and the list below holds everything else.
        due_now = []
        if not status and not cursor:
            due_now = list(
                patrols.PENDING_ORDER.ordered(duties.filter(status=PatrolDuty.Status.PENDING))[
                    : PAGE_SIZE + 1
                ]
            )
        if status == PatrolDuty.Status.PENDING:
            page = patrols.PENDING_ORDER.page(duties, cursor, PAGE_SIZE)
        else:
            rest = duties if status else duties.exclude(status=PatrolDuty.Status.PENDING)
            # A street's or a community's duties are a sliver of the city's: read per region and merged.
            scope = Scope.for_user(request.user)
            regions = [] if scope.everything else scope.region_ids()
            page = patrols.HISTORY_ORDER.page_within(rest, "region_id", regions, cursor, PAGE_SIZE)
        more_due = len(due_now) > PAGE_SIZE
        due_now = due_now[:PAGE_SIZE]
        patrols.with_regions([*due_now, *page.rows])
        names = Region.objects.full_names(d.region.path for d in [*due_now, *page.rows])
        for duty in [*due_now, *page.rows]:
            duty.region_full_name = names.get(duty.region.path) or duty.region.name
        first_query, next_query = keyset.query_strings(request, page)
        return super().get_context_data(
            form=form,
            due_now=due_now,
            more_due=more_due,
            page=page,
            duties=page.rows,
            query=first_query,
            next_query=next_query,
            now=timezone.now(),
            **kwargs,
        )


class PatrolDetailView(PermissionRequiredMixin, View):
    permission_required = VIEW_PERMISSION
    template_name = "disputes/patrols/detail.html"

    def get_duty(self, request, pk):
        queryset = PatrolDuty.objects.visible_to(request.user).select_related("region")
        return get_object_or_404(queryset, pk=pk)

    def get(self, request, pk):
        duty = self.get_duty(request, pk)
        return self.show(request, duty, self.report_form(request, duty))

    def post(self, request, pk):
        duty = self.get_duty(request, pk)
        form = self.report_form(request, duty, request.POST)
        if form is None or not form.is_valid():
            return self.show(request, duty, form, status=400 if form is not None else 403)
        try:
            patrols.submit_patrol_report(
                duty.pk,
                request.user,
                is_nil=form.is_nil,
                dispute_ids=form.dispute_ids(),
                risk_notes=form.cleaned_data["risk_notes"],
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
            return self.show(request, duty, form, status=400)
        messages.success(request, _("Patrol report saved."))
        return redirect("disputes:patrol", pk=duty.pk)

    def report_form(self, request, duty, data=None):
        if not patrols.may_report(request.user):
            return None
        return PatrolReportForm(data, duty=duty, user=request.user)

    def show(self, request, duty, form, status=200):
        report = PatrolReport.objects.filter(duty=duty).select_related("reported_by").first()
        found = list(report.disputes.visible_to(request.user).order_by("number")) if report else []
        hidden = report.disputes.count() - len(found) if report else 0
        context = {
            "duty": duty,
            "region_full_name": duty.region.full_name,
            "report": report,
            "found": found,
            "hidden": hidden,
            "form": form,
            "can_register": request.user.has_perm("disputes.register_dispute"),
            "now": timezone.now(),
        }
        return render(request, self.template_name, context, status=status)


class PatrolComplianceView(PermissionRequiredMixin, TemplateView):
    permission_required = VIEW_PERMISSION
    template_name = "disputes/patrols/compliance.html"

    def get_context_data(self, **kwargs):
        form = ComplianceForm(self.request.GET or None)
        year, level = form.values()
        today = timezone.localdate()
        start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
        duties = PatrolDuty.objects.visible_to(self.request.user)
        return super().get_context_data(
            form=form,
            year=year,
            level=level,
            start=start,
            end=end,
            levels=patrols.compliance_by_level(duties, start, end),
            regions=patrols.compliance_by_region(duties.filter(region__level=level), start, end),
            **kwargs,
        )
