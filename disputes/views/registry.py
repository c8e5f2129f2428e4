"""The disputes' sections of the registry pages: an organization's categories and assigned disputes, a
mediator's sessions and the disputes of the organizations they serve.

Registered in mediation's section registry (mediation.views.sections) when the app is ready, so the registry
shows case data without mediation importing this app. Counts cover only the disputes the viewer can see.
"""

from __future__ import annotations

from django.db.models import Count, Q

from disputes.choices import AssignmentStatus
from disputes.models import Assignment, Dispute, MediationSession
from mediation.views.sections import Section, provides


def cases_handled(organization_ids, user) -> dict[int, dict[str, int]]:
    """Visible disputes assigned to each organization (returned and withdrawn assignments left out)."""
    rows = (
        Assignment.objects.filter(to_organization__in=organization_ids)
        .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN])
        .filter(dispute__in=Dispute.objects.visible_to(user))
        .values("to_organization")
        .annotate(
            total=Count("dispute", distinct=True),
            completed=Count("dispute", distinct=True, filter=Q(status=AssignmentStatus.COMPLETED)),
        )
    )
    return {row["to_organization"]: row for row in rows}


def sessions_of(mediator, user) -> dict[str, int] | None:
    """Mediation sessions the mediator's user account took part in (visible disputes only)."""
    if not mediator.user_id:
        return None
    return MediationSession.objects.filter(
        mediators=mediator.user_id, dispute__in=Dispute.objects.visible_to(user)
    ).aggregate(sessions=Count("pk", distinct=True), disputes=Count("dispute", distinct=True))


@provides("organization_detail")
def organization_categories(context) -> Section:
    return Section(
        "details",
        "disputes/registry/_organization_categories.html",
        {"categories": list(context["object"].categories.all())},
    )


@provides("organization_detail")
def organization_cases(context) -> Section:
    org = context["object"]
    cases = cases_handled([org.pk], context["user"]).get(org.pk, {"total": 0, "completed": 0})
    return Section("figures", "disputes/registry/_organization_cases.html", {"cases": cases})


@provides("mediator_detail")
def mediator_cases(context) -> Section:
    """One row per organization the mediator serves or served, with the disputes assigned to it."""
    organizations = {a.organization_id: a.organization for a in context["appointments"]}
    counts = cases_handled(list(organizations), context["user"])
    rows = [
        {
            "organization": org,
            "total": counts.get(pk, {}).get("total", 0),
            "completed": counts.get(pk, {}).get("completed", 0),
        }
        for pk, org in organizations.items()
    ]
    return Section(
        "activity",
        "disputes/registry/_mediator_cases.html",
        {
            "sessions": sessions_of(context["object"], context["user"]),
            "organization_cases": rows,
            "visible_organizations": context["visible_organizations"],
        },
    )
