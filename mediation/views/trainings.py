"""The training register (task 17): trainings with attendee counts, one training, per-year compliance."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from mediation.filters import TrainingFilter
from mediation.forms.registry import YearForm
from mediation.indicators import DISTRICT_TRAININGS_PER_YEAR, STREET_TRAININGS_PER_YEAR, indicator
from mediation.keyset import Column, Keyset
from mediation.models import Mediator, Region, Training
from mediation.services.indicator_store import resolve_objects
from mediation.views.common import paginate, visible_ids

ORDER = Keyset(Column("held_on", "date", descending=True))  # the index training_held_idx


class TrainingListView(PermissionRequiredMixin, TemplateView):
    permission_required = "mediation.view_training"
    template_name = "mediation/registry/training_list.html"

    def get_context_data(self, **kwargs):
        request = self.request
        queryset = (
            Training.objects.visible_to(request.user)
            .select_related("region", "organizer")
            .annotate(attendee_count=Count("attendance"))
        )
        filterset = TrainingFilter(request.GET or None, queryset=queryset, request=request)
        listing = paginate(request, filterset.qs, ORDER)
        return super().get_context_data(
            filter=filterset,
            trainings=listing["page"].rows,
            **listing,
            registry_tab="trainings",
            **kwargs,
        )


class TrainingDetailView(PermissionRequiredMixin, TemplateView):
    """One training and its attendees; attendees outside the user's scope are counted, not named."""

    permission_required = "mediation.view_training"
    template_name = "mediation/registry/training_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        training = get_object_or_404(
            Training.objects.visible_to(user).select_related("region", "organizer"), pk=self.kwargs["pk"]
        )
        attendance = list(training.attendance.select_related("mediator").order_by("mediator__name", "pk"))
        visible = visible_ids(Mediator, user, {a.mediator_id for a in attendance})
        shown = [a for a in attendance if a.mediator_id in visible]
        return super().get_context_data(
            training=training,
            attendance=shown,
            total_attendees=len(attendance),
            hidden_attendees=len(attendance) - len(shown),
            registry_tab="trainings",
            **kwargs,
        )


class TrainingComplianceView(PermissionRequiredMixin, TemplateView):
    """Per year: the district holds ≥ 1 centralized training, each street/town ≥ 2 — the figures the user may see
    (a street its own row; the district's count only for those who see the district)."""

    permission_required = ("mediation.view_training", "mediation.view_mediationorganization")
    template_name = "mediation/registry/training_compliance.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = YearForm(self.request.GET or None)
        as_of = form.as_of
        district = indicator("trainings_district", as_of, viewer=user)
        streets = indicator("trainings_street", as_of, viewer=user)
        resolve_objects(district.rows + streets.rows)
        return super().get_context_data(
            form=form,
            year=form.chosen_year,
            as_of=as_of,
            district=district,
            district_visible=Region.objects.visible_to(user).filter(code=settings.DISTRICT_CODE).exists(),
            district_met=district.numerator >= DISTRICT_TRAININGS_PER_YEAR,
            district_target=DISTRICT_TRAININGS_PER_YEAR,
            street_target=STREET_TRAININGS_PER_YEAR,
            streets=streets,
            visible_trainings=visible_ids(Training, user, {row.obj.pk for row in district.rows}),
            visible_regions=visible_ids(Region, user, {row.obj.pk for row in streets.rows}),
            registry_tab="compliance",
            **kwargs,
        )
