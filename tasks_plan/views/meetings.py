"""Joint meetings (联席会议, task 28): the list, one meeting, and the office's form to record or correct one.

Each meeting belongs to the unit that convened it: the list, the page and the edit form show the meetings of
`JointMeeting.objects.visible_to(user)` (seen throughout the convening unit's territory — the whole district for
the office's — and by the attending units); others answer 404. Recording and editing need
tasks_plan.add_jointmeeting / change_jointmeeting (the office).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from mediation import keyset
from mediation.keyset import Column, Keyset
from tasks_plan.forms.meetings import JointMeetingForm
from tasks_plan.models import JointMeeting

PAGE_SIZE = 30
ORDER = Keyset(Column("held_on", "date", descending=True))


class MeetingListView(PermissionRequiredMixin, TemplateView):
    permission_required = "tasks_plan.view_jointmeeting"
    template_name = "tasks_plan/meeting_list.html"

    def get_context_data(self, **kwargs):
        meetings = (
            JointMeeting.objects.visible_to(self.request.user)
            .select_related("convened_by")
            .prefetch_related("attendees", "tasks")
        )
        page = ORDER.page(meetings, self.request.GET.get("cursor"), PAGE_SIZE)
        query, next_query = keyset.query_strings(self.request, page)
        return super().get_context_data(
            meetings=page.rows, page=page, query=query, next_query=next_query, **kwargs
        )


class MeetingDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "tasks_plan.view_jointmeeting"
    template_name = "tasks_plan/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        return (
            JointMeeting.objects.visible_to(self.request.user)
            .select_related("recorded_by", "convened_by")
            .prefetch_related("attendees", "tasks__plan")
        )


class MeetingFormMixin:
    model = JointMeeting
    form_class = JointMeetingForm
    template_name = "tasks_plan/meeting_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_success_url(self):
        return reverse("tasks_plan:meeting_detail", args=[self.object.pk])


class MeetingCreateView(PermissionRequiredMixin, MeetingFormMixin, CreateView):
    permission_required = "tasks_plan.add_jointmeeting"

    def form_valid(self, form):
        form.instance.recorded_by = self.request.user
        response = super().form_valid(form)
        messages.success(self.request, _("The joint meeting was recorded."))
        return response


class MeetingUpdateView(PermissionRequiredMixin, MeetingFormMixin, UpdateView):
    permission_required = "tasks_plan.change_jointmeeting"

    def get_queryset(self):
        return JointMeeting.objects.visible_to(self.request.user)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("The joint meeting was saved."))
        return response
