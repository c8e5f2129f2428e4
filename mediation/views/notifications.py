"""The notification centre: a user's own notifications, newest first; mark one or all read.

A notification copies its alert's title, which names the subject (a dispute number and title). What the user may
open can change after the alert was raised (a dispute rerouted away, a membership ended), so a notification whose
subject the user may no longer open is shown without its title, message and link — or without its link only, when
its text names nothing but published plan text (a task's lead unit told of another unit's overdue row).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from mediation import keyset
from mediation.keyset import Column, Keyset
from mediation.models import Notification
from mediation.visibility import is_named_in_public, visible_subjects

PAGE_SIZE = 50
ORDER = Keyset(Column("created_at", "datetime", descending=True))  # notification_user(_unread)_idx


def acknowledge_url(alert_id: int) -> str | None:
    """Where the acknowledge form posts, when the disputes app provides that action."""
    try:
        return reverse("disputes:acknowledge_alert", args=[alert_id])
    except NoReverseMatch:
        return None


class NotificationListView(TemplateView):
    template_name = "mediation/notifications.html"

    def get_context_data(self, **kwargs):
        unread_only = self.request.GET.get("unread") == "1"
        notifications = Notification.objects.filter(user=self.request.user).select_related("alert")
        if unread_only:
            notifications = notifications.filter(read_at__isnull=True)
        page = ORDER.page(notifications, self.request.GET.get("cursor"), PAGE_SIZE)
        query, next_query = keyset.query_strings(self.request, page)
        now = timezone.now()
        alerts = [n.alert for n in page.rows if n.alert is not None]
        visible = visible_subjects(self.request.user, alerts)
        for notification in page.rows:
            alert = notification.alert
            unseen = alert is not None and (alert.content_type_id, alert.object_id) not in visible
            notification.unlinked = unseen
            notification.hidden = unseen and not is_named_in_public(alert.content_type_id)
            needs_ack = alert is not None and alert.ack_due_at is not None and alert.acknowledged_at is None
            notification.ack_url = acknowledge_url(alert.pk) if needs_ack else None
            notification.ack_late = needs_ack and alert.ack_due_at < now
        return super().get_context_data(
            page=page, query=query, next_query=next_query, unread_only=unread_only, **kwargs
        )


class MarkReadView(View):
    """POST: mark one of the user's notifications read; with open=1, go on to what it links to."""

    def post(self, request, pk: int):
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        if notification.read_at is None:
            Notification.objects.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
        if request.POST.get("open") and _is_safe(request, notification.url):
            return redirect(notification.url)
        return redirect(_back(request))


class MarkAllReadView(View):
    def post(self, request):
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect(_back(request))


def _is_safe(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _back(request) -> str:
    url = request.POST.get("next", "")
    return url if _is_safe(request, url) else reverse("mediation:notifications")
