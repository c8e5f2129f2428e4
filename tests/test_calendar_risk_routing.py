"""Working days on the Chinese calendar (调休 included), risk grading rules, and routing rules."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.utils import timezone

from dadukou.kernel.errors import WorkflowError
from disputes.choices import (
    Complexity,
    DayType,
    HandlingLevel,
    RiskFlag,
    RiskGrade,
    Status,
    Vulnerability,
)
from disputes.models import CalendarDay, CalendarYear, Category, RiskRule, RoutingRule, SensitivePeriod
from disputes.services import calendar, risk, routing, workflow
from mediation.choices import Role
from mediation.services.memberships import grant
from tests.dispute_fixtures import act, applicant, make_id_number, register_dispute, reload, respondent

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


# --- working days ------------------------------------------------------------------------------------------


def test_national_day_2025_as_the_package_publishes_it():
    # The facts these tests lean on, checked against chinese_calendar itself.
    holidays = [dt.date(2025, 10, d) for d in range(1, 9)]
    assert not any(chinese_calendar.is_workday(d) for d in holidays)
    for make_up in (dt.date(2025, 9, 28), dt.date(2025, 10, 11)):
        assert make_up.weekday() >= 5 and chinese_calendar.is_workday(make_up)


def test_working_days_follow_the_package_day_by_day():
    work = calendar.WorkCalendar()
    day = dt.date(2025, 9, 15)
    while day <= dt.date(2025, 10, 31):
        assert work.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    assert not work.estimated


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (dt.date(2025, 9, 30), 1, dt.date(2025, 10, 9)),  # straight over the eight-day holiday
        (dt.date(2025, 9, 26), 1, dt.date(2025, 9, 28)),  # Friday → the make-up Sunday
        (dt.date(2025, 10, 10), 1, dt.date(2025, 10, 11)),  # Friday → the make-up Saturday
        (dt.date(2025, 10, 10), 2, dt.date(2025, 10, 13)),
        (dt.date(2025, 9, 29), 7, dt.date(2025, 10, 15)),
        (dt.date(2025, 9, 24), 20, dt.date(2025, 10, 28)),
    ],
)
def test_working_day_deadlines_across_national_day(start, days, due):
    expected = chinese_calendar.get_workdays(start + dt.timedelta(days=1), due)
    assert len(expected) == days and expected[-1] == due  # the expectation agrees with the package
    deadline = calendar.deadline(at(start.year, start.month, start.day), days, DayType.WORKING)
    assert deadline.at == end_of(due)
    assert not deadline.estimated


def test_the_deadline_counts_from_the_local_date():
    # 20:00 UTC on 30 September is 04:00 on 1 October in Chongqing: the holiday has begun.
    start = dt.datetime(2025, 9, 30, 20, tzinfo=dt.UTC)
    assert calendar.deadline(start, 1, DayType.WORKING).at == end_of(dt.date(2025, 10, 9))
    assert calendar.deadline(start, 2, DayType.WORKING).at == end_of(dt.date(2025, 10, 10))


def test_calendar_day_limits_do_not_skip_holidays():
    deadline = calendar.deadline(at(2025, 9, 30), 30, DayType.CALENDAR)
    assert deadline.at == end_of(dt.date(2025, 10, 30))
    assert not deadline.estimated
    assert calendar.deadline(at(2025, 9, 30), 1, DayType.CALENDAR).at == end_of(dt.date(2025, 10, 1))
    assert not calendar.deadline(at(2031, 1, 3), 5, DayType.CALENDAR).estimated


def test_the_offices_days_override_the_package():
    CalendarDay.objects.create(date=dt.date(2025, 10, 9), is_workday=False, name="临时放假")
    CalendarDay.objects.create(date=dt.date(2025, 10, 12), is_workday=True, name="临时调休上班")
    assert calendar.deadline(at(2025, 9, 30), 1, DayType.WORKING).at == end_of(dt.date(2025, 10, 10))
    assert calendar.deadline(at(2025, 10, 10), 2, DayType.WORKING).at == end_of(dt.date(2025, 10, 12))


def test_a_year_the_package_does_not_know_falls_back_to_the_statutory_days_and_weekends_and_says_so():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2031, 1, 1))
    # Friday 3 January 2031 + 1 working day: Monday, estimated.
    deadline = calendar.deadline(at(2031, 1, 3), 1, DayType.WORKING)
    assert deadline.at == end_of(dt.date(2031, 1, 6))
    assert deadline.estimated
    # New Year's Day (a Wednesday) is a statutory holiday in any year; the year's 调休 is what is unknown.
    assert calendar.deadline(at(2030, 12, 31), 1, DayType.WORKING).at == end_of(dt.date(2031, 1, 2))


def test_the_office_enters_the_year_and_the_flag_goes():
    CalendarYear.objects.create(year=2031, note="国务院办公厅关于2031年部分节假日安排的通知")
    CalendarDay.objects.create(date=dt.date(2031, 1, 1), is_workday=False, name="元旦")
    deadline = calendar.deadline(at(2030, 12, 31), 1, DayType.WORKING)
    assert deadline.at == end_of(dt.date(2031, 1, 2))
    assert not deadline.estimated
    assert not calendar.deadline(at(2031, 1, 3), 1, DayType.WORKING).estimated


# --- risk grading ------------------------------------------------------------------------------------------


@pytest.fixture
def world(defaults, platforms, alice, grace):
    return platforms


_people = itertools.count()


def stranger():
    """Parties of somebody new (a fresh ID number), so the repeat-dispute rules stay out of the way."""
    return [applicant(seq=100 + next(_people) % 900), respondent()]


def graded(d) -> int:
    return risk.grade(risk.facts_for(d, timezone.localdate()))


@pytest.mark.parametrize(
    ("fields", "grade"),
    [
        ({}, RiskGrade.BLUE),
        ({"people_involved": 5}, RiskGrade.YELLOW),
        ({"people_involved": 10}, RiskGrade.ORANGE),
        ({"people_involved": 50}, RiskGrade.RED),
        ({"amount": Decimal("99999.99")}, RiskGrade.BLUE),
        ({"amount": Decimal("100000")}, RiskGrade.YELLOW),
        ({"amount": Decimal("1000000")}, RiskGrade.ORANGE),
        ({"risk_flags": [RiskFlag.EXTREME_ACT]}, RiskGrade.RED),
        ({"risk_flags": [RiskFlag.MASS_INCIDENT]}, RiskGrade.RED),
        ({"risk_flags": [RiskFlag.CIVIL_TO_CRIMINAL]}, RiskGrade.RED),
        ({"risk_flags": [RiskFlag.REPEATED_PETITION]}, RiskGrade.ORANGE),
        ({"risk_flags": [RiskFlag.CROSS_UNIT]}, RiskGrade.YELLOW),
        ({"risk_flags": [RiskFlag.PUBLIC_OPINION]}, RiskGrade.BLUE),  # no default rule: the office decides
        # The highest grade of the matching rules wins.
        ({"people_involved": 6, "risk_flags": [RiskFlag.REPEATED_PETITION]}, RiskGrade.ORANGE),
    ],
)
def test_grades_from_people_amount_and_flags(world, alice, community_a, fields, grade):
    d = register_dispute(alice, community_a, **({"amount": Decimal("0")} | fields))
    assert graded(d) == grade


def test_a_vulnerable_party_raises_the_grade(world, alice, community_a):
    d = register_dispute(
        alice, community_a, amount=0, parties=[applicant(vulnerabilities=[Vulnerability.MINOR]), respondent()]
    )
    assert graded(d) == RiskGrade.YELLOW


def test_repeat_disputes_of_the_same_person(world, alice, community_a):
    zhang = make_id_number(birth="19700101", seq=5)

    def dispute_of_zhang(**fields):
        return register_dispute(
            alice, community_a, amount=0, parties=[applicant(id_number=zhang), respondent()], **fields
        )

    first = dispute_of_zhang()
    assert graded(first) == RiskGrade.BLUE
    second = dispute_of_zhang()
    assert risk.repeat_dispute_count(second) == 1 and graded(second) == RiskGrade.YELLOW
    dispute_of_zhang()
    fourth = dispute_of_zhang()
    assert risk.repeat_dispute_count(fourth) == 3 and graded(fourth) == RiskGrade.ORANGE
    # A voided entry is not a dispute of his.
    workflow.void(first.pk, alice, version=reload(first).version, reason="误录")
    assert risk.repeat_dispute_count(fourth) == 2 and graded(fourth) == RiskGrade.YELLOW


def test_a_sensitive_period_of_an_ancestor_region(world, alice, grid_a, district, other_street):
    d = register_dispute(alice, grid_a, amount=0)
    today = timezone.localdate()
    period = SensitivePeriod.objects.create(
        name="全国两会",
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=2),
        region=other_street,
    )
    assert graded(d) == RiskGrade.BLUE  # another street's period
    period.region = district
    period.save()
    assert risk.in_sensitive_period(grid_a, today)
    assert graded(d) == RiskGrade.YELLOW
    d = act(workflow.assess, d, alice, complexity=Complexity.SIMPLE)
    assert d.in_sensitive_period and d.risk_grade == RiskGrade.YELLOW
    assert d.events.last().after["rules_matched"] == ["特殊敏感时期"]
    period.ends_on = today - dt.timedelta(days=1)
    period.save()
    assert not risk.in_sensitive_period(grid_a, today)


def test_a_rule_matches_only_when_all_its_conditions_hold_and_it_is_active(world, alice, community_a):
    rule = RiskRule.objects.create(
        name="多人且金额较大", grade=RiskGrade.ORANGE, min_people=3, min_amount=Decimal("50000")
    )
    assert (
        graded(
            register_dispute(
                alice, community_a, parties=stranger(), people_involved=3, amount=Decimal("40000")
            )
        )
        == RiskGrade.BLUE
    )
    both = register_dispute(
        alice, community_a, parties=stranger(), people_involved=3, amount=Decimal("50000")
    )
    assert graded(both) == RiskGrade.ORANGE
    rule.is_active = False
    rule.save()
    assert graded(both) == RiskGrade.BLUE
    # The office can also retune a default: 5 people is no longer yellow.
    RiskRule.objects.filter(name="涉及5人以上").update(min_people=8)
    assert (
        graded(register_dispute(alice, community_a, parties=stranger(), people_involved=5, amount=0))
        == RiskGrade.BLUE
    )


def test_an_empty_rule_matches_nothing(world, alice, community_a):
    RiskRule.objects.create(name="空规则", grade=RiskGrade.RED)
    assert graded(register_dispute(alice, community_a, parties=stranger(), amount=0)) == RiskGrade.BLUE


# --- routing -----------------------------------------------------------------------------------------------


def test_rules_are_tried_by_priority_and_the_dispute_records_the_rule(world, alice, community_a):
    labour_to_street = RoutingRule.objects.create(
        name="劳动争议由街道统筹",
        priority=5,
        category=Category.objects.get(code="labour"),
        level=HandlingLevel.STREET,
    )
    d = act(
        workflow.assess,
        register_dispute(alice, community_a, parties=stranger()),
        alice,
        complexity=Complexity.GENERAL,
    )
    assert d.routing_rule == labour_to_street and d.platform == world["street"]
    assert d.handling_level == HandlingLevel.STREET
    assert d.events.last().after["routing_rule"] == labour_to_street.pk

    labour_to_street.priority = 200
    labour_to_street.save()
    later = act(
        workflow.assess,
        register_dispute(alice, community_a, parties=stranger()),
        alice,
        complexity=Complexity.GENERAL,
    )
    assert later.routing_rule.name == "其他纠纷由村(社区)平台就地化解"
    assert later.platform == world["community_a"]

    labour_to_street.priority = 5
    labour_to_street.is_active = False
    labour_to_street.save()
    inactive = act(
        workflow.assess,
        register_dispute(alice, community_a, parties=stranger()),
        alice,
        complexity=Complexity.GENERAL,
    )
    assert inactive.routing_rule.name == "其他纠纷由村(社区)平台就地化解"
    # The earlier dispute still says which rule routed it.
    assert reload(d).routing_rule == labour_to_street


def test_a_grade_rule_matches_that_grade_and_higher(world, alice, community_a):
    orange_rule = RoutingRule.objects.get(name="橙色纠纷由镇街平台统筹")
    d = register_dispute(alice, community_a, parties=stranger())
    for grade, matches in [
        (RiskGrade.RED, True),
        (RiskGrade.ORANGE, True),
        (RiskGrade.YELLOW, False),
        (RiskGrade.BLUE, False),
        (None, False),
    ]:
        d.risk_grade = grade
        assert routing.rule_matches(orange_rule, d) is matches, grade


def test_without_any_rule_the_nearest_platform_takes_it(world, alice, community_a):
    RoutingRule.objects.all().delete()
    d = act(
        workflow.assess,
        register_dispute(alice, community_a, parties=stranger()),
        alice,
        complexity=Complexity.GENERAL,
    )
    assert d.routing_rule is None and d.platform == world["community_a"]


@pytest.fixture
def street_dispatcher(make_user, street):
    user = make_user("sam")
    grant(user, Role.DISPATCHER, region=street)
    return user


def test_a_level_without_a_platform_falls_back_to_the_next_level_up(
    defaults, district_platform, street_platform, platform_a, street_dispatcher, community_b
):
    # Community B has no platform of its own yet: the street's takes its disputes.
    d = register_dispute(street_dispatcher, community_b)
    d = act(workflow.assess, d, street_dispatcher, complexity=Complexity.SIMPLE)
    assert d.platform == street_platform and d.handling_level == HandlingLevel.STREET
    assert d.routing_rule.level == HandlingLevel.COMMUNITY  # the rule asked for the community level


def test_a_dissolved_platform_is_skipped_up_to_the_district(
    defaults, district_platform, street_platform, platform_b, street_dispatcher, community_b
):
    for platform in (platform_b, street_platform):
        platform.dissolved_on = timezone.localdate()
        platform.save()
    d = act(
        workflow.assess,
        register_dispute(street_dispatcher, community_b),
        street_dispatcher,
        complexity=Complexity.SIMPLE,
    )
    assert d.platform == district_platform and d.handling_level == HandlingLevel.DISTRICT


def test_no_platform_anywhere_is_a_clear_error(defaults, street_dispatcher, community_b):
    d = register_dispute(street_dispatcher, community_b)
    with pytest.raises(WorkflowError) as info:
        workflow.assess(d.pk, street_dispatcher, version=d.version, complexity=Complexity.SIMPLE)
    assert info.value.code == "no_platform"
    assert reload(d).status == Status.REGISTERED and reload(d).platform is None


def test_an_orange_dispute_of_a_grid_goes_to_its_street(world, alice, grid_a):
    d = act(
        workflow.assess,
        register_dispute(alice, grid_a, people_involved=10),
        alice,
        complexity=Complexity.GENERAL,
    )
    assert d.risk_grade == RiskGrade.ORANGE and d.platform == world["street"]
