"""Acknowledging an alert (签收预警), from the notification centre or a dispute page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from dadukou.kernel.errors import Forbidden
from mediation.models import Alert
from mediation.services.alerts import acknowledge
from mediation.visibility import visible_subjects


class AcknowledgeAlertView(View):
    """POST only; 404 for an alert the user cannot see. Goes back to `next` (same site) or the alert's link."""

    http_method_names = ["post"]

    def post(self, request, pk):
        alert = get_object_or_404(Alert.objects.visible_to(request.user), pk=pk)
        try:
            acknowledged = acknowledge(alert, request.user)
        except Forbidden as exc:
            messages.error(request, exc.message)
            acknowledged = None
        if acknowledged:
            shown = (alert.content_type_id, alert.object_id) in visible_subjects(request.user, [alert])
            title = alert.title if shown else _("A notification about a matter outside your area")
            messages.success(request, _("Acknowledged: %(title)s") % {"title": title})
        elif acknowledged is False:
            messages.info(request, _("This alert had been acknowledged already."))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = alert.url or reverse("home")
        return redirect(target)
