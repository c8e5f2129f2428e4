"""Mediation: the rights notice, sessions, and extending the time limit with the parties' consent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import WorkflowError
from disputes.choices import SessionMode
from disputes.services.workflow import consent, targets
from disputes.services.workflow.base import begin, finish, require


@transaction.atomic
def notify_rights(dispute_id, user, *, version, note=""):
    """权利义务告知, recorded before the first session."""
    step = begin(dispute_id, "notify_rights", user, version)
    if step.dispute.rights_notified_at:
        raise WorkflowError("already_notified", _("The rights and duties notice is already recorded."))
    step.dispute.rights_notified_at = timezone.now()
    return finish(step, note)


@transaction.atomic
def record_session(
    dispute_id, user, *, version, held_at, mode, participants, minutes, location="", mediators=()
):
    from disputes.models import MediationSession

    step = begin(dispute_id, "record_session", user, version)
    dispute = step.dispute
    if not dispute.rights_notified_at:
        raise WorkflowError(
            "rights_not_notified",
            _("Record the rights and duties notice to the parties before the first session."),
        )
    if consent.refusing(dispute):
        raise WorkflowError(
            "party_refuses",
            _(
                "A party clearly refuses mediation; it cannot go on (人民调解法 Art. 17). Terminate it instead."
            ),
        )
    missing = consent.consent_missing(dispute)
    if missing:
        raise WorkflowError(
            "consent_unknown",
            _("Record the consent of %(names)s to mediation before the session (人民调解法 Art. 17).")
            % {"names": "、".join(p.name for p in missing)},
        )
    if mode not in SessionMode.values:
        raise WorkflowError("invalid_mode", _("Choose how the session was held."))
    require(minutes, "minutes_required", _("Write the minutes of the session."))
    require(participants, "participants_required", _("List who took part."))
    if held_at is None or held_at > timezone.now() + dt.timedelta(minutes=5):
        raise WorkflowError("future_session", _("A session cannot be recorded before it is held."))
    mediators = targets.check_mediators(user, dispute, mediators)
    session = MediationSession.objects.create(
        dispute=dispute,
        held_at=held_at,
        mode=mode,
        location=location,
        participants=participants,
        minutes=minutes,
        recorded_by=user,
    )
    session.mediators.set(mediators)
    return finish(step, "", {"session": session.pk, "mode": mode})


@transaction.atomic
def extend(dispute_id, user, *, version, new_due_at, reason, consent_note, consenting_party_ids):
    """Extend the time limit: only with the consent of every applicant and respondent recorded."""
    from disputes.models import Extension

    step = begin(dispute_id, "extend", user, version)
    dispute = step.dispute
    require(reason, "reason_required", _("Give the reason for extending."))
    require(consent_note, "consent_required", _("Record how the parties consented."))
    consenting = targets.check_all_principals(
        dispute, consenting_party_ids, "consent_missing", _("Both parties must consent to an extension.")
    )
    if new_due_at is None or (dispute.due_at and new_due_at <= dispute.due_at):
        raise WorkflowError("not_later", _("The new deadline must be later than the current one."))
    extension = Extension.objects.create(
        dispute=dispute,
        old_due_at=dispute.due_at or timezone.now(),
        new_due_at=new_due_at,
        reason=reason,
        consent_note=consent_note,
        recorded_by=user,
    )
    extension.consenting_parties.set(consenting & targets.principal_ids(dispute))
    dispute.due_at, dispute.extended = new_due_at, True
    lead = dispute.lead_assignment
    if lead:
        lead.due_at = new_due_at
        lead.save(update_fields=["due_at"])
    return finish(step, reason, {"new_due_at": new_due_at.isoformat()})
