"""The mediation expert pool (调解专家库): today's members, searched by specialty and text."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch
from django.views.generic import TemplateView

from mediation.choices import MediationField
from mediation.filters import ExpertFilter
from mediation.keyset import Column, Keyset
from mediation.models import Appointment, ExpertMembership, MediationOrganization, Mediator
from mediation.scoping import today
from mediation.views.common import labels, paginate, visible_ids

ORDER = Keyset(Column("mediator__name", "str"))  # the pool is a few hundred people: a small sort


class ExpertListView(PermissionRequiredMixin, TemplateView):
    permission_required = ("mediation.view_expertmembership", "mediation.view_mediator")
    template_name = "mediation/registry/expert_list.html"

    def get_context_data(self, **kwargs):
        request = self.request
        day = today()
        queryset = (
            ExpertMembership.objects.on(day)
            .filter(mediator__in=Mediator.objects.visible_to(request.user))
            .select_related("mediator")
            .prefetch_related(
                Prefetch(
                    "mediator__appointments",
                    queryset=Appointment.objects.on(day).select_related("organization"),
                    to_attr="current_appointments",
                )
            )
        )
        filterset = ExpertFilter(request.GET or None, queryset=queryset, request=request)
        listing = paginate(request, filterset.qs, ORDER)
        members = listing["page"].rows
        for member in members:
            member.specialty_labels = labels(MediationField, member.specialties)
        org_ids = {a.organization_id for m in members for a in m.mediator.current_appointments}
        return super().get_context_data(
            filter=filterset,
            members=members,
            visible_organizations=visible_ids(MediationOrganization, request.user, org_ids),
            **listing,
            registry_tab="experts",
            **kwargs,
        )
