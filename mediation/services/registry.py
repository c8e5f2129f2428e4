"""Rules of the registry (issue 4): the discipline log, appointments, the expert pool, the staffing defaults.

Views, the Excel import, the admin and the demo loader all go through these functions. Each checks the
user's permission and visibility and raises WorkflowError (with a stable code) changing nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from mediation.choices import AppointmentRole, MediationField, MediatorStatus


def _require(user, permission: str) -> None:
    if user is None or not user.has_perm(permission):
        raise Forbidden("forbidden", _("You may not change the registry this way."))


def _require_visible(user, model, obj, permission: str | None = None) -> None:
    """`obj` is visible to `user` — with `permission`, covered by a membership that carries it."""
    if not model.objects.visible_to(user, permission).filter(pk=obj.pk).exists():
        raise Forbidden("not_visible", _("“%(obj)s” is outside your area.") % {"obj": obj})


# --- the discipline log (人民调解法 Art. 15) ---------------------------------------------------------------------


def status_on(mediator, day: dt.date) -> str:
    """The mediator's status on `day` according to the discipline log (active when the log is empty)."""
    latest = (
        mediator.status_changes.filter(effective_on__lte=day)
        .order_by("-effective_on", "-pk")
        .values_list("status", flat=True)
        .first()
    )
    return latest or MediatorStatus.ACTIVE


def refresh_status(mediator, today: dt.date | None = None) -> bool:
    """Bring the denormalized Mediator.status in line with the log; True when it changed."""
    status = status_on(mediator, today or timezone.localdate())
    if status == mediator.status:
        return False
    mediator.status = status
    type(mediator).objects.filter(pk=mediator.pk).update(status=status)
    return True


def refresh_statuses(today: dt.date | None = None) -> int:
    """Refresh every mediator with a log entry (entries dated in the future take effect on their day)."""
    from mediation.models import Mediator

    changed = 0
    for mediator in Mediator.objects.filter(status_changes__isnull=False).distinct():
        changed += refresh_status(mediator, today)
    return changed


def record_status_change(mediator, status, ground, effective_on, note="", by=None):
    """Append an entry to the discipline log; the current status follows once `effective_on` has come."""
    from mediation.models import Mediator, StatusChange

    _require(by, "mediation.add_statuschange")
    _require_visible(by, Mediator, mediator, "mediation.add_statuschange")
    if status not in MediatorStatus.values:
        raise WorkflowError("invalid_status", _("Unknown mediator status."))
    if ground not in StatusChange.Ground.values:
        raise WorkflowError("invalid_ground", _("Unknown ground for the status change."))
    reinstating = status == MediatorStatus.ACTIVE
    if reinstating != (ground == StatusChange.Ground.REINSTATED):
        raise WorkflowError(
            "ground_mismatch",
            _("A mediator is made active again only by reinstatement, and reinstatement makes them active."),
        )
    if not isinstance(effective_on, dt.date):
        raise WorkflowError("date_required", _("Give the date the change takes effect."))
    if ground == StatusChange.Ground.OTHER and not (note or "").strip():
        raise WorkflowError("note_required", _("Say what happened when the ground is “other”."))
    with transaction.atomic():
        mediator = Mediator.objects.select_for_update().get(pk=mediator.pk)
        if status_on(mediator, effective_on) == status:
            raise WorkflowError(
                "status_unchanged",
                _("On %(day)s the mediator already has this status.") % {"day": effective_on.isoformat()},
            )
        entry = StatusChange.objects.create(
            mediator=mediator,
            status=status,
            ground=ground,
            effective_on=effective_on,
            note=(note or "").strip(),
            recorded_by=by,
        )
        refresh_status(mediator)
    return entry


# --- appointments -------------------------------------------------------------------------------------------


def check_appointment(mediator, organization, started_on, ended_on=None, *, exclude_pk=None) -> None:
    """The rules an appointment must meet; raises WorkflowError. Used by appoint() and by the Excel import."""
    from mediation.models import Appointment

    if not isinstance(started_on, dt.date):
        raise WorkflowError("date_required", _("Give the date the appointment starts."))
    if ended_on is not None and ended_on <= started_on:
        raise WorkflowError("dates_reversed", _("An appointment must end after it starts."))
    if organization.dissolved_on and started_on >= organization.dissolved_on:
        raise WorkflowError(
            "organization_dissolved",
            _("%(org)s was dissolved on %(day)s.")
            % {"org": organization.name, "day": organization.dissolved_on.isoformat()},
        )
    if mediator.pk and status_on(mediator, started_on) == MediatorStatus.DISMISSED:
        raise WorkflowError("mediator_dismissed", _("The mediator was dismissed before that date."))
    overlapping = Appointment.objects.filter(mediator=mediator, organization=organization).exclude(
        pk=exclude_pk
    )
    if ended_on is not None:
        overlapping = overlapping.filter(started_on__lt=ended_on)
    overlapping = overlapping.exclude(ended_on__isnull=False, ended_on__lte=started_on)
    other = overlapping.first()
    if other is not None:
        raise WorkflowError(
            "appointment_overlaps",
            _("%(mediator)s already serves %(org)s from %(day)s; end that appointment first.")
            % {"mediator": mediator.name, "org": organization.name, "day": other.started_on.isoformat()},
        )


