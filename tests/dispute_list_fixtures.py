"""Helpers of the list, queue, export and admin tests (on top of tests/dispute_fixtures.py).

Use with `pytest_plugins = ["tests.dispute_fixtures", "tests.dispute_list_fixtures"]` and
`pytestmark = pytest.mark.usefixtures("detail_url")`.
"""

from __future__ import annotations

import itertools

import pytest
from django.urls import NoReverseMatch, reverse

from disputes.choices import Complexity
from disputes.services import workflow
from tests.dispute_fixtures import applicant, make_id_number, register_dispute, reload, respondent

_seq = itertools.count(100)


@pytest.fixture
def detail_url(settings):
    """Link targets of the tables: the real dispute page, or a stand-in while it is not built yet."""
    try:
        reverse("disputes:detail", args=[1])
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.dispute_list_urls"


def new_dispute(user, region, *, applicant_name: str = "张三", **fields):
    """A dispute through the intake service, with an applicant of its own (so no one is a repeat party)."""
    # Born after 1997, when 500104 (大渡口区 of Chongqing municipality) became a valid birth place.
    id_number = make_id_number(birth="19990101", seq=next(_seq) % 1000)
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
