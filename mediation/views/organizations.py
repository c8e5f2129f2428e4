"""Mediation organizations (调解组织): the list with filters and one organization's page."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from mediation.choices import MediationField
from mediation.filters import OrganizationFilter
from mediation.forms.registry import AsOfForm
from mediation.indicators import (
    committee_composition_warnings,
    full_time_counts,
    staffing_of,
    staffing_rules,
)
from mediation.keyset import Column, Keyset
from mediation.models import Appointment, MediationOrganization, Mediator
from mediation.views.common import (
    Staffing,
    labels,
    paginate,
    region_label,
    visible_ids,
)
from mediation.views.sections import sections_for

# Grouped by region as before; organizations number in the thousands at most, so this order is a small sort.
ORDER = Keyset(Column("region__path", "str"), Column("kind", "str"), Column("name", "str"))


class OrganizationListView(PermissionRequiredMixin, TemplateView):
    permission_required = "mediation.view_mediationorganization"
    template_name = "mediation/registry/organization_list.html"

    def get_context_data(self, **kwargs):
        request = self.request
        filterset = OrganizationFilter(
            request.GET,
            queryset=MediationOrganization.objects.visible_to(request.user).select_related(
                "region__parent", "host_unit"
            ),
            request=request,
        )
        listing = paginate(request, filterset.qs, ORDER)
        organizations = listing["page"].rows
        day = filterset.day
        counts = full_time_counts(organizations, day)
        rules = staffing_rules()
        for org in organizations:
            org.region_label = region_label(org.region)
            org.field_labels = labels(MediationField, org.fields)
            org.staffing = Staffing(counts.get(org.pk, 0), rules.get(org.kind, (None, False))[0])
        return super().get_context_data(
            filter=filterset,
            organizations=organizations,
            day=day,
            **listing,
            registry_tab="organizations",
            **kwargs,
        )


class OrganizationDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "mediation.view_mediationorganization"
    template_name = "mediation/registry/organization_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        org = get_object_or_404(
            MediationOrganization.objects.visible_to(user).select_related(
                "region__parent", "host_unit", "hosted_in", "named_after"
            ),
            pk=self.kwargs["pk"],
        )
        form = AsOfForm(self.request.GET or None, field_name="on")
        day = form.day
        serving = list(
            Appointment.objects.on(day)
            .filter(organization=org)
            .select_related("mediator")
            .order_by("-is_full_time", "role", "mediator__name")
        )
        history = list(
            Appointment.objects.filter(organization=org)
            .select_related("mediator")
            .order_by("-started_on", "mediator__name")
        )
        mediator_ids = {a.mediator_id for a in serving + history}
        if org.named_after_id:
            mediator_ids.add(org.named_after_id)
        hosted_rooms = MediationOrganization.objects.visible_to(user).filter(hosted_in=org).order_by("name")
        full_time, minimum = staffing_of(org, day)
        context = super().get_context_data(
            org=org,
            form=form,
            day=day,
            region_label=region_label(org.region),
            field_labels=labels(MediationField, org.fields),
            hosted_rooms=list(hosted_rooms),
            hosted_in_visible=bool(visible_ids(MediationOrganization, user, [org.hosted_in_id])),
            serving=serving,
            history=history,
            visible_mediators=visible_ids(Mediator, user, mediator_ids),
            staffing=Staffing(full_time, minimum),
            warnings=committee_composition_warnings(org, day),
            is_active_on_day=MediationOrganization.objects.filter(pk=org.pk).active_on(day).exists(),
            registry_tab="organizations",
            **kwargs,
        )
        context["sections"] = sections_for("organization_detail", {"object": org, "user": user, "day": day})
        return context
