"""Listing disputes: whitelisted sort orders, keyset (cursor) pagination and region names for many rows.

Pagination is by keyset rather than page numbers: a page is "the rows after the last one shown" in the sort
order, tie-broken by id. It costs one indexed query however deep the user pages and needs no COUNT over a
district's history; the price is that there is only "next" and "first", which suits a list that is narrowed
with filters rather than browsed by page number. Nullable sort keys (due date, risk grade) put nulls last.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class SortKey:
    field: str
    kind: str  # "datetime", "int" or "str": how a cursor value is read back


# The whitelist of sort keys; "-key" sorts descending. Anything else falls back to DEFAULT_SORT.
SORT_KEYS = {
    "created": SortKey("created_at", "datetime"),
    "occurred": SortKey("occurred_at", "datetime"),
    "due": SortKey("due_at", "datetime"),
    "risk": SortKey("risk_grade", "int"),
    "number": SortKey("number", "str"),
}
DEFAULT_SORT = "-created"


def clean_sort(value: str | None) -> str:
    value = (value or "").strip()
    return value if value.lstrip("-") in SORT_KEYS else DEFAULT_SORT


def _parts(sort: str) -> tuple[SortKey, bool]:
    sort = clean_sort(sort)
    return SORT_KEYS[sort.lstrip("-")], sort.startswith("-")


def ordered(queryset: QuerySet, sort: str) -> QuerySet:
    key, descending = _parts(sort)
    column = F(key.field)
    if descending:
        return queryset.order_by(column.desc(nulls_last=True), "-pk")
    return queryset.order_by(column.asc(nulls_last=True), "pk")


def cursor_for(row, sort: str) -> str:
    """The cursor that continues after `row` in `sort` order (opaque to the user, URL-safe)."""
    key, _descending = _parts(sort)
    value = getattr(row, key.field)
    if value is not None and key.kind == "datetime":
        value = value.isoformat()
    raw = json.dumps([value, row.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, key: SortKey):
    """(value, pk) from a cursor, or None when it is not one of ours (then the first page is shown)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        return None
    if not isinstance(pk, int):
        return None
    if value is None:
        return None, pk
    if key.kind == "datetime":
        value = parse_datetime(value) if isinstance(value, str) else None
    elif key.kind == "int":
        value = value if isinstance(value, int) else None
    elif not isinstance(value, str):
        value = None
    return (value, pk) if value is not None else None


def after_cursor(queryset: QuerySet, sort: str, cursor: str | None) -> QuerySet:
    """Rows that come after the cursor's row in `sort` order (nulls last, ties broken by pk)."""
    if not cursor:
        return queryset
    key, descending = _parts(sort)
    decoded = _decode(cursor, key)
    if decoded is None:
        return queryset
    value, pk = decoded
    field = key.field
    beyond, pk_beyond = ("lt", "lt") if descending else ("gt", "gt")
    if value is None:
        return queryset.filter(Q(**{f"{field}__isnull": True, f"pk__{pk_beyond}": pk}))
    return queryset.filter(
        Q(**{f"{field}__{beyond}": value})
        | Q(**{field: value, f"pk__{pk_beyond}": pk})
        | Q(**{f"{field}__isnull": True})
    )


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    is_first: bool


def page(queryset: QuerySet, sort: str, cursor: str | None, size: int) -> Page:
    """One page of `queryset` in `sort` order after `cursor`: one query, one extra row to know if more follow."""
    rows = list(after_cursor(ordered(queryset, sort), sort, cursor)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, cursor_for(rows[-1], sort) if more else None, not cursor)


def with_region_names(disputes: list) -> list:
    """Set `region_full_name` on each dispute of a list (one query for the whole list)."""
    from mediation.models import Region

    names = Region.objects.full_names(d.region_path for d in disputes)
    for dispute in disputes:
        dispute.region_full_name = names.get(dispute.region_path, "")
    return disputes
