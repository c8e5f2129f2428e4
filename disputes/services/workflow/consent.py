"""Consent to mediation and its end (人民调解法 Art. 17, 23, 26): a party's consent, refusal or withdrawal recorded
at any stage, termination (终止调解) with the other channels told to the parties, and the referral of a case
that ended without agreement to one of those channels.

Mediation is voluntary (Art. 17: 当事人一方明确拒绝调解的，不得调解; Art. 23: a party may ask to end it), so:
- a session can be held only once every applicant and respondent has consented (unknown consent blocks it,
  `sessions.record_session`), and a refusal blocks it too;
- a refusal or a withdrawal ends the mediation without a session: `terminate` moves the dispute to *failed*
  with the outcome *terminated*, the reason and the channels told (Art. 26: 告知当事人可以依法通过仲裁、行政、
  司法等途径维护自己的权利);
- a failed dispute is then closed (feedback, archive) or referred (`refer`: archived with the receiving body).
A consent changed is an Event with its old and new value: the history of who agreed when is the timeline.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import WorkflowError
from disputes.choices import (
    ConsentMode,
    FailureGuidance,
    Outcome,
    TerminationReason,
)
from disputes.services.workflow import targets
from disputes.services.workflow.assignment import complete_current
from disputes.services.workflow.base import begin, finish, require


def consent_missing(dispute) -> list:
    """The applicants and respondents whose consent to mediation is not recorded (a session waits for them)."""
    return list(dispute.parties.filter(role__in=targets.PRINCIPAL_ROLES, consents_to_mediation__isnull=True))


def refusing(dispute) -> list:
    """The applicants and respondents who refuse mediation or withdrew from it."""
    return list(dispute.parties.filter(role__in=targets.PRINCIPAL_ROLES, consents_to_mediation=False))


@transaction.atomic
def record_consent(dispute_id, user, *, version, party_id, consents, mode, note=""):
    """Record (or change) one party's consent: True consents, False refuses — or withdraws, when the party had
    consented before."""
    step = begin(dispute_id, "record_consent", user, version)
    dispute = step.dispute
    if party_id in (None, ""):
        raise WorkflowError("invalid_party", _("Choose the party whose consent is recorded."))
    party_pk = next(iter(targets.check_parties(dispute, [party_id])))
    if not isinstance(consents, bool):
        raise WorkflowError("invalid_consent", _("Record whether the party consents or refuses."))
    if mode not in ConsentMode.values:
        raise WorkflowError("invalid_consent_mode", _("Say how the party gave their answer."))
    party = dispute.parties.select_for_update().get(pk=party_pk)
    before = party.consents_to_mediation
    if before is consents:
        raise WorkflowError("consent_unchanged", _("This party's answer is already recorded as such."))
    party.consents_to_mediation, party.consent_recorded_at = consents, timezone.now()
    party.save(update_fields=["consents_to_mediation", "consent_recorded_at"])
    kind = "consents" if consents else ("withdraws" if before else "refuses")
    extra = {"party": party.pk, "consent": {"before": before, "after": consents}, "kind": kind, "mode": mode}
    return finish(step, note, extra)


@transaction.atomic
def terminate(dispute_id, user, *, version, reason, channels, note):
    """终止调解: end the mediation without agreement, for a refusal, a withdrawal, or no agreement possible, and
    record the other channels the parties were told of. No session is needed for a refusal or a withdrawal."""
    step = begin(dispute_id, "terminate", user, version)
    dispute = step.dispute
    if reason not in TerminationReason.values:
        raise WorkflowError("invalid_reason", _("Give the reason mediation ends."))
    channels = list(dict.fromkeys(channels or ()))
    if not channels or set(channels) - set(FailureGuidance.values):
        raise WorkflowError(
            "channels_required",
            _(
                "Record which other channels the parties were told of: litigation, arbitration, administrative."
            ),
        )
    require(note, "note_required", _("Write how the mediation ended and what the parties were told."))
    if reason in (TerminationReason.REFUSED, TerminationReason.WITHDRAWN) and not refusing(dispute):
        raise WorkflowError(
            "no_refusal_recorded",
            _("Record the party's refusal or withdrawal first (the consent of each party)."),
        )
    if reason == TerminationReason.NO_AGREEMENT and not dispute.sessions.exists():
        raise WorkflowError(
            "no_session",
            _("“No agreement” needs a mediation session first; a refusal or withdrawal does not."),
        )
    now = timezone.now()
    dispute.outcome, dispute.outcome_note, dispute.resolved_at = Outcome.TERMINATED, note, now
    dispute.termination_reason, dispute.channels_told = reason, channels
    dispute.failure_guidance = channels[0]
    complete_current(dispute, note, now)
    return finish(step, note, {"outcome": Outcome.TERMINATED, "reason": reason, "channels": channels})


@transaction.atomic
def refer(dispute_id, user, *, version, channel, body, referred_on, note=""):
    """Hand a dispute that ended without agreement to another channel, and archive it with the referral."""
    from disputes.models import Referral

    step = begin(dispute_id, "refer", user, version)
    dispute = step.dispute
    if channel not in FailureGuidance.values:
        raise WorkflowError(
            "invalid_channel", _("Choose the channel: litigation, arbitration, administrative.")
        )
    require(body, "body_required", _("Name the court, commission or office the case goes to."))
    if not isinstance(referred_on, dt.date) or referred_on > timezone.localdate():
        raise WorkflowError("invalid_date", _("The referral date cannot be in the future."))
    referral = Referral.objects.create(
        dispute=dispute, channel=channel, body=body, referred_on=referred_on, note=note, recorded_by=user
    )
    dispute.closed_at = timezone.now()
    return finish(step, note, {"referral": referral.pk, "channel": channel, "body": body})
