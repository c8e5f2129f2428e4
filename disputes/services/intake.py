"""Intake (登记): a dispute and its parties, validated, numbered and written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from disputes.choices import PartyKind, PartyRole, RiskFlag, Source, Vulnerability
from disputes.services import numbering
from disputes.services.errors import Forbidden, WorkflowError

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


def _validate_ric(value: str) -> str:
    """GB 11643: 18 characters, a valid birth date, a known county code and the check digit.

    Not `ric.validate`: it also requires the county code to have existed in the birth year, but GB 11643's
    address code is where the person was registered when the number was issued. Chongqing's codes (50xxxx)
    date from 1997, so it would refuse every Dadukou resident born before 1997 whose number starts 500104.
    """
    number = ric.compact(value)
    if len(number) != 18:
        raise stdnum_exceptions.InvalidLength()
    if not number[:-1].isdigit():
        raise stdnum_exceptions.InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise stdnum_exceptions.InvalidChecksum()
    if ric.get_birth_date(number) > timezone.localdate():
        raise stdnum_exceptions.InvalidComponent()
    if not any("county" in props for _part, props in numdb.get("cn/loc").info(number[:6])):
        raise stdnum_exceptions.InvalidComponent()
    return number


def clean_id_number(value: str, kind: str = PartyKind.PERSON) -> str:
    """A resident ID number checked per GB 11643 (or a unified social credit code for an organization)."""
    value = (value or "").strip().upper().replace(" ", "")
    if not value:
        return ""
    try:
        return uscc.validate(value) if kind == PartyKind.ORGANIZATION else _validate_ric(value)
    except StdnumError as exc:
        if kind == PartyKind.ORGANIZATION:
            raise WorkflowError(
                "invalid_credit_code",
                _("“%(value)s” is not a valid unified social credit code.") % {"value": value},
            ) from exc
        raise WorkflowError(
            "invalid_id_number",
            _("“%(value)s” is not a valid resident ID number (GB 11643).") % {"value": value},
        ) from exc


def clean_phone(value: str) -> str:
    """A Chinese mobile or landline number, stored in E.164-free national form (e.g. 13812345678, 02368812345)."""
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise WorkflowError(
            "invalid_phone", _("“%(value)s” is not a phone number.") % {"value": value}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise WorkflowError("invalid_phone", _("“%(value)s” is not a valid phone number.") % {"value": value})
    national = str(number.national_number)
    return (
        national
        if number.country_code == 86 and national.startswith("1")
        else (
            "0" + national
            if number.country_code == 86
            else phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        )
    )


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
    data.id_number = clean_id_number(data.id_number, data.kind)
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
