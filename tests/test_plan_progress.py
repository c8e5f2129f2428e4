"""Progress reports on the plan's rows: who reports, how the office's review moves the status, evidence files,
quarterly reminders, the unit's pages and their query counts.

The people, beside conftest's:
- dave: liaison of 区人力社保局 (rsj); erin: liaison of 区公安分局 (gaj);
- sam: liaison of 新山村街道's government (gov-500104001);
- olivia: the grand-mediation office (sees every row, reviews);
- carol: supervisor of 新山村街道 (sees the street's rows, reports on none); charlie: nobody.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dadukou.kernel.errors import Forbidden, WorkflowError
from mediation.choices import Role
from mediation.models import Alert, AlertKind, Notification, Unit
from mediation.periodic import discover
from mediation.services.memberships import grant
from tasks_plan.choices import DueKind, ReportKind, ReportStatus, ResponsibilityRole, ResponsibilityStatus
from tasks_plan.models import Plan, PlanTask, ProgressReport, Responsibility
from tasks_plan.services import progress

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STREET_GOV, OTHER_STREET_GOV = "gov-500104001", "gov-500104002"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


def pdf(name="证明材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def unit(code):
    return Unit.objects.get(code=code)


def year_end() -> dt.date:
    return dt.date(timezone.localdate().year, 12, 31)


def add_task(plan, number, *, due_kind=DueKind.DATE, due_on=None, units=()):
    if due_on is None and due_kind == DueKind.DATE:
        due_on = year_end()
    task = PlanTask.objects.create(
        plan=plan,
        number=number,
        section=1,
        section_title="健全工作体系",
        content=f"第{number}项任务的内容",
        standard=f"第{number}项任务的完成标准",
        due_kind=due_kind,
        due_on=due_on,
    )
    for code, role in units:
        Responsibility.objects.create(task=task, unit=unit(code), role=role)
    return task


LEAD, RESP = ResponsibilityRole.LEAD, ResponsibilityRole.RESPONSIBLE


@pytest.fixture
def plan(reference):
    """A small current plan: task 1 (dated) for rsj, gaj and two streets, task 2 (yearly) for rsj and the street,
    task 3 (ongoing) for gaj."""
    plan = Plan.objects.create(code="test", title="测试方案", is_current=True)
    add_task(
        plan,
        1,
        units=[("rsj", LEAD), ("gaj", RESP), (STREET_GOV, RESP), (OTHER_STREET_GOV, RESP)],
    )
    add_task(
        plan,
        2,
        due_kind=DueKind.YEARLY,
        due_on=dt.date(2020, 1, 1),
        units=[("rsj", RESP), (STREET_GOV, RESP)],
    )
    add_task(plan, 3, due_kind=DueKind.ONGOING, due_on=None, units=[("gaj", RESP)])
    return plan


def row(number, code):
    return Responsibility.objects.get(task__plan__is_current=True, task__number=number, unit__code=code)


@pytest.fixture
def erin(make_user, reference):
    user = make_user("erin")
    grant(user, Role.LIAISON, unit=unit("gaj"))
    return user


@pytest.fixture
def sam(make_user, reference):
    user = make_user("sam")
    grant(user, Role.LIAISON, unit=unit(STREET_GOV))
    return user


@pytest.fixture
def olivia(make_user, reference):
    user = make_user("olivia", first_name="刘办公室")
    grant(user, Role.OFFICE_ADMIN, unit=unit("office"))
    return user


def submit(user, responsibility, **extra):
    data = {"period": "2026年第4季度", "text": "已完成调研，正在推进。", "kind": ReportKind.PROGRESS} | extra
    return progress.submit_report(responsibility.pk, user, **data)


# --- who reports -------------------------------------------------------------------------------------------------


def test_it_lets_the_units_liaison_report(plan, dave):
    report = submit(dave, row(1, "rsj"), figures={"调解员人数": "12", "覆盖率": "95%"})

    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == dave
    assert report.figures == {"调解员人数": "12", "覆盖率": "95%"}


def test_it_refuses_another_units_liaison(plan, dave, erin):
    with pytest.raises(Forbidden):
        submit(erin, row(1, "rsj"))
    with pytest.raises(Forbidden):
        submit(dave, row(1, "gaj"))
    assert not ProgressReport.objects.exists()


def test_the_office_sees_every_row_but_does_not_report_for_a_unit(plan, olivia):
    assert Responsibility.objects.visible_to(olivia).count() == Responsibility.objects.count() == 7
    with pytest.raises(Forbidden):
        submit(olivia, row(1, "rsj"))


def test_a_street_government_reports_on_its_own_rows_only(plan, sam):
    submit(sam, row(1, STREET_GOV))
    with pytest.raises(Forbidden):
        submit(sam, row(1, OTHER_STREET_GOV))
    with pytest.raises(Forbidden):
        submit(sam, row(1, "rsj"))


def test_people_without_the_permission_do_not_report(plan, carol, charlie):
    # carol sees the street's rows (territory) but reviews and reports on nothing.
    assert row(1, STREET_GOV) in Responsibility.objects.visible_to(carol)
    for user in (carol, charlie):
        with pytest.raises(Forbidden):
            submit(user, row(1, STREET_GOV))


def test_a_replaced_plans_rows_take_no_new_reports(plan, dave):
    responsibility = row(1, "rsj")
    Plan.objects.filter(pk=plan.pk).update(is_current=False)
    with pytest.raises(WorkflowError) as error:
        submit(dave, responsibility)
    assert error.value.code == "plan_not_current"


@pytest.mark.parametrize(
    "extra, code",
    [
        ({"text": "  "}, "empty_text"),
        ({"period": ""}, "invalid_period"),
        ({"kind": "final"}, "invalid_kind"),
        ({"figures": [("人数", "3"), ("人数", "4")]}, "invalid_figures"),
        ({"figures": [("人数", "")]}, "invalid_figures"),
        (
            {"files": [SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/pdf")]},
            "invalid_file_type",
        ),
        (
            {"files": [SimpleUploadedFile("fake.pdf", b"MZ\x90\x00", content_type="application/pdf")]},
            "file_content_mismatch",
        ),
    ],
)
def test_it_refuses_a_bad_report_and_changes_nothing(plan, dave, media, extra, code):
    with pytest.raises(WorkflowError) as error:
        submit(dave, row(1, "rsj"), **extra)
    assert error.value.code == code
    assert not ProgressReport.objects.exists()
    assert not list(media.rglob("*.*"))


def test_a_completed_row_takes_no_second_completion_report(plan, dave, olivia):
    responsibility = row(1, "rsj")
    progress.review_report(submit(dave, responsibility, kind=ReportKind.COMPLETION).pk, olivia, accept=True)
    with pytest.raises(WorkflowError) as error:
        submit(dave, responsibility, kind=ReportKind.COMPLETION)
    assert error.value.code == "already_done"


# --- the review moves the status -----------------------------------------------------------------------------------


def test_submitting_moves_no_status(plan, dave):
    submit(dave, row(1, "rsj"))
    submit(dave, row(2, "rsj"), kind=ReportKind.COMPLETION)

    assert row(1, "rsj").status == ResponsibilityStatus.NOT_STARTED
    assert row(2, "rsj").status == ResponsibilityStatus.NOT_STARTED


def test_an_accepted_progress_report_starts_the_row(plan, dave, olivia):
    report = progress.review_report(submit(dave, row(1, "rsj")).pk, olivia, accept=True)

    assert (report.status, report.reviewed_by) == (ReportStatus.ACCEPTED, olivia)
    responsibility = row(1, "rsj")
    assert responsibility.status == ResponsibilityStatus.IN_PROGRESS
    assert responsibility.status_changed_at is not None


def test_an_accepted_completion_report_closes_the_row_and_its_escalation(plan, dave, olivia):
    Responsibility.objects.filter(pk=row(1, "rsj").pk).update(
        status=ResponsibilityStatus.OVERDUE, overdue_since=dt.date(2026, 1, 1), escalation_step=2
    )
    progress.review_report(submit(dave, row(1, "rsj"), kind=ReportKind.COMPLETION).pk, olivia, accept=True)

    responsibility = row(1, "rsj")
    assert responsibility.status == ResponsibilityStatus.DONE
    assert (responsibility.overdue_since, responsibility.escalation_step) == (None, 0)


def test_an_accepted_progress_report_leaves_an_overdue_row_overdue(plan, dave, olivia):
    Responsibility.objects.filter(pk=row(1, "rsj").pk).update(
        status=ResponsibilityStatus.OVERDUE, overdue_since=dt.date(2026, 1, 1), escalation_step=1
    )
    progress.review_report(submit(dave, row(1, "rsj")).pk, olivia, accept=True)

    responsibility = row(1, "rsj")
    assert responsibility.status == ResponsibilityStatus.OVERDUE
    assert responsibility.escalation_step == 1


def test_a_returned_report_changes_no_status_and_keeps_the_comments(plan, dave, olivia):
    report = progress.review_report(
        submit(dave, row(1, "rsj"), kind=ReportKind.COMPLETION).pk,
        olivia,
        accept=False,
        comments="缺少佐证材料",
    )

    assert (report.status, report.review_comments) == (ReportStatus.RETURNED, "缺少佐证材料")
    assert row(1, "rsj").status == ResponsibilityStatus.NOT_STARTED


def test_a_report_is_returned_only_with_comments(plan, dave, olivia):
    report = submit(dave, row(1, "rsj"))
    with pytest.raises(WorkflowError) as error:
        progress.review_report(report.pk, olivia, accept=False, comments="  ")
    assert error.value.code == "comments_required"
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_a_report_is_reviewed_once(plan, dave, olivia):
    report = submit(dave, row(1, "rsj"))
    progress.review_report(report.pk, olivia, accept=False, comments="请补充数据")
    for accept in (True, False):
        with pytest.raises(WorkflowError) as error:
            progress.review_report(report.pk, olivia, accept=accept, comments="再审")
        assert error.value.code == "already_reviewed"
    report.refresh_from_db()
    assert (report.status, report.review_comments) == (ReportStatus.RETURNED, "请补充数据")
    assert row(1, "rsj").status == ResponsibilityStatus.NOT_STARTED


def test_only_the_office_reviews(plan, dave, carol, olivia):
    report = submit(dave, row(1, "rsj"))
    for user in (dave, carol):
        with pytest.raises(Forbidden):
            progress.review_report(report.pk, user, accept=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


# --- evidence files ----------------------------------------------------------------------------------------------


def evidence_url(attachment):
    return reverse("tasks_plan:evidence", args=[attachment.report_id, attachment.pk])


def test_evidence_is_stored_under_a_random_name(plan, dave, media):
    report = submit(dave, row(1, "rsj"), files=[pdf("../../台账.pdf")])

    attachment = report.attachments.get()
    assert attachment.original_name == "台账.pdf"
    assert attachment.size == len(PDF)
    assert "台账" not in attachment.file.name
    assert (media / attachment.file.name).read_bytes() == PDF


def test_evidence_is_served_only_to_those_who_see_the_row(plan, client, dave, erin, carol, olivia):
    attachment = submit(dave, row(1, "rsj"), files=[pdf()]).attachments.get()
    url = evidence_url(attachment)

    for user, status in ((dave, 200), (olivia, 200), (erin, 404), (carol, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Type"] == "application/pdf"
    # The right file under another report's id is not found either.
    other = submit(erin, row(1, "gaj"))
    client.force_login(dave)
    assert client.get(reverse("tasks_plan:evidence", args=[other.pk, attachment.pk])).status_code == 404


# --- reminders ---------------------------------------------------------------------------------------------------


def reminded_units():
    return sorted(
        Alert.objects.filter(kind=AlertKind.REPORT_REMINDER).values_list("recipient_unit__code", "object_id")
    )


def test_reminders_start_five_days_before_the_reporting_day(plan, dave):
    assert progress.remind(dt.date(2026, 12, 19)) == 0
    assert progress.remind(dt.date(2026, 12, 26)) == 0
    assert not Alert.objects.exists()

    assert progress.remind(dt.date(2026, 12, 20)) == 7

    alerts = Alert.objects.filter(kind=AlertKind.REPORT_REMINDER)
    assert {a.level for a in alerts} == {20264}
    alert = alerts.get(object_id=row(1, "rsj").pk)
    assert alert.recipient_unit.code == "rsj"
    assert alert.url == reverse("tasks_plan:responsibility", args=[row(1, "rsj").pk])
    assert Notification.objects.filter(user=dave, alert=alert).exists()


def test_reminders_are_raised_once_per_quarter(plan, dave):
    assert progress.remind(dt.date(2026, 12, 20)) == 7
    assert progress.remind(dt.date(2026, 12, 21)) == 0
    assert progress.remind(dt.date(2026, 12, 25)) == 0
    assert Alert.objects.count() == 7
    # The next quarter reminds again, and so does the same quarter of the next year.
    assert progress.remind(dt.date(2027, 3, 20)) == 7
    assert progress.remind(dt.date(2027, 12, 22)) == 7
    assert Alert.objects.count() == 21


def test_no_reminder_for_done_rows_or_rows_reported_this_quarter(plan, dave, erin, olivia):
    done = row(1, "rsj")
    progress.review_report(submit(dave, done, kind=ReportKind.COMPLETION).pk, olivia, accept=True)
    reported = row(1, "gaj")
    submit(erin, reported)  # submitted, not reviewed yet: it counts as this quarter's report
    returned = row(3, "gaj")
    progress.review_report(submit(erin, returned).pk, olivia, accept=False, comments="重写")
    earlier = row(2, "rsj")
    last_quarter = progress.quarter_start(timezone.localdate()) - dt.timedelta(days=5)
    ProgressReport.objects.filter(pk=submit(dave, earlier).pk).update(
        submitted_at=timezone.make_aware(dt.datetime.combine(last_quarter, dt.time(10)))
    )

    # The reports above were submitted today, in today's quarter; remind on that quarter's reporting day.
    assert progress.remind(progress.reporting_day(timezone.localdate())) == 5

    reminded = {object_id for _, object_id in reminded_units()}
    assert done.pk not in reminded and reported.pk not in reminded
    assert {returned.pk, earlier.pk} <= reminded


def test_no_reminder_for_a_replaced_plan(plan):
    Plan.objects.filter(pk=plan.pk).update(is_current=False)
    assert progress.remind(dt.date(2026, 12, 20)) == 0


def test_the_reminder_job_runs_daily_at_half_past_eight():
    assert "plan_report_reminders" in discover()
    entry = django_settings.CELERY_BEAT_SCHEDULE["plan-report-reminders"]
    assert entry["args"] == ["plan_report_reminders"]
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({8}, {30})


# --- pages -------------------------------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)
    return client


def test_my_tasks_shows_the_units_own_rows(plan, client, dave):
    response = login(client, dave).get(reverse("tasks_plan:my_tasks"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert {r.responsibility.pk for r in rows} == {row(1, "rsj").pk, row(2, "rsj").pk}
    assert [r.deadline for r in response.context["due_next"]] == [year_end()] * 2
    assert "区人力社保局" in response.content.decode()


def test_my_tasks_marks_late_rows(plan, client, dave):
    PlanTask.objects.filter(plan=plan, number=1).update(due_on=dt.date(2021, 12, 31))

    response = login(client, dave).get(reverse("tasks_plan:my_tasks"))

    late = {r.responsibility.task.number: r.late for r in response.context["rows"]}
    assert late == {1: True, 2: False}
    assert response.context["due_next"][0].responsibility.task.number == 1
    assert "table-danger" in response.content.decode()


def test_a_unit_cannot_open_another_units_page(plan, client, dave):
    response = login(client, dave).get(reverse("tasks_plan:my_tasks"), {"unit": unit("gaj").pk})
    assert response.context["rows"] == []
    assert (
        login(client, dave).get(reverse("tasks_plan:responsibility", args=[row(1, "gaj").pk])).status_code
        == 404
    )


def test_the_office_picks_any_unit(plan, client, olivia):
    response = login(client, olivia).get(reverse("tasks_plan:my_tasks"), {"unit": unit("gaj").pk})

    assert {r.responsibility.pk for r in response.context["rows"]} == {row(1, "gaj").pk, row(3, "gaj").pk}
    assert len(response.context["units"]) == 4


def test_a_street_sees_its_governments_rows(plan, client, carol, sam):
    for user in (carol, sam):
        visible = set(Responsibility.objects.visible_to(user).values_list("unit__code", flat=True))
        assert visible == {STREET_GOV}
    response = login(client, carol).get(reverse("tasks_plan:responsibility", args=[row(1, STREET_GOV).pk]))
    assert response.status_code == 200
    assert response.context["form"] is None  # carol sees the row but does not report on it


def test_pages_need_the_permission(plan, client, charlie, dave):
    login(client, charlie)
    assert client.get(reverse("tasks_plan:my_tasks")).status_code == 403
    assert client.get(reverse("tasks_plan:responsibility", args=[row(1, "rsj").pk])).status_code == 403
    login(client, dave)
    assert client.get(reverse("tasks_plan:review_queue")).status_code == 403


def test_the_liaison_submits_through_the_page(plan, client, dave):
    responsibility = row(1, "rsj")
    url = reverse("tasks_plan:responsibility", args=[responsibility.pk])
    page = login(client, dave).get(url)
    assert page.context["form"]["period"].value() == progress.period_label(timezone.localdate())

    response = client.post(
        url,
        {
            "kind": ReportKind.PROGRESS,
            "period": "2026年第4季度",
            "text": "已召开专题会议。",
            "figure_name_0": "专职调解员",
            "figure_value_0": "3",
            "files": [pdf()],
        },
    )

    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.figures == {"专职调解员": "3"}
    assert report.attachments.count() == 1
    assert row(1, "rsj").status == ResponsibilityStatus.NOT_STARTED


def test_a_refused_submission_keeps_what_was_typed(plan, client, dave):
    url = reverse("tasks_plan:responsibility", args=[row(1, "rsj").pk])
    response = login(client, dave).post(
        url, {"kind": ReportKind.PROGRESS, "period": "2026年第4季度", "text": "进展", "figure_value_0": "3"}
    )

    assert response.status_code == 400
    assert "进展" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_the_office_reviews_from_the_queue(plan, client, dave, erin, olivia):
    first = submit(dave, row(1, "rsj"), kind=ReportKind.COMPLETION)
    second = submit(erin, row(1, "gaj"))
    queue = reverse("tasks_plan:review_queue")

    response = login(client, olivia).get(queue)
    assert [r.pk for r in response.context["reports"]] == [first.pk, second.pk]

    response = client.post(
        reverse("tasks_plan:review", args=[first.pk]), {"decision": "accept", "comments": "", "next": queue}
    )
    assert response.status_code == 302 and response.url == queue
    assert row(1, "rsj").status == ResponsibilityStatus.DONE

    client.post(reverse("tasks_plan:review", args=[second.pk]), {"decision": "return", "comments": ""})
    second.refresh_from_db()
    assert second.status == ReportStatus.SUBMITTED  # returning needs comments

    response = client.post(
        reverse("tasks_plan:review", args=[second.pk]),
        {"decision": "return", "comments": "请补充", "next": "https://example.com/"},
    )
    assert response.url == reverse("tasks_plan:responsibility", args=[row(1, "gaj").pk])
    assert [r.pk for r in client.get(queue).context["reports"]] == []


# --- query counts ------------------------------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured.captured_queries)


def more_rows(plan, first, count):
    for number in range(first, first + count):
        add_task(plan, number, units=[("rsj", RESP), ("gaj", RESP)])


def test_my_tasks_query_count_does_not_grow_with_rows(plan, client, dave, django_assert_max_num_queries):
    login(client, dave)
    url = reverse("tasks_plan:my_tasks")
    few = count_queries(client, url)
    more_rows(plan, 10, 12)
    for responsibility in Responsibility.objects.filter(unit__code="rsj"):
        submit(dave, responsibility)
    with django_assert_max_num_queries(few):
        client.get(url)
    assert few <= 10


def reports_with_files(user, responsibility, count):
    return [submit(user, responsibility, files=[pdf(), pdf("b.pdf")]) for _ in range(count)]


def test_responsibility_page_query_count_does_not_grow_with_reports(
    plan, client, dave, olivia, django_assert_max_num_queries
):
    responsibility = row(1, "rsj")
    url = reverse("tasks_plan:responsibility", args=[responsibility.pk])
    reports_with_files(dave, responsibility, 1)
    login(client, olivia)
    few = count_queries(client, url)
    reports = reports_with_files(dave, responsibility, 6)
    progress.review_report(reports[0].pk, olivia, accept=False, comments="补充")
    with django_assert_max_num_queries(few):
        client.get(url)
    assert few <= 12


def test_review_queue_query_count_does_not_grow_with_reports(
    plan, client, dave, erin, olivia, django_assert_max_num_queries
):
    reports_with_files(dave, row(1, "rsj"), 1)
    login(client, olivia)
    url = reverse("tasks_plan:review_queue")
    few = count_queries(client, url)
    reports_with_files(dave, row(2, "rsj"), 4)
    reports_with_files(erin, row(3, "gaj"), 4)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.context["count"] == 9
    assert few <= 9


# --- demo --------------------------------------------------------------------------------------------------------


def test_the_demo_plays_its_reports_once(reference, monkeypatch):
    import io

    from mediation.demo import foundation as mediation_demo
    from tasks_plan import demo

    # The overdue sweep the demo ends with is tested in test_plan_escalation; here it is only called.
    sweeps = []
    monkeypatch.setattr(demo, "_sweep_overdue", sweeps.append)
    mediation_demo.load_regions()
    mediation_demo.load_accounts()
    demo.load_demo(io.StringIO())
    demo.load_demo(out := io.StringIO())

    assert "0 progress reports played" in out.getvalue()
    assert len(sweeps) == 2
    assert ProgressReport.objects.count() == len(demo.STORIES)
    statuses = dict(
        Responsibility.objects.filter(task__plan__is_current=True, unit__code="rsj").values_list(
            "task__number", "status"
        )
    )
    assert statuses[10] == ResponsibilityStatus.DONE
    assert statuses[21] == ResponsibilityStatus.IN_PROGRESS
    assert ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 2
    assert ProgressReport.objects.filter(status=ReportStatus.RETURNED).get().review_comments
