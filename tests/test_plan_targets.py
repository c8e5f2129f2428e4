"""Live targets (tasks_plan/services/targets.py): the plan's targets measured on hand-built data with known
answers — today, and at the by-date once it has passed.

Registry rows (organizations, trainings) carry their own dates, so these tests evaluate at a fixed TODAY.
Disputes are registered now, so the referral test evaluates at today's date.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from disputes.choices import Source
from mediation.choices import OrganizationKind, RegionLevel, TrainingLevel
from mediation.models import Region, Unit
from tasks_plan.choices import Comparison, DueKind
from tasks_plan.models import JointMeeting, PlanTask, Target
from tasks_plan.services.targets import Evaluator, TargetState, evaluate, target_text
from tests.dispute_fixtures import register_dispute
from tests.registry_fixtures import D, make_org, make_training, staff

pytest_plugins = ["tests.registry_fixtures", "tests.dispute_fixtures"]

TODAY = D(2026, 3, 1)
K = OrganizationKind


@pytest.fixture(autouse=True)
def english():
    """Texts are compared in the source language, so the tests hold whatever the zh-hans catalog says."""
    with translation.override("en"):
        yield


@pytest.fixture
def plan(loaded_plan):
    """The seed plan, current (conftest: computed once per worker, inserted in the test's transaction)."""
    return loaded_plan


def target(number: int, order: int = 0) -> Target:
    return Target.objects.select_related("task").get(
        task__plan__is_current=True, task__number=number, order=order
    )


def streets() -> list[Region]:
    return list(Region.objects.filter(level=RegionLevel.STREET).order_by("code"))


@pytest.mark.django_db
class TestTask1Platforms:
    """Platforms at the district, at 4 of the 8 streets/towns (one built in 2023) and in community A of B."""

    @pytest.fixture
    def platforms(self, plan, district, community_a, community_b):
        make_org(K.PLATFORM, district)
        for street in streets()[:3]:
            make_org(K.PLATFORM, street)
        make_org(K.PLATFORM, streets()[3], established_on=D(2023, 4, 1))
        make_org(K.PLATFORM, community_a)

    def test_each_level_against_100_percent(self, platforms):
        district, street, community = (evaluate(target(1, order), TODAY) for order in range(3))
        assert district.state == TargetState.MET and district.current.value == Decimal("100.0")
        assert street.state == TargetState.NOT_MET and street.current.value == Decimal("50.0")
        assert community.state == TargetState.NOT_MET and community.current.value == Decimal("50.0")
        assert street.shown_value() == "50.0% (4/8)" and street.shown_target == "≥ 100%"

    def test_at_the_deadline(self, platforms):
        street = evaluate(target(1, 1), TODAY)
        assert street.deadline == D(2021, 12, 31) and street.deadline_passed
        assert street.at_deadline.as_of == D(2021, 12, 31)
        assert street.at_deadline.value == Decimal("37.5") and street.at_deadline.met is False

    def test_the_gaps_come_first(self, platforms):
        street = evaluate(target(1, 1), TODAY)
        assert [row.met for row in street.rows] == [False] * 4 + [True] * 4
        assert {row.obj for row in street.gaps} == set(streets()[4:])

    def test_met_once_every_street_has_one(self, platforms):
        for street in streets()[4:]:
            make_org(K.PLATFORM, street)
        assert evaluate(target(1, 1), TODAY).state == TargetState.MET


@pytest.mark.django_db
class TestTask7Rooms:
    def test_the_court_room_against_80_then_100_percent(self, plan):
        court = Unit.objects.get(name="区法院")
        make_org(K.COURT_ROOM, court.region, host_unit=court, established_on=D(2022, 6, 1))
        by_2021, by_2022 = evaluate(target(7, 0), TODAY), evaluate(target(7, 2), TODAY)
        assert by_2021.target.value == Decimal("80") and by_2022.target.value == Decimal("100")
        # Met today, but not by the end of 2021, when the room did not exist; met by the end of 2022.
        assert by_2021.state == TargetState.MET and by_2021.at_deadline.met is False
        assert by_2021.at_deadline.value == Decimal("0.0")
        assert by_2022.at_deadline.met is True

    def test_no_police_station_to_count_measures_nothing(self, plan):
        # The reference data has no police station (kind police_station): nothing to divide by.
        police = evaluate(target(7, 4), TODAY)
        assert police.state == TargetState.NO_DATA and police.met is None
        assert police.current.value is None and police.shown_value() == "no data"


@pytest.mark.django_db
class TestTask8Staffing:
    def test_industry_committees_against_50_then_100_percent(self, plan, district):
        staff(make_org(K.INDUSTRY_COMMITTEE, district, "医患纠纷调委会"), full_time=3)
        staff(make_org(K.INDUSTRY_COMMITTEE, district, "物业纠纷调委会"), full_time=1, part_time=2)
        half, full = evaluate(target(8, 2), TODAY), evaluate(target(8, 3), TODAY)
        assert half.current.value == full.current.value == Decimal("50.0")
        assert half.state == TargetState.MET and full.state == TargetState.NOT_MET
        assert [(row.label, row.detail) for row in full.gaps] == [("物业纠纷调委会", "1/3")]


@pytest.mark.django_db
class TestTask17Trainings:
    """Yearly: the district ≥ 1 centralized training, and every street/town ≥ 2."""

    @pytest.fixture
    def trainings(self, plan, district):
        make_training(TrainingLevel.DISTRICT, district, D(2026, 1, 20))
        for street in streets():
            make_training(TrainingLevel.STREET, street, D(2026, 1, 10))
        for street in streets()[1:]:
            make_training(TrainingLevel.STREET, street, D(2026, 2, 10))
        # Last year only the district trained.
        make_training(TrainingLevel.DISTRICT, district, D(2025, 5, 1))

    def test_the_district_count(self, trainings):
        district = evaluate(target(17, 0), TODAY)
        assert (district.target.comparison, district.target.measure) == (Comparison.AT_LEAST, "count")
        assert district.state == TargetState.MET and district.current.value == 1
        assert district.deadline == D(2026, 12, 31) and not district.deadline_passed
        # A yearly target is checked at the end of last year too.
        assert district.at_deadline.as_of == D(2025, 12, 31) and district.at_deadline.met is True

    def test_every_street_needs_two(self, trainings):
        each = evaluate(target(17, 1), TODAY)
        assert each.target.measure == "all" and each.shown_target == "every one ≥ 2"
        assert each.state == TargetState.NOT_MET and each.shown_value() == "7/8"
        assert [row.obj for row in each.gaps] == streets()[:1]
        assert each.at_deadline.met is False and each.at_deadline.result.numerator == 0
        make_training(TrainingLevel.STREET, streets()[0], D(2026, 2, 20))
        assert evaluate(target(17, 1), TODAY).state == TargetState.MET

    def test_before_the_plan_applies_there_is_no_yearly_deadline(self, trainings):
        assert evaluate(target(17, 0), D(2019, 6, 1)).deadline is None
        assert evaluate(target(17, 0), D(2020, 6, 1)).at_deadline is None  # 2019 is before the plan


@pytest.mark.django_db
class TestTask32Brands:
    def test_five_brand_studios_by_2022(self, plan, district, street):
        for i in range(4):
            make_org(K.BRAND_STUDIO, street, f"老马调解工作室{i}", established_on=D(2021, 3, 1))
        for i in range(2):
            make_org(K.BRAND_STUDIO, district, f"品牌调解室{i}", established_on=D(2024, 3, 1))
        brands = evaluate(target(32), TODAY)
        assert brands.state == TargetState.MET and brands.current.value == 6 and brands.shown_value() == "6"
        assert brands.shown_target == "≥ 5"
        assert brands.at_deadline.as_of == D(2022, 12, 31)
        assert brands.at_deadline.value == 4 and brands.at_deadline.met is False


@pytest.mark.django_db
class TestJudgedTargets:
    """ "done" targets are judged by the office; a named indicator's figure is shown for information only."""

    def test_task_15_referrals(self, plan, defaults, alice, community_a, platforms):
        register_dispute(alice, community_a, source=Source.COURT, title="法院委托调解纠纷")
        referrals = evaluate(target(15), timezone.localdate())
        assert referrals.state == TargetState.JUDGED and referrals.met is None
        assert referrals.current.result.numerator == 1
        assert {row.obj: row.met for row in referrals.rows}[Source.COURT] is True
        assert referrals.rows[0].met is False  # the channels with nothing yet come first

    def test_task_28_joint_meetings(self, plan, make_user):
        clerk = make_user("clerk")
        for held_on in (D(2025, 11, 5), D(2026, 1, 8), D(2026, 2, 26)):
            JointMeeting.objects.create(
                held_on=held_on, title="联席会议", issues="…", decisions="…", recorded_by=clerk
            )
        meetings = evaluate(target(28), TODAY)
        assert meetings.state == TargetState.JUDGED and meetings.target.indicator == "joint_meetings"
        assert meetings.current.result.numerator == 2
        assert [row.obj.held_on for row in meetings.rows] == [D(2026, 1, 8), D(2026, 2, 26)]

    def test_an_ongoing_target_has_no_deadline(self, plan):
        ongoing = evaluate(target(21), TODAY)
        assert ongoing.state == TargetState.JUDGED and ongoing.deadline is None and ongoing.current is None
        assert target_text(ongoing.target) == str(Comparison.ONGOING.label)


@pytest.mark.django_db
class TestNotInTheSystem:
    def test_a_target_without_an_indicator(self, plan):
        # A numeric target the office has not tied to an indicator (here task 25's, with its indicator removed).
        Target.objects.filter(task__plan__is_current=True, task__number=25).update(indicator="")
        analyses = evaluate(target(25), TODAY)
        assert analyses.state == TargetState.NOT_IN_SYSTEM
        assert analyses.current is None and analyses.met is None and analyses.shown_value() == ""
        assert analyses.rows == []

    def test_an_unregistered_indicator_never_gives_a_number(self, plan):
        task = PlanTask.objects.get(plan__is_current=True, number=23)
        unknown = Target.objects.create(
            task=task,
            metric="未接入的指标",
            scope="全区",
            comparison=Comparison.AT_LEAST,
            value=Decimal("100"),
            by_kind=DueKind.DATE,
            by_date=D(2022, 12, 31),
            indicator="no_such_indicator",
            order=99,
        )
        result = evaluate(unknown, TODAY)
        assert result.state == TargetState.NOT_IN_SYSTEM and not result.in_system
        assert result.current is None and result.at_deadline is None and result.shown_value() == ""
        assert result.deadline == D(2022, 12, 31) and result.deadline_passed
        with translation.override("zh-hans"):
            assert result.state_label == str(TargetState.NOT_IN_SYSTEM.label)


@pytest.mark.django_db
def test_each_indicator_and_day_is_computed_once(plan):
    """Task 7 names the court and petition indicators twice each; the evaluator asks for each once."""
    targets = list(Target.objects.select_related("task").filter(task__number=7, task__plan__is_current=True))
    once = Evaluator(TODAY, history=False)
    once.evaluate_all(targets)
    assert {code for code, _ in once._results} == {
        "court_room_rate",
        "petition_room_rate",
        "police_room_rate",
    }
    assert len(once._results) == 3


@pytest.mark.django_db
def test_names_tell_a_tasks_targets_apart(plan):
    def names(number):
        targets = Target.objects.select_related("task").filter(
            task__number=number, task__plan__is_current=True
        )
        return [e.name for e in Evaluator(TODAY, history=False).evaluate_all(targets.order_by("order"))]

    assert names(1) == [
        "综合调处平台建成率（区级）",
        "综合调处平台建成率（乡镇(街道)级）",
        "综合调处平台建成率（村(社区)级）",
    ]
    # Task 7: one scope per metric, told apart by their by-dates.
    assert names(7)[:2] == ["驻法院调解室建成率", "信访事项调解室建成率"]
    assert names(8) == [
        "专职人民调解员配备率（乡镇(街道)人民调解委员会(每个≥2名)）",
        "专职人民调解员配备率（派驻有关单位的人民调解工作室(每个≥2名)）",
        "专职人民调解员配备率（行业性专业性人民调解委员会(每个≥3名)）",
        "专职人民调解员配备率（行业性专业性人民调解委员会(每个≥3名)）",
    ]
    assert names(32) == ["基层调解品牌数"]
