"""The operations page: the periodic jobs' last runs, recent errors, the outbox backlog, and "run now"."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from kombu.exceptions import OperationalError

from mediation import periodic
from mediation.models import OutboxMessage, TaskRun
from mediation.services import operations, outbox
from mediation.tasks import run_periodic

logger = logging.getLogger("mediation.operations")

OPERATIONS_PERMISSION = "mediation.view_taskrun"


def can_operate(user) -> bool:
    return user.is_active and (user.is_staff or user.has_perm(OPERATIONS_PERMISSION))


class OperatorRequiredMixin(UserPassesTestMixin):
    raise_exception = True

    def test_func(self):
        return can_operate(self.request.user)


@dataclass
class JobRow:
    name: str
    description: str
    entries: list  # beat entries (name, schedule text, expires) that run this job
    last: TaskRun | None
    registered: bool = True  # a periodic job "run now" can run (not some other task on the schedule)


class OperationsView(OperatorRequiredMixin, TemplateView):
    template_name = "mediation/operations.html"

    def get_context_data(self, **kwargs):
        jobs = periodic.discover()
        entries = operations.beat_entries()
        names = (set(jobs) | set(entries)) - {None, ""}
        last = operations.latest_runs(names)
        rows = [
            JobRow(
                name=name,
                description=_first_line(jobs[name].__doc__) if name in jobs else _("(not a registered job)"),
                entries=entries.get(name, []),
                last=last.get(name),
                registered=name in jobs,
            )
            for name in sorted(names)
        ]
        now = timezone.now()
        errors = TaskRun.objects.filter(outcome=TaskRun.Outcome.ERROR).order_by("-started_at")[:10]
        # A failed message's subject names the alert's subject: only messages of alerts the user may see.
        failures = outbox.visible_to(
            OutboxMessage.objects.filter(
                Q(status=OutboxMessage.Status.DEAD) | Q(status=OutboxMessage.Status.PENDING, attempts__gt=0)
            ),
            self.request.user,
        ).order_by("-created_at", "-pk")[:10]
        admin_outbox = reverse("admin:mediation_outboxmessage_changelist")
        return super().get_context_data(
            jobs=rows,
            errors=errors,
            failures=failures,
            backlog=outbox.backlog(now),
            now=now,
            offer_sync=self.request.GET.get("offer_sync", ""),
            admin_pending=f"{admin_outbox}?{urlencode({'status__exact': 'pending'})}",
            admin_dead=f"{admin_outbox}?{urlencode({'status__exact': 'dead'})}",
            **kwargs,
        )


class RunJobView(OperatorRequiredMixin, View):
    """POST name → queue the job on Celery; when the broker is down, say so and offer to run it here."""

    def post(self, request):
        name = request.POST.get("name", "")
        if name not in periodic.discover():
            raise Http404("unknown job")
        back = reverse("mediation:operations")
        if request.POST.get("sync"):
            return self._run_here(request, name, back)
        try:
            run_periodic.delay(name)
        except (OperationalError, OSError) as exc:
            logger.warning("Could not queue %s: %s", name, exc)
            messages.error(
                request,
                _(
                    "The task queue (broker) is unreachable, so %(name)s was not queued. You can run it here now."
                )
                % {"name": name},
            )
            return redirect(f"{back}?{urlencode({'offer_sync': name})}#job-{name}")
        messages.success(
            request, _("%(name)s was queued; its run appears here when it is done.") % {"name": name}
        )
        return redirect(f"{back}#job-{name}")

    def _run_here(self, request, name: str, back: str):
        logger.info("%s runs %s synchronously from the operations page", request.user.get_username(), name)
        try:
            record = periodic.run(name)
        except Exception as exc:  # recorded on the TaskRun by periodic.run; shown to the operator
            messages.error(request, _("%(name)s failed: %(error)s") % {"name": name, "error": exc})
        else:
            messages.success(
                request,
                _("%(name)s ran here: %(n)s items processed.") % {"name": name, "n": record.processed},
            )
        return redirect(f"{back}#job-{name}")


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
