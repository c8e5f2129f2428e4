"""The plan loader (tasks_plan/services/loader.py) against the seed text.

The expectations below are read from the seed itself (../shared/seed/000_7575947a929267fe.txt), not from
tasks_plan/data/plan_tasks.json: the JSON is the project's structured reading, and these tests check it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mediation.indicators import DEFAULT_STAFFING, REGISTRY
from mediation.models import Unit
from tasks_plan.choices import Comparison, DueKind, ResponsibilityRole, ResponsibilityStatus
from tasks_plan.models import Plan, PlanTask, Responsibility, Target
from tasks_plan.services.loader import DATA_FILE, PlanDataError, load_plan, resolve_units

D = dt.date

# 工作小组各成员单位, as the seed lists them under task 1.
MEMBER_UNITS = [
    "区委政法委",
    "区发展改革委",
    "区教委",
    "区公安分局",
    "区民政局",
    "区司法局",
    "区财政局",
    "区人力社保局",
    "区规划和自然资源局",
    "区生态环境局",
    "区住房城乡建委",
    "区交通局",
    "区农业农村委",
    "区商务委",
    "区文化旅游委",
    "区卫生健康委",
    "区市场监管局",
    "区信访办",
    "区大数据发展局",
    "区法院",
    "区检察院",
    "区工商联",
    "区总工会",
    "区妇联",
]
STREET_GOVERNMENTS = [
    "新山村街道办事处",
    "跃进村街道办事处",
    "九宫庙街道办事处",
    "茄子溪街道办事处",
    "春晖路街道办事处",
    "八桥镇人民政府",
    "建胜镇人民政府",
    "跳磴镇人民政府",
]
OFFICE = "大调解工作办公室"
SECTIONS = {
    1: "建立区域性矛盾纠纷调处平台",
    2: "建立行业性重点领域纠纷调处平台",
    3: "推广使用矛盾纠纷信息管理平台",
    4: "做实基层人民调解工作",
    5: "加强行政调解工作",
    6: "健全调解工作基础制度",
    7: "提升矛盾纠纷化解能力",
    8: "建立发现化解矛盾纠纷和统筹协调督办落实的工作体系和运行机制",
    9: "强化工作保障",
}
# Tasks per section in the seed (一 … 九).
SECTION_OF = {n: s for s, numbers in {
    1: [1], 2: [2, 3], 3: [4], 4: [5, 6, 7, 8], 5: [9, 10, 11, 12, 13], 6: [14, 15, 16],
    7: [17, 18, 19, 20, 21], 8: [22, 23, 24, 25, 26], 9: [27, 28, 29, 30, 31, 32],
}.items() for n in numbers}  # fmt: skip


@pytest.fixture
def plan(reference):
    load_plan()
    return Plan.objects.get(code="ddk-2023")


def task(number: int, plan_code: str = "ddk-2023") -> PlanTask:
    return PlanTask.objects.get(plan__code=plan_code, number=number)


def roles(number: int) -> dict[str, set[str]]:
    found = {ResponsibilityRole.LEAD: set(), ResponsibilityRole.RESPONSIBLE: set()}
    for name, role in Responsibility.objects.filter(task=task(number)).values_list("unit__name", "role"):
        found[role].add(name)
    return {"lead": found[ResponsibilityRole.LEAD], "responsible": found[ResponsibilityRole.RESPONSIBLE]}


def targets(number: int) -> list[tuple]:
    return [
        (t.metric, t.comparison, t.value, t.by_kind, t.by_date, t.indicator, t.measure)
        for t in Target.objects.filter(task=task(number)).order_by("order")
    ]


def everyone_but(*lead: str) -> set[str]:
    """工作小组各成员单位 and 各镇街, less the units that lead (a unit keeps one role, the lead one)."""
    return (set(MEMBER_UNITS) | set(STREET_GOVERNMENTS)) - set(lead)


@pytest.mark.django_db
class TestAllTasks:
    def test_it_loads_the_32_tasks_in_their_sections(self, plan):
        tasks = list(plan.tasks.order_by("number"))
        assert [t.number for t in tasks] == list(range(1, 33))
        assert {t.number: t.section for t in tasks} == SECTION_OF
        assert {t.section: t.section_title for t in tasks} == SECTIONS
        assert all(t.content and t.standard for t in tasks)
        assert plan.is_current and plan.issued_on == D(2023, 5, 24)

    def test_every_task_has_units_and_targets(self, plan):
        for t in plan.tasks.all():
            assert t.responsibilities.exists(), t.number
            assert t.targets.exists(), t.number
        # 41 targets in the seed; tasks 1 and 4 are measured per level (district, street, community): +4.
        assert Target.objects.filter(task__plan=plan).count() == 45

    def test_deadlines(self, plan):
        due = {t.number: (t.due_kind, t.due_on) for t in plan.tasks.all()}
        assert due[1] == (DueKind.DATE, D(2021, 12, 31))
        assert due[4] == (DueKind.DATE, D(2022, 12, 31))
        assert due[7] == (DueKind.DATE, D(2022, 12, 31))
        assert due[18] == (DueKind.DATE, D(2020, 12, 31))
        assert due[21] == (DueKind.ONGOING, None)  # 持续推广
        # "2020年起…": every year from 2020.
        for number in (17, 29, 30, 31):
            assert due[number] == (DueKind.YEARLY, D(2020, 1, 1)), number
        assert task(17).deadline_on(D(2026, 3, 1)) == D(2026, 12, 31)
        assert task(1).deadline_on(D(2026, 3, 1)) == D(2021, 12, 31)
        assert task(21).deadline_on(D(2026, 3, 1)) is None

    def test_numeric_targets_name_a_live_indicator(self, plan):
        numeric = Target.objects.filter(task__plan=plan, comparison__in=[">=", "<="])
        for target in numeric:
            assert target.value is not None, target
        # Every numeric target names the live indicator that measures it (task 25: the stored periodic reports).
        assert {t.task.number for t in numeric if not t.indicator} == set()
        named = set(
            Target.objects.filter(task__plan=plan).exclude(indicator="").values_list("indicator", flat=True)
        )
        # Codes the scheduled-work issue and this app's joint meetings provide; every other one is registered.
        assert named - set(REGISTRY) <= {"patrol_on_time_rate", "warning_timeliness", "joint_meetings"}

    def test_the_office_leads_where_the_seed_says_so(self, plan):
        led = set(
            Responsibility.objects.filter(
                task__plan=plan, unit__name=OFFICE, role=ResponsibilityRole.LEAD
            ).values_list("task__number", flat=True)
        )
        assert led == {1, 2, 4, 8, 9, 14, 16, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
        # Tasks 15 and 18 name the office among the responsible units.
        assert OFFICE in roles(15)["responsible"] and OFFICE in roles(18)["responsible"]


@pytest.mark.django_db
class TestSpotChecks:
    def test_task_1_platforms(self, plan):
        t = task(1)
        assert t.section == 1 and "综合调处平台" in t.content
        assert t.standard == "2021年，区、乡镇(街道)、村(社区)矛盾纠纷综合调处平台建成率达100%"
        assert roles(1) == {"lead": {"区委政法委", OFFICE}, "responsible": everyone_but("区委政法委")}
        hundred, by = Decimal("100"), D(2021, 12, 31)
        assert [(x[0], x[1], x[2], x[4], x[5], x[6]) for x in targets(1)] == [
            ("综合调处平台建成率", ">=", hundred, by, "platform_rate_district", "rate"),
            ("综合调处平台建成率", ">=", hundred, by, "platform_rate_street", "rate"),
            ("综合调处平台建成率", ">=", hundred, by, "platform_rate_community", "rate"),
        ]
        scopes = list(t.targets.values_list("scope", flat=True))
        assert [s.rsplit("（", 1)[1] for s in scopes] == ["区级）", "乡镇(街道)级）", "村(社区)级）"]

    def test_task_5_committees(self, plan):
        assert roles(5) == {"lead": {"区司法局"}, "responsible": set(STREET_GOVERNMENTS)}
        assert targets(5) == [
            (
                "人民调解委员会建成率",
                ">=",
                Decimal("100"),
                DueKind.DATE,
                D(2021, 12, 31),
                "committee_rate",
                "rate",
            )
        ]

    def test_task_7_three_rooms(self, plan):
        t = task(7)
        for room in ("驻法院调解室", "驻派出所调解室", "信访事项调解室"):
            assert room in t.content
        # No lead unit in the seed; four responsible units.
        assert roles(7) == {"lead": set(), "responsible": {"区法院", "区公安分局", "区信访办", "区司法局"}}
        end_2021, end_2022 = D(2021, 12, 31), D(2022, 12, 31)
        assert [(x[0], x[2], x[4], x[5]) for x in targets(7)] == [
            ("驻法院调解室建成率", Decimal("80"), end_2021, "court_room_rate"),
            ("信访事项调解室建成率", Decimal("80"), end_2021, "petition_room_rate"),
            ("驻法院调解室建成率", Decimal("100"), end_2022, "court_room_rate"),
            ("信访事项调解室建成率", Decimal("100"), end_2022, "petition_room_rate"),
            ("驻派出所调解室建成率", Decimal("60"), end_2021, "police_room_rate"),
            ("驻派出所调解室建成率", Decimal("100"), end_2022, "police_room_rate"),
        ]
        assert all(x[1] == Comparison.AT_LEAST and x[6] == "rate" for x in targets(7))
        assert "实有警力20人以上" in t.targets.get(order=4).scope

    def test_task_8_staffing(self, plan):
        t = task(8)
        for minimum in ("≥3名", "≥2名", "≥1名"):
            assert minimum in t.content
        lead = {OFFICE, "区委政法委", "区司法局", "区财政局"}
        assert roles(8) == {"lead": lead, "responsible": everyone_but(*lead)}
        end_2021, end_2022 = D(2021, 12, 31), D(2022, 12, 31)
        assert [(x[2], x[4], x[5]) for x in targets(8)] == [
            (Decimal("100"), end_2021, "staffing_street_committee"),
            (Decimal("100"), end_2021, "staffing_dispatched_rooms"),
            (Decimal("50"), end_2021, "staffing_industry_committee"),
            (Decimal("100"), end_2022, "staffing_industry_committee"),
        ]
        scopes = list(t.targets.order_by("order").values_list("scope", flat=True))
        assert "每个≥2名" in scopes[0] and "每个≥2名" in scopes[1] and "每个≥3名" in scopes[2]
        # The indicators apply the seed's minimums: industry 3, street 2, community/enterprise 1, dispatched 2.
        minimums = {kind: minimum for kind, (minimum, _) in DEFAULT_STAFFING.items()}
        assert minimums == {
            "industry_committee": 3,
            "street_committee": 2,
            "community_committee": 1,
            "enterprise_committee": 1,
            "court_room": 2,
            "police_room": 2,
            "petition_room": 2,
        }

    def test_task_17_yearly_trainings(self, plan):
        t = task(17)
        assert "区每年开展1次集中培训" in t.content and "乡镇(街道)每年至少开展2次集中培训" in t.content
        assert (t.due_kind, t.due_on) == (DueKind.YEARLY, D(2020, 1, 1))
        assert roles(17) == {"lead": {"区司法局"}, "responsible": everyone_but("区司法局")}
        assert targets(17) == [
            (
                "区级集中培训次数(每年)",
                ">=",
                Decimal("1"),
                DueKind.YEARLY,
                None,
                "trainings_district",
                "count",
            ),
            (
                "乡镇(街道)集中培训次数(每年)",
                ">=",
                Decimal("2"),
                DueKind.YEARLY,
                None,
                "trainings_street",
                "all",
            ),
        ]

    def test_task_22_patrol_cadences(self, plan):
        t = task(22)
        for cadence in ("区每月", "乡镇(街道)每半月", "村(社区)每周", "网格每日", "特殊敏感时期每日"):
            assert cadence in t.content, cadence
        lead = {OFFICE, "区委政法委"}
        assert roles(22) == {"lead": lead, "responsible": everyone_but(*lead)}
        assert [(x[0], x[2], x[4], x[5]) for x in targets(22)] == [
            ("排查按期完成率", Decimal("100"), D(2022, 12, 31), "patrol_on_time_rate")
        ]
        assert "每月" in t.targets.get().scope and "每日" in t.targets.get().scope

    def test_task_32_brands(self, plan):
        t = task(32)
        assert t.standard == "2022年，培育基层调解品牌5个以上"
        lead = {OFFICE, "区人力社保局"}
        assert roles(32) == {"lead": lead, "responsible": everyone_but(*lead)}
        assert targets(32) == [
            ("基层调解品牌数", ">=", Decimal("5"), DueKind.DATE, D(2022, 12, 31), "brand_studios", "count")
        ]

    def test_named_unit_lists(self, plan):
        # Task 6 says 区城乡建委 (→ 区住房城乡建委); task 10 uses short names (公安局 → 区公安分局).
        assert roles(6)["responsible"] == {
            "区市场监管局",
            "区文化旅游委",
            "区生态环境局",
            "区住房城乡建委",
            "区大数据发展局",
            "区总工会",
            "区妇联",
        }
        assert "区公安分局" in roles(10)["responsible"] and len(roles(10)["responsible"]) == 14
        assert roles(11) == {"lead": set(), "responsible": {"区信访办"}}
        assert roles(3)["responsible"] >= {"区城市管理局"}
        # Task 27 names the working group's office among the responsible units; it leads there already.
        assert roles(27)["lead"] == {OFFICE, "区委政法委"}


@pytest.mark.django_db
class TestAliases:
    def names(self, *names):
        return [u.name for u in resolve_units(list(names))]

    def test_member_units(self, reference):
        assert sorted(self.names("工作小组各成员单位")) == sorted(MEMBER_UNITS)
        # The seed's variants of the same collective name.
        assert sorted(self.names("工作小组各相关成员单位")) == sorted(MEMBER_UNITS)
        assert sorted(self.names("工作小组有关成员单位")) == sorted(MEMBER_UNITS)

    def test_streets_and_towns(self, reference):
        assert sorted(self.names("各镇街")) == sorted(STREET_GOVERNMENTS)
        assert sorted(self.names("镇街")) == sorted(STREET_GOVERNMENTS)
        assert all(u.kind == "street_government" for u in resolve_units(["各镇街"]))

    def test_short_names(self, reference):
        assert self.names("委政法委") == ["区委政法委"]
        assert self.names("公安局") == ["区公安分局"]
        assert self.names("区城乡建委") == ["区住房城乡建委"]
        assert self.names("工作小组办公室") == [OFFICE]

    def test_a_unit_named_twice_is_listed_once(self, reference):
        assert len(self.names("工作小组各成员单位", "区司法局", "司法局")) == 24

    def test_unknown_names_are_refused(self, reference):
        with pytest.raises(PlanDataError):
            resolve_units(["区不存在局"])


@pytest.mark.django_db
class TestIdempotenceAndVersions:
    def snapshot(self, code="ddk-2023"):
        return (
            sorted(PlanTask.objects.filter(plan__code=code).values_list("pk", "number", "content", "due_on")),
            sorted(Responsibility.objects.filter(task__plan__code=code).values_list("pk", "task_id", "unit_id", "role", "status")),
            sorted(Target.objects.filter(task__plan__code=code).values_list("pk", "task_id", "order", "metric", "value", "indicator")),
        )  # fmt: skip

    def test_loading_twice_gives_the_same_rows(self, plan):
        before = self.snapshot()
        report = load_plan()
        assert self.snapshot() == before
        assert (report.tasks, report.targets) == (32, 45)
        assert report.responsibilities == Responsibility.objects.count()
        assert Plan.objects.count() == 1

    def test_reloading_keeps_progress(self, plan):
        row = Responsibility.objects.get(task=task(5), unit__name="八桥镇人民政府")
        Responsibility.objects.filter(pk=row.pk).update(status=ResponsibilityStatus.IN_PROGRESS)
        load_plan()
        assert Responsibility.objects.get(pk=row.pk).status == ResponsibilityStatus.IN_PROGRESS

    def test_a_second_version_loads_beside_the_first(self, plan):
        before = self.snapshot()
        load_plan(DATA_FILE, code="ddk-2027", title="2027年任务分工方案", make_current=True)
        assert self.snapshot() == before  # the first plan's rows are untouched
        first, second = Plan.objects.get(code="ddk-2023"), Plan.objects.get(code="ddk-2027")
        assert not first.is_current and second.is_current
        assert Plan.objects.filter(is_current=True).count() == 1
        assert second.tasks.count() == 32 and first.tasks.count() == 32
        new = self.snapshot("ddk-2027")
        assert not {pk for pk, *_ in new[0]} & {pk for pk, *_ in before[0]}
        assert len(new[1]) == len(before[1]) and len(new[2]) == len(before[2])

    def test_loading_a_version_without_making_it_current(self, plan):
        load_plan(DATA_FILE, code="ddk-2027", make_current=False)
        assert Plan.objects.get(is_current=True).code == "ddk-2023"
        # Reloading the first plan does not take currency away from a later one that has it.
        load_plan(DATA_FILE, code="ddk-2027", make_current=True)
        load_plan(make_current=False)
        assert Plan.objects.get(is_current=True).code == "ddk-2027"

    def test_every_unit_the_plan_names_is_a_real_unit(self, plan):
        named = set(Responsibility.objects.values_list("unit__name", flat=True))
        assert named <= set(Unit.objects.values_list("name", flat=True))
        assert set(MEMBER_UNITS) | set(STREET_GOVERNMENTS) | {OFFICE, "区城市管理局"} == named
