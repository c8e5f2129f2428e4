"""The dispute page: everything recorded about one dispute, its timeline, and the actions the user may take."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View

from dadukou.kernel.errors import WorkflowError
from dadukou.kernel.personal_data import may_unmask
from disputes.choices import OPEN_STATUSES, Prevention, RiskFlag, RiskGrade, Status
from disputes.forms.actions import action_label, forms_for
from disputes.models import (
    Assignment,
    Attachment,
    Dispute,
    Event,
    Extension,
    Feedback,
    FollowUp,
    MediationSession,
    Stabilization,
    Supervision,
)
from disputes.services import attachments, intake, periods, personal_data, warnings, workflow
from disputes.services.naming import Masker
from mediation.keyset import Column, Keyset
from mediation.scoping import Scope


def dispute_queryset(user):
    """The visible disputes with everything the dispute page and the case file show, in a fixed number of queries."""
    return (
        Dispute.objects.visible_to(user)
        .select_related(
            "category",
            "region",
            "platform__region",
            "routing_rule",
            "leader",
            "created_by",
            "duplicate_of",
        )
        .prefetch_related(
            "agreements",
            "responsible_units",
            "parties",
            "linked",
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related(
                    "from_platform", "to_unit", "to_organization", "assigned_by", "accepted_by"
                ),
            ),
            Prefetch(
                "supervisions",
                queryset=Supervision.objects.select_related("issued_by", "answered_by", "assignment"),
            ),
            Prefetch(
                "sessions",
                queryset=MediationSession.objects.select_related("recorded_by").prefetch_related("mediators"),
            ),
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("recorded_by").prefetch_related(
                    "consenting_parties"
                ),
            ),
            Prefetch("feedbacks", queryset=Feedback.objects.select_related("given_by")),
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("visited_by")),
            Prefetch("stabilizations", queryset=Stabilization.objects.select_related("recorded_by")),
        )
    )


def get_dispute(user, pk) -> Dispute:
    return get_object_or_404(dispute_queryset(user), pk=pk)


def unmask_requested(request, dispute, where: str) -> bool:
    """Personal data in full only for a permitted user who asked with a reason; the view is logged."""
    if not request.GET.get("unmask"):
        return False
    try:
        personal_data.unmask(dispute, request.user, reason=request.GET.get("reason", ""), where=where)
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return False
    return True


# The dispute page shows the latest events and pages back to earlier ones; the case file prints them all.
TIMELINE_SIZE = 50
TIMELINE_ORDER = Keyset(Column("at", "datetime", descending=True))  # the index event_dispute_timeline_idx


def timeline_rows(events, user) -> list[dict]:
    """The events with their labels; a note names another dispute only if the user may open it (a merge
    partner or a linked dispute in another street reads "another dispute")."""
    statuses = dict(Status.choices)
    events = list(events)
    masker = Masker(user, [event.note for event in events])
    rows = []
    for event in events:
        old, new = (event.before or {}).get("status"), (event.after or {}).get("status")
        change = f"{statuses.get(old, old)} → {statuses.get(new, new)}" if old and new and old != new else ""
        rows.append(
            {
                "event": event,
                "label": action_label(event.action),
                "status_change": change,
                "note": masker(event.note),
            }
        )
    return rows


def timeline(dispute, user) -> list[dict]:
    """The whole timeline, oldest first (the case file)."""
    return timeline_rows(
        Event.objects.filter(dispute=dispute).select_related("actor").order_by("at", "pk"), user
    )


def timeline_page(request, dispute) -> dict:
    """The latest TIMELINE_SIZE events after the request's timeline cursor, shown oldest first."""
    events = Event.objects.filter(dispute=dispute).select_related("actor")
    page = TIMELINE_ORDER.page(events, request.GET.get("timeline"), TIMELINE_SIZE)
    params = request.GET.copy()
    params.pop("timeline", None)
    latest = params.urlencode()
    if page.next_cursor:
        params["timeline"] = page.next_cursor
    return {
        "timeline": timeline_rows(reversed(page.rows), request.user),
        "timeline_page": page,
        "timeline_latest_query": latest,
        "timeline_earlier_query": params.urlencode(),
    }


