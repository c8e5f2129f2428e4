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

from dadukou.kernel.errors import WorkflowError
from disputes.choices import (
    AgreementForm,
    AssignmentStatus,
    ConfirmationResult,
    FailureGuidance,
    Outcome,
    Performance,
    Prevention,
)
from disputes.services.calendar import time_limit
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
    for assignment in dispute.current_assignments:
        assignment.status, assignment.completed_at, assignment.result_report = (
            AssignmentStatus.COMPLETED,
            timezone.now(),
            note,
        )
        assignment.save(update_fields=["status", "completed_at", "result_report"])
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


def confirmation_window_closes(agreement) -> dt.date:
    """The last day to apply for judicial confirmation: 30 days after the agreement took effect (Art. 33)."""
    from disputes.models import TimeLimit

    days, _type = time_limit(TimeLimit.Key.JUDICIAL_CONFIRMATION)
    return agreement.effective_on + dt.timedelta(days=days)


@transaction.atomic
def apply_confirmation(dispute_id, user, *, version, applied_on, court):
    step = begin(dispute_id, "apply_confirmation", user, version)
    agreement = current_agreement(step.dispute)
    require(court, "court_required", _("Name the court."))
    if agreement.confirmation_applied_on:
        raise WorkflowError("already_applied", _("Judicial confirmation has been applied for already."))
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
    return finish(step, court, {"applied_on": applied_on, "agreement": agreement.pk})


@transaction.atomic
def record_confirmation(dispute_id, user, *, version, result, decided_on):
    step = begin(dispute_id, "record_confirmation", user, version)
    agreement = current_agreement(step.dispute)
    if not agreement.confirmation_applied_on:
        raise WorkflowError("not_applied", _("Record the application for judicial confirmation first."))
    if result not in (ConfirmationResult.CONFIRMED, ConfirmationResult.REJECTED):
        raise WorkflowError("invalid_result", _("The court confirms or rejects."))
    if decided_on is None or decided_on < agreement.confirmation_applied_on:
        raise WorkflowError("invalid_date", _("The decision cannot precede the application."))
    agreement.confirmation_result, agreement.confirmation_decided_on = result, decided_on
    agreement.save(update_fields=["confirmation_result", "confirmation_decided_on"])
    return finish(step, "", {"result": result, "agreement": agreement.pk})


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
