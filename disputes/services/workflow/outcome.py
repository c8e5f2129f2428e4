"""The outcome of mediation and the agreement: success or failure, performance, judicial confirmation (司法确认)
and notarization (公证).

A new agreement (re-mediation) supersedes the one in force; the earlier one is never deleted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dadukou.kernel.errors import WorkflowError
from disputes.choices import (
    AgreementForm,
    ConfirmationResult,
    FailureGuidance,
    Outcome,
    Performance,
    Prevention,
)
from disputes.services import periods
from disputes.services.calendar import time_limit
from disputes.services.workflow import targets
from disputes.services.workflow.assignment import complete_current
from disputes.services.workflow.base import begin, finish, require


def _clean_agreement(agreement: dict | None) -> dict:
    if not agreement:
        raise WorkflowError("agreement_required", _("A successful mediation needs its agreement recorded."))
    form = agreement.get("form")
    if form not in AgreementForm.values:
        raise WorkflowError("invalid_agreement_form", _("An agreement is written or oral."))
    require(agreement.get("terms"), "terms_required", _("Write the agreed terms."))
    if form == AgreementForm.WRITTEN:
        # 人民调解法 Art. 29: parties, facts and points in dispute, terms, how and when they are performed.
        require(
            agreement.get("facts"),
            "facts_required",
            _("A written agreement states the facts and points in dispute."),
        )
        require(
            agreement.get("performance_method"),
            "performance_method_required",
            _("A written agreement states how and when it is performed."),
        )
    try:
        amount = Decimal(str(agreement.get("amount") or 0))
    except InvalidOperation as exc:
        raise WorkflowError("invalid_amount", _("The amount must be a number.")) from exc
    if amount < 0:
        raise WorkflowError("invalid_amount", _("The amount cannot be negative."))
    return {
        "form": form,
        "facts": agreement.get("facts", ""),
        "terms": agreement["terms"],
        "performance_method": agreement.get("performance_method", ""),
        "performance_due_on": agreement.get("performance_due_on"),
        "amount": amount,
        "effective_on": agreement.get("effective_on") or timezone.localdate(),
        "signed_by_all": bool(agreement.get("signed_by_all")),
    }


@transaction.atomic
def record_outcome(
    dispute_id,
    user,
    *,
    version,
    outcome,
    note="",
    preventions=(),
    failure_guidance="",
    agreement: dict | None = None,
):
    """Success with an agreement (written per Art. 29 or oral) or failure with the guidance given."""
    from disputes.models import Agreement

    step = begin(dispute_id, "record_outcome", user, version)
    dispute = step.dispute
    unknown = set(preventions) - set(Prevention.values)
    if unknown:
        raise WorkflowError("invalid_prevention", _("Unknown prevention outcome."))
    if not dispute.sessions.exists():
        raise WorkflowError("no_session", _("Record at least one mediation session first."))
    extra = {"outcome": outcome, "preventions": list(preventions), "failure_guidance": failure_guidance}
    if outcome == Outcome.SUCCESS:
        fields = _clean_agreement(agreement)
        current = Agreement.objects.current().filter(dispute=dispute).first()
        if current is not None:
            # The unique "one current agreement" constraint holds at every statement: retire it first.
            current.superseded_at = timezone.now()
            current.save(update_fields=["superseded_at"])
        created = Agreement.objects.create(dispute=dispute, recorded_by=user, **fields)
        if current is not None:
            current.superseded_by = created
            current.save(update_fields=["superseded_by"])
            extra["superseded_agreement"] = current.pk
        extra["agreement"] = created.pk
        dispute.failure_guidance = ""
        branch = "success"
    elif outcome == Outcome.FAILURE:
        if failure_guidance not in FailureGuidance.values:
            raise WorkflowError(
                "guidance_required",
                _("Record the guidance given: litigation, arbitration or administrative channels."),
            )
        dispute.failure_guidance = failure_guidance
        branch = "failure"
    else:
        raise WorkflowError("invalid_outcome", _("The outcome is success or failure."))
    dispute.outcome, dispute.outcome_note, dispute.preventions = outcome, note, list(preventions)
    dispute.resolved_at = timezone.now()
    complete_current(dispute, note, dispute.resolved_at)
    return finish(step, note, extra, branch=branch)


def current_agreement(dispute):
    agreement = dispute.agreement
    if agreement is None:
        raise WorkflowError("no_agreement", _("This dispute has no agreement."))
    return agreement


@transaction.atomic
def record_performance(dispute_id, user, *, version, performance, note=""):
    step = begin(dispute_id, "record_performance", user, version)
    agreement = current_agreement(step.dispute)
    if performance not in Performance.values:
        raise WorkflowError("invalid_performance", _("Unknown performance state."))
    agreement.performance, agreement.performance_checked_on = performance, timezone.localdate()
    agreement.save(update_fields=["performance", "performance_checked_on"])
    return finish(step, note, {"performance": performance, "agreement": agreement.pk})


def confirmation_window_closes(agreement, work=None) -> dt.date:
    """The last day to apply for judicial confirmation: 30 days after the agreement took effect (Art. 33), moved
    to the next working day when it falls on a holiday or a weekend (民事诉讼法 Art. 85)."""
    from disputes.models import TimeLimit

    days, _type = time_limit(TimeLimit.Key.JUDICIAL_CONFIRMATION)
    return periods.period_end(agreement.effective_on, days, work)


REJECTED_NEXT_STEPS = gettext_lazy(
    "The parties may change the agreement or reach a new one through mediation, or bring an action in the "
    "people's court (人民调解法 Art. 33)."
)


@transaction.atomic
def apply_confirmation(dispute_id, user, *, version, applied_on, court, party_ids=None):
    """The joint application of the parties to the court (Art. 33): only for a written agreement in effect,
    within the window; every applicant and respondent of the dispute must be among those applying."""
    step = begin(dispute_id, "apply_confirmation", user, version)
    dispute = step.dispute
    agreement = current_agreement(dispute)
    require(court, "court_required", _("Name the court."))
    if agreement.confirmation_applied_on:
        raise WorkflowError("already_applied", _("Judicial confirmation has been applied for already."))
    if agreement.form != AgreementForm.WRITTEN:
        raise WorkflowError("oral_agreement", _("Only a written agreement can be confirmed by the court."))
    if not agreement.signed_by_all:
        raise WorkflowError(
            "agreement_not_in_effect",
            _("The agreement takes effect once every party and the mediator have signed and it is sealed."),
        )
    applying = targets.check_all_principals(
        dispute,
        party_ids or (),
        "joint_application_required",
        _("Judicial confirmation is applied for by the parties jointly: record every party who applied."),
    )
    if (
        applied_on is None
        or applied_on < agreement.effective_on
        or applied_on > confirmation_window_closes(agreement)
    ):
        raise WorkflowError(
            "window_closed",
            _("Judicial confirmation must be applied for within 30 days of the agreement taking effect."),
        )
    agreement.confirmation_applied_on, agreement.confirmation_court = applied_on, court
    agreement.confirmation_result = ConfirmationResult.PENDING
    agreement.save(update_fields=["confirmation_applied_on", "confirmation_court", "confirmation_result"])
    agreement.confirmation_parties.set(applying)
    return finish(
        step, court, {"applied_on": applied_on, "agreement": agreement.pk, "parties": sorted(applying)}
    )


@transaction.atomic
def record_court_progress(dispute_id, user, *, version, accepted_on=None, extended=False):
    """The court's acceptance of the application (within 3 days), and the extension of its decision period
    (15 days, 10 more with the president's approval)."""
    step = begin(dispute_id, "record_court_progress", user, version)
    agreement = current_agreement(step.dispute)
    if not agreement.confirmation_applied_on:
        raise WorkflowError("not_applied", _("Record the application for judicial confirmation first."))
    if agreement.confirmation_decided_on:
        raise WorkflowError("already_decided", _("The court has decided already."))
    changed = {}
    if accepted_on is not None:
        if agreement.confirmation_accepted_on:
            raise WorkflowError("already_accepted", _("The court's acceptance is recorded already."))
        if accepted_on < agreement.confirmation_applied_on or accepted_on > timezone.localdate():
            raise WorkflowError(
                "invalid_date", _("The court accepts after the application, and not in the future.")
            )
        agreement.confirmation_accepted_on = changed["accepted_on"] = accepted_on
    if extended:
        if not agreement.confirmation_accepted_on:
            raise WorkflowError("not_accepted", _("The decision period runs from the court's acceptance."))
        if agreement.confirmation_extended:
            raise WorkflowError(
                "already_extended", _("The decision period is extended already (once, 10 days).")
            )
        agreement.confirmation_extended = changed["extended"] = True
    if not changed:
        raise WorkflowError("nothing_recorded", _("Record the court's acceptance or the extension."))
    agreement.save(update_fields=["confirmation_accepted_on", "confirmation_extended"])
    limits = periods.court_limits(agreement, timezone.localdate())
    return finish(
        step,
        "",
        {
            **{k: str(v) for k, v in changed.items()},
            "agreement": agreement.pk,
            "decision_due": str(limits.decision_due) if limits.decision_due else None,
        },
    )


@transaction.atomic
def record_confirmation(dispute_id, user, *, version, result, decided_on, next_steps=""):
    """The court's decision: confirmed (the agreement can be enforced) or not; when not, what the parties may do
    next is recorded (by default as Art. 33 says it)."""
    step = begin(dispute_id, "record_confirmation", user, version)
    agreement = current_agreement(step.dispute)
    if not agreement.confirmation_applied_on:
        raise WorkflowError("not_applied", _("Record the application for judicial confirmation first."))
    if result not in (ConfirmationResult.CONFIRMED, ConfirmationResult.REJECTED):
        raise WorkflowError("invalid_result", _("The court confirms or rejects."))
    if decided_on is None or decided_on < agreement.confirmation_applied_on:
        raise WorkflowError("invalid_date", _("The decision cannot precede the application."))
    if decided_on > timezone.localdate():
        raise WorkflowError("invalid_date", _("The decision cannot be recorded before it is made."))
    if result == ConfirmationResult.REJECTED:
        next_steps = (next_steps or "").strip() or str(REJECTED_NEXT_STEPS)
    agreement.confirmation_result, agreement.confirmation_decided_on = result, decided_on
    agreement.confirmation_next_steps = next_steps or ""
    agreement.save(
        update_fields=["confirmation_result", "confirmation_decided_on", "confirmation_next_steps"]
    )
    limits = periods.court_limits(agreement, timezone.localdate())
    return finish(
        step,
        agreement.confirmation_next_steps,
        {"result": result, "agreement": agreement.pk, "late": bool(limits and limits.decision_late)},
    )


@transaction.atomic
def record_notarization(dispute_id, user, *, version, notarized_on, office):
    step = begin(dispute_id, "record_notarization", user, version)
    agreement = current_agreement(step.dispute)
    agreement.notarized_on, agreement.notary_office = (
        notarized_on,
        require(office, "office_required", _("Name the notary office.")),
    )
    agreement.save(update_fields=["notarized_on", "notary_office"])
    return finish(step, office, {"notarized_on": notarized_on, "agreement": agreement.pk})
