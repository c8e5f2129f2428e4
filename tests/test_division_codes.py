from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from mediation.choices import RegionKind, RegionLevel
from mediation.models import Region
from mediation.services.division_codes import DivisionCodeError, add_grids, import_division_codes

ROWS = [
    ("统计用区划代码", "名称", "城乡分类代码"),
    ("500104000000", "大渡口区", ""),
    ("500104001000", "新山村街道", ""),
    ("500104001001", "钢花路社区居委会", "111"),
    ("500104001002", "义渡社区居委会", "111"),
    ("500104101000", "八桥镇", ""),
    ("500104101201", "新合村委会", "220"),
    ("500105001001", "别区社区居委会", "111"),  # another district: skipped
]


def write_csv(path: Path, rows, encoding="utf-8") -> Path:
    path.write_text("\n".join(",".join(r) for r in rows), encoding=encoding)
    return path


def write_xlsx(path: Path, rows) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


@pytest.mark.django_db
class TestImportDivisionCodes:
    def test_csv_creates_communities_and_villages(self, reference, tmp_path):
        report = import_division_codes(write_csv(tmp_path / "codes.csv", ROWS))
        assert (report.created, report.skipped) == (3, 2)
        community = Region.objects.get(code="500104001001")
        assert (community.name, community.kind, community.level) == ("钢花路社区", RegionKind.COMMUNITY, 4)
        assert community.parent.code == "500104001" and community.urban_rural_code == "111"
        village = Region.objects.get(code="500104101201")
        assert (village.name, village.kind) == ("新合村", RegionKind.VILLAGE)
        assert not Region.objects.filter(code="500105001001").exists()

    def test_xlsx_and_gb18030_give_the_same_rows(self, reference, tmp_path):
        import_division_codes(write_xlsx(tmp_path / "codes.xlsx", ROWS))
        from_xlsx = list(Region.objects.values_list("code", "name", "kind", "parent_id"))
        report = import_division_codes(write_csv(tmp_path / "codes.csv", ROWS, encoding="gb18030"))
        assert report.created == 0 and report.unchanged == 5
        assert list(Region.objects.values_list("code", "name", "kind", "parent_id")) == from_xlsx

    def test_loading_twice_is_idempotent(self, reference, tmp_path):
        path = write_csv(tmp_path / "codes.csv", ROWS)
        import_division_codes(path)
        before = list(Region.objects.values_list("pk", "code", "name", "path"))
        report = import_division_codes(path)
        assert report.created == 0 and report.updated == 0
        assert list(Region.objects.values_list("pk", "code", "name", "path")) == before

    def test_a_bad_row_writes_nothing(self, reference, tmp_path):
        rows = [*ROWS, ("50010400100X", "坏代码", "111"), ("500104001003", "", "111")]
        count = Region.objects.count()
        with pytest.raises(DivisionCodeError) as error:
            import_division_codes(write_csv(tmp_path / "bad.csv", rows))
        assert "Row 9" in str(error.value) or "第 9 行" in str(error.value)
        assert Region.objects.count() == count

    def test_missing_parent_writes_nothing(self, reference, tmp_path):
        rows = [ROWS[0], ("500104001001", "钢花路社区居委会", "111"), ("500104009001", "无主社区", "111")]
        count = Region.objects.count()
        with pytest.raises(DivisionCodeError):
            import_division_codes(write_csv(tmp_path / "orphan.csv", rows))
        assert Region.objects.count() == count

    def test_wrong_headers_are_refused(self, reference, tmp_path):
        with pytest.raises(DivisionCodeError):
            import_division_codes(write_csv(tmp_path / "h.csv", [("a", "b"), ("500104001001", "x")]))

    def test_command(self, reference, tmp_path, capsys):
        call_command("import_division_codes", str(write_csv(tmp_path / "codes.csv", ROWS)))
        assert "3 created" in capsys.readouterr().out
        with pytest.raises(CommandError):
            call_command("import_division_codes", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
class TestAddGrids:
    def test_numbered_grids_continue_the_sequence(self, community_a):
        first = add_grids(community_a, count=2)
        second = add_grids(community_a, count=1)
        assert [g.code for g in first + second] == [
            "500104001001-001",
            "500104001001-002",
            "500104001001-003",
        ]
        assert all(g.level == RegionLevel.GRID and g.parent == community_a for g in first + second)

    def test_named_grids_are_not_added_twice(self, community_a):
        add_grids(community_a, names=["钢花一网格", "钢花二网格"])
        assert add_grids(community_a, names=["钢花二网格", "钢花三网格"])[0].name == "钢花三网格"
        assert community_a.children.count() == 3

    def test_only_under_a_community(self, street):
        with pytest.raises(DivisionCodeError):
            add_grids(street, count=1)

    def test_command(self, community_a, capsys):
        call_command("add_grids", community_a.code, "--names", "一网格", "二网格")
        assert "2 grid(s) added" in capsys.readouterr().out
        with pytest.raises(CommandError):
            call_command("add_grids", "999", "--count", "1")
