"""My to-do queue (待办)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from disputes.services import listing
from disputes.services.queue import queue_for

SECTION_LIMIT = 50


@dataclass
class Section:
    key: str
    title: str
    kind: str  # "assignment", "supervision" or "dispute": which table the template draws
    rows: list
    count: int
    empty_text: str


# (attribute of Queue, heading, kind, text when empty), in the order shown.
SECTIONS = [
    ("to_accept", _("To accept"), "assignment", _("Nothing waits for your acceptance.")),
    ("in_mediation", _("In mediation"), "assignment", _("No accepted assignment is open.")),
    ("overdue", _("Overdue"), "assignment", _("Nothing is overdue.")),
    (
        "supervisions",
        _("Supervision to answer"),
        "supervision",
        _("No supervision notice waits for an answer."),
    ),
    ("to_assess", _("To assess"), "dispute", _("No dispute waits for assessment.")),
    ("to_assign", _("To assign"), "dispute", _("No assessed dispute waits for assignment.")),
    (
        "to_stabilize",
        _("Stabilization (稳控) missing"),
        "dispute",
        _("Every red and orange dispute has its stabilization record."),
    ),
]


class QueueView(PermissionRequiredMixin, TemplateView):
    permission_required = "disputes.view_dispute"
    template_name = "disputes/queue.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        queue = queue_for(self.request.user, now=now)
        sections = []
        for key, title, kind, empty_text in SECTIONS:
            queryset = getattr(queue, key)
            if queryset is None:
                continue
            rows = list(queryset[:SECTION_LIMIT])
            count = len(rows) if len(rows) < SECTION_LIMIT else queryset.count()
            if kind == "dispute":
                listing.with_region_names(rows)
            sections.append(Section(key, title, kind, rows, count, empty_text))
        return super().get_context_data(sections=sections, now=now, limit=SECTION_LIMIT, **kwargs)
