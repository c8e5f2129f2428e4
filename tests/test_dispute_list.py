"""The dispute list (/disputes/) and its xlsx export (/disputes/export.xlsx).

alice dispatches in community A, bob mediates in community B, carol supervises the street (both), dave is the
liaison of 区人力社保局 (rsj). Disputes are registered and moved through the real services.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from disputes.choices import RiskGrade, Status
from disputes.models import Category, Dispute, Party
from disputes.services import export as export_service
from disputes.services import listing
from disputes.views import lists as list_views
from mediation.choices import Role
from mediation.services.memberships import grant
from tests.conftest import PASSWORD
from tests.dispute_list_fixtures import assess, assign, new_dispute

pytest_plugins = ["tests.dispute_fixtures", "tests.dispute_list_fixtures"]
pytestmark = pytest.mark.django_db

LIST = reverse("disputes:list")
EXPORT = reverse("disputes:export")


@pytest.fixture
def world(defaults, platforms, alice, bob, carol, dave):
    return platforms


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def listed(client, user, **params) -> list[str]:
    """The numbers the list shows to `user` for these query parameters, in order."""
    response = login(client, user).get(LIST, params)
    assert response.status_code == 200
    return [d.number for d in response.context["disputes"]]


# --- visibility ---------------------------------------------------------------------------------------------


def test_it_shows_each_user_only_what_they_may_see(
    client, world, alice, bob, carol, community_a, community_b
):
    a = new_dispute(alice, community_a)
    b = new_dispute(bob, community_b)
    assert listed(client, alice) == [a.number]
    assert listed(client, bob) == [b.number]
    assert listed(client, carol) == [b.number, a.number]


def test_it_needs_a_role(client, world, charlie):
    assert login(client, charlie).get(LIST).status_code == 403


def test_a_liaison_sees_what_is_assigned_to_the_unit(client, world, alice, dave, community_a, rsj):
    new_dispute(alice, community_a)
    assigned = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    assert listed(client, dave) == [assigned.number]


# --- filters ------------------------------------------------------------------------------------------------


def test_it_filters_by_status(client, world, alice, community_a):
    registered = new_dispute(alice, community_a)
    assessed = assess(new_dispute(alice, community_a), alice)
    assert listed(client, alice, status=Status.ASSESSED) == [assessed.number]
    assert listed(client, alice, status=[Status.ASSESSED, Status.REGISTERED]) == [
        assessed.number,
        registered.number,
    ]


def test_it_filters_by_category(client, world, alice, community_a):
    labour = new_dispute(alice, community_a, category="labour")
    new_dispute(alice, community_a, category="neighbourhood")
    category = Category.objects.get(code="labour")
    assert listed(client, alice, category=category.pk) == [labour.number]


def test_it_filters_by_risk_grade(client, world, alice, community_a):
    blue = assess(new_dispute(alice, community_a), alice)
    yellow = assess(
        new_dispute(alice, community_a),
        alice,
        grade_override=RiskGrade.YELLOW,
        override_reason="当事人情绪激动",
    )
    assert (blue.risk_grade, yellow.risk_grade) == (RiskGrade.BLUE, RiskGrade.YELLOW)
    assert listed(client, alice, risk_grade=RiskGrade.YELLOW) == [yellow.number]
    assert listed(client, alice, risk_grade=[RiskGrade.YELLOW, RiskGrade.BLUE]) == [
        yellow.number,
        blue.number,
    ]


def test_it_filters_by_region_subtree_including_grids(
    client, world, alice, bob, carol, community_a, community_b, grid_a, street
):
    in_a = new_dispute(alice, community_a)
    in_grid = new_dispute(alice, grid_a)
    in_b = new_dispute(bob, community_b)
    assert listed(client, carol, region=community_a.pk) == [in_grid.number, in_a.number]
    assert listed(client, carol, region=grid_a.pk) == [in_grid.number]
    assert listed(client, carol, region=street.pk) == [in_b.number, in_grid.number, in_a.number]


def test_its_region_choices_are_the_visible_regions(client, world, alice, community_a, community_b, grid_a):
    response = login(client, alice).get(LIST)
    choices = set(response.context["filter"].form.fields["region"].queryset)
    assert choices == {community_a, grid_a}
    # A region outside the user's scope is refused as a choice, so it filters nothing open.
    response = client.get(LIST, {"region": community_b.pk})
    assert "region" in response.context["filter"].form.errors


def test_it_filters_by_responsible_or_assigned_unit(client, world, alice, community_a, rsj):
    responsible = assess(new_dispute(alice, community_a, category="labour"), alice)
    assigned = assign(assess(new_dispute(alice, community_a, category="neighbourhood"), alice), alice, rsj)
    assess(new_dispute(alice, community_a, category="neighbourhood"), alice)
    new_dispute(alice, community_a, category="labour")  # not routed yet: no responsible unit
    assert list(responsible.responsible_units.all()) == [rsj]
    assert listed(client, alice, unit=rsj.pk) == [assigned.number, responsible.number]


def test_it_filters_overdue_disputes(client, world, alice, community_a, rsj):
    late = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    on_time = assign(assess(new_dispute(alice, community_a), alice), alice, rsj)
    new_dispute(alice, community_a)
    Dispute.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert listed(client, alice, overdue="on") == [late.number]
    assert len(listed(client, alice)) == 3
    response = client.get(LIST)
    html = response.content.decode()
    assert html.count('class="badge text-bg-danger">') == 1  # the overdue badge, on `late` only
    assert on_time.number in html


def test_it_filters_by_registration_and_occurrence_dates(client, world, alice, community_a):
    now = timezone.now()
    old = new_dispute(alice, community_a, occurred_at=now - dt.timedelta(days=40))
    recent = new_dispute(alice, community_a, occurred_at=now - dt.timedelta(days=1))
    Dispute.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=30))
    today = timezone.localdate()
    month_ago = today - dt.timedelta(days=30)
    assert listed(client, alice, created_from=today.isoformat()) == [recent.number]
    assert listed(client, alice, created_to=month_ago.isoformat()) == [old.number]
    assert listed(client, alice, created_from=month_ago.isoformat(), created_to=month_ago.isoformat()) == [
        old.number
    ]
    assert listed(client, alice, occurred_to=(today - dt.timedelta(days=10)).isoformat()) == [old.number]
    assert listed(client, alice, occurred_from=(today - dt.timedelta(days=2)).isoformat()) == [recent.number]


def test_it_searches_number_party_names_and_description(client, world, alice, community_a):
    wages = new_dispute(alice, community_a, applicant_name="王小明")
    noise = new_dispute(alice, community_a, description="楼上住户夜间装修噪音扰民。", title="噪音纠纷")
    # Two parties of the same dispute match: still one row.
    Party.objects.create(dispute=wages, name="王小明之妻", role="third_party")
    assert listed(client, alice, q="王小明") == [wages.number]
    assert listed(client, alice, q=noise.number) == [noise.number]
    assert listed(client, alice, q="装修噪音") == [noise.number]
    assert listed(client, alice, q="噪音") == [noise.number]
    assert listed(client, alice, q="没有这个词") == []


# --- sorting and paging -------------------------------------------------------------------------------------


def test_it_sorts_by_whitelisted_keys_only(client, world, alice, community_a):
    first = new_dispute(alice, community_a, occurred_at=timezone.now() - dt.timedelta(days=3))
    second = new_dispute(alice, community_a, occurred_at=timezone.now() - dt.timedelta(days=9))
    assert listed(client, alice, sort="number") == [first.number, second.number]
    assert listed(client, alice, sort="-number") == [second.number, first.number]
    assert listed(client, alice, sort="occurred") == [second.number, first.number]
    assert listed(client, alice, sort="-occurred") == [first.number, second.number]
    # Unknown keys (including raw field names) are ignored: the default order, newest first.
    for bogus in ("description", "-created_by__password", "pk", ""):
        response = client.get(LIST, {"sort": bogus})
        assert response.status_code == 200
        assert response.context["sort"] == listing.DEFAULT_SORT
        assert [d.number for d in response.context["disputes"]] == [second.number, first.number]


@pytest.mark.parametrize("sort", sorted({*listing.SORT_KEYS, *(f"-{k}" for k in listing.SORT_KEYS)}))
def test_its_pages_cover_every_row_once_in_order(client, world, alice, community_a, rsj, monkeypatch, sort):
    monkeypatch.setattr(list_views, "PAGE_SIZE", 2)
    disputes = [new_dispute(alice, community_a) for _ in range(5)]
    # Some with a due date and a grade, some without (nulls sort last in both directions).
    assign(assess(disputes[1], alice), alice, rsj)
    assign(
        assess(disputes[3], alice, grade_override=RiskGrade.YELLOW, override_reason="情绪激动"), alice, rsj
    )
    Dispute.objects.filter(pk=disputes[4].pk).update(created_at=disputes[0].created_at)  # a tie
    expected = [d.number for d in listing.ordered(Dispute.objects.all(), sort)]
    seen, params = [], {"sort": sort}
    login(client, alice)
    for _ in range(5):
        response = client.get(LIST, params)
        seen += [d.number for d in response.context["disputes"]]
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        params = {"sort": sort, "cursor": cursor}
    assert seen == expected
    assert len(set(seen)) == 5


def test_a_forged_cursor_shows_the_first_page(client, world, alice, community_a):
    d = new_dispute(alice, community_a)
    for cursor in ("garbage", "W251bGwsIm5vIl0", "WzEsMl0"):
        assert listed(client, alice, cursor=cursor) == [d.number]


def test_its_page_shows_the_columns(client, world, alice, community_a, grid_a, rsj):
    d = assign(
        assess(
            new_dispute(alice, grid_a), alice, grade_override=RiskGrade.YELLOW, override_reason="情绪激动"
        ),
        alice,
        rsj,
    )
    html = login(client, alice).get(LIST).content.decode()
    assert f'href="{reverse("disputes:detail", args=[d.pk])}"' in html
    assert "新山村街道 / 甲社区 / 甲社区第一网格" in html
    assert d.platform.name in html
    assert 'class="badge text-bg-warning"' in html
    assert d.get_status_display() in html
    assert 'class="table-responsive"' in html
    assert 'for="id_q"' in html and 'for="id_sort"' in html


def test_its_query_count_does_not_grow_with_the_rows(client, world, alice, community_a, grid_a, rsj):
    def make(n):
        for i in range(n):
            d = new_dispute(alice, grid_a if i % 2 else community_a)
            if i % 3 == 0:
                assign(assess(d, alice), alice, rsj)

    login(client, alice)
    make(5)
    client.get(LIST)  # warm-up: per-process caches (content types, permissions) are not the page's cost
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST).context["disputes"]) == 5
    make(25)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST).context["disputes"]) == 30
    assert len(many) == len(few)


def test_its_query_count_is_locked(client, world, alice, community_a, django_assert_max_num_queries):
    for _ in range(30):
        new_dispute(alice, community_a)
    login(client, alice)
    with django_assert_max_num_queries(14):
        client.get(LIST, {"q": "工资", "status": Status.REGISTERED, "sort": "due"})


# --- export -------------------------------------------------------------------------------------------------


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_it_exports_the_filtered_list(client, world, alice, community_a, grid_a, rsj):
    wages = assign(assess(new_dispute(alice, grid_a, applicant_name="王小明"), alice), alice, rsj)
    new_dispute(alice, community_a, category="neighbourhood")
    category = Category.objects.get(code="labour")
    response = login(client, alice).get(EXPORT, {"category": category.pk})
    assert response["Content-Type"] == export_service_content_type()
    disposition = response["Content-Disposition"]
    today = timezone.localdate().strftime("%Y%m%d")
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''%E7%9F%9B%E7%9B%BE%E7%BA%A0%E7%BA%B7_{today}.xlsx" in disposition  # 矛盾纠纷
    rows = workbook_rows(response)
    header, *body = rows
    assert header[0] == "编号"  # Chinese headers (zh-hans is the default language)
    assert header == tuple(export_service.headers(personal_data=False))
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["编号"] == wages.number
    assert row[header[4]] == "新山村街道 / 甲社区 / 甲社区第一网格"
    assert "王小明" in row[header[-1]]
    assert row[header[15]] == rsj.name  # the lead handler
    assert not any(wages.parties.get(name="王小明").id_number in str(v) for v in body[0])
    assert not any("13812345678" in str(v) for v in body[0])


def export_service_content_type():
    from disputes.views.export import XLSX

    return XLSX


def test_its_export_keeps_to_the_visibility_rule(client, world, alice, bob, carol, community_a, community_b):
    a = new_dispute(alice, community_a)
    b = new_dispute(bob, community_b)
    numbers = {row[0] for row in workbook_rows(login(client, alice).get(EXPORT))[1:]}
    assert numbers == {a.number}
    numbers = {row[0] for row in workbook_rows(login(client, carol).get(EXPORT))[1:]}
    assert numbers == {a.number, b.number}


def test_export_needs_the_permission(client, world, alice, bob, dave, community_a):
    new_dispute(alice, community_a)
    assert login(client, bob).get(EXPORT).status_code == 403
    assert login(client, dave).get(EXPORT).status_code == 403


def test_it_exports_personal_data_only_with_the_permission_and_logs_it(
    client, world, alice, community_a, street, make_user, caplog
):
    d = new_dispute(alice, community_a, applicant_name="王小明")
    auditor = make_user("audrey")
    grant(auditor, Role.AUDITOR, region=street)
    with caplog.at_level(logging.WARNING, logger="disputes.export"):
        rows = workbook_rows(login(client, auditor).get(EXPORT, {"q": "王小明"}))
    header, body = rows[0], rows[1]
    assert header == tuple(export_service.headers(personal_data=True))
    id_number = d.parties.get(name="王小明").id_number
    assert id_number in body[-2]
    assert "13812345678" in body[-1]
    record = next(r for r in caplog.records if r.name == "disputes.export")
    assert record.levelno == logging.WARNING
    assert "audrey" in record.getMessage() and "q=" in record.getMessage()


def test_export_is_capped(client, world, alice, community_a, monkeypatch):
    monkeypatch.setattr(export_service, "MAX_ROWS", 1)
    new_dispute(alice, community_a)
    new_dispute(alice, community_a)
    response = login(client, alice).get(EXPORT, {"sort": "number"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?sort=number"
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
