"""Helpers of the list, queue, export and admin tests (on top of tests/dispute_fixtures.py).

Use with `pytest_plugins = ["tests.dispute_fixtures", "tests.dispute_list_fixtures"]`.
"""

from __future__ import annotations

import itertools

from disputes.choices import Complexity
from disputes.services import workflow
from tests.dispute_fixtures import applicant, make_id_number, register_dispute, reload, respondent

_seq = itertools.count(100)


def new_dispute(user, region, *, applicant_name: str = "张三", **fields):
    """A dispute through the intake service, with an applicant of its own (so no one is a repeat party)."""
    id_number = make_id_number(seq=next(_seq) % 1000)
    parties = [applicant(applicant_name, id_number=id_number), respondent()]
    return register_dispute(user, region, parties=parties, **fields)


def assess(dispute, user, **kwargs):
    fresh = reload(dispute)
    kwargs.setdefault("complexity", Complexity.GENERAL)
    workflow.assess(fresh.pk, user, version=fresh.version, **kwargs)
    return reload(dispute)


def assign(dispute, user, to, **kwargs):
    fresh = reload(dispute)
    workflow.assign(fresh.pk, user, version=fresh.version, to=to, **kwargs)
    return reload(dispute)


def accept(dispute, user):
    fresh = reload(dispute)
    workflow.accept(fresh.pk, user, version=fresh.version, assignment_id=fresh.lead_assignment.pk)
    return reload(dispute)
