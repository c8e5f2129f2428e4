"""Listing disputes: whitelisted sort orders, keyset (cursor) pagination and region names for many rows.

Pagination is the platform's keyset pagination (mediation.keyset): "the rows after the last one shown" in the
sort order, tie-broken by id, one indexed query however deep the user pages and no COUNT over a district's
history. Nullable sort keys (due date, risk grade) put nulls last.
"""

from __future__ import annotations

from django.db.models import QuerySet

from mediation.keyset import Column, Keyset, Page

# The whitelist of sort keys; "-key" sorts descending. Anything else falls back to DEFAULT_SORT.
# Each (key, direction) has an index on (column, id) or, for a nullable column, on COALESCE(column, sentinel)
# and id (migration disputes 0005).
SORT_KEYS = {
    "created": Column("created_at", "datetime"),
    "occurred": Column("occurred_at", "datetime"),
    "due": Column("due_at", "datetime", nullable=True),
    "risk": Column("risk_grade", "int", nullable=True),
    "number": Column("number", "str"),
}
UNIQUE_KEYS = {"number"}
DEFAULT_SORT = "-created"


def clean_sort(value: str | None) -> str:
    value = (value or "").strip()
    return value if value.lstrip("-") in SORT_KEYS else DEFAULT_SORT


def keyset(sort: str) -> Keyset:
    sort = clean_sort(sort)
    name = sort.lstrip("-")
    column = SORT_KEYS[name]
    return Keyset(
        Column(column.field, column.kind, sort.startswith("-"), column.nullable), unique=name in UNIQUE_KEYS
    )


def ordered(queryset: QuerySet, sort: str) -> QuerySet:
    return keyset(sort).ordered(queryset)


def cursor_for(row, sort: str) -> str:
    """The cursor that continues after `row` in `sort` order (opaque to the user, URL-safe)."""
    return keyset(sort).cursor_for(row)


def after_cursor(queryset: QuerySet, sort: str, cursor: str | None) -> QuerySet:
    """Rows that come after the cursor's row in `sort` order (nulls last, ties broken by pk)."""
    return keyset(sort).after(queryset, cursor)


def page(queryset: QuerySet, sort: str, cursor: str | None, size: int) -> Page:
    """One page of `queryset` in `sort` order after `cursor`: one query, one extra row to know if more follow."""
    return keyset(sort).page(queryset, cursor, size)


def with_region_names(disputes: list) -> list:
    """Set `region_full_name` on each dispute of a list (one query for the whole list)."""
    from mediation.models import Region

    names = Region.objects.full_names(d.region_path for d in disputes)
    for dispute in disputes:
        dispute.region_full_name = names.get(dispute.region_path, "")
    return disputes
