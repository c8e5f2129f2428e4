"""Stored indicator figures (mediation/services/indicator_store.py): they equal a recount, for the platform and for
each viewer; a street reads its own figure, never the district's; the job keeps them fresh; rows come a page at a
time; `manage.py rebuild_indicators --verify` proves them.

The world is tests/neighbours_world.py: 新山村街道 (ours) and 跃进村街道 (foreign), with registry, dispute, patrol
and meeting data on both sides.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mediation import periodic
from mediation.indicators import EVERY_NAME, REGISTRY, SPECS, indicator, recount
from mediation.models import IndicatorCell, IndicatorSnapshot, Region
from mediation.services import indicator_store
from mediation.services.indicator_store import Viewpoint

pytest_plugins = ["tests.dispute_fixtures", "tests.neighbours_world"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def figures(result) -> tuple:
    return result.numerator, result.denominator, result.note


def rows(result) -> list[tuple]:
    return [(r.label, r.met, r.detail) for r in result.rows]


def fresh_for(code: str, day: dt.date, user):
    """A recount for one viewer, without the store: every cell computed now, kept when its region is among the
    viewer's visible regions or its unit or organization is theirs — the rule, written out in Python."""
    viewpoint = Viewpoint.of(user)
    spec = SPECS[code]
    cells = spec.cells(day)
    if not viewpoint.everything:
        regions = set(Region.objects.visible_to(user).values_list("pk", flat=True))
        cells = [
            c
            for c in cells
            if c.region in regions
            or c.unit in viewpoint.unit_ids
            or c.organization in viewpoint.organization_ids
        ]
    names = EVERY_NAME if viewpoint.everything else viewpoint.names(cells)
    return spec.combine(spec, day, cells, names)


@pytest.fixture
def today():
    return timezone.localdate()


def test_stored_figures_equal_a_fresh_recount_for_the_platform_and_for_every_viewer(neighbours, today, dave):
    world = neighbours
    assert indicator_store.rebuild([today]) == len(REGISTRY)
    assert indicator_store.verify([today]) == []
    viewers = [
        world.root,
        world.olive,
        world.carol,
        world.alice,
        world.bob,
        world.victor,
        world.vera,
        world.frank,
        dave,
    ]
    for user in viewers:
        stored = dict(zip(REGISTRY, indicator_store.read(list(REGISTRY), today, user), strict=True))
        for code in REGISTRY:
            fresh = fresh_for(code, today, user)
            assert figures(stored[code]) == figures(fresh), (user.username, code)
            assert rows(stored[code]) == rows(fresh), (user.username, code)
    # The superuser's stored figures are the recount of the whole platform, rows and all.
    for code in REGISTRY:
        whole = recount(code, today)
        assert figures(indicator(code, today, viewer=world.root)) == figures(whole), code


def test_a_street_reads_its_own_figures_never_the_districts(neighbours, today):
    world = neighbours
    office = {r.code: r for r in indicator_store.read(list(REGISTRY), today, world.olive)}
    street = {r.code: r for r in indicator_store.read(list(REGISTRY), today, world.carol)}
    # One street of eight; its two communities of three; no district row at all.
    assert office["platform_rate_street"].denominator == 8 and street["platform_rate_street"].denominator == 1
    assert office["platform_rate_community"].denominator == 3
    assert street["platform_rate_community"].denominator == 2
    assert street["platform_rate_district"].denominator == 0
    # Cases: the office counts both referrals (ours from a court, C's from the police), the street only ours.
    assert office["referral_channels"].numerator == 2 and street["referral_channels"].numerator == 1
    assert office["assignment_on_time_rate"].denominator == 2
    assert (street["assignment_on_time_rate"].numerator, street["assignment_on_time_rate"].denominator) == (
        1,
        1,
    )
    assert office["feedback_rate"].denominator == 2 and street["feedback_rate"].denominator == 1
    assert office["warning_timeliness"].denominator == 1 and street["warning_timeliness"].denominator == 0
    assert office["patrol_on_time_rate"].denominator == 2 and street["patrol_on_time_rate"].denominator == 1
    assert office["remote_sessions"].denominator == 2 and street["remote_sessions"].denominator == 1
    # The meeting of 跃进村街道 is not the street's; the office's own meeting is anchored at the district.
    assert office["joint_meetings"].numerator == 2 and street["joint_meetings"].numerator == 0
    for code in REGISTRY:
        assert street[code].numerator <= office[code].numerator, code
    # 区公安分局 reads the cases it handles and is responsible for: C's dispute, assigned to it.
    frank = {r.code: r for r in indicator_store.read(list(REGISTRY), today, world.frank)}
    assert frank["assignment_on_time_rate"].denominator == 1
    assert frank["platform_rate_community"].denominator == 0


def test_a_studios_namesake_is_named_only_to_who_may_see_the_mediator(neighbours, today):
    world = neighbours
    for user, shown in ((world.olive, "丙调解员"), (world.carol, "")):
        (studio,) = indicator("brand_studios", today, viewer=user).rows
        assert (studio.label, studio.detail) == ("甲社区品牌调解工作室", shown)