def labels(choices, values) -> list[str]:
    names = dict(choices)
    return [names.get(v, v) for v in values or []]


def record_context(request, dispute, where: str) -> dict:
    """What the dispute page and the case file both show (each adds its own timeline)."""
    unmasked = unmask_requested(request, dispute, where)
    agreement = getattr(dispute, "agreement", None)
    work = periods.agreement_calendar(agreement) if agreement else None
    return {
        "dispute": dispute,
        "parties": personal_data.shown_parties(dispute.parties.all(), unmasked),
        "unmasked": unmasked,
        "may_unmask": may_unmask(request.user, dispute),
        "agreement": agreement,
        "superseded_agreements": [a for a in dispute.agreements.all() if a.superseded_at],
        "confirmation_window_closes": workflow.confirmation_window_closes(agreement, work)
        if agreement
        else None,
        "court_limits": periods.court_limits(agreement, timezone.localdate(), work) if agreement else None,
        "merged_into_visible": bool(dispute.duplicate_of_id)
        and Dispute.objects.visible_to(request.user).filter(pk=dispute.duplicate_of_id).exists(),
        "risk_flag_labels": labels(RiskFlag.choices, dispute.risk_flags),
        "prevention_labels": labels(Prevention.choices, dispute.preventions),
        "stabilizations": list(reversed(dispute.stabilizations.all())),
        "lacks_stabilization": workflow.lacks_stabilization(dispute),
    }


def early_warning_rows(dispute, user) -> list[dict]:
    """The dispute's early warnings, one per grade and recipient, the highest grade first: who was warned, by
    when each must acknowledge and who has; `mine` marks those the user may acknowledge (own user, unit or
    organization, from the memberships already read for the visibility rule)."""
    scope = Scope.for_user(user)
    rows = []
    for alert in (
        warnings.early_warnings(dispute)
        .select_related("recipient_unit", "recipient_organization", "recipient_user", "acknowledged_by")
        .order_by("level", "pk")
    ):
        mine = (
            alert.recipient_user_id == user.pk
            or (alert.recipient_unit_id is not None and alert.recipient_unit_id in scope.unit_ids)
            or (
                alert.recipient_organization_id is not None
                and alert.recipient_organization_id in scope.organization_ids
            )
        )
        grade = RiskGrade(alert.level).label if alert.level in RiskGrade.values else alert.level
        rows.append(
            {"alert": alert, "grade": grade, "recipient": warnings.alert_recipient_name(alert), "mine": mine}
        )
    return rows


def page_context(request, dispute, bound=None) -> dict:
    user = request.user
    visible = Dispute.objects.visible_to(user)
    related = visible.filter(pk__in=intake.related_disputes(dispute).values("pk")).only(
        "pk", "number", "title", "status"
    )
    duplicates = (
        visible.filter(pk__in=intake.possible_duplicates(dispute).values("pk")).only(
            "pk", "number", "title", "status"
        )
        if dispute.status in OPEN_STATUSES
        else visible.none()
    )
    return (
        record_context(request, dispute, "detail")
        | timeline_page(request, dispute)
        | {
            "related": list(related),
            "duplicates": list(duplicates),
            "action_forms": forms_for(dispute, user, bound),
            "may_attach": attachments.may_attach(dispute, user),
            "early_warnings": early_warning_rows(dispute, user),
            "attachment_kinds": Attachment.Kind.choices,
            "attachment_accept": ",".join(attachments.ALLOWED_EXTENSIONS),
        }
    )


def render_page(request, pk, bound=None, status=200):
    dispute = get_dispute(request.user, pk)
    return render(request, "disputes/detail.html", page_context(request, dispute, bound), status=status)


class DisputeDetailView(View):
    def get(self, request, pk):
        return render_page(request, pk)
