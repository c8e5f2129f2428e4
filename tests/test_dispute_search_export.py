"""The dispute list's search (number, exact ID number or phone, substring), its keyset pages under inserts, the
dispute page's bounded timeline, and the large export as a background job with the list's rows and visibility.

alice dispatches in community A, bob mediates in community B, carol supervises the street (both).
"""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from disputes.models import Dispute, Event, ExportJob, ExportStatus, Party
from disputes.services import export as export_service
from disputes.services import search
from disputes.views import detail as detail_views
from disputes.views import lists as list_views
from mediation.keyset import Column, Keyset
from mediation.models import Region
from tests.conftest import PASSWORD
from tests.dispute_fixtures import make_id_number
from tests.dispute_list_fixtures import new_dispute

pytest_plugins = ["tests.dispute_fixtures", "tests.dispute_list_fixtures"]
pytestmark = pytest.mark.django_db

LIST = reverse("disputes:list")
EXPORT = reverse("disputes:export")


@pytest.fixture
def world(defaults, platforms, alice, bob, carol):
    return platforms


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def listed(client, user, **params) -> list[str]:
    response = login(client, user).get(LIST, params)
    assert response.status_code == 200
    return [d.number for d in response.context["disputes"]]


# --- search -------------------------------------------------------------------------------------------------


def test_search_finds_a_substring_of_any_text_column_or_party_name(client, world, alice, community_a):
    leak = new_dispute(alice, community_a, title="卫生间漏水", address="春晖路街道翠柏路88号")
    wages = new_dispute(alice, community_a, applicant_name="欧阳明月", description="拖欠装修尾款两万元。")
    assert listed(client, alice, q="翠柏路") == [leak.number]  # the address
    assert listed(client, alice, q="间漏") == [leak.number]  # shorter than a trigram
    assert listed(client, alice, q="阳明月") == [wages.number]  # a party's name
    assert listed(client, alice, q="装修尾款") == [wages.number]
    assert listed(client, alice, q=wages.number[-6:]) == [wages.number]  # part of a number
    assert listed(client, alice, q=wages.number.lower()) == [wages.number]  # a whole number, any case


def test_search_by_id_number_and_phone_is_exact(client, world, alice, community_a):
    id_number = make_id_number(seq=777)
    mine = new_dispute(alice, community_a)
    Party.objects.create(
        dispute=mine, name="李四", role="third_party", id_number=id_number, phone="13900001111"
    )
    other = new_dispute(alice, community_a)
    Party.objects.create(
        dispute=other, name="李五", role="third_party", id_number=make_id_number(seq=778), phone="13900001112"
    )
    assert listed(client, alice, q=id_number) == [mine.number]
    assert listed(client, alice, q=id_number.lower()) == [mine.number]
    assert listed(client, alice, q=id_number[:17]) == []  # a prefix is not an ID number
    assert listed(client, alice, q="139 0000 1111") == [mine.number]  # normalized as intake stores it
    assert listed(client, alice, q="1390000111") == []  # not a phone number, and no text holds it


def test_search_finds_a_party_by_the_old_15_digit_number_and_by_full_width_digits(
    client, world, alice, community_a
):
    # Intake stored the 18-digit form of the old number 500104800101001 (born 1980-01-01, sequence 001).
    converted = make_id_number(birth="19800101", seq=1)
    old = converted[:6] + converted[8:17]
    assert len(old) == 15 and converted == "500104198001010012"
    mine = new_dispute(alice, community_a)
    Party.objects.create(
        dispute=mine, name="王五", role="third_party", id_number=converted, phone="02368890001"
    )
    new_dispute(alice, community_a)
    assert listed(client, alice, q=old) == [mine.number]
    assert listed(client, alice, q=f" {old[:6]} {old[6:12]} {old[12:]} ") == [mine.number]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in old)  # １２３ as a Chinese input method types them
    assert listed(client, alice, q=full_width) == [mine.number]
    assert listed(client, alice, q="500104801301001") == []  # month 13: no such number, nothing found
    # The landline with its leading zero, as typed in any form.
    assert listed(client, alice, q="(023) 6889-0001") == [mine.number]
    assert listed(client, alice, q="+86 23 6889 0001") == [mine.number]


def test_search_stays_within_what_the_user_may_see(
    client, world, alice, bob, carol, community_a, community_b
):
    mine = new_dispute(alice, community_a, applicant_name="司马光")
    theirs = new_dispute(bob, community_b, applicant_name="司马光")
    Party.objects.filter(dispute=theirs).update(phone="13700007777")
    assert listed(client, alice, q="司马光") == [mine.number]
    assert listed(client, alice, q=theirs.number) == []
    assert listed(client, alice, q="13700007777") == []
    assert listed(client, carol, q="司马光") == [theirs.number, mine.number]


