from django.utils.functional import SimpleLazyObject

from mediation.navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {
        "nav_items": items_for(user, request.path),
        # One indexed COUNT (partial index on unread rows), and only when a template shows it.
        "unread_notification_count": SimpleLazyObject(lambda: _unread_count(user)),
    }


def _unread_count(user) -> int:
    from mediation.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()
