"""Periodic reports (task 25): the right period for each kind, the figures and the rows behind them, frozen
snapshots made once, who sees which report, the pages and the xlsx export."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from disputes.choices import AssignmentStatus, FeedbackTarget, Outcome, RiskGrade, Source, Status
from disputes.models import Assignment, Cadence, Dispute, Feedback, PatrolDuty, PeriodicReport
from disputes.services import reports
from mediation import periodic
from mediation.choices import Role
from mediation.models import Alert, AlertKind, Unit
from mediation.services.memberships import grant
from tests.dispute_fixtures import register_dispute, reload

pytest_plugins = ["tests.dispute_fixtures"]

WEEKLY, MONTHLY, QUARTERLY, ANNUAL = (k for k in PeriodicReport.Kind.values)
D = dt.date
WEEK = (D(2025, 6, 2), D(2025, 6, 8))  # Monday to Sunday
TODAY = D(2025, 6, 9)  # the Monday after


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """Local (Asia/Shanghai) wall time on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# --- periods ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, today, period",
    [
        (WEEKLY, D(2025, 6, 9), (D(2025, 6, 2), D(2025, 6, 8))),  # the Monday run
        (WEEKLY, D(2025, 6, 11), (D(2025, 6, 2), D(2025, 6, 8))),  # two days late: the same week
        (WEEKLY, D(2025, 6, 15), (D(2025, 6, 2), D(2025, 6, 8))),  # Sunday: this week is not complete yet
        (WEEKLY, D(2025, 1, 1), (D(2024, 12, 23), D(2024, 12, 29))),  # across the new year
        (MONTHLY, D(2025, 3, 1), (D(2025, 2, 1), D(2025, 2, 28))),
        (MONTHLY, D(2024, 3, 20), (D(2024, 2, 1), D(2024, 2, 29))),  # leap year, late run
        (MONTHLY, D(2025, 1, 1), (D(2024, 12, 1), D(2024, 12, 31))),
        (QUARTERLY, D(2025, 4, 1), (D(2025, 1, 1), D(2025, 3, 31))),
        (QUARTERLY, D(2025, 6, 30), (D(2025, 1, 1), D(2025, 3, 31))),
        (QUARTERLY, D(2025, 1, 1), (D(2024, 10, 1), D(2024, 12, 31))),
        (QUARTERLY, D(2025, 10, 1), (D(2025, 7, 1), D(2025, 9, 30))),
        (ANNUAL, D(2025, 1, 1), (D(2024, 1, 1), D(2024, 12, 31))),
        (ANNUAL, D(2025, 12, 31), (D(2024, 1, 1), D(2024, 12, 31))),
    ],
)
def test_each_kind_reports_on_the_last_complete_period(kind, today, period):
    assert reports.period_for(kind, today) == period


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        reports.period_for("daily", TODAY)


# --- a week of data -----------------------------------------------------------------------------------------