def test_a_rare_text_is_resolved_to_ids_first_and_a_common_one_is_read_row_by_row(
    client, world, alice, bob, community_a, community_b, monkeypatch
):
    """A text few disputes hold becomes `id IN (…)` of those disputes, looked up among the disputes searched; a
    common one is a per-row LIKE on the joined text and the parties' disputes as one subquery, never the bigram
    function per row. (PostgreSQL, as the suite runs.)"""
    leak = new_dispute(alice, community_a, title="卫生间漏水")
    upstairs = new_dispute(alice, community_a, applicant_name="漏水王", description="楼上卫生间渗水。")
    foreign = new_dispute(bob, community_b, title="厨房漏水")
    condition = search.search_q("漏水")
    assert set(condition.children[0][1]) == {leak.pk, upstairs.pk, foreign.pk}  # ("pk__in", ids)
    assert set(Dispute.objects.filter(condition).values_list("pk", flat=True)) == {
        leak.pk,
        upstairs.pk,
        foreign.pk,
    }
    within = search.search_q("漏水", Dispute.objects.visible_to(alice))
    assert set(within.children[0][1]) == {leak.pk, upstairs.pk}  # bob's is not even looked up
    assert listed(client, alice, q="漏水") == [upstairs.number, leak.number]
    assert not Dispute.objects.filter(search.search_q("火星")).exists()

    monkeypatch.setattr(search, "SELECTIVE", 1)
    for text, found in (("漏水", [upstairs.number, leak.number]), ("卫生间", [upstairs.number, leak.number])):
        sql = str(Dispute.objects.filter(search.search_q(text)).query)
        assert 'dadukou_bigrams(UPPER(("disputes_dispute"' not in sql  # only inside the parties' subquery
        assert "ANY(ARRAY(" not in sql and "LIKE" in sql and '"disputes_party"' in sql
        assert listed(client, alice, q=text) == found


# --- keyset pages ---------------------------------------------------------------------------------------------


def test_pages_stay_stable_when_disputes_are_registered_meanwhile(
    client, world, alice, community_a, monkeypatch
):
    monkeypatch.setattr(list_views, "PAGE_SIZE", 2)
    older = [new_dispute(alice, community_a) for _ in range(5)]
    login(client, alice)
    first = client.get(LIST)
    newcomer = new_dispute(alice, community_a)  # sorts before the cursor: it is on no later page
    seen = [d.number for d in first.context["disputes"]]
    query = first.context["next_query"]
    while query:
        response = client.get(f"{LIST}?{query}")
        seen += [d.number for d in response.context["disputes"]]
        query = response.context["next_query"] if response.context["page"].next_cursor else ""
    assert seen == [d.number for d in reversed(older)]
    assert newcomer.number not in seen
    assert listed(client, alice)[0] == newcomer.number


def test_a_keyset_over_several_columns_walks_every_row_once(world):
    order = Keyset(Column("level", "int"), Column("name", "str", descending=True))
    expected = list(order.ordered(Region.objects.all()).values_list("pk", flat=True))
    seen, cursor = [], None
    while True:
        page = order.page(Region.objects.all(), cursor, 2)
        seen += [r.pk for r in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected and len(expected) > 4


# --- the dispute page's timeline --------------------------------------------------------------------------------


def _notes(dispute, user, count):
    for i in range(count):
        Event.objects.create(dispute=dispute, action="note", actor=user, note=f"第{i}条记录")


def test_the_dispute_page_shows_the_latest_events_and_pages_back(
    client, world, alice, community_a, monkeypatch
):
    monkeypatch.setattr(detail_views, "TIMELINE_SIZE", 3)
    dispute = new_dispute(alice, community_a)
    _notes(dispute, alice, 5)
    everything = list(Event.objects.filter(dispute=dispute).order_by("at", "pk"))
    url = reverse("disputes:detail", args=[dispute.pk])
    page = login(client, alice).get(url)
    assert [row["event"] for row in page.context["timeline"]] == everything[-3:]
    earlier = client.get(f"{url}?{page.context['timeline_earlier_query']}")
    assert [row["event"] for row in earlier.context["timeline"]] == everything[-6:-3]
    # The case file still prints the whole timeline.
    casefile = client.get(reverse("disputes:casefile", args=[dispute.pk]))
    assert [row["event"] for row in casefile.context["timeline"]] == everything


def test_a_long_timeline_costs_no_more_queries(client, world, alice, community_a):
    dispute = new_dispute(alice, community_a)
    url = reverse("disputes:detail", args=[dispute.pk])
    login(client, alice).get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _notes(dispute, alice, 120)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert len(response.context["timeline"]) == detail_views.TIMELINE_SIZE


# --- the large export -------------------------------------------------------------------------------------------


def _rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))


def _export_job(client, user, params) -> ExportJob:
    with mock.patch("disputes.tasks.run_dispute_export.delay") as delay:
        response = login(client, user).get(EXPORT, params)
    job = ExportJob.objects.get(created_by=user)
    assert response.status_code == 302 and response["Location"] == reverse(
        "disputes:export_job", args=[job.pk]
    )
    delay.assert_called_once_with(job.pk)
    return job


