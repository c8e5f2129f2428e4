"""Every table the generator writes, with the columns it sets itself — the one place to update when a model changes.

A column not listed takes the model field's default (what Django would write if the field were left out); a
column whose field has no default and is NOT NULL — or is auto_now/auto_now_add, set by Django at save — must
be listed. `check()` compares these lists with the models before anything is written, so a new required field,
a renamed field or a dropped one stops the generator with the table and column named, instead of half a load.

Tables of apps above `disputes` (the task plan) are declared by those apps' own `loadgen` modules with
`declare()`, so this package imports nothing from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps

from disputes.loadgen import bulk

# label: "app.Model" or "app.Model.m2m_field" (its through table) → the columns the generator supplies.
COLUMNS: dict[str, list[str]] = {
    # --- the structure (mediation) --------------------------------------------------------------------------
    "mediation.Region": [
        "id",
        "code",
        "name",
        "level",
        "kind",
        "parent_id",
        "path",
        "urban_rural_code",
        "is_demo",
    ],
    "mediation.Unit": [
        "id",
        "code",
        "name",
        "short_name",
        "kind",
        "region_id",
        "parent_id",
        "is_member_unit",
    ],
    "mediation.UnitHeadcount": ["id", "unit_id", "officers", "valid_from"],
    "mediation.MediationOrganization": [
        "id",
        "name",
        "kind",
        "region_id",
        "host_unit_id",
        "hosted_in_id",
        "fields",
        "named_after_id",
        "has_party_organization",
        "online_capable",
        "contact_person",
        "established_on",
        "address",
        "phone",
        "is_demo",
    ],
    "disputes.Category.organizations": ["id", "mediationorganization_id", "category_id"],
    "auth.User": [
        "id",
        "password",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "date_joined",
    ],
    "auth.User.groups": ["id", "user_id", "group_id"],
    "mediation.Membership": [
        "id",
        "user_id",
        "role",
        "region_id",
        "unit_id",
        "organization_id",
        "title",
        "started_on",
    ],
    "guardian.UserObjectPermission": ["id", "user_id", "permission_id", "content_type_id", "object_pk"],
    # --- the registry ----------------------------------------------------------------------------------------
    "mediation.Mediator": [
        "id",
        "name",
        "gender",
        "id_number",
        "phone",
        "birth_year",
        "education",
        "is_party_member",
        "backgrounds",
        "qualifications",
        "region_id",
        "user_id",
        "status",
        "is_demo",
    ],
    "mediation.Appointment": [
        "id",
        "mediator_id",
        "organization_id",
        "role",
        "is_full_time",
        "started_on",
        "ended_on",
    ],
    "mediation.ExpertMembership": ["id", "mediator_id", "specialties", "expertise", "joined_on"],
    "mediation.StatusChange": [
        "id",
        "mediator_id",
        "status",
        "ground",
        "effective_on",
        "note",
        "recorded_by_id",
        "recorded_at",
    ],
    "mediation.Training": [
        "id",
        "level",
        "region_id",
        "organizer_id",
        "title",
        "held_on",
        "hours",
        "is_centralized",
        "is_demo",
    ],
    "mediation.TrainingAttendance": ["id", "training_id", "mediator_id", "hours"],
    # --- disputes --------------------------------------------------------------------------------------------
    "disputes.SensitivePeriod": ["id", "name", "starts_on", "ends_on", "region_id"],
    "disputes.Dispute": [
        "id",
        "number",
        "category_id",
        "source",
        "external_id",
        "region_id",
        "region_path",
        "address",
        "occurred_at",
        "title",
        "description",
        "people_involved",
        "amount",
        "risk_flags",
        "risk_grade",
        "risk_grade_by_rules",
        "risk_override_reason",
        "complexity",
        "in_sensitive_period",
        "status",
        "handling_level",
        "platform_id",
        "routing_rule_id",
        "leader_id",
        "due_at",
        "due_date_estimated",
        "rights_notified_at",
        "extended",
        "outcome",
        "failure_guidance",
        "preventions",
        "outcome_note",
        "resolved_at",
        "closed_at",
        "duplicate_of_id",
        "void_reason",
        "version",
        "created_by_id",
        "created_at",
        "updated_at",
    ],
    "disputes.Dispute.responsible_units": ["id", "dispute_id", "unit_id"],
    "disputes.Dispute.linked": ["id", "from_dispute_id", "to_dispute_id"],
    "disputes.DisputeCounter": ["year", "last"],
    "disputes.Party": [
        "id",
        "dispute_id",
        "kind",
        "role",
        "name",
        "id_number",
        "phone",
        "address",
        "consents_to_mediation",
        "consent_recorded_at",
        "vulnerabilities",
    ],
    "disputes.Event": ["id", "dispute_id", "action", "actor_id", "at", "note", "before", "after"],
    "disputes.Assignment": [
        "id",
        "dispute_id",
        "from_platform_id",
        "to_unit_id",
        "to_organization_id",
        "role",
        "status",
        "limit_days",
        "day_type",
        "accept_due_at",
        "due_at",
        "due_date_estimated",
        "note",
        "assigned_by_id",
        "assigned_at",
        "accepted_by_id",
        "accepted_at",
        "return_reason",
        "returned_at",
        "result_report",
        "completed_at",
        "overdue_level",
    ],
    "disputes.Supervision": [
        "id",
        "dispute_id",
        "assignment_id",
        "level",
        "notice",
        "issued_by_id",
        "issued_at",
        "answer_due_at",
        "answer",
        "answered_by_id",
        "answered_at",
    ],
    "disputes.MediationSession": [
        "id",
        "dispute_id",
        "held_at",
        "mode",
        "location",
        "participants",
        "minutes",
        "recorded_by_id",
        "recorded_at",
    ],
    "disputes.MediationSession.mediators": ["id", "mediationsession_id", "user_id"],
    "disputes.Extension": [
        "id",
        "dispute_id",
        "old_due_at",
        "new_due_at",
        "reason",
        "consent_note",
        "recorded_by_id",
        "recorded_at",
    ],
    "disputes.Extension.consenting_parties": ["id", "extension_id", "party_id"],
    "disputes.Agreement": [
        "id",
        "dispute_id",
        "form",
        "facts",
        "terms",
        "performance_method",
        "performance_due_on",
        "amount",
        "effective_on",
        "signed_by_all",
        "performance",
        "performance_checked_on",
        "confirmation_applied_on",
        "confirmation_court",
        "confirmation_result",
        "confirmation_decided_on",
        "notarized_on",
        "notary_office",
        "recorded_by_id",
        "recorded_at",
    ],
    "disputes.Feedback": ["id", "dispute_id", "target", "channel", "content", "given_by_id", "given_at"],
    "disputes.FollowUp": [
        "id",
        "dispute_id",
        "visited_on",
        "satisfaction",
        "performance",
        "notes",
        "visited_by_id",
        "recorded_at",
    ],
    "disputes.PatrolDuty": [
        "id",
        "region_id",
        "cadence",
        "period_start",
        "period_end",
        "due_at",
        "sensitive",
        "status",
        "created_at",
    ],
    "disputes.PatrolReport": ["id", "duty_id", "is_nil", "risk_notes", "reported_by_id", "reported_at"],
    "disputes.PatrolReport.disputes": ["id", "patrolreport_id", "dispute_id"],
    # --- alerts ----------------------------------------------------------------------------------------------
    "mediation.Alert": [
        "id",
        "kind",
        "level",
        "content_type_id",
        "object_id",
        "region_id",
        "recipient_key",
        "recipient_user_id",
        "recipient_unit_id",
        "recipient_organization_id",
        "title",
        "body",
        "url",
        "created_at",
        "ack_due_at",
        "acknowledged_at",
        "acknowledged_by_id",
    ],
    "mediation.Notification": ["id", "user_id", "alert_id", "title", "body", "url", "created_at", "read_at"],
}


def declare(label: str, columns: list[str]) -> None:
    """Add a table of an app above disputes (called from that app's loadgen module)."""
    COLUMNS[label] = columns


def model_of(label: str):
    parts = label.split(".")
    model = apps.get_model(parts[0], parts[1])
    if len(parts) == 3:
        model = model._meta.get_field(parts[2]).remote_field.through
    return model


def _default_text(field) -> str | None:
    """The COPY text of what Django writes for `field` when it is left out, or None when it must be given."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return None
    value = field.get_default()
    if value is None:
        return bulk.NULL if field.null else None
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    return bulk.encode(value)


class SchemaMismatch(RuntimeError):
    """The models changed in a way the generator does not know; tables.py must follow."""


@dataclass
class Spec:
    """What the writer of one table needs: its name, the supplied columns, their kinds, the others' defaults."""

    table: str
    supplied: list[str]
    kinds: dict[str, str]
    defaults: dict[str, str]


_INTEGERS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
_TEXT = {"CharField", "TextField", "SlugField", "EmailField", "FileField", "URLField"}
_LITERAL = {"DateTimeField", "DateField", "DecimalField", "UUIDField", "FloatField"}


def _kind(field) -> str:
    """How the writer encodes the field's values (bulk._EXPRESSIONS); "?" when the column takes NULL."""
    null = field.null
    if field.is_relation:
        field = field.target_field
    internal = field.get_internal_type()
    if internal in _INTEGERS:
        kind = "int"
    elif internal == "BooleanField":
        kind = "bool"
    elif internal in _TEXT:
        kind = "text"
    elif internal == "JSONField":
        kind = "json"
    elif internal in _LITERAL:
        kind = "literal"
    else:
        raise SchemaMismatch(f"{field.model.__name__}.{field.name}: the generator cannot write a {internal}")
    return kind + "?" if null else kind


def check(labels=None) -> dict[str, Spec]:
    """Each table's Spec, after checking the lists above against the models. Raises SchemaMismatch."""
    problems = []
    result = {}
    for label in labels or COLUMNS:
        supplied = COLUMNS[label]
        model = model_of(label)
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in supplied if c not in fields]
        if unknown:
            problems.append(f"{label}: no column {', '.join(unknown)} in {model._meta.db_table}")
            continue
        defaults = {}
        for column, field in fields.items():
            if column in supplied:
                continue
            text = _default_text(field)
            if text is None:
                problems.append(f"{label}: column {column} is required and the generator does not set it")
            defaults[column] = text
        kinds = {c: _kind(fields[c]) for c in supplied}
        result[label] = Spec(model._meta.db_table, list(supplied), kinds, defaults)
    if problems:
        raise SchemaMismatch(
            "The models changed; update disputes/loadgen/tables.py (or the app's loadgen module):\n  "
            + "\n  ".join(problems)
        )
    return result


def has_column(label: str, column: str) -> bool:
    return any(f.column == column for f in model_of(label)._meta.concrete_fields)