def test_rows_come_a_page_at_a_time_and_only_the_viewers(neighbours, today, make_user, street):
    """assignment_on_time_rate has a row per assignment: read in keyset pages of the viewer's assignments."""
    world = neighbours
    first = indicator_store.rows_page("assignment_on_time_rate", today, world.olive, limit=1)
    assert len(first.rows) == 1 and first.after
    second = indicator_store.rows_page(
        "assignment_on_time_rate", today, world.olive, after=first.after, limit=1
    )
    assert len(second.rows) == 1 and second.after is None
    assert {r.obj for r in first.rows + second.rows} == {world.ours, world.foreign_dispute}
    mine = indicator_store.rows_page("assignment_on_time_rate", today, world.carol)
    assert [r.obj for r in mine.rows] == [world.ours] and mine.rows[0].met
    gaps = indicator_store.rows_page("assignment_on_time_rate", today, world.olive, gaps_only=True)
    assert [r.obj for r in gaps.rows] == [world.foreign_dispute]
    # A stored indicator's rows are cut into pages of the viewer's rows.
    page = indicator_store.rows_page("trainings_street", today, world.olive, limit=3)
    assert len(page.rows) == 3 and page.after == "3"
    assert (
        len(indicator_store.rows_page("trainings_street", today, world.olive, after="6", limit=3).rows) == 2
    )


def test_a_page_of_rows_costs_the_same_queries_for_many_rows(neighbours, today):
    world = neighbours
    indicator_store.rebuild([today], ["assignment_on_time_rate"])
    with CaptureQueriesContext(connection) as page:
        indicator_store.rows_page("assignment_on_time_rate", today, world.carol, limit=50)
    assert len(page.captured_queries) <= 6


def test_the_job_keeps_today_and_the_plans_check_dates_fresh_and_prunes_the_rest(
    neighbours, today, loaded_plan
):
    checked = indicator_store.maintained(today)
    assert checked[today] == set(REGISTRY)
    assert any(day < today for day in checked)  # the plan's by-dates and last year's end
    long_ago = today - dt.timedelta(days=400)
    indicator_store.refresh("brand_studios", long_ago)
    IndicatorSnapshot.objects.filter(day=long_ago).update(computed_at=timezone.now() - dt.timedelta(days=3))
    run = periodic.run("refresh_indicators")
    assert run.outcome == "ok" and run.processed >= len(REGISTRY)
    stored = set(IndicatorSnapshot.objects.values_list("day", "code"))
    assert {(day, code) for day, codes in checked.items() for code in codes} <= stored
    assert not IndicatorSnapshot.objects.filter(day=long_ago).exists()
    # A second run recomputes today's figures and leaves the past days' alone (computed within a day).
    before = dict(IndicatorSnapshot.objects.values_list("pk", "computed_at"))
    periodic.run("refresh_indicators")
    after = dict(IndicatorSnapshot.objects.values_list("pk", "computed_at"))
    todays = set(IndicatorSnapshot.objects.filter(day=today).values_list("pk", flat=True))
    assert all(after[pk] > before[pk] for pk in todays)
    assert all(after[pk] == before[pk] for pk in set(after) - todays)


def test_a_page_serves_a_stale_or_yesterdays_snapshot_while_the_job_catches_up_and_computes_only_without_one(
    neighbours, today, settings
):
    world = neighbours
    indicator("brand_studios", today, viewer=world.olive)
    snapshot = IndicatorSnapshot.objects.get(code="brand_studios", day=today)
    assert indicator("brand_studios", today, viewer=world.olive).computed_at == snapshot.computed_at

    # Older than the job's INDICATOR_MAX_AGE: still served as it is (its time is shown); the job refreshes it.
    stale = timezone.now() - dt.timedelta(seconds=settings.INDICATOR_MAX_AGE + 60)
    IndicatorSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=stale)
    assert indicator("brand_studios", today, viewer=world.olive).computed_at == stale
    indicator_store.refresh_maintained(today)
    assert IndicatorSnapshot.objects.get(pk=snapshot.pk).computed_at > stale

    # Just after midnight: today has no snapshot yet, yesterday's recent one stands in, nothing is computed.
    IndicatorSnapshot.objects.filter(pk=snapshot.pk).update(day=today - dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        served = indicator("brand_studios", today, viewer=world.olive)
    assert served.computed_at == IndicatorSnapshot.objects.get(pk=snapshot.pk).computed_at
    assert not IndicatorSnapshot.objects.filter(code="brand_studios", day=today).exists()
    assert not any("INSERT" in q["sql"] for q in queries.captured_queries)

    # Older than INDICATOR_PAST_MAX_AGE (the job down for a day): no stand-in, computed on the way.
    ancient = timezone.now() - dt.timedelta(seconds=settings.INDICATOR_PAST_MAX_AGE + 60)
    IndicatorSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=ancient)
    assert indicator("brand_studios", today, viewer=world.olive).computed_at > ancient
    assert IndicatorSnapshot.objects.filter(code="brand_studios", day=today).exists()


def test_the_rebuild_command_verifies_the_store_and_fails_on_a_difference(neighbours, today):
    out = io.StringIO()
    call_command("rebuild_indicators", "--day", today.isoformat(), "--verify", stdout=out)
    assert f"{len(REGISTRY)} snapshot(s) rebuilt for {today.isoformat()}" in out.getvalue()
    assert "The stored figures equal a recount." in out.getvalue()
    cell = IndicatorCell.objects.filter(snapshot__code="platform_rate_community", snapshot__day=today).first()
    IndicatorCell.objects.filter(pk=cell.pk).update(met=not cell.met, numerator=1 - cell.numerator)
    assert indicator_store.verify([today], ["platform_rate_community"])
    with pytest.raises(CommandError, match="unknown|Unknown"):
        call_command("rebuild_indicators", "--code", "no_such_indicator")


def test_the_overview_reads_every_figure_in_a_fixed_number_of_queries(neighbours, today):
    world = neighbours
    indicator_store.rebuild([today])
    with CaptureQueriesContext(connection) as overview:
        indicator_store.read(list(REGISTRY), today, world.carol)
    # Snapshots, cells, the names' visibility and the staffing rules: not one query per indicator.
    assert len(overview.captured_queries) <= 12
