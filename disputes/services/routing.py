"""Routing by 属事 (category → units) and 属地 (region → platform), from the office's routing rules."""

from __future__ import annotations

from dataclasses import dataclass

from disputes.choices import HandlingLevel, RiskFlag


@dataclass
class Route:
    rule: object | None
    level: int
    platform: object | None
    units: list
    needs_leader: bool


def crosses_units(dispute) -> bool:
    return RiskFlag.CROSS_UNIT in (dispute.risk_flags or []) or dispute.category.units.count() > 1


def rule_matches(rule, dispute) -> bool:
    if rule.category_id and rule.category_id != dispute.category_id:
        return False
    if rule.max_grade is not None and (dispute.risk_grade is None or dispute.risk_grade > rule.max_grade):
        return False
    if rule.cross_unit and not crosses_units(dispute):
        return False
    return True


def platform_for(region, level: int):
    """The active platform of the region's ancestor at `level`, or the nearest one above it."""
    from mediation.models import MediationOrganization, Region

    ancestors = {r.level: r for r in Region.objects.ancestors_of(region, include_self=True)}
    platforms = {
        p.region_id: p
        for p in MediationOrganization.objects.platforms().filter(
            region__in=[r.pk for r in ancestors.values()], dissolved_on__isnull=True
        )
    }
    for candidate_level in range(min(level, max(ancestors)), HandlingLevel.DISTRICT - 1, -1):
        region_at = ancestors.get(candidate_level)
        if region_at and region_at.pk in platforms:
            return platforms[region_at.pk]
    return None


def route(dispute) -> Route:
    from disputes.models import RoutingRule

    for rule in RoutingRule.objects.filter(is_active=True).select_related("category"):
        if rule_matches(rule, dispute):
            units = list(dispute.category.units.all()) if rule.assign_to_category_units else []
            return Route(rule, rule.level, platform_for(dispute.region, rule.level), units, rule.needs_leader)
    # No rule: the nearest platform of the dispute's own territory handles it.
    return Route(
        None,
        HandlingLevel.COMMUNITY,
        platform_for(dispute.region, HandlingLevel.COMMUNITY),
        list(dispute.category.units.all()),
        False,
    )
