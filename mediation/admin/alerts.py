"""Admin for the alert machinery: the outbox (with "retry now"), alerts, notifications and job runs.

Alerts, notifications and runs are records of what happened, so the admin shows them read-only; only the outbox
has an action, because a dead message needs a person to look at it (never dropped silently).

Alerts and the texts copied from them name disputes, so they follow the visibility rule: alerts by
`Alert.objects.visible_to`, a notification when it is the user's own or its alert is visible, an outbox message
when the alert it was written for is visible (messages of no alert, such as webhooks, only for those who see the
whole district).
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mediation.admin_scoping import ScopedAdminMixin
from mediation.models import Alert, Notification, OutboxMessage, TaskRun
from mediation.services import outbox


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "channel")
    search_fields = ("recipient", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    def get_queryset(self, request):
        return outbox.visible_to(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry now (pending and failed-for-good messages)"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox.retry_now(queryset)
        self.message_user(
            request,
            ngettext(
                "%(n)d message will be delivered within a minute.",
                "%(n)d messages will be delivered within a minute.",
                count,
            )
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "level", "title", "recipient_key", "ack_due_at", "acknowledged_at")
    list_filter = ("kind", "level", ("acknowledged_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient_key")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "title", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    search_fields = ("title", "user__username")
    raw_id_fields = ("user", "alert")
    list_select_related = ("user",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = Alert.objects.visible_to(request.user).values("pk")
        return queryset.filter(Q(user=request.user) | Q(alert__in=visible))


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "started_at", "finished_at", "outcome", "processed")
    list_filter = ("outcome", "name")
    date_hierarchy = "started_at"
