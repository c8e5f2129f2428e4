"""Stabilization (稳控) of red and orange disputes: who keeps the situation stable, how, and its reviews (task 23)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import WorkflowError
from disputes.choices import OPEN_STATUSES
from disputes.services.warnings import WARN_AT_ONCE
from disputes.services.workflow.base import begin, finish, require


@transaction.atomic
def record_stabilization(
    dispute_id, user, *, version, person_in_charge, measures, starts_on, review_on, review_notes=""
):
    """Record the stabilization of a red or orange dispute, or update it: the new record supersedes the one in
    force, which stays (with its review) as the case's history."""
    from disputes.models import Stabilization

    step = begin(dispute_id, "record_stabilization", user, version)
    dispute = step.dispute
    if dispute.risk_grade not in WARN_AT_ONCE:
        raise WorkflowError(
            "stabilization_not_needed", _("Only red and orange disputes have a stabilization record.")
        )
    person = require(
        person_in_charge, "person_required", _("Name the person in charge of the stabilization.")
    ).strip()
    measures = require(measures, "measures_required", _("Describe the stabilization measures.")).strip()
    if not isinstance(starts_on, dt.date) or not isinstance(review_on, dt.date):
        raise WorkflowError("date_required", _("Give the date the measures start and the next review date."))
    if review_on < starts_on:
        raise WorkflowError("invalid_review_date", _("The review date cannot be before the start date."))
    current = Stabilization.objects.select_for_update().current().filter(dispute=dispute).first()
    if current is not None:
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
    record = Stabilization.objects.create(
        dispute=dispute,
        person_in_charge=person[:100],
        measures=measures,
        starts_on=starts_on,
        review_on=review_on,
        review_notes=(review_notes or "").strip(),
        recorded_by=user,
    )
    if current is not None:
        current.superseded_by = record
        current.save(update_fields=["superseded_by"])
    extra = {
        "stabilization": record.pk,
        "supersedes": current.pk if current else None,
        "review_on": review_on.isoformat(),
    }
    return finish(step, f"{person}: {measures}"[:300], extra)


def without_stabilization(queryset):
    """The open red and orange disputes of `queryset` with no stabilization record in force (a gap)."""
    from disputes.models import Stabilization

    current = Stabilization.objects.current().filter(dispute=OuterRef("pk"))
    return queryset.filter(status__in=OPEN_STATUSES, risk_grade__in=WARN_AT_ONCE).filter(~Exists(current))


def lacks_stabilization(dispute) -> bool:
    """Whether one dispute shows the gap (for its page; the prefetched records are used when present)."""
    if dispute.status not in OPEN_STATUSES or dispute.risk_grade not in WARN_AT_ONCE:
        return False
    return not any(record.superseded_at is None for record in dispute.stabilizations.all())
