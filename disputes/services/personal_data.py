"""A dispute's personal information (PIPL): masked by default, shown in full only to permitted users with a
reason, logged.

Masking itself is the kernel's (dadukou.kernel.personal_data). An unmasked view or print is written to the
dispute's timeline as an Event (append-only, kept as long as the case file), which serves as the access log.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from dadukou.kernel.personal_data import mask_id_number, mask_phone, may_unmask
from disputes.choices import PartyKind, Vulnerability

VIEW_ACTION = "view_personal_data"


def unmask(dispute, user, *, reason: str, where: str) -> None:
    """Record that `user` sees the dispute's personal data in full (`where`: "detail" or "casefile").

    Raises WorkflowError (nothing logged) without the permission or without a reason.
    """
    from disputes.models import Event

    if not may_unmask(user, dispute):
        raise Forbidden("forbidden", _("You may not see unmasked personal data."))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("reason_required", _("Give the reason for showing the personal data in full."))
    Event.objects.create(
        dispute=dispute,
        action=VIEW_ACTION,
        actor=user,
        note=reason[:500],
        after={"where": where},
    )


class PartyView:
    """A party as a page shows it: ID number and phone masked unless `unmasked`."""

    def __init__(self, party, unmasked: bool):
        self.party = party
        self.unmasked = unmasked

    def __getattr__(self, name):
        return getattr(self.party, name)

    @property
    def id_number(self) -> str:
        value = self.party.id_number
        # An organization's unified social credit code is public, not personal information.
        if self.unmasked or self.party.kind == PartyKind.ORGANIZATION:
            return value
        return mask_id_number(value)

    @property
    def vulnerability_labels(self) -> list[str]:
        labels = dict(Vulnerability.choices)
        return [labels.get(v, v) for v in self.party.vulnerabilities]

    @property
    def phone(self) -> str:
        value = self.party.phone
        return value if self.unmasked else mask_phone(value)


def shown_parties(parties, unmasked: bool) -> list[PartyView]:
    return [PartyView(p, unmasked) for p in parties]
