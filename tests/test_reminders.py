"""Reminders about agreements, with time travel through `today`: the judicial-confirmation window (Art. 33: 30 days
from the day the agreement took effect) 7 and 2 days before it closes, and the performance date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from disputes.choices import Performance
from disputes.models import Agreement
from disputes.services import reminders, workflow
from mediation.models import Alert, AlertKind, Notification
from tests.dispute_fixtures import act
from tests.schedule_world import resolved_with_agreement

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def world(defaults, platforms, committee_a, alice, erin):
    return platforms


def reminded(agreement, kind) -> list[tuple[int, str]]:
    return sorted(
        Alert.objects.filter(
            content_type=ContentType.objects.get_for_model(Agreement), object_id=agreement.pk, kind=kind
        ).values_list("level", "recipient_key")
    )


def day(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_the_confirmation_window_is_reminded_7_and_2_days_before_it_closes(world, alice, erin, committee_a):
    d = resolved_with_agreement(alice, erin, committee_a)
    agreement = d.agreement
    assert workflow.confirmation_window_closes(agreement) == day(30)
    committee = f"org:{committee_a.pk}"

    assert reminders.send(day(22)) == 0
    assert reminders.send(day(23)) == 1  # 7 days before: level 1, to the handling committee
    assert reminded(agreement, AlertKind.CONFIRMATION_WINDOW) == [(1, committee)]
    assert Notification.objects.filter(user=erin, alert__kind=AlertKind.CONFIRMATION_WINDOW).count() == 1
    assert reminders.send(day(23)) == 0
    assert reminders.send(day(25)) == 0
    assert reminders.send(day(28)) == 1  # 2 days before: level 2
    assert reminders.send(day(29)) == 0
    assert reminders.send(day(31)) == 0  # closed
    assert reminded(agreement, AlertKind.CONFIRMATION_WINDOW) == [(1, committee), (2, committee)]


def test_a_missed_day_is_caught_up_and_a_late_first_run_sends_only_the_nearer_reminder(
    world, alice, erin, committee_a
):
    early = resolved_with_agreement(alice, erin, committee_a).agreement
    assert reminders.send(day(25)) == 1  # the 7-day reminder, caught up on day 5 before closing
    late = resolved_with_agreement(alice, erin, committee_a).agreement
    assert reminders.send(day(29)) == 2  # both now 1 day before closing: the 2-day reminder each
    assert [lv for lv, _ in reminded(late, AlertKind.CONFIRMATION_WINDOW)] == [2]
    assert [lv for lv, _ in reminded(early, AlertKind.CONFIRMATION_WINDOW)] == [1, 2]


def test_no_reminder_once_confirmation_has_been_applied_for(world, alice, erin, committee_a):
    d = resolved_with_agreement(alice, erin, committee_a)
    act(
        workflow.apply_confirmation,
        d,
        erin,
        applied_on=timezone.localdate(),
        court="大渡口区人民法院",
        party_ids=[p.pk for p in d.parties.all()],
    )
    assert reminders.confirmation_reminders(day(23)) == 0 and reminders.confirmation_reminders(day(28)) == 0
    assert not Alert.objects.filter(kind=AlertKind.CONFIRMATION_WINDOW).exists()
    # What is reminded now is the court's: three days to accept the application (tests/test_judicial_confirmation).
    assert reminders.send(day(23)) == 1 and reminders.send(day(28)) == 0
    assert Alert.objects.filter(kind=AlertKind.COURT_LIMIT).count() == 1


def test_performance_is_reminded_the_day_before_and_checked_after(world, alice, erin, committee_a):
    d = resolved_with_agreement(alice, erin, committee_a, performance_due_on=day(40))
    agreement = d.agreement

    assert reminders.performance_reminders(day(38)) == 0
    assert reminders.performance_reminders(day(39)) == 1  # the day before
    assert reminders.performance_reminders(day(39)) == 0
    assert reminders.performance_reminders(day(40)) == 0
    assert reminders.performance_reminders(day(41)) == 1  # past due, not recorded: check the performance
    assert reminders.performance_reminders(day(45)) == 0
    assert [lv for lv, _ in reminded(agreement, AlertKind.PERFORMANCE_DUE)] == [1, 2]


def test_a_recorded_performance_needs_no_check(world, alice, erin, committee_a):
    d = resolved_with_agreement(alice, erin, committee_a, performance_due_on=day(1))
    act(workflow.record_performance, d, erin, performance=Performance.PERFORMED)
    assert reminders.performance_reminders(day(0)) == 0
    assert reminders.performance_reminders(day(2)) == 0
    assert not Alert.objects.filter(kind=AlertKind.PERFORMANCE_DUE).exists()
