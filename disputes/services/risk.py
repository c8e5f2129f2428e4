"""Risk grading (分级) from the office's rules."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass, field

from django.db.models import Q

from disputes.choices import PartyKind, RiskGrade, Status


@dataclass
class RiskFacts:
    """What the rules look at, gathered once for a dispute."""

    people_involved: int
    amount: object
    flags: set[str]
    repeat_disputes: int
    vulnerable_party: bool
    in_sensitive_period: bool
    matched: list[str] = field(default_factory=list)


def repeat_dispute_count(dispute) -> int:
    """Earlier disputes (not voided or merged) of the same people as this one.

    A person is the same when the ID numbers are equal, or — where one of the two has no ID number recorded —
    when name and phone are. Organizations are not counted: a company or an estate office appears in many
    unrelated disputes, and its count says nothing about a person who keeps coming back.
    """
    from disputes.models import Dispute, Party

    same = []
    for id_number, name, phone in dispute.parties.filter(kind=PartyKind.PERSON).values_list(
        "id_number", "name", "phone"
    ):
        by_name = Q(name=name, phone=phone) if name and phone else None
        if id_number:
            same.append(Q(id_number=id_number))
            if by_name is not None:
                same.append(by_name & Q(id_number=""))
        elif by_name is not None:
            same.append(by_name)
    if not same:
        return 0
    people = Party.objects.filter(kind=PartyKind.PERSON).filter(functools.reduce(operator.or_, same))
    return (
        Dispute.objects.filter(pk__in=people.values("dispute_id"))
        .exclude(pk=dispute.pk)
        .exclude(status__in=[Status.VOIDED, Status.MERGED])
        .count()
    )


def in_sensitive_period(region, day: dt.date) -> bool:
    from disputes.models import SensitivePeriod

    ancestors = region.ancestor_paths(include_self=True)
    return SensitivePeriod.objects.filter(
        Q(region__path__in=ancestors), starts_on__lte=day, ends_on__gte=day
    ).exists()


def facts_for(dispute, day: dt.date) -> RiskFacts:
    vulnerable = any(p.vulnerabilities for p in dispute.parties.all())
    return RiskFacts(
        people_involved=dispute.people_involved,
        amount=dispute.amount,
        flags=set(dispute.risk_flags or []),
        repeat_disputes=repeat_dispute_count(dispute),
        vulnerable_party=vulnerable,
        in_sensitive_period=in_sensitive_period(dispute.region, day),
    )


def rule_matches(rule, facts: RiskFacts) -> bool:
    conditions = []
    if rule.min_people is not None:
        conditions.append(facts.people_involved >= rule.min_people)
    if rule.min_amount is not None:
        conditions.append(facts.amount >= rule.min_amount)
    if rule.flag:
        conditions.append(rule.flag in facts.flags)
    if rule.min_repeat_disputes is not None:
        conditions.append(facts.repeat_disputes >= rule.min_repeat_disputes)
    if rule.vulnerable_party:
        conditions.append(facts.vulnerable_party)
    if rule.in_sensitive_period:
        conditions.append(facts.in_sensitive_period)
    return bool(conditions) and all(conditions)


def grade(facts: RiskFacts) -> int:
    """The highest grade (lowest number) among matching active rules; blue when none matches."""
    from disputes.models import RiskRule

    best = RiskGrade.BLUE
    for rule in RiskRule.objects.filter(is_active=True):
        if rule_matches(rule, facts):
            facts.matched.append(rule.name)
            best = min(best, rule.grade)
    return best
