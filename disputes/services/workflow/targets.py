"""The objects an action may be handed — and the check that each one handed in is among them.

Forms offer these as choices for convenience; the service functions call the ``check_*`` functions on whatever
they are given (a form, the API, a script), so an object outside the lists is refused whoever passes it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.choices import PartyRole
from disputes.services.workflow.table import ASSESS
from mediation.choices import OrganizationKind, Role
from mediation.scoping import Scope, any_of


def not_visible() -> Forbidden:
    """An object the user cannot see gets the same answer whether or not it exists."""
    return Forbidden("forbidden", _("No dispute with this number that you can see."))


def assignable_units(user, dispute=None) -> QuerySet:
    """Active units the dispatcher sees (units above their region are where work is routed to)."""
    from mediation.models import Unit

    return Unit.objects.visible_to(user).filter(is_active=True)


def assignable_organizations(user, dispute=None) -> QuerySet:
    """Mediation organizations the dispatcher sees that have not been dissolved."""
    from mediation.models import MediationOrganization

    return MediationOrganization.objects.visible_to(user).filter(dissolved_on__isnull=True)


def check_assignee(user, dispute, to) -> None:
    """An assignment goes to an active unit or a living organization the dispatcher sees."""
    from mediation.models import MediationOrganization, Unit

    if isinstance(to, Unit):
        allowed = assignable_units(user, dispute)
    elif isinstance(to, MediationOrganization):
        allowed = assignable_organizations(user, dispute)
    else:
        raise WorkflowError("invalid_target", _("Assign to a unit or a mediation organization."))
    if to.pk is None or not allowed.filter(pk=to.pk).exists():
        raise WorkflowError("target_not_allowed", _("You may not assign to this unit or organization."))


def platforms(user, dispute=None) -> QuerySet:
    """Comprehensive platforms the dispatcher may route to: those in their territory and those above it (where
    work goes up to), not dissolved."""
    from mediation.models import MediationOrganization

    scope = Scope.for_user(user, ASSESS)
    living = MediationOrganization.objects.filter(kind=OrganizationKind.PLATFORM, dissolved_on__isnull=True)
    if scope.everything:
        return living
    return living.filter(
        any_of(
            Q(pk__in=assignable_organizations(user, dispute).values("pk")),
            Q(region__path__in=scope.ancestor_paths) if scope.ancestor_paths else None,
        )
    )


def check_platform(user, dispute, platform) -> None:
    from mediation.models import MediationOrganization

    if not isinstance(platform, MediationOrganization) or platform.kind != OrganizationKind.PLATFORM:
        raise WorkflowError(
            "not_a_platform", _("Disputes are routed to comprehensive mediation platforms only.")
        )
    if not platforms(user, dispute).filter(pk=platform.pk).exists():
        raise WorkflowError("target_not_allowed", _("You may not route to this platform."))


def check_units(user, dispute, units) -> list:
    """Responsible units (属事) must be active units the dispatcher sees."""
    from mediation.models import Unit

    units = list(units)
    if any(not isinstance(u, Unit) for u in units):
        raise WorkflowError("invalid_target", _("Responsible units must be units."))
    allowed = set(
        assignable_units(user, dispute).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True)
    )
    if any(u.pk not in allowed for u in units):
        raise WorkflowError("target_not_allowed", _("You may not name this unit as responsible."))
    return units


def leaders(user, dispute) -> QuerySet:
    """Who may be the leader in charge (包案领导): a user with a current supervisor membership whose territory
    covers the dispute (its region or a region above it)."""
    from mediation.models import Membership

    region = dispute.region
    supervisors = Membership.objects.current().filter(
        role=Role.SUPERVISOR, region__path__in=region.ancestor_paths(include_self=True)
    )
    return get_user_model().objects.filter(is_active=True, memberships__in=supervisors).distinct()


def check_leader(user, dispute, leader) -> None:
    if leader is None or not leaders(user, dispute).filter(pk=leader.pk).exists():
        raise WorkflowError(
            "leader_not_allowed",
            _("The leader in charge must be a supervisor of the dispute's region or a region above it."),
        )


def check_merge_partner(user, dispute, into) -> None:
    """Merge only into another valid dispute the user sees and controls too (they may assess it)."""
    from disputes.choices import Status
    from disputes.models import Dispute
    from disputes.services.authority import disputes_with_right

    if into is None or into.pk == dispute.pk:
        raise WorkflowError("invalid_merge_target", _("Merge into another dispute that is still valid."))
    partner = Dispute.objects.visible_to(user).filter(pk=into.pk).first()
    if partner is None:
        raise not_visible()
    if partner.status in (Status.VOIDED, Status.MERGED):
        raise WorkflowError("invalid_merge_target", _("Merge into another dispute that is still valid."))
    if not disputes_with_right(user, [(ASSESS, "control")]).filter(pk=partner.pk).exists():
        raise WorkflowError(
            "target_not_allowed", _("You may merge only into a dispute your platform controls.")
        )


def check_link_partner(user, dispute, other) -> None:
    from disputes.models import Dispute

    if other is None or not Dispute.objects.visible_to(user).filter(pk=other.pk).exists():
        raise not_visible()
    if other.pk == dispute.pk:
        raise WorkflowError("invalid_link", _("A dispute cannot be linked to itself."))


def session_mediators(dispute) -> QuerySet:
    """Mediators of the organizations the dispute is assigned to (open assignments)."""
    from disputes.choices import OPEN_ASSIGNMENT_STATUSES
    from mediation.models import Membership

    organizations = dispute.assignments.filter(
        status__in=OPEN_ASSIGNMENT_STATUSES, to_organization__isnull=False
    ).values("to_organization")
    members = Membership.objects.current().filter(organization__in=organizations, role=Role.MEDIATOR)
    return get_user_model().objects.filter(is_active=True, memberships__in=members).distinct()


def check_mediators(user, dispute, mediators) -> list:
    """Session mediators: the recording user, or mediators of an organization the dispute is assigned to."""
    mediators = list(mediators) or [user]
    others = [m for m in mediators if m.pk != user.pk]
    allowed = set(
        session_mediators(dispute).filter(pk__in=[m.pk for m in others]).values_list("pk", flat=True)
    )
    if any(m.pk not in allowed for m in others):
        raise WorkflowError(
            "mediator_not_allowed", _("Only mediators of an organization handling the dispute can be named.")
        )
    return mediators


def check_parties(dispute, party_ids) -> set[int]:
    """Party ids must all be parties of this dispute."""
    try:
        wanted = {int(pk) for pk in party_ids}
    except (TypeError, ValueError) as exc:
        raise WorkflowError("invalid_party", _("Unknown party.")) from exc
    known = set(dispute.parties.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise WorkflowError("invalid_party", _("A party named is not a party of this dispute."))
    return wanted


# The parties whose consent a mediation, an extension or a joint application needs (申请人、被申请人).
PRINCIPAL_ROLES = (PartyRole.APPLICANT, PartyRole.RESPONDENT)


def principal_ids(dispute) -> set[int]:
    return set(dispute.parties.filter(role__in=PRINCIPAL_ROLES).values_list("pk", flat=True))


def check_all_principals(dispute, party_ids, code: str, message: str) -> set[int]:
    """Party ids of this dispute that include every applicant and respondent (a joint act of the parties)."""
    given = check_parties(dispute, party_ids)
    principal = principal_ids(dispute)
    if not principal or not principal <= given:
        raise WorkflowError(code, message)
    return given
