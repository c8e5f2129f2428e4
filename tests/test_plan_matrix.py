"""The matrix page (/plan/), a task's page, the xlsx export and the joint meetings.

People: olive of the office (大调解工作办公室) sees every row; dave, liaison of 区人力社保局 (tests/conftest.py),
sees his unit's; carol, supervisor of 新山村街道, sees her street government's; charlie has no role at all.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from mediation.choices import OrganizationKind, Role, UnitKind
from mediation.models import Unit
from mediation.services.memberships import grant
from tasks_plan.choices import ReportKind, ResponsibilityRole, ResponsibilityStatus
from tasks_plan.models import JointMeeting, PlanTask, ProgressReport, Responsibility, Target
from tasks_plan.services.export import HEADER_ROW, HEADERS
from tasks_plan.services.targets import TargetState
from tests.conftest import PASSWORD
from tests.registry_fixtures import make_org

pytest_plugins = ["tests.registry_fixtures", "tests.dispute_fixtures"]

MATRIX = reverse("tasks_plan:matrix")
EXPORT = reverse("tasks_plan:matrix_export")


@pytest.fixture(autouse=True)
def quick(fast_password_hashing):
    """Users log in many times here; a fast hasher keeps the module quick."""


@pytest.fixture
def plan(loaded_plan):
    """The seed plan, current (conftest: computed once per worker, inserted in the test's transaction)."""
    return loaded_plan


@pytest.fixture
def olive(make_user, reference):
    user = make_user("olive")
    grant(user, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    return user


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def task(number: int) -> PlanTask:
    return PlanTask.objects.get(plan__is_current=True, number=number)


def row(number: int, unit_code: str) -> Responsibility:
    return Responsibility.objects.get(task=task(number), unit__code=unit_code)


def numbers(matrix) -> list[int]:
    return [r.task.number for r in matrix.rows]


@pytest.mark.django_db
class TestVisibility:
    def test_the_office_sees_every_task_and_unit(self, client, plan, olive):
        matrix = login(client, olive).get(MATRIX).context["matrix"]
        assert numbers(matrix) == list(range(1, 33))
        assert [s.number for s in matrix.sections] == list(range(1, 10))
        # 24 member units, then the office and 区城市管理局, then the 8 street/town governments.
        kinds = [(u.is_member_unit, u.kind == UnitKind.STREET_GOVERNMENT) for u in matrix.columns]
        assert kinds == [(True, False)] * 24 + [(False, False)] * 2 + [(False, True)] * 8
        assert matrix.columns[0].name == "区委政法委"
        streets = [u.code for u in matrix.columns[26:]]
        assert streets == sorted(streets) and streets[0] == "gov-500104001"
        assert (
            sum(cell is not None for r in matrix.rows for cell in r.cells) == Responsibility.objects.count()
        )

    def test_a_unit_sees_its_own_column_and_tasks(self, client, plan, dave):
        matrix = login(client, dave).get(MATRIX).context["matrix"]
        rsj = Unit.objects.get(code="rsj")
        assert matrix.columns == [rsj]
        mine = sorted(Responsibility.objects.filter(unit=rsj).values_list("task__number", flat=True))
        assert numbers(matrix) == mine and 32 in mine and 5 not in mine
        assert all(r.cells == [r.visible[0]] and r.visible[0].unit == rsj for r in matrix.rows)
        # Task 32: 区人力社保局 leads.
        assert matrix.rows[-1].cells[0].role == ResponsibilityRole.LEAD

    def test_a_street_sees_its_government(self, client, plan, carol):
        matrix = login(client, carol).get(MATRIX).context["matrix"]
        assert [u.code for u in matrix.columns] == ["gov-500104001"]
        assert 5 in numbers(matrix) and 7 not in numbers(matrix)

    def test_the_unit_filter_offers_only_visible_units(self, client, plan, dave):
        form = login(client, dave).get(MATRIX).context["form"]
        assert [label for value, label in form.fields["unit"].choices if value] == ["区人力社保局"]
        sfj = Unit.objects.get(code="sfj")
        response = client.get(MATRIX, {"unit": sfj.pk})
        assert response.status_code == 200 and response.context["matrix"].columns == [
            Unit.objects.get(code="rsj")
        ]

    def test_task_pages_follow_the_rows(self, client, plan, dave):
        login(client, dave)
        response = client.get(reverse("tasks_plan:task", args=[task(1).pk]))
        assert response.status_code == 200
        assert [r.unit.code for r in response.context["responsibilities"]] == ["rsj"]
        assert client.get(reverse("tasks_plan:task", args=[task(5).pk])).status_code == 404
        assert client.get(reverse("tasks_plan:task", args=[999999])).status_code == 404

    def test_without_the_permission(self, client, plan, charlie):
        login(client, charlie)
        assert client.get(MATRIX).status_code == 403
        assert client.get(EXPORT).status_code == 403
        assert client.get(reverse("tasks_plan:task", args=[task(1).pk])).status_code == 403


@pytest.mark.django_db
class TestMatrixPage:
    def test_filters(self, client, plan, olive):
        login(client, olive)
        assert numbers(client.get(MATRIX, {"section": 4}).context["matrix"]) == [5, 6, 7, 8]
        sfj = Unit.objects.get(code="sfj")
        matrix = client.get(MATRIX, {"unit": sfj.pk}).context["matrix"]
        assert matrix.columns == [sfj]
        assert numbers(matrix) == sorted(
            Responsibility.objects.filter(unit=sfj).values_list("task__number", flat=True)
        )
        Responsibility.objects.filter(pk=row(7, "fy").pk).update(status=ResponsibilityStatus.OVERDUE)
        assert numbers(client.get(MATRIX, {"status": "overdue"}).context["matrix"]) == [7]
        assert numbers(client.get(MATRIX, {"section": 9, "status": "overdue"}).context["matrix"]) == []
        # A bad value is ignored rather than failing the page.
        assert client.get(MATRIX, {"section": "x"}).status_code == 200

    def test_cells_show_role_and_status(self, client, plan, olive):
        Responsibility.objects.filter(pk=row(7, "fy").pk).update(status=ResponsibilityStatus.OVERDUE)
        Responsibility.objects.filter(pk=row(7, "sfj").pk).update(status=ResponsibilityStatus.DONE)
        Responsibility.objects.filter(pk=row(7, "gaj").pk).update(status=ResponsibilityStatus.IN_PROGRESS)
        response = login(client, olive).get(MATRIX, {"section": 4})
        html = response.content.decode()
        assert html.count("status-overdue") == 2  # the cell and the legend
        assert html.count("status-done") == 2 and html.count("status-in_progress") == 2
        assert reverse("tasks_plan:responsibility", args=[row(7, "fy").pk]) in html
        seven = next(r for r in response.context["matrix"].rows if r.task.number == 7)
        assert seven.status == ResponsibilityStatus.OVERDUE
        assert [u.code for u in seven.overdue_units] == ["fy"]

    def test_live_indicators_on_the_page(self, client, plan, olive, district):
        make_org(OrganizationKind.PLATFORM, district)
        # A numeric target the platform cannot measure (no indicator named) says so instead of a number.
        Target.objects.filter(task__plan__is_current=True, task__number=25).update(indicator="")
        response = login(client, olive).get(MATRIX)
        rows = {r.task.number: r for r in response.context["matrix"].rows}
        assert [e.state for e in rows[1].evaluations] == [
            TargetState.MET,
            TargetState.NOT_MET,
            TargetState.NO_DATA,
        ]
        assert rows[25].evaluations[0].state == TargetState.NOT_IN_SYSTEM
        assert rows[9].evaluations[0].state == TargetState.JUDGED
        assert str(TargetState.NOT_IN_SYSTEM.label) in response.content.decode()

    def test_no_plan_yet(self, client, reference, olive):
        response = login(client, olive).get(MATRIX)
        assert response.status_code == 200 and response.context["matrix"].plan is None


@pytest.mark.django_db
class TestTaskPage:
    def test_targets_rows_and_reports(self, client, plan, olive, dave, district, street):
        make_org(OrganizationKind.PLATFORM, district)
        make_org(OrganizationKind.PLATFORM, street)
        mine = row(1, "rsj")
        ProgressReport.objects.create(
            responsibility=mine, period="2026-01", text="旧的报告", submitted_by=dave
        )
        ProgressReport.objects.create(
            responsibility=mine,
            kind=ReportKind.COMPLETION,
            period="2026-02",
            text="最新的报告",
            submitted_by=dave,
        )
        JointMeeting.objects.create(
            held_on="2026-02-01",
            title="第一次联席会议",
            issues="平台建设",
            decisions="年底建成",
            recorded_by=olive,
        ).tasks.add(task(1))
        response = login(client, olive).get(reverse("tasks_plan:task", args=[task(1).pk]))
        assert response.status_code == 200
        street_target = response.context["targets"][1]
        assert street_target.evaluation.state == TargetState.NOT_MET
        # Gaps first, each street a link to the registry's list of its organizations.
        assert [linked.row.met for linked in street_target.rows][:7] == [False] * 7
        assert all(
            "/mediation/registry/organizations/?region=" in linked.url for linked in street_target.rows
        )
        rsj = next(r for r in response.context["responsibilities"] if r.unit.code == "rsj")
        assert rsj.latest_reports[0].text == "最新的报告"
        html = response.content.decode()
        assert "最新的报告" in html and "旧的报告" not in html
        assert "第一次联席会议" in html
        # The lead units come first.
        assert [r.role for r in response.context["responsibilities"][:2]] == [ResponsibilityRole.LEAD] * 2

    def test_not_in_the_system_is_said_plainly(self, client, plan, olive):
        # A numeric target with no indicator tied to it (task 25's, with its indicator removed for the test).
        Target.objects.filter(task__plan__is_current=True, task__number=25).update(indicator="")
        response = login(client, olive).get(reverse("tasks_plan:task", args=[task(25).pk]))
        (shown,) = response.context["targets"]
        assert shown.evaluation.state == TargetState.NOT_IN_SYSTEM and shown.rows == []
        assert str(TargetState.NOT_IN_SYSTEM.label) in response.content.decode()

    def test_dispute_rows_link_to_visible_disputes(
        self, client, plan, olive, defaults, alice, community_a, platforms
    ):
        from tests.dispute_fixtures import register_dispute

        register_dispute(alice, community_a)
        response = login(client, olive).get(reverse("tasks_plan:task", args=[task(4).pk]))
        community = response.context["targets"][2]
        linked = {r.row.obj: r.url for r in community.rows}
        assert linked[community_a] == f"{reverse('disputes:list')}?region={community_a.pk}"


@pytest.mark.django_db
class TestExport:
    def sheet(self, response):
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        return load_workbook(BytesIO(response.content)).active

    def task_rows(self, sheet) -> dict[int, list]:
        found = {}
        for values in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
            if isinstance(values[0], int):
                found[values[0]] = list(values)
        return found

    def test_the_plans_layout(self, client, plan, olive):
        sheet = self.sheet(login(client, olive).get(EXPORT))
        headers = [c.value for c in sheet[HEADER_ROW]]
        assert headers == [
            "序号",
            "任务内容",
            "完成标准及时限",
            "牵头单位",
            "责任单位",
            "当前状态",
            "实时指标",
        ]
        assert headers == HEADERS
        rows = self.task_rows(sheet)
        assert list(rows) == list(range(1, 33))
        # Sections are merged heading rows across the sheet.
        headings = [
            values[0]
            for values in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
            if isinstance(values[0], str)
        ]
        assert headings[0] == "一、建立区域性矛盾纠纷调处平台" and len(headings) == 9
        assert len(sheet.merged_cells.ranges) == 1 + 9  # the title and the nine sections
        # The unit columns as the plan writes them.
        assert rows[1][3:5] == ["区委政法委、大调解工作办公室", "工作小组各成员单位、各镇街"]
        assert rows[5][3:5] == ["区司法局", "各镇街"]
        assert rows[7][3:5] == [None, "区公安分局、区司法局、区信访办、区法院"]
        assert rows[17][3:5] == ["区司法局", "工作小组各成员单位、各镇街"]
        assert rows[1][2] == "2021年，区、乡镇(街道)、村(社区)矛盾纠纷综合调处平台建成率达100%"

    def test_status_and_live_columns(self, client, plan, olive):
        Target.objects.filter(task__plan__is_current=True, task__number=25).update(indicator="")
        Responsibility.objects.filter(pk=row(7, "fy").pk).update(status=ResponsibilityStatus.OVERDUE)
        Responsibility.objects.filter(task=task(1)).update(status=ResponsibilityStatus.OVERDUE)
        rows = self.task_rows(self.sheet(login(client, olive).get(EXPORT)))
        with translation.override("zh-hans"):
            overdue = str(ResponsibilityStatus.OVERDUE.label)
            not_in_system = str(TargetState.NOT_IN_SYSTEM.label)
        assert rows[7][5].startswith(f"{overdue} 1（区法院）")
        # Complete groups are named as the plan names them.
        assert rows[1][5] == f"{overdue} 33（大调解工作办公室、工作小组各成员单位、各镇街）"
        assert not_in_system in rows[25][6]
        assert rows[7][6].count("\n") == 5  # six targets, a line each
        assert rows[1][6].splitlines()[0].startswith("综合调处平台建成率（区级）：")

    def test_a_unit_exports_its_own_rows(self, client, plan, dave):
        rows = self.task_rows(self.sheet(login(client, dave).get(EXPORT)))
        mine = sorted(Responsibility.objects.filter(unit__code="rsj").values_list("task__number", flat=True))
        assert list(rows) == mine

    def test_filters_apply(self, client, plan, olive):
        rows = self.task_rows(self.sheet(login(client, olive).get(EXPORT, {"section": 9})))
        assert list(rows) == [27, 28, 29, 30, 31, 32]


def count_queries(client, url, **params) -> int:
    # A warm-up request first: per-process caches (content types, permissions) are not part of the page's cost.
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.django_db
class TestQueryCounts:
    """The pages read a fixed number of queries whatever the number of tasks, units and reports."""

    def grow(self, olive):
        """Two more units in every task's columns, a 33rd task with rows for all units, reports on rows."""
        plan_task = task(1)
        district = Unit.objects.get(code="office").region
        extra = [
            Unit.objects.create(
                code=f"extra-{i}",
                name=f"区新增单位{i}",
                kind=UnitKind.GOVERNMENT,
                region=district,
                is_member_unit=True,
            )
            for i in range(2)
        ]
        new = PlanTask.objects.create(
            plan=plan_task.plan,
            number=33,
            section=9,
            section_title="强化工作保障",
            content="新增任务",
            standard="2026年完成",
            due_kind="ongoing",
        )
        for unit in Unit.objects.all():
            Responsibility.objects.create(task=new, unit=unit, role=ResponsibilityRole.RESPONSIBLE)
        for unit in extra:
            for t in PlanTask.objects.exclude(pk=new.pk):
                Responsibility.objects.create(task=t, unit=unit, role=ResponsibilityRole.RESPONSIBLE)
        for r in Responsibility.objects.filter(task=plan_task)[:10]:
            ProgressReport.objects.create(responsibility=r, period="2026-01", text="进展", submitted_by=olive)

    def test_the_matrix(self, client, plan, olive):
        login(client, olive)
        before = count_queries(client, MATRIX)
        self.grow(olive)
        assert count_queries(client, MATRIX) == before
        assert len(client.get(MATRIX).context["matrix"].columns) == 36 + 1  # 区法学会 has a row in task 33

    def test_the_export(self, client, plan, olive):
        login(client, olive)
        before = count_queries(client, EXPORT)
        self.grow(olive)
        assert count_queries(client, EXPORT) == before

    def test_a_task_page(self, client, plan, olive):
        login(client, olive)
        url = reverse("tasks_plan:task", args=[task(1).pk])
        before = count_queries(client, url)
        self.grow(olive)
        assert count_queries(client, url) == before


@pytest.mark.django_db
class TestJointMeetings:
    def form(self, **extra):
        data = {
            "held_on": "2026-03-10",
            "title": "2026年第一次联席会议",
            "chaired_by": "区委常委、政法委书记",
            "attendees": [Unit.objects.get(code="sfj").pk, Unit.objects.get(code="fy").pk],
            "issues": "驻法院调解室人员不足",
            "decisions": "区司法局增派两名专职调解员",
            "tasks": [task(7).pk, task(8).pk],
        }
        return data | extra

    def test_the_office_records_a_meeting(self, client, plan, olive):
        login(client, olive)
        response = client.post(reverse("tasks_plan:meeting_create"), self.form())
        meeting = JointMeeting.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "tasks_plan:meeting_detail", args=[meeting.pk]
        )
        assert meeting.recorded_by == olive
        assert {u.code for u in meeting.attendees.all()} == {"sfj", "fy"}
        assert sorted(t.number for t in meeting.tasks.all()) == [7, 8]
        html = client.get(response["Location"]).content.decode()
        assert "区司法局增派两名专职调解员" in html and "区法院" in html
        assert meeting.title in client.get(reverse("tasks_plan:meeting_list")).content.decode()
        assert meeting.title in client.get(reverse("tasks_plan:task", args=[task(7).pk])).content.decode()

    def test_the_office_edits_it(self, client, plan, olive):
        login(client, olive)
        client.post(reverse("tasks_plan:meeting_create"), self.form())
        meeting = JointMeeting.objects.get()
        url = reverse("tasks_plan:meeting_update", args=[meeting.pk])
        assert client.get(url).status_code == 200
        client.post(url, self.form(decisions="改为增派三名", tasks=[task(28).pk]))
        meeting.refresh_from_db()
        assert meeting.decisions == "改为增派三名" and [t.number for t in meeting.tasks.all()] == [28]
        assert meeting.recorded_by == olive

    def test_the_form_needs_attendees_issues_and_decisions(self, client, plan, olive):
        login(client, olive)
        response = client.post(reverse("tasks_plan:meeting_create"), self.form(attendees=[], decisions=""))
        assert response.status_code == 200 and not JointMeeting.objects.exists()
        assert set(response.context["form"].errors) == {"attendees", "decisions"}

    def test_a_liaison_reads_but_does_not_record(self, client, plan, olive, dave):
        meeting = JointMeeting.objects.create(
            held_on="2026-01-05", title="联席会议", issues="…", decisions="…", recorded_by=olive
        )
        login(client, dave)
        assert client.get(reverse("tasks_plan:meeting_list")).status_code == 200
        assert client.get(reverse("tasks_plan:meeting_detail", args=[meeting.pk])).status_code == 200
        assert client.get(reverse("tasks_plan:meeting_create")).status_code == 403
        assert client.post(reverse("tasks_plan:meeting_create"), self.form()).status_code == 403
        assert client.get(reverse("tasks_plan:meeting_update", args=[meeting.pk])).status_code == 403
        assert JointMeeting.objects.count() == 1

    def test_the_list_pages_by_cursor_in_a_fixed_number_of_queries(self, client, plan, olive, monkeypatch):
        from tasks_plan.views import meetings

        def hold(n):
            for i in range(JointMeeting.objects.count(), n):
                JointMeeting.objects.create(
                    held_on=f"2026-01-{i + 1:02d}",
                    title=f"联席会议{i}",
                    issues="…",
                    decisions="…",
                    recorded_by=olive,
                )

        monkeypatch.setattr(meetings, "PAGE_SIZE", 3)
        login(client, olive)
        url = reverse("tasks_plan:meeting_list")
        hold(2)
        few = count_queries(client, url)
        hold(8)
        assert count_queries(client, url) == few
        seen, query = [], ""
        while True:
            response = client.get(f"{url}?{query}")
            seen += [m.pk for m in response.context["meetings"]]
            if not response.context["page"].next_cursor:
                break
            query = response.context["next_query"]
        assert seen == list(JointMeeting.objects.order_by("-held_on", "-pk").values_list("pk", flat=True))

    def test_someone_without_a_role_sees_nothing(self, client, plan, charlie):
        login(client, charlie)
        assert client.get(reverse("tasks_plan:meeting_list")).status_code == 403


@pytest.mark.django_db
class TestMeetingScope:
    """A meeting is seen throughout the territory of the unit that convened it, and by the units attending."""

    @pytest.fixture
    def meetings(self, plan, olive, other_street):
        foreign_gov = Unit.objects.get(code=f"gov-{other_street.code}")
        held = {"issues": "…", "decisions": "…", "recorded_by": olive}
        return {
            "office": JointMeeting.objects.create(held_on="2026-01-05", title="全区联席会议", **held),
            "foreign": JointMeeting.objects.create(
                held_on="2026-01-06", title="跃进村街道联席会议", convened_by=foreign_gov, **held
            ),
        }

    def test_the_office_convenes_by_default(self, meetings):
        assert meetings["office"].convened_by.code == "office"

    def test_a_street_sees_the_districts_meetings_and_not_another_streets(self, client, meetings, carol):
        login(client, carol)
        listing = client.get(reverse("tasks_plan:meeting_list")).content.decode()
        assert "全区联席会议" in listing and "跃进村街道联席会议" not in listing
        foreign = meetings["foreign"].pk
        assert client.get(reverse("tasks_plan:meeting_detail", args=[foreign])).status_code == 404
        assert (
            client.get(reverse("tasks_plan:meeting_detail", args=[meetings["office"].pk])).status_code == 200
        )

    def test_an_attending_unit_sees_a_streets_meeting(self, client, meetings, dave):
        login(client, dave)
        detail = reverse("tasks_plan:meeting_detail", args=[meetings["foreign"].pk])
        assert client.get(detail).status_code == 404
        meetings["foreign"].attendees.add(Unit.objects.get(code="rsj"))
        assert client.get(detail).status_code == 200

    def test_a_street_clerk_may_not_edit_another_streets_meeting(self, client, meetings, make_user, street):
        clerk = make_user("street_clerk")
        grant(clerk, Role.OFFICE_ADMIN, region=street)
        login(client, clerk)
        foreign = meetings["foreign"].pk
        assert client.get(reverse("tasks_plan:meeting_update", args=[foreign])).status_code == 404