def test_a_large_export_is_a_job_with_the_lists_rows(
    client, world, alice, bob, community_a, community_b, monkeypatch
):
    monkeypatch.setattr(export_service, "SYNC_ROWS", 1)
    mine = [new_dispute(alice, community_a, title=f"噪音纠纷{i}") for i in range(3)]
    new_dispute(alice, community_a, title="漏水")
    new_dispute(bob, community_b, title="噪音纠纷乙")  # not visible to alice
    params = {"q": "噪音", "sort": "number"}
    job = _export_job(client, alice, params)
    page = client.get(reverse("disputes:export_job", args=[job.pk]))
    assert page.status_code == 200 and job.status == ExportStatus.PENDING
    assert export_service.run_job(job.pk) is True
    assert export_service.run_job(job.pk) is False  # claimed once
    job.refresh_from_db()
    assert (job.status, job.total, job.done) == (ExportStatus.DONE, 3, 3)
    download = client.get(reverse("disputes:export_download", args=[job.pk]))
    header, *body = _rows(b"".join(download.streaming_content))
    assert header == tuple(export_service.headers(personal_data=False))
    assert [row[0] for row in body] == listed(client, alice, **params) == sorted(d.number for d in mine)


def test_only_the_requester_sees_and_downloads_the_export(
    client, world, alice, carol, community_a, monkeypatch
):
    monkeypatch.setattr(export_service, "SYNC_ROWS", 1)
    new_dispute(alice, community_a)
    new_dispute(alice, community_a)
    job = _export_job(client, alice, {})
    export_service.run_job(job.pk)
    login(client, carol)
    assert client.get(reverse("disputes:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("disputes:export_download", args=[job.pk])).status_code == 404


def test_a_job_over_the_cap_fails_with_the_reason(client, world, alice, community_a, monkeypatch):
    monkeypatch.setattr(export_service, "SYNC_ROWS", 1)
    new_dispute(alice, community_a)
    new_dispute(alice, community_a)
    job = _export_job(client, alice, {})
    monkeypatch.setattr(export_service, "MAX_ROWS", 1)
    export_service.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "1" in job.error and not job.file
    assert client.get(reverse("disputes:export_download", args=[job.pk])).status_code == 404


def test_with_the_broker_down_the_export_is_written_in_the_request(
    client, world, alice, community_a, monkeypatch
):
    from kombu.exceptions import OperationalError

    monkeypatch.setattr(export_service, "SYNC_ROWS", 1)
    new_dispute(alice, community_a)
    new_dispute(alice, community_a)
    with mock.patch("disputes.tasks.run_dispute_export.delay", side_effect=OperationalError("refused")):
        response = login(client, alice).get(EXPORT)
    job = ExportJob.objects.get(created_by=alice)
    assert response.status_code == 302 and job.status == ExportStatus.DONE and job.total == 2


def test_an_export_file_is_removed_after_the_retention_days_and_its_record_kept(
    client, world, alice, community_a, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from mediation import periodic

    monkeypatch.setattr(export_service, "SYNC_ROWS", 1)
    new_dispute(alice, community_a)
    new_dispute(alice, community_a)
    job = _export_job(client, alice, {})
    export_service.run_job(job.pk)
    job.refresh_from_db()
    name, storage = job.file.name, job.file.storage
    assert job.status == ExportStatus.DONE and storage.exists(name)
    settings.EXPORT_KEEP_DAYS = 7
    now = timezone.now()
    assert export_service.clean_up(now + timedelta(days=6)) == 0
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert export_service.clean_up(now + timedelta(days=8)) == 1
    job.refresh_from_db()
    assert (job.status, job.file.name, job.total) == (ExportStatus.EXPIRED, "", 2)  # the record stays
    assert not storage.exists(name)
    assert export_service.clean_up(now + timedelta(days=9)) == 0  # nothing twice
    download = client.get(reverse("disputes:export_download", args=[job.pk]))
    assert download.status_code == 302 and download["Location"] == reverse(
        "disputes:export_job", args=[job.pk]
    )
    page = client.get(download["Location"]).content.decode()
    assert "7" in page and reverse("disputes:export_download", args=[job.pk]) not in page
    assert "clean_up_exports" in periodic.discover()
    assert any(e["args"] == ["clean_up_exports"] for e in settings.CELERY_BEAT_SCHEDULE.values())


def test_an_export_a_worker_dropped_is_failed_with_a_reason_and_nothing_else_changes(
    client, world, alice, community_a, settings
):
    from datetime import timedelta

    from django.utils import timezone

    dropped = ExportJob.objects.create(created_by=alice, status=ExportStatus.RUNNING)
    waiting = ExportJob.objects.create(created_by=alice)
    now = timezone.now()
    assert export_service.clean_up(now + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)) == 0
    limit = settings.CELERY_TASK_TIME_LIMIT + export_service.STUCK_MARGIN_SECONDS + 1
    assert export_service.clean_up(now + timedelta(seconds=limit)) == 1
    dropped.refresh_from_db()
    waiting.refresh_from_db()
    assert dropped.status == ExportStatus.FAILED and dropped.error and dropped.finished_at
    assert waiting.status == ExportStatus.PENDING
    page = login(client, alice).get(reverse("disputes:export_job", args=[dropped.pk])).content.decode()
    assert dropped.error in page
