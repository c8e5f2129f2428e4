"""Small helpers shared by the registry pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model

from mediation import keyset
from mediation.choices import RegionLevel

PAGE_SIZE = 50
# A list shows how many rows it has up to this many; beyond, "more than" (a count over the whole registry
# would cost more than the page itself).
COUNT_CAP = 1000


def visible_ids(model: type[Model], user, ids) -> set[int]:
    """Which of `ids` the user can see (one query), so a page links only to what it may open."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return set()
    return set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def labels(choices, values) -> list[str]:
    """The display labels of stored choice values (unknown values shown as stored)."""
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values or []]


def region_label(region) -> str:
    """The name, preceded by the street for a community ("street / community"; select region__parent)."""
    parent = region.parent if region.parent_id else None
    if region.level > RegionLevel.STREET and parent is not None and parent.level > RegionLevel.DISTRICT:
        return f"{parent.name} / {region.name}"
    return region.name


def paginate(request, queryset, order: keyset.Keyset, size: int | None = None) -> dict:
    """One keyset page of a registry list and what its template needs: rows, pager links, a bounded count."""
    page = order.page(queryset, request.GET.get("cursor"), size or PAGE_SIZE)
    query, next_query = keyset.query_strings(request, page)
    total = queryset.order_by()[: COUNT_CAP + 1].count()
    return {
        "page": page,
        "query": query,
        "next_query": next_query,
        "total": min(total, COUNT_CAP),
        "total_capped": total > COUNT_CAP,
    }


def query_without_page(request, name: str = "page") -> str:
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()


@dataclass(frozen=True)
class Staffing:
    """Full-time mediators against the minimum of the organization's kind, shown as "专职调解员 1/3"."""

    full_time: int
    minimum: int | None

    @property
    def short(self) -> bool:
        return self.minimum is not None and self.full_time < self.minimum
