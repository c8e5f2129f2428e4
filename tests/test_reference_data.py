import json
from pathlib import Path

import pytest

from mediation.choices import RegionKind, RegionLevel, UnitKind
from mediation.models import Region, Unit
from mediation.services.reference import load_reference_data

PLAN = Path(__file__).resolve().parent.parent / "tasks_plan" / "data" / "plan_tasks.json"

STREETS = {
    "500104001": ("新山村街道", RegionKind.STREET),
    "500104002": ("跃进村街道", RegionKind.STREET),
    "500104003": ("九宫庙街道", RegionKind.STREET),
    "500104004": ("茄子溪街道", RegionKind.STREET),
    "500104005": ("春晖路街道", RegionKind.STREET),
    "500104101": ("八桥镇", RegionKind.TOWN),
    "500104102": ("建胜镇", RegionKind.TOWN),
    "500104103": ("跳磴镇", RegionKind.TOWN),
}


@pytest.mark.django_db
class TestReferenceData:
    def test_dadukou_structure(self):
        load_reference_data()
        district = Region.objects.get(code="500104")
        assert district.name == "大渡口区"
        assert district.parent.code == "500000" and district.parent.name == "重庆市"
        streets = {r.code: (r.name, r.kind) for r in district.children.all()}
        assert streets == STREETS
        assert not Region.objects.filter(is_demo=True).exists()

    def test_every_unit_of_the_plan_exists(self):
        load_reference_data()
        plan = json.loads(PLAN.read_text(encoding="utf-8"))
        names = set(Unit.objects.values_list("name", flat=True))
        assert set(plan["member_units"]) <= names
        assert set(plan["other_units"]) <= names
        assert set(Unit.objects.member_units().values_list("name", flat=True)) == set(plan["member_units"])
        known = names | {
            alias for aliases in Unit.objects.values_list("aliases", flat=True) for alias in aliases
        }
        group_aliases = {"工作小组各成员单位", "各镇街", "工作小组各相关成员单位", "工作小组有关成员单位"}
        for task in plan["tasks"]:
            for unit in task["lead_units"] + task["responsible_units"]:
                if unit not in group_aliases:
                    assert unit in known, f"task {task['no']}: {unit}"

    def test_each_street_and_town_has_its_government(self):
        load_reference_data()
        governments = Unit.objects.street_governments().select_related("region")
        assert {u.region.code for u in governments} == set(STREETS)
        assert Unit.objects.get(code="gov-500104101").name == "八桥镇人民政府"
        assert Unit.objects.get(code="gov-500104001").name == "新山村街道办事处"
        assert Unit.objects.get(kind=UnitKind.OFFICE).name == "大调解工作办公室"

    def test_loading_twice_gives_the_same_rows(self):
        # The test database holds the reference data already (tests/conftest.py): empty it inside the test's
        # transaction, so the first load creates every row.
        Unit.objects.all().delete()
        for level in sorted(RegionLevel.values, reverse=True):  # children first: Region.parent protects
            Region.objects.filter(level=level).delete()
        first = load_reference_data()
        snapshot = (
            list(Region.objects.values_list("pk", "code", "name", "path")),
            list(Unit.objects.values_list("pk", "code", "name", "region_id")),
        )
        second = load_reference_data()
        assert first["regions"].created == 10 and second["regions"].created == 0
        assert first["units"].created == len(snapshot[1]) > 0
        assert second["units"].created == 0 and second["units"].updated == 0
        assert snapshot == (
            list(Region.objects.values_list("pk", "code", "name", "path")),
            list(Unit.objects.values_list("pk", "code", "name", "region_id")),
        )

    def test_a_renamed_row_is_restored(self):
        load_reference_data()
        Region.objects.filter(code="500104003").update(name="错误名称")
        result = load_reference_data()
        assert result["regions"].updated == 1
        assert Region.objects.get(code="500104003").name == "九宫庙街道"

    def test_demo_regions_and_accounts_are_idempotent(self):
        # The whole `setup_demo` runs twice in tests/test_dispute_demo.py; here only the foundation's part.
        from mediation.demo import foundation as foundation_demo
        from mediation.roles import sync_roles

        load_reference_data()
        sync_roles()
        foundation_demo.load_regions()
        accounts = foundation_demo.load_accounts()
        counts = (Region.objects.count(), Unit.objects.count())
        foundation_demo.load_regions()
        assert foundation_demo.load_accounts() == accounts
        assert (Region.objects.count(), Unit.objects.count()) == counts
        demo = Region.objects.filter(is_demo=True)
        assert demo.filter(level=4).count() == 24 and demo.filter(level=5).count() == 48
        assert [username for username, _password, _role in accounts] == [
            "grid_worker",
            "mediator",
            "dispatcher",
            "liaison",
            "supervisor",
            "office",
            "auditor",
            "api_client",
            "admin",
        ]
        assert {password for _username, password, _role in accounts} == {"Dadukou-demo-2026"}
