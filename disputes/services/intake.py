"""Intake (登记): a dispute and its parties, validated, numbered and written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from dadukou.kernel.validators import clean_credit_code, clean_id_number, clean_phone
from disputes.choices import PartyKind, PartyRole, RiskFlag, Source, Vulnerability
from disputes.services import numbering

REGISTER_PERMISSION = "disputes.register_dispute"


@dataclass
class PartyData:
    name: str
    role: str
    kind: str = PartyKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
    consents_to_mediation: bool | None = None
    vulnerabilities: list[str] = field(default_factory=list)


def clean_party_id(value: str, kind: str = PartyKind.PERSON) -> str:
    """A party's identity number: a resident ID for a person, a unified social credit code for an organization."""
    return clean_credit_code(value) if kind == PartyKind.ORGANIZATION else clean_id_number(value)


def clean_party(data: PartyData) -> PartyData:
    if not (data.name or "").strip():
        raise WorkflowError("party_name_required", _("Every party needs a name."))
    if data.role not in PartyRole.values:
        raise WorkflowError("invalid_party_role", _("Unknown party role."))
    if data.kind not in PartyKind.values:
        raise WorkflowError("invalid_party_kind", _("A party is a person or an organization."))
    unknown = set(data.vulnerabilities) - set(Vulnerability.values)
    if unknown:
        raise WorkflowError("invalid_vulnerability", _("Unknown vulnerability."))
    data.name = data.name.strip()
    data.id_number = clean_party_id(data.id_number, data.kind)
    data.phone = clean_phone(data.phone)
    return data


@dataclass
class DisputeData:
    category: object
    source: str
    region: object
    address: str
    occurred_at: object
    title: str
    description: str
    people_involved: int = 1
    amount: object = Decimal("0")
    risk_flags: list[str] = field(default_factory=list)
    external_id: str = ""


def _validate(user, data: DisputeData, parties: list[PartyData]) -> None:
    from mediation.models import Region

    if data.source not in Source.values:
        raise WorkflowError("invalid_source", _("Unknown source channel."))
    if not Region.objects.visible_to(user, REGISTER_PERMISSION).filter(pk=data.region.pk).exists():
        raise Forbidden("region_out_of_scope", _("You may only register disputes in your own region."))
    if data.region.level < 3:
        raise WorkflowError(
            "region_too_coarse", _("Give the street or town, community and grid of the dispute.")
        )
    for name, value in (("title", data.title), ("description", data.description), ("address", data.address)):
        if not (value or "").strip():
            raise WorkflowError(
                f"{name}_required", _("Fill in the summary, the description and the address.")
            )
    if data.occurred_at > timezone.now():
        raise WorkflowError("future_occurrence", _("The dispute cannot have happened in the future."))
    try:
        amount = Decimal(str(data.amount or 0))
    except InvalidOperation as exc:
        raise WorkflowError("invalid_amount", _("The amount must be a number.")) from exc
    if amount < 0:
        raise WorkflowError("invalid_amount", _("The amount cannot be negative."))
    data.amount = amount
    if int(data.people_involved) < 1:
        raise WorkflowError("invalid_people", _("At least one person is involved."))
    unknown = set(data.risk_flags) - set(RiskFlag.values)
    if unknown:
        raise WorkflowError("invalid_flag", _("Unknown risk flag."))
    if not data.category.is_active:
        raise WorkflowError("inactive_category", _("This category is no longer used."))
    if not parties:
        raise WorkflowError("parties_required", _("Register at least one party."))
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        raise WorkflowError("applicant_required", _("Register at least one applicant."))


def register(user, data: DisputeData, parties: list[PartyData]):
    """Register a dispute with its parties. With an external id, a second intake returns the first dispute."""
    from disputes.models import Dispute, Event, Party

    if not user.has_perm(REGISTER_PERMISSION):
        raise Forbidden("forbidden", _("You may not register disputes."))
    if data.external_id:
        existing = Dispute.objects.filter(source=data.source, external_id=data.external_id).first()
        if existing:
            # A repeated submission gets the first dispute back — only if the sender may see it.
            if not Dispute.objects.visible_to(user).filter(pk=existing.pk).exists():
                raise Forbidden(
                    "external_id_taken", _("This external id belongs to a dispute outside your area.")
                )
            return existing
    parties = [clean_party(p) for p in parties]
    _validate(user, data, parties)
    try:
        with transaction.atomic():
            now = timezone.localtime()
            dispute = Dispute.objects.create(
                number=numbering.next_number(now.year),
                category=data.category,
                source=data.source,
                external_id=data.external_id or "",
                region=data.region,
                address=data.address.strip(),
                occurred_at=data.occurred_at,
                title=data.title.strip(),
                description=data.description.strip(),
                people_involved=int(data.people_involved),
                amount=data.amount,
                risk_flags=list(data.risk_flags),
                created_by=user,
            )
            Party.objects.bulk_create(
                Party(
                    dispute=dispute,
                    kind=p.kind,
                    role=p.role,
                    name=p.name,
                    id_number=p.id_number,
                    phone=p.phone,
                    address=p.address,
                    consents_to_mediation=p.consents_to_mediation,
                    consent_recorded_at=now if p.consents_to_mediation is not None else None,
                    vulnerabilities=list(p.vulnerabilities),
                )
                for p in parties
            )
            Event.objects.create(
                dispute=dispute,
                action="register",
                actor=user,
                after={
                    "status": dispute.status,
                    "number": dispute.number,
                    "source": data.source,
                    "version": 1,
                },
            )
    except IntegrityError:
        if data.external_id:
            # A concurrent intake of the same external id won the race: return its dispute.
            return Dispute.objects.get(source=data.source, external_id=data.external_id)
        raise
    return dispute


def related_disputes(dispute):
    """Earlier disputes of the same people (same ID number): repeat disputes matter for risk."""
    from disputes.models import Dispute

    ids = list(dispute.parties.exclude(id_number="").values_list("id_number", flat=True))
    if not ids:
        return Dispute.objects.none()
    return Dispute.objects.filter(parties__id_number__in=ids).exclude(pk=dispute.pk).distinct()


def possible_duplicates(dispute, days: int = 30):
    """Disputes that look like the same one reported twice: same region subtree, category, parties or address."""
    from datetime import timedelta

    from django.db.models import Q

    from disputes.models import Dispute

    ids = list(dispute.parties.exclude(id_number="").values_list("id_number", flat=True))
    names = list(dispute.parties.values_list("name", flat=True))
    window = (dispute.occurred_at - timedelta(days=days), dispute.occurred_at + timedelta(days=days))
    return (
        Dispute.objects.filter(category=dispute.category, occurred_at__range=window)
        .filter(Q(parties__id_number__in=ids) | Q(parties__name__in=names) | Q(address=dispute.address))
        .exclude(pk=dispute.pk)
        .exclude(status__in=["voided", "merged"])
        .distinct()
    )
