"""Joint meetings (联席会议, task 28): the list, one meeting, and the office's form to record or correct one.

Meetings are district-wide records: whoever may view joint meetings sees them all; recording and editing need
tasks_plan.add_jointmeeting / change_jointmeeting (the office).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from tasks_plan.forms.meetings import JointMeetingForm
from tasks_plan.models import JointMeeting

PAGE_SIZE = 30


class MeetingListView(PermissionRequiredMixin, ListView):
    permission_required = "tasks_plan.view_jointmeeting"
    template_name = "tasks_plan/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return JointMeeting.objects.order_by("-held_on", "-pk").prefetch_related("attendees", "tasks")


class MeetingDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "tasks_plan.view_jointmeeting"
    template_name = "tasks_plan/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        return JointMeeting.objects.select_related("recorded_by").prefetch_related("attendees", "tasks__plan")


class MeetingFormMixin:
    model = JointMeeting
    form_class = JointMeetingForm
    template_name = "tasks_plan/meeting_form.html"

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

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("The joint meeting was saved."))
        return response
