"""The machinery every action shares: lock, check, change, record.

``begin()`` locks the dispute row, compares the version the user saw, and checks the transition table, the
user's right (a permission held through a membership that gives the authority the table names) — all before
anything changes. ``finish()`` moves the status only to what the table says for the action (and its branch),
bumps the version and appends the Event. An error in between rolls the whole transaction back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from dadukou.kernel.errors import Conflict, Forbidden, WorkflowError
from disputes.services import authority
from disputes.services.workflow.table import TRANSITIONS, Transition


@dataclass
class Step:
    """One action under way on one locked dispute."""

    dispute: object
    action: str
    transition: Transition
    user: object
    before: dict


def allowed_actions(dispute, user) -> list[str]:
    """The actions `user` may take on `dispute` now (for showing only the buttons that work)."""
    if user is None or not user.is_authenticated:
        return []
    facts = None
    result = []
    for action, transition in TRANSITIONS.items():
        if dispute.status not in transition.sources:
            continue
        if not any(user.has_perm(perm) for perm in transition.permissions):
            continue
        facts = facts or authority.Facts.of(dispute)
        if authority.has_right(user, transition.rights, facts):
            result.append(action)
    return result


def may(user, action: str, dispute) -> bool:
    """Whether `user` may take `action` on `dispute` in its present status."""
    transition = TRANSITIONS.get(action)
    if transition is None or user is None or dispute.status not in transition.sources:
        return False
    return authority.has_right(user, transition.rights, authority.Facts.of(dispute))


def disputes_for(user, action: str, queryset=None):
    """The disputes `user` sees and may take `action` on now: the queryset form of `may`."""
    transition = TRANSITIONS[action]
    found = authority.disputes_with_right(user, transition.rights, queryset)
    return found.filter(status__in=transition.sources)


def snapshot(dispute) -> dict:
    return {
        "status": dispute.status,
        "risk_grade": dispute.risk_grade,
        "platform": dispute.platform_id,
        "due_at": dispute.due_at.isoformat() if dispute.due_at else None,
        "version": dispute.version,
    }


def forbidden() -> Forbidden:
    return Forbidden("forbidden", _("You may not take this action on this dispute."))


def begin(dispute_id: int, action: str, user, version: int | None) -> Step:
    """Lock the dispute, check version, transition and right. Call inside a transaction."""
    from disputes.models import Dispute

    transition = TRANSITIONS[action]
    if user is None or not user.is_authenticated:
        raise forbidden()
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("platform__region", "category", "region")
        .filter(pk=dispute_id)
        .first()
    )
    # What the user cannot see gets the same answer as what they may not touch: nothing tells it exists.
    if dispute is None or not Dispute.objects.visible_to(user).filter(pk=dispute_id).exists():
        raise forbidden()
    if version is not None and dispute.version != version:
        raise Conflict(
            "version_conflict",
            _("Someone else changed this dispute in the meantime. Reload the page and try again."),
        )
    if dispute.status not in transition.sources:
        raise WorkflowError(
            "invalid_transition",
            _("This action is not possible while the dispute is “%(status)s”.")
            % {"status": dispute.get_status_display()},
        )
    if not authority.has_right(user, transition.rights, authority.Facts.of(dispute)):
        raise forbidden()
    return Step(dispute, action, transition, user, snapshot(dispute))


def finish(step: Step, note: str = "", extra: dict | None = None, *, branch: str | None = None):
    """Move the status as the table says (for `branch`), bump the version and append the Event."""
    from disputes.models import Event

    dispute = step.dispute
    target = step.transition.target_for(branch)
    if target:
        dispute.status = target
    dispute.version += 1
    dispute.save()
    after = snapshot(dispute) | (extra or {})
    Event.objects.create(
        dispute=dispute, action=step.action, actor=step.user, note=note, before=step.before, after=after
    )
    return dispute


def record_on(dispute, action, user, note="", after=None):
    """An Event on a dispute other than the one being acted on (a merge partner, a link)."""
    from disputes.models import Event

    Event.objects.create(dispute=dispute, action=action, actor=user, note=note, after=after or {})


def require(value, code: str, message: str):
    if value in (None, "", [], ()) or (isinstance(value, str) and not value.strip()):
        raise WorkflowError(code, message)
    return value
