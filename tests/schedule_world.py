"""Helpers for the tests of scheduled work on disputes (sweeps, warnings, reminders), with the fixtures of
tests/dispute_fixtures.py. Time travel: the services take `now`/`today`, and `at(assignment, percent)` is the
moment that share of an assignment's time limit has passed. Each dispute gets its own applicant, so the
repeated-petition risk rule never raises the grade of the next one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from disputes.choices import AgreementForm, Complexity, DayType, Outcome, RiskFlag, SessionMode
from disputes.models import Assignment
from disputes.services import workflow
from tests.dispute_fixtures import act, applicant, register_dispute, reload, respondent

_applicants = itertools.count(100)


def new_dispute(alice, region, **fields):
    return register_dispute(alice, region, parties=[applicant(seq=next(_applicants)), respondent()], **fields)


def blue_assignment(alice, region, to, *, limit_days: int = 10) -> Assignment:
    """A blue dispute of `region` assigned by alice to `to` for `limit_days` calendar days."""
    d = new_dispute(alice, region)
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    d = act(workflow.assign, d, alice, to=to, limit_days=limit_days, day_type=DayType.CALENDAR)
    return d.lead_assignment


def red_assignment(alice, heidi, region, to, *, limit_days: int = 10) -> Assignment:
    """A red dispute (possible extreme act): the district platform controls it and heidi assigns it."""
    d = new_dispute(alice, region, risk_flags=[RiskFlag.EXTREME_ACT])
    d = act(workflow.assess, d, alice, complexity=Complexity.COMPLEX)
    d = act(workflow.assign, d, heidi, to=to, limit_days=limit_days, day_type=DayType.CALENDAR)
    return d.lead_assignment


def at(assignment: Assignment, percent: float) -> dt.datetime:
    """The moment `percent` of the assignment's time limit has passed."""
    return assignment.assigned_at + (assignment.due_at - assignment.assigned_at) * (percent / 100)


def resolved_with_agreement(alice, erin, committee_a, **agreement):
    """A dispute of community A mediated by erin's committee to a written agreement signed by all (effective today
    by default): only such an agreement can go to the court for judicial confirmation."""
    d = new_dispute(alice, committee_a.region)
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    d = act(workflow.assign, d, alice, to=committee_a)
    d = act(workflow.accept, d, erin, assignment_id=d.lead_assignment.pk)
    d = act(workflow.notify_rights, d, erin)
    d = act(
        workflow.record_session,
        d,
        erin,
        held_at=timezone.now() - dt.timedelta(hours=1),
        mode=SessionMode.ON_SITE,
        participants="张三；重庆某某建筑劳务有限公司 李经理",
        minutes="双方达成一致。",
    )
    terms = {
        "form": AgreementForm.WRITTEN,
        "facts": "被申请人拖欠申请人工资12000元，双方对金额无异议。",
        "terms": "被申请人十日内支付工资12000元。",
        "performance_method": "银行转账一次性支付。",
        "amount": Decimal("12000"),
        "signed_by_all": True,
    }
    d = act(workflow.record_outcome, d, erin, outcome=Outcome.SUCCESS, agreement=terms | agreement)
    return reload(d)
