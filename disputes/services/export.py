"""The xlsx export of a dispute list (纠纷台账导出).

Written with openpyxl's write-only workbook, so memory stays flat however many rows there are; the caller
caps the number of rows (MAX_ROWS). ID numbers and phones are written only for users who may see personal
data in full; everyone else gets party names and roles.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook

from disputes.choices import OPEN_ASSIGNMENT_STATUSES, OPEN_STATUSES, AssignmentRole
from mediation.models import Region

MAX_ROWS = 50_000
CHUNK = 1000


def _field(name: str) -> str:
    from disputes.models import Dispute

    return capfirst(str(Dispute._meta.get_field(name).verbose_name))


def headers(personal_data: bool) -> list[str]:
    names = [
        _field("number"),
        _field("title"),
        _field("category"),
        _field("source"),
        _("Region"),
        _field("address"),
        _field("occurred_at"),
        _field("created_at"),
        _field("status"),
        _field("risk_grade"),
        _field("complexity"),
        _field("people_involved"),
        _field("amount"),
        _field("platform"),
        _field("responsible_units"),
        _("Lead handler"),
        _field("due_at"),
        _("Overdue"),
        _field("outcome"),
        _("Parties"),
    ]
    if personal_data:
        names += [_("Parties' ID numbers"), _("Parties' phones")]
    return names


def _local(value):
    # Excel has no time zones: write the local (Asia/Shanghai) wall time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _rows(disputes, personal_data: bool, now):
    for d in disputes:
        parties = list(d.parties.all())
        lead = next((a for a in d.open_assignments if a.role == AssignmentRole.LEAD), None)
        row = [
            d.number,
            d.title,
            d.category.name,
            d.get_source_display(),
            d.region_full_name,
            d.address,
            _local(d.occurred_at),
            _local(d.created_at),
            d.get_status_display(),
            d.get_risk_grade_display() if d.risk_grade else "",
            d.get_complexity_display(),
            d.people_involved,
            d.amount,
            d.platform.name if d.platform_id else "",
            "、".join(u.name for u in d.responsible_units.all()),
            str(lead.target) if lead else "",
            _local(d.due_at),
            _("Yes") if d.status in OPEN_STATUSES and d.due_at and d.due_at < now else "",
            d.get_outcome_display(),
            "；".join(f"{p.name}（{p.get_role_display()}）" for p in parties),
        ]
        if personal_data:
            row += [
                "；".join(f"{p.name}：{p.id_number}" for p in parties if p.id_number),
                "；".join(f"{p.name}：{p.phone}" for p in parties if p.phone),
            ]
        yield row


def write_disputes(queryset, out, *, personal_data: bool) -> int:
    """Write `queryset` (already filtered, visible and ordered) as an xlsx workbook to `out`; return the rows."""
    from disputes.models import Assignment

    now = timezone.now()
    names = Region.objects.full_names(queryset.order_by().values_list("region_path", flat=True).distinct())
    disputes = queryset.select_related("category", "platform").prefetch_related(
        "parties",
        "responsible_units",
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(status__in=OPEN_ASSIGNMENT_STATUSES).select_related(
                "to_unit", "to_organization"
            ),
            to_attr="open_assignments",
        ),
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Disputes"))
    sheet.freeze_panes = "A2"
    sheet.append(headers(personal_data))
    count = 0

    def with_names(rows):
        nonlocal count
        for d in rows:
            d.region_full_name = names.get(d.region_path, "")
            count += 1
            yield d

    for row in _rows(with_names(disputes.iterator(chunk_size=CHUNK)), personal_data, now):
        sheet.append(row)
    workbook.save(out)
    return count
