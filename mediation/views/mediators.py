"""Mediators (调解员): the list with filters and one mediator's page (masked personal data, history, cases)."""

from __future__ import annotations

import logging

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from dadukou.kernel.personal_data import mask_id_number, mask_phone, may_unmask
from mediation.choices import Background, MediationField
from mediation.filters import MediatorFilter
from mediation.forms.registry import UnmaskForm
from mediation.keyset import Column, Keyset
from mediation.models import (
    Appointment,
    ExpertMembership,
    MediationOrganization,
    Mediator,
    StatusChange,
    Training,
    TrainingAttendance,
)
from mediation.scoping import today
from mediation.views.common import (
    labels,
    paginate,
    region_label,
    visible_ids,
)
from mediation.views.sections import sections_for

logger = logging.getLogger(__name__)


def current_appointments(day) -> Prefetch:
    """Prefetch of each mediator's appointments on `day`, as `current_appointments`."""
    return Prefetch(
        "appointments",
        queryset=Appointment.objects.on(day).select_related("organization").order_by("-is_full_time", "pk"),
        to_attr="current_appointments",
    )


ORDER = Keyset(Column("name", "str"))  # the index mediator_name_idx


class MediatorListView(PermissionRequiredMixin, TemplateView):
    permission_required = "mediation.view_mediator"
    template_name = "mediation/registry/mediator_list.html"

    def get_context_data(self, **kwargs):
        request = self.request
        day = today()
        experts = ExpertMembership.objects.on(day).filter(mediator=OuterRef("pk"))
        queryset = (
            Mediator.objects.visible_to(request.user)
            .select_related("region__parent")
            .annotate(is_expert=Exists(experts))
            .prefetch_related(current_appointments(day))
        )
        filterset = MediatorFilter(request.GET or None, queryset=queryset, request=request)
        listing = paginate(request, filterset.qs, ORDER)
        mediators = listing["page"].rows
        org_ids = {a.organization_id for m in mediators for a in m.current_appointments}
        for mediator in mediators:
            mediator.region_label = region_label(mediator.region)
            mediator.background_labels = labels(Background, mediator.backgrounds)
        return super().get_context_data(
            filter=filterset,
            mediators=mediators,
            visible_organizations=visible_ids(MediationOrganization, request.user, org_ids),
            **listing,
            registry_tab="mediators",
            **kwargs,
        )


class MaskedPerson:
    """A mediator's ID number and phone as the page shows them: masked unless unmasked for this request."""

    def __init__(self, mediator: Mediator, unmasked: bool):
        self.unmasked = unmasked
        self.id_number = mediator.id_number if unmasked else mask_id_number(mediator.id_number)
        self.phone = mediator.phone if unmasked else mask_phone(mediator.phone)


class MediatorDetailView(PermissionRequiredMixin, TemplateView):
    """GET shows the page with personal data masked; POST with a reason shows it in full, once, and logs it."""

    permission_required = "mediation.view_mediator"
    template_name = "mediation/registry/mediator_detail.html"

    def get_object(self) -> Mediator:
        return get_object_or_404(
            Mediator.objects.visible_to(self.request.user).select_related("region__parent", "user"),
            pk=self.kwargs["pk"],
        )

    def post(self, request, *args, **kwargs):
        mediator = self.get_object()
        if not may_unmask(request.user):
            raise PermissionDenied
        form = UnmaskForm(request.POST)
        unmasked = form.is_valid()
        if unmasked:
            # The access log of unmasked registry data (PIPL): who, whose, why.
            logger.warning(
                "personal data unmasked: user %s viewed mediator %s in full (reason: %s)",
                request.user.pk,
                mediator.pk,
                form.cleaned_data["reason"],
            )
        context = self.get_context_data(mediator=mediator, unmask_form=form, unmasked=unmasked, **kwargs)
        return self.render_to_response(context)

    def get_context_data(self, mediator=None, unmask_form=None, unmasked=False, **kwargs):
        user = self.request.user
        mediator = mediator or self.get_object()
        day = today()
        appointments = list(
            mediator.appointments.select_related("organization").order_by("-started_on", "pk")
        )
        memberships = list(mediator.expert_memberships.order_by("-joined_on"))
        for membership in memberships:
            membership.specialty_labels = labels(MediationField, membership.specialties)
        current_memberships = set(mediator.expert_memberships.on(day).values_list("pk", flat=True))
        attendance = list(
            TrainingAttendance.objects.filter(mediator=mediator)
            .select_related("training")
            .order_by("-training__held_on")
        )
        org_ids = {a.organization_id for a in appointments}
        can_unmask = may_unmask(user)
        visible_organizations = visible_ids(MediationOrganization, user, org_ids)
        context = super().get_context_data(
            mediator=mediator,
            person=MaskedPerson(mediator, unmasked),
            can_unmask=can_unmask,
            unmask_form=unmask_form or (UnmaskForm() if can_unmask else None),
            region_label=region_label(mediator.region),
            background_labels=labels(Background, mediator.backgrounds),
            appointments=appointments,
            current_appointments=set(
                Appointment.objects.on(day).filter(mediator=mediator).values_list("pk", flat=True)
            ),
            visible_organizations=visible_organizations,
            expert_memberships=memberships,
            current_expert_memberships=current_memberships,
            status_changes=list(
                StatusChange.objects.filter(mediator=mediator)
                .select_related("recorded_by")
                .order_by("-effective_on", "-pk")
            ),
            attendance=attendance,
            visible_trainings=visible_ids(Training, user, {a.training_id for a in attendance}),
            registry_tab="mediators",
            **kwargs,
        )
        # Providers may read: appointments (all of the mediator's, with their organization) and
        # visible_organizations (the ids of those organizations the user may open).
        context["sections"] = sections_for(
            "mediator_detail",
            {
                "object": mediator,
                "user": user,
                "day": day,
                "appointments": appointments,
                "visible_organizations": visible_organizations,
            },
        )
        return context
