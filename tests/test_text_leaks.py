"""No page, export, notification, timeline note or indicator row names an object the viewer cannot open.

Each page and export is rendered for a neighbour — carol (supervisor of 新山村街道), alice (dispatcher of its
community A), bob (mediator of community B) — after the office and the district platform have worked on disputes
on both sides of the street boundary (tests/neighbours_world.py), and the response bytes (the cells of an xlsx)
are searched for every foreign dispute number, title and party name, region, mediator, station, meeting and
training. The same pages read by the office do name them, so the search is not vacuous.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm
from openpyxl import load_workbook

from disputes.models import PeriodicReport
from disputes.services import reports
from mediation.indicators import REGISTRY
from mediation.models import AlertKind, Notification
from mediation.services.alerts import Recipient, raise_alert
from tasks_plan.models import PlanTask, Responsibility

pytest_plugins = ["tests.dispute_fixtures", "tests.neighbours_world"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def text_of(response) -> str:
    """The response as text: an xlsx workbook's cell values, anything else decoded."""
    assert response.status_code == 200, (response.status_code, getattr(response, "url", ""))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(BytesIO(body), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
    return body.decode()


def leaks(text: str, names) -> list[str]:
    return [name for name in names if name in text]


def read(client, user, url: str) -> str:
    client.force_login(user)
    return text_of(client.get(url))


def registry_urls() -> list[str]:
    urls = [reverse("mediation:registry"), reverse("mediation:training_compliance")]
    for code in REGISTRY:
        page = reverse("mediation:indicator", args=[code])
        urls += [page, f"{page}?gaps=1"]
    urls += [
        reverse("mediation:registry_export", args=[kind])
        for kind in ("organizations", "mediators", "trainings")
    ]
    urls += [
        reverse("mediation:organization_list"),
        reverse("mediation:mediator_list"),
        reverse("mediation:training_list"),
    ]
    return urls


def dispute_urls(world) -> list[str]:
    ours = world.ours.pk
    return [
        reverse("disputes:list"),
        reverse("disputes:queue"),
        reverse("disputes:export"),
        reverse("disputes:detail", args=[ours]),
        reverse("disputes:casefile", args=[ours]),
        reverse("disputes:patrols"),
        reverse("disputes:patrol_compliance"),
        reverse("mediation:notifications"),
    ]


def plan_urls(user) -> list[str]:
    urls = [
        reverse("tasks_plan:matrix"),
        reverse("tasks_plan:matrix_export"),
        reverse("tasks_plan:meeting_list"),
    ]
    urls += [reverse("tasks_plan:my_tasks")]
    rows = Responsibility.objects.visible_to(user)
    tasks = PlanTask.objects.filter(pk__in=rows.values("task")).order_by("number")
    urls += [reverse("tasks_plan:task", args=[t.pk]) for t in tasks]
    urls += [reverse("tasks_plan:responsibility", args=[r.pk]) for r in rows.order_by("pk")[:5]]
    return urls


def test_the_office_reads_the_foreign_names_so_the_search_means_something(client, neighbours):
    """The same pages name the foreign dispute, its parties, C's mediator and meeting for the office."""
    world = neighbours
    found = set()
    for url in registry_urls() + [reverse("disputes:list"), reverse("disputes:detail", args=[world.ours.pk])]:
        found.update(name for name in world.foreign if name in read(client, world.olive, url))
    found.update(
        name
        for name in world.foreign
        if name in read(client, world.olive, reverse("tasks_plan:meeting_list"))
    )
    assert found >= {
        world.foreign_dispute.number,
        world.twin.number,
        "丙调解员",
        "丙社区",
        "跃进村街道联席会议",
    }


@pytest.mark.parametrize("who", ["carol", "alice", "bob"])
def test_registry_pages_indicators_and_exports_name_nothing_foreign(client, neighbours, who):
    world = neighbours
    user = getattr(world, who)
    names = world.foreign + (world.foreign_to_alice if who == "alice" else [])
    for url in registry_urls():
        assert leaks(read(client, user, url), names) == [], url


def test_dispute_pages_timeline_and_notifications_name_nothing_foreign(client, neighbours):
    """carol and alice read our dispute, merged with C's twin and linked to C's dispute: the timeline says
    "another dispute"; alice's notification about C's dispute has lost its title and message."""
    world = neighbours
    for user, extra in ((world.carol, []), (world.alice, world.foreign_to_alice)):
        for url in dispute_urls(world):
            text = read(client, user, url)
            assert leaks(text, world.foreign + extra) == [], (user.username, url)
    page = read(client, world.alice, reverse("disputes:detail", args=[world.ours.pk]))
    assert "另一件纠纷" in page
    assert Notification.objects.filter(
        user=world.alice, title__contains=world.foreign_dispute.number
    ).exists()
    assert "辖区外" in read(client, world.alice, reverse("mediation:notifications"))


def test_the_twins_page_does_not_name_the_dispute_it_was_merged_into_for_a_reader_of_c(client, neighbours):
    world = neighbours
    page = read(client, world.victor, reverse("disputes:detail", args=[world.twin.pk]))
    assert world.ours.number not in page and world.ours.title not in page and "张甲甲" not in page
    assert "另一件纠纷" in page
    # The office reads both, so it reads the number.
    assert world.ours.number in read(client, world.olive, reverse("disputes:detail", args=[world.twin.pk]))


def test_plan_pages_and_the_matrix_export_name_nothing_foreign(client, neighbours, loaded_plan):
    world = neighbours
    for url in plan_urls(world.carol):
        assert leaks(read(client, world.carol, url), world.foreign) == [], url


def test_a_report_shown_by_a_grant_names_only_the_disputes_its_reader_may_open(client, neighbours, district):
    world = neighbours
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    report = reports.build_report(
        PeriodicReport.Kind.WEEKLY, monday, monday + dt.timedelta(days=6), region=district
    )
    assert world.foreign_dispute.number in reports.dispute_numbers(report)
    assign_perm("disputes.view_periodicreport", world.carol, report)
    for url in (
        reverse("disputes:report", args=[report.pk]),
        reverse("disputes:report_export", args=[report.pk]),
    ):
        text = read(client, world.carol, url)
        assert leaks(text, world.foreign) == [], url
        assert world.ours.number in text
    page = read(client, world.carol, reverse("disputes:report", args=[report.pk]))
    assert "辖区外" in page
    assert world.foreign_dispute.number in read(
        client, world.olive, reverse("disputes:report", args=[report.pk])
    )


def test_a_responsible_unit_may_open_the_dispute_it_is_warned_of(client, neighbours, dave):
    """The 属事 rule: 区公安分局 is responsible for C's dispute and warned of it, so frank opens it and his
    notification names it; 区人社局's dave, neither assigned nor responsible, does not."""
    world = neighbours
    notification = Notification.objects.get(user=world.frank, alert__object_id=world.foreign_dispute.pk)
    assert world.foreign_dispute.number in notification.title
    text = read(client, world.frank, reverse("mediation:notifications"))
    assert world.foreign_dispute.number in text and world.foreign_dispute.title in text
    assert read(client, world.frank, reverse("disputes:detail", args=[world.foreign_dispute.pk]))
    client.force_login(dave)
    assert client.get(reverse("disputes:detail", args=[world.foreign_dispute.pk])).status_code == 404


def test_a_plan_alert_keeps_its_published_text_but_not_a_link_the_reader_cannot_follow(
    client, neighbours, other_street, loaded_plan
):
    """A task's lead unit is told another unit's row is overdue: the task and unit are the plan's own text, so
    the notification reads as written; the row's page is not the reader's, so it carries no link."""
    world = neighbours
    foreign_row = Responsibility.objects.filter(unit__code=f"gov-{other_street.code}").first()
    url = reverse("tasks_plan:responsibility", args=[foreign_row.pk])
    raise_alert(
        foreign_row,
        AlertKind.PLAN_OVERDUE,
        [Recipient(user=world.carol)],
        title=f"任务{foreign_row.task.number}逾期：{foreign_row.unit.name}",
        url=url,
        region=foreign_row.unit.region,
    )
    page = read(client, world.carol, reverse("mediation:notifications"))
    assert f"任务{foreign_row.task.number}逾期：{foreign_row.unit.name}" in page
    assert url not in page