@pytest.fixture
def olga(make_user, reference):
    """The grand-mediation office."""
    user = make_user("olga")
    grant(user, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    return user


def registered(user, region, when, **fields) -> Dispute:
    dispute = register_dispute(user, region, **fields)
    Dispute.objects.filter(pk=dispute.pk).update(created_at=when)
    return reload(dispute)


def assignment(
    dispute, platform, user, *, due_at, completed_at=None, status=AssignmentStatus.ACCEPTED, **target
):
    return Assignment.objects.create(
        dispute=dispute,
        from_platform=platform,
        assigned_by=user,
        limit_days=7,
        day_type="working",
        accept_due_at=due_at - dt.timedelta(days=6),
        due_at=due_at,
        completed_at=completed_at,
        status=AssignmentStatus.COMPLETED if completed_at else status,
        **target,
    )


def warning(dispute, *, raised, ack_due, acknowledged=None, **recipient):
    key = next(f"{k}:{v.pk}" for k, v in recipient.items())
    alert = Alert.objects.create(
        kind=AlertKind.EARLY_WARNING,
        level=1,
        content_type=ContentType.objects.get_for_model(Dispute),
        object_id=dispute.pk,
        region=dispute.region,
        recipient_key=key,
        title=f"预警 {dispute.number}",
        ack_due_at=ack_due,
        acknowledged_at=acknowledged,
        **{f"recipient_{k}": v for k, v in recipient.items()},
    )
    Alert.objects.filter(pk=alert.pk).update(created_at=raised)
    return alert


def duty(region, cadence, start, end, due_at, status):
    return PatrolDuty.objects.create(
        region=region, cadence=cadence, period_start=start, period_end=end, due_at=due_at, status=status
    )


@pytest.fixture
def world(defaults, platforms, heidi, carol, community_a, community_b, street, other_street, rsj, gaj):
    """One week (2–8 June 2025) in 新山村街道 and beyond, with everything a report counts."""
    mon, thu, sun = D(2025, 6, 2), D(2025, 6, 5), D(2025, 6, 8)
    w = {
        "labour": registered(heidi, community_a, at(mon), category="labour"),
        "traffic": registered(
            heidi, community_a, at(sun, 23, 30), category="traffic", source=Source.HOTLINE_12345
        ),
        "failed": registered(heidi, community_b, at(thu), category="labour"),
        "elsewhere": registered(heidi, other_street, at(thu), category="contract"),
        "before": registered(heidi, community_a, at(D(2025, 6, 1), 23, 59)),
        "after": registered(heidi, community_a, at(D(2025, 6, 9), 0, 1)),
        "voided": registered(heidi, community_a, at(thu)),
    }
    Dispute.objects.filter(pk=w["voided"].pk).update(status=Status.VOIDED)
    Dispute.objects.filter(pk=w["labour"].pk).update(
        risk_grade=RiskGrade.RED,
        status=Status.RESOLVED,
        outcome=Outcome.SUCCESS,
        resolved_at=at(D(2025, 6, 6)),
    )
    Dispute.objects.filter(pk=w["failed"].pk).update(
        risk_grade=RiskGrade.BLUE,
        status=Status.FAILED,
        outcome=Outcome.FAILURE,
        resolved_at=at(D(2025, 6, 7)),
    )
    w["labour"].responsible_units.add(rsj)
    w["failed"].responsible_units.add(rsj)
    district_platform = platforms["district"]
    w["on_time"] = assignment(
        w["labour"],
        district_platform,
        heidi,
        due_at=at(D(2025, 6, 6), 17),
        completed_at=at(D(2025, 6, 6)),
        to_unit=rsj,
    )
    w["overdue"] = assignment(
        w["failed"], district_platform, heidi, due_at=at(D(2025, 6, 4), 17), to_unit=gaj
    )
    # Fed back to the parties and the assigning platform: complete. The failed one: none.
    for target in (FeedbackTarget.PARTIES, FeedbackTarget.PLATFORM):
        Feedback.objects.create(
            dispute=w["labour"], target=target, channel="电话", content="已反馈", given_by=heidi
        )
    # Early warnings on the red dispute: acknowledged in time, late, and not at all.
    warning(w["labour"], raised=at(mon, 11), ack_due=at(mon, 18), acknowledged=at(mon, 12), unit=rsj)
    warning(
        w["labour"],
        raised=at(mon, 11),
        ack_due=at(mon, 18),
        acknowledged=at(D(2025, 6, 3)),
        organization=platforms["street"],
    )
    warning(w["labour"], raised=at(mon, 11), ack_due=at(mon, 18), user=carol)
    # Patrols due in the week: community A on time, community B missing; 其他街道 late; one due after the week.
    last_week = (D(2025, 5, 26), D(2025, 6, 1))
    duty(community_a, Cadence.WEEKLY, *last_week, at(mon, 12), PatrolDuty.Status.ON_TIME)
    duty(community_b, Cadence.WEEKLY, *last_week, at(mon, 12), PatrolDuty.Status.MISSING)
    duty(other_street, Cadence.SEMIMONTHLY, D(2025, 5, 16), D(2025, 5, 31), at(thu), PatrolDuty.Status.LATE)
    duty(
        street,
        Cadence.SEMIMONTHLY,
        D(2025, 6, 1),
        D(2025, 6, 15),
        at(D(2025, 6, 16)),
        PatrolDuty.Status.PENDING,
    )
    return w


def numbers(report, figure, key=""):
    return next(r["items"] for r in report.rows if (r["figure"], r["key"]) == (figure, key))


@pytest.mark.django_db
class TestFigures:
    def test_a_street_report(self, world, street):
        report = reports.build_report(WEEKLY, *WEEK, region=street)
        f = report.figures
        w = world
        assert f["scope"] == {"kind": "region", "name": street.name, "code": street.code}
        assert f["registered"] == 3
        assert numbers(report, "registered") == sorted(w[k].number for k in ("labour", "traffic", "failed"))
        assert f["by_category"] == {"劳动争议": 2, "道路交通事故": 1}
        assert numbers(report, "by_category", "道路交通事故") == [w["traffic"].number]
        assert f["by_source"] == {"application": 2, "hotline_12345": 1}
        assert f["by_risk_grade"] == {"none": 1, "1": 1, "4": 1}
        assert (f["concluded"], f["resolved"], f["failed"], f["success_rate"]) == (2, 1, 1, 0.5)
        assert numbers(report, "resolved") == [w["labour"].number]
        assert (f["assignments_due"], f["assignments_on_time"], f["assignments_overdue"]) == (2, 1, 1)
        assert numbers(report, "assignments_overdue") == [w["failed"].number]
        assert (f["feedback_given"], f["feedback_missing"], f["feedback_rate"]) == (1, 1, 0.5)
        assert numbers(report, "feedback_missing") == [w["failed"].number]
        assert f["patrols"] == {
            "due": 2,
            "on_time": 1,
            "late": 0,
            "missing": 1,
            "pending": 0,
            "reported": 1,
            "on_time_rate": 0.5,
        }
        assert numbers(report, "patrols_missing") == ["乙社区 05-26–06-01"]
        assert f["warnings"] == {
            "raised": 3,
            "disputes": 1,
            "acknowledged_on_time": 1,
            "acknowledged_late": 1,
            "unacknowledged": 1,
        }
        assert numbers(report, "warnings_unacknowledged") == [w["labour"].number]

    def test_the_district_report_covers_every_street(self, world, district):
        f = reports.build_report(WEEKLY, *WEEK, region=district).figures
        assert f["registered"] == 4
        assert f["by_category"]["合同"] == 1
        assert (f["patrols"]["due"], f["patrols"]["late"]) == (3, 1)

    def test_a_unit_report_counts_what_is_assigned_to_it_or_its_own(self, world, rsj, gaj):
        rsj_report = reports.build_report(WEEKLY, *WEEK, unit=rsj)
        f = rsj_report.figures
        assert f["scope"]["kind"] == "unit"
        assert f["registered"] == 2  # responsible unit of both labour disputes
        assert (f["assignments_due"], f["assignments_on_time"]) == (1, 1)
        assert f["warnings"]["raised"] == 1 and f["warnings"]["acknowledged_on_time"] == 1
        assert "patrols" not in f
        g = reports.build_report(WEEKLY, *WEEK, unit=gaj).figures
        assert (g["registered"], g["assignments_overdue"]) == (1, 1)

    def test_without_patrol_duties_there_are_no_patrol_figures(self, world, street):
        PatrolDuty.objects.all().delete()
        assert reports.build_report(WEEKLY, *WEEK, region=street).figures["patrols"] is None

    def test_an_empty_period_has_zeros_and_no_rates(self, world, street):
        f = reports.build_report(WEEKLY, D(2024, 1, 1), D(2024, 1, 7), region=street).figures
        assert (f["registered"], f["concluded"], f["success_rate"], f["on_time_rate"]) == (0, 0, None, None)

    def test_the_queries_do_not_grow_with_the_data(
        self, world, heidi, community_a, street, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(50) as few:
            reports.compute(*WEEK, region=street)
        for _ in range(10):
            registered(heidi, community_a, at(D(2025, 6, 3)))
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert reports.compute(*WEEK, region=street).figures["registered"] == 13


@pytest.mark.django_db
class TestSnapshots:
    def test_a_later_data_fix_does_not_change_a_stored_report(self, world, heidi, community_a, street):
        report = reports.build_report(WEEKLY, *WEEK, region=street)
        stored = (report.figures, report.rows, report.generated_at)
        Dispute.objects.filter(pk=world["traffic"].pk).update(category=world["labour"].category)
        registered(heidi, community_a, at(D(2025, 6, 4)))
        again = reports.build_report(WEEKLY, *WEEK, region=street)
        assert again.pk == report.pk
        assert (again.figures, again.rows, again.generated_at) == stored
        fresh = PeriodicReport.objects.get(pk=report.pk)
        assert (fresh.figures, fresh.rows) == stored[:2]
        # The data did change: a new computation would see it.
        assert reports.compute(*WEEK, region=street).figures["registered"] == 4

    def test_a_job_makes_every_scope_once(self, world):
        scopes = reports.scopes()
        members = Unit.objects.member_units().filter(is_active=True).count()
        assert len(scopes) == 1 + 8 + members  # the district, 5 streets and 3 towns, the member units
        assert reports.generate(WEEKLY, TODAY) == len(scopes)
        assert reports.generate(WEEKLY, TODAY) == 0  # beat fired twice
        assert reports.generate(WEEKLY, D(2025, 6, 12)) == 0  # a late run: the same week, nothing new
        assert PeriodicReport.objects.count() == len(scopes)
        assert set(PeriodicReport.objects.values_list("period_start", "period_end")) == {WEEK}

    def test_each_kind_is_its_own_report(self, world):
        reports.generate(WEEKLY, D(2025, 7, 1))
        reports.generate(MONTHLY, D(2025, 7, 1))
        reports.generate(QUARTERLY, D(2025, 7, 1))
        reports.generate(ANNUAL, D(2025, 7, 1))
        periods = set(PeriodicReport.objects.values_list("kind", "period_start", "period_end"))
        assert periods == {
            (WEEKLY, D(2025, 6, 23), D(2025, 6, 29)),
            (MONTHLY, D(2025, 6, 1), D(2025, 6, 30)),
            (QUARTERLY, D(2025, 4, 1), D(2025, 6, 30)),
            (ANNUAL, D(2024, 1, 1), D(2024, 12, 31)),
        }
        quarter = PeriodicReport.objects.get(
            kind=QUARTERLY, scope_key=reports.scope_key(region=world["labour"].region.parent)
        )
        assert quarter.figures["registered"] == 5  # the week's three, and 1 and 9 June

    def test_the_jobs_run_for_today(self, world):
        with mock.patch("disputes.jobs.timezone.localdate", return_value=D(2025, 3, 1)):
            record = periodic.run("monthly_reports")
            assert record.outcome == "ok" and record.processed == len(reports.scopes())
            assert periodic.run("monthly_reports").processed == 0
        assert set(PeriodicReport.objects.values_list("kind", "period_start", "period_end")) == {
            (MONTHLY, D(2025, 2, 1), D(2025, 2, 28))
        }

    def test_the_beat_schedule_names_each_job(self, settings):
        jobs = {entry["args"][0]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        for name in ("weekly_reports", "monthly_reports", "quarterly_reports", "annual_reports"):
            assert name in periodic.discover()
            assert name in jobs
        weekly = jobs["weekly_reports"]["schedule"]
        assert (weekly._orig_hour, weekly._orig_minute, weekly._orig_day_of_week) == (1, 0, "mon")
        quarterly = jobs["quarterly_reports"]["schedule"]
        assert quarterly.month_of_year == {1, 4, 7, 10} and quarterly.day_of_month == {1}


# --- pages --------------------------------------------------------------------------------------------------


@pytest.fixture
def published(world):
    reports.generate(WEEKLY, TODAY)
    return {r.scope_key: r for r in PeriodicReport.objects.all()}


def key(region=None, unit=None):
    return reports.scope_key(region=region, unit=unit)


@pytest.mark.django_db
class TestVisibility:
    def visible(self, user):
        return set(PeriodicReport.objects.visible_to(user).values_list("scope_key", flat=True))

    def test_a_street_supervisor_sees_the_street_only(self, published, carol, street):
        assert self.visible(carol) == {key(street)}

    def test_a_department_sees_its_own_unit(self, published, dave, rsj):
        assert self.visible(dave) == {key(unit=rsj)}

    def test_the_district_platform_sees_every_region_but_no_unit(self, published, heidi):
        assert all(k.startswith("region:") for k in self.visible(heidi))
        assert len(self.visible(heidi)) == 9

    def test_the_office_sees_all(self, published, olga):
        assert self.visible(olga) == set(published)

    def test_a_community_sees_none(self, published, alice, charlie):
        assert self.visible(alice) == set() and self.visible(charlie) == set()

    def test_the_list_shows_only_what_the_user_may_see(self, client, published, carol, street, district):
        client.force_login(carol)
        page = client.get(reverse("disputes:reports")).content.decode()
        assert reverse("disputes:report", args=[published[key(street)].pk]) in page
        assert reverse("disputes:report", args=[published[key(district)].pk]) not in page

    def test_others_reports_are_404(self, client, published, carol, district, rsj):
        client.force_login(carol)
        for scope in (key(district), key(unit=rsj)):
            pk = published[scope].pk
            assert client.get(reverse("disputes:report", args=[pk])).status_code == 404
            assert client.get(reverse("disputes:report_export", args=[pk])).status_code == 404

    def test_without_the_permission_it_is_403(self, client, published, charlie):
        client.force_login(charlie)
        assert client.get(reverse("disputes:reports")).status_code == 403

    def test_the_menu_offers_it(self, client, carol, alice, bob, reference):
        client.force_login(carol)
        assert reverse("disputes:reports") in client.get(reverse("home")).content.decode()
        client.force_login(bob)  # a mediator has no reports to read
        assert reverse("disputes:reports") not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
class TestPages:
    def test_the_report_page_shows_figures_and_rows(self, client, published, world, carol, street):
        client.force_login(carol)
        report = published[key(street)]
        response = client.get(reverse("disputes:report", args=[report.pk]))
        page = response.content.decode()
        assert response.status_code == 200
        for name in ("labour", "traffic", "failed"):
            assert world[name].number in page
        assert world["elsewhere"].number not in page
        assert "劳动争议" in page and "50.0%" in page
        assert "乙社区 05-26–06-01" in page

    def test_the_list_filters_by_kind(self, client, published, world, olga):
        reports.generate(MONTHLY, TODAY)
        client.force_login(olga)
        page = client.get(reverse("disputes:reports"), {"kind": MONTHLY, "scope": "region"}).content.decode()
        assert "2025-05-01" in page and "2025-06-02" not in page

    def test_the_export(self, client, published, world, carol, street):
        client.force_login(carol)
        response = client.get(reverse("disputes:report_export", args=[published[key(street)].pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        figures, rows = book.worksheets
        values = [tuple(r) for r in figures.iter_rows(values_only=True)]
        assert any(r[0] and "劳动争议" in r[0] and r[1] == "2" for r in values)
        listed = {r[1] for r in rows.iter_rows(min_row=2, values_only=True)}
        assert {world[n].number for n in ("labour", "traffic", "failed")} <= listed

    def test_its_query_count_does_not_grow(self, client, published, olga, django_assert_max_num_queries):
        client.force_login(olga)
        with django_assert_max_num_queries(30) as before:
            client.get(reverse("disputes:reports"))
        reports.generate(MONTHLY, TODAY)
        reports.generate(QUARTERLY, TODAY)
        with django_assert_max_num_queries(len(before.captured_queries)):
            assert client.get(reverse("disputes:reports")).status_code == 200
