"""Judicial confirmation (人民调解法 Art. 33; 民事诉讼法 Art. 85 on periods): only an effective written agreement,
on the joint application of the parties, within a window whose last day moves past holidays; the court's limits
(3 days to accept, 15 to decide, 10 more when extended) tracked, reminded and shown as late; the result and what
the parties may do next recorded.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.choices import AgreementForm, ConfirmationResult
from disputes.models import Agreement
from disputes.services import periods, reminders, workflow
from disputes.services.workflow.outcome import REJECTED_NEXT_STEPS
from mediation.models import Alert, AlertKind
from tests.dispute_fixtures import act, reload
from tests.test_workflow import WRITTEN_AGREEMENT, in_mediation, mediated, refused

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

COURT = "大渡口区人民法院"


@pytest.fixture
def world(defaults, platforms, committee_a, alice, erin):
    return platforms


@pytest.fixture
def resolved(world, alice, erin, committee_a):
    """A dispute resolved with a written agreement signed by all, in effect today."""
    return mediated(in_mediation(world, alice, erin, committee_a), erin)


def everyone(d) -> list[int]:
    return [p.pk for p in d.parties.all()]


def apply(d, erin, **kwargs):
    kwargs.setdefault("applied_on", timezone.localdate())
    kwargs.setdefault("party_ids", everyone(d))
    return act(workflow.apply_confirmation, d, erin, court=COURT, **kwargs)


def test_only_an_effective_written_agreement_goes_to_court_on_the_joint_application(
    world, alice, erin, committee_a, resolved
):
    v = reload(resolved).version
    applicant = resolved.parties.get(role="applicant")
    refused(
        "joint_application_required",
        lambda: workflow.apply_confirmation(
            resolved.pk,
            erin,
            version=v,
            applied_on=timezone.localdate(),
            court=COURT,
            party_ids=[applicant.pk],
        ),
        resolved,
    )
    d = apply(resolved, erin)
    agreement = d.agreement
    assert set(agreement.confirmation_parties.values_list("pk", flat=True)) == set(everyone(d))
    assert agreement.confirmation_result == ConfirmationResult.PENDING

    oral = mediated(
        in_mediation(world, alice, erin, committee_a, title="口头协议"),
        erin,
        agreement={"form": AgreementForm.ORAL, "terms": "双方当场结清", "signed_by_all": False},
    )
    refused(
        "oral_agreement",
        lambda: workflow.apply_confirmation(
            oral.pk,
            erin,
            version=reload(oral).version,
            applied_on=timezone.localdate(),
            court=COURT,
            party_ids=everyone(oral),
        ),
        oral,
    )
    unsigned = mediated(
        in_mediation(world, alice, erin, committee_a, title="未签字"),
        erin,
        agreement=WRITTEN_AGREEMENT | {"signed_by_all": False},
    )
    refused(
        "agreement_not_in_effect",
        lambda: workflow.apply_confirmation(
            unsigned.pk,
            erin,
            version=reload(unsigned).version,
            applied_on=timezone.localdate(),
            court=COURT,
            party_ids=everyone(unsigned),
        ),
        unsigned,
    )


def test_the_windows_last_day_moves_past_a_holiday_to_the_next_working_day(resolved, erin):
    # Effective 1 September 2026: day 30 is 1 October, National Day.
    effective = dt.date(2026, 9, 1)
    Agreement.objects.filter(pk=resolved.agreement.pk).update(effective_on=effective)
    agreement = reload(resolved).agreement
    closes = workflow.confirmation_window_closes(agreement)
    assert not chinese_calendar.is_workday(effective + dt.timedelta(days=30))
    assert closes > effective + dt.timedelta(days=30) and chinese_calendar.is_workday(closes)
    between = [effective + dt.timedelta(days=n) for n in range(30, (closes - effective).days)]
    assert between and not any(chinese_calendar.is_workday(day) for day in between)
    refused(
        "window_closed",
        lambda: workflow.apply_confirmation(
            resolved.pk,
            erin,
            version=reload(resolved).version,
            applied_on=closes + dt.timedelta(days=1),
            court=COURT,
            party_ids=everyone(resolved),
        ),
        resolved,
    )
    d = apply(resolved, erin, applied_on=closes)  # the moved last day is still within the window
    assert d.agreement.confirmation_applied_on == closes
    # A period ending on a working day does not move.
    monday = dt.date(2026, 11, 30)
    assert periods.period_end(monday - dt.timedelta(days=3), 3) == monday


def test_the_courts_limits_are_tracked_reminded_once_and_shown_late(client, resolved, erin):
    applied = dt.date(2026, 11, 2)  # a Monday
    d = apply(resolved, erin)
    Agreement.objects.filter(pk=d.agreement.pk).update(confirmation_applied_on=applied)
    agreement = reload(d).agreement
    limits = periods.court_limits(agreement, applied + dt.timedelta(days=3))
    assert limits.acceptance_due == dt.date(2026, 11, 5) and not limits.acceptance_late
    assert periods.court_limits(agreement, dt.date(2026, 11, 6)).acceptance_late
    # The job tells the handler once that the court is past its three days.
    assert reminders.court_limit_reminders(dt.date(2026, 11, 6)) == 1
    assert reminders.court_limit_reminders(dt.date(2026, 11, 7)) == 0
    assert Alert.objects.filter(kind=AlertKind.COURT_LIMIT, level=1).count() == 1

    d = act(workflow.record_court_progress, d, erin, accepted_on=dt.date(2026, 11, 6))
    agreement = reload(d).agreement
    limits = periods.court_limits(agreement, dt.date(2026, 11, 20))
    assert limits.acceptance_late and limits.decision_due == dt.date(2026, 11, 23)  # the 21st is a Saturday
    d = act(workflow.record_court_progress, d, erin, extended=True)
    limits = periods.court_limits(reload(d).agreement, dt.date(2026, 12, 1))
    assert limits.decision_due == dt.date(2026, 12, 1) and not limits.decision_late
    refused(
        "already_extended",
        lambda: workflow.record_court_progress(d.pk, erin, version=reload(d).version, extended=True),
        d,
    )
    assert reminders.court_limit_reminders(dt.date(2026, 12, 2)) == 1  # level 2: the decision is overdue
    client.force_login(erin)
    page = client.get(reverse("disputes:detail", args=[d.pk])).content.decode()
    assert 'id="court-limits"' in page and "2026-12-01" in page


def test_a_refusal_to_confirm_records_what_the_parties_may_do_next(resolved, erin):
    d = apply(resolved, erin)
    refused(
        "invalid_date",
        lambda: workflow.record_confirmation(
            d.pk,
            erin,
            version=reload(d).version,
            result=ConfirmationResult.REJECTED,
            decided_on=timezone.localdate() + dt.timedelta(days=1),
        ),
        d,
    )
    d = act(
        workflow.record_confirmation,
        d,
        erin,
        result=ConfirmationResult.REJECTED,
        decided_on=timezone.localdate(),
    )
    agreement = reload(d).agreement
    assert agreement.confirmation_result == ConfirmationResult.REJECTED
    assert agreement.confirmation_next_steps == str(REJECTED_NEXT_STEPS)
    refused(
        "already_decided",
        lambda: workflow.record_court_progress(
            d.pk, erin, version=reload(d).version, accepted_on=timezone.localdate()
        ),
        d,
    )