def appoint(
    mediator,
    organization,
    *,
    started_on: dt.date,
    role: str = AppointmentRole.MEDIATOR,
    is_full_time: bool = False,
    ended_on: dt.date | None = None,
    by=None,
):
    """Appoint a mediator to an organization from a date (optionally until a date)."""
    from mediation.models import Appointment, MediationOrganization, Mediator

    _require(by, "mediation.add_appointment")
    _require_visible(by, Mediator, mediator, "mediation.add_appointment")
    _require_visible(by, MediationOrganization, organization, "mediation.add_appointment")
    if role not in AppointmentRole.values:
        raise WorkflowError("invalid_role", _("Unknown role in the organization."))
    with transaction.atomic():
        Mediator.objects.select_for_update().get(pk=mediator.pk)
        check_appointment(mediator, organization, started_on, ended_on)
        return Appointment.objects.create(
            mediator=mediator,
            organization=organization,
            role=role,
            is_full_time=is_full_time,
            started_on=started_on,
            ended_on=ended_on,
        )


def end_appointment(appointment, ended_on: dt.date, by=None):
    """End an appointment on a date (the mediator no longer serves from that day on)."""
    from mediation.models import Appointment, Mediator

    _require(by, "mediation.change_appointment")
    _require_visible(by, Mediator, appointment.mediator, "mediation.change_appointment")
    if appointment.ended_on is not None:
        raise WorkflowError("already_ended", _("This appointment has already ended."))
    if not isinstance(ended_on, dt.date) or ended_on <= appointment.started_on:
        raise WorkflowError("dates_reversed", _("An appointment must end after it starts."))
    updated = Appointment.objects.filter(pk=appointment.pk, ended_on__isnull=True).update(ended_on=ended_on)
    if not updated:
        raise WorkflowError("already_ended", _("This appointment has already ended."))
    appointment.ended_on = ended_on
    return appointment


# --- the expert pool (调解专家库) -------------------------------------------------------------------------------


def join_expert_pool(mediator, specialties, joined_on: dt.date, expertise: str = "", by=None):
    """Add a mediator to the expert pool with the fields they are expert in."""
    from mediation.models import ExpertMembership, Mediator

    _require(by, "mediation.add_expertmembership")
    _require_visible(by, Mediator, mediator, "mediation.add_expertmembership")
    specialties = list(dict.fromkeys(specialties or []))
    unknown = [s for s in specialties if s not in MediationField.values]
    if unknown or not specialties:
        raise WorkflowError("invalid_specialties", _("Name at least one field the expert knows."))
    if ExpertMembership.objects.filter(mediator=mediator).on(joined_on).exists():
        raise WorkflowError("already_expert", _("The mediator is already in the expert pool on that date."))
    return ExpertMembership.objects.create(
        mediator=mediator, specialties=specialties, expertise=expertise, joined_on=joined_on
    )


def leave_expert_pool(membership, left_on: dt.date, by=None):
    from mediation.models import ExpertMembership, Mediator

    _require(by, "mediation.change_expertmembership")
    _require_visible(by, Mediator, membership.mediator, "mediation.change_expertmembership")
    if membership.left_on is not None:
        raise WorkflowError("already_left", _("The expert has already left the pool."))
    if not isinstance(left_on, dt.date) or left_on <= membership.joined_on:
        raise WorkflowError("dates_reversed", _("Leaving must come after joining."))
    ExpertMembership.objects.filter(pk=membership.pk).update(left_on=left_on)
    membership.left_on = left_on
    return membership


# --- staffing rules (task 8) -----------------------------------------------------------------------------------


def load_registry_defaults() -> int:
    """Create the default staffing rules (indicators.DEFAULT_STAFFING) that do not exist yet; returns how many.

    Existing rules are left alone: the office may have changed them.
    """
    from mediation.indicators import DEFAULT_STAFFING
    from mediation.models import StaffingRule

    created = 0
    for kind, (minimum, conditional) in DEFAULT_STAFFING.items():
        _rule, was_created = StaffingRule.objects.get_or_create(
            kind=kind, defaults={"min_full_time": minimum, "where_conditions_allow": conditional}
        )
        created += was_created
    return created
