"""Small helpers shared by the registry pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Model

from mediation.choices import RegionLevel

PAGE_SIZE = 50


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


def paginate(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


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
