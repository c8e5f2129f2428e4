"""Sections that the apps above mediation add to its registry pages.

mediation is the base app and imports none of the others, yet an organization's page shows the disputes
assigned to it and a mediator's page the sessions they held. So a page asks this registry for its sections:
the disputes app registers its providers (in its AppConfig.ready), and mediation never names a dispute model.

A provider is `func(context) -> Section | None`, registered for one page. `context` is what the page has
computed so far (always "object", "user" and "day", plus the keys its view documents); a provider reads it and
never changes it. A page renders the sections of each slot where its template has room for them. This is
NetBox's template-extension pattern (a plugin adds panels to core object pages) reduced to what we need.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

# page name -> the slots its template renders
PAGES = {
    "organization_detail": ("details", "figures"),
    "mediator_detail": ("activity",),
}


@dataclass(frozen=True)
class Section:
    """A part of a page: the template that renders it, in which slot, with what (as `section.context`)."""

    slot: str
    template: str
    context: dict = field(default_factory=dict)


Provider = Callable[..., "Section | None"]
providers: dict[str, list[Provider]] = defaultdict(list)


def provides(page: str):
    """Register the decorated function as a provider of sections for `page`."""
    if page not in PAGES:
        raise ValueError(f"unknown registry page {page!r}")

    def decorator(func: Provider) -> Provider:
        if func not in providers[page]:
            providers[page].append(func)
        return func

    return decorator


def sections_for(page: str, context: dict) -> dict[str, list[Section]]:
    """The sections every registered provider gives for the page's context, by slot."""
    by_slot: dict[str, list[Section]] = {slot: [] for slot in PAGES[page]}
    for provider in providers[page]:
        section = provider(context)
        if section is None:
            continue
        if section.slot not in by_slot:
            raise ValueError(f"page {page!r} has no slot {section.slot!r}")
        by_slot[section.slot].append(section)
    return by_slot
