"""Working days in any year (issue 10): the statutory holidays as a rule, and the office entering a year's notice.

Today is December 2026 and chinesecalendar knows the holidays up to 2026: a deadline in January 2027 is counted
on the statutory holidays and weekends, and flagged as estimated, until the office enters the 2027 notice; then
every open deadline that crosses 2027 is counted again, its move written on the timeline and its handler told.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from dadukou.kernel.errors import Forbidden
from disputes.choices import Complexity, DayType
from disputes.forms.actions import action_label
from disputes.models import (
    Assignment,
    CalendarDay,
    CalendarNotice,
    CalendarYear,
    Event,
    Extension,
    Supervision,
)
from disputes.services import calendar, calendar_notice, workflow
from disputes.services.calendar_notice import HolidayRange, NoticeError
from disputes.services.holidays import statutory_days
from mediation.choices import Role
from mediation.models import Alert, AlertKind, Notification, Unit
from mediation.services.memberships import grant
from tests.conftest import PASSWORD
from tests.dispute_fixtures import act, register_dispute, reload

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


# A made-up 2027 notice (the real one is not published yet): the statutory days, bridging days, and
# Saturday 9 January 2027 made a working day.
NOTICE_2027 = dict(
    year=2027,
    note="国务院办公厅关于2027年部分节假日安排的通知（测试用）",
    ranges=[
        HolidayRange("元旦", D(2027, 1, 1), D(2027, 1, 3)),
        HolidayRange("春节", D(2027, 2, 5), D(2027, 2, 12)),
        HolidayRange("清明节", D(2027, 4, 3), D(2027, 4, 5)),
        HolidayRange("劳动节", D(2027, 5, 1), D(2027, 5, 5)),
        HolidayRange("端午节", D(2027, 6, 9), D(2027, 6, 9)),
        HolidayRange("中秋节", D(2027, 9, 15), D(2027, 9, 15)),
        HolidayRange("国庆节", D(2027, 10, 1), D(2027, 10, 7)),
    ],
    workdays=[D(2027, 1, 9), D(2027, 2, 20), D(2027, 10, 9)],
)


def notice_2027(**changes):
    return calendar_notice.build(**(NOTICE_2027 | changes))


@pytest.fixture
def olga(make_user, reference):
    """The grand-mediation office's administrator: she enters the holiday calendar."""
    user = make_user("olga")
    grant(user, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    return user


@pytest.fixture
def world(defaults, platforms, committee_a, alice, dave, heidi):
    return platforms


@pytest.fixture
def january_case(monkeypatch, world, alice, rsj, community_a):
    """10 working days from Monday 28 December 2026, assigned to 区人力社保局 (dave's unit)."""
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 12, 28))
    d = register_dispute(alice, community_a)
    d = act(workflow.assess, d, alice, complexity=Complexity.GENERAL)
    d = act(workflow.assign, d, alice, to=rsj, limit_days=10, day_type=DayType.WORKING)
    monkeypatch.undo()
    return d.lead_assignment


# --- the rule ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", range(2008, 2027))
def test_every_statutory_day_is_a_holiday_in_the_package_for_every_year_it_knows(year):
    # The package's other days off are that year's bridging days (调休), which the rule does not know.
    days = statutory_days(year)
    names = {name for joined in days.values() for name in joined.split("、")}
    assert names == {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
    assert [d for d in days if not chinese_calendar.is_holiday(d)] == []


def test_the_statutory_days_of_2027():
    assert statutory_days(2027) == {
        D(2027, 1, 1): "元旦",
        # 除夕 (the last day of the twelfth month: 2027-02-05) through 初三.
        D(2027, 2, 5): "春节",
        D(2027, 2, 6): "春节",
        D(2027, 2, 7): "春节",
        D(2027, 2, 8): "春节",
        D(2027, 4, 5): "清明节",
        D(2027, 5, 1): "劳动节",
        D(2027, 5, 2): "劳动节",
        D(2027, 6, 9): "端午节",
        D(2027, 9, 15): "中秋节",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 2): "国庆节",
        D(2027, 10, 3): "国庆节",
    }


def test_two_holidays_on_one_day_are_one_day_off():
    assert statutory_days(2020)[D(2020, 10, 1)] == "中秋节、国庆节"


def test_each_day_follows_the_version_in_force_on_it():
    # 2024 (国务院令第644号): 春节 is 初一 to 初三 and 劳动节 one day; 除夕 (9 February) is not statutory.
    spring_2024 = [d for d, name in statutory_days(2024).items() if name == "春节"]
    assert spring_2024 == [D(2024, 2, 10), D(2024, 2, 11), D(2024, 2, 12)]
    assert [d for d, name in statutory_days(2024).items() if name == "劳动节"] == [D(2024, 5, 1)]
    # 2025 (国务院令第795号, in force 1 January 2025): 除夕 28 January 2025 to 初三, and 1–2 May.
    spring_2025 = [d for d, name in statutory_days(2025).items() if name == "春节"]
    assert spring_2025 == [D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31)]


# --- counting in a year nobody has entered ---------------------------------------------------------------------


def test_a_ten_working_day_limit_from_28_december_2026_is_estimated_and_skips_new_years_day():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))
    deadline = calendar.deadline(at(2026, 12, 28), 10, DayType.WORKING)
    # 29, 30, 31 December; (1 January off, 2–3 a weekend) 4–8 January; 11 and 12 January.
    assert deadline.at == end_of(D(2027, 1, 12))
    assert deadline.estimated


def test_a_ten_working_day_limit_across_the_spring_festival_2027_is_estimated_and_skips_it():
    deadline = calendar.deadline(at(2027, 2, 1), 10, DayType.WORKING)
    # 2–4 February; (除夕 Friday 5th, the weekend, 初三 Monday 8th off) 9–12; 15, 16, 17 February.
    assert deadline.at == end_of(D(2027, 2, 17))
    assert deadline.estimated


def test_a_limit_within_a_known_year_is_exact():
    assert not calendar.deadline(at(2026, 12, 1), 5, DayType.WORKING).estimated


def test_counting_many_deadlines_on_one_calendar_costs_two_queries(django_assert_num_queries):
    with django_assert_num_queries(2):
        work = calendar.WorkCalendar()
        for day in range(1, 29):
            work.deadline(at(2027, 2, day), 20, DayType.WORKING)


# --- entering the year ---------------------------------------------------------------------------------------


def test_the_office_enters_2027_and_the_open_deadline_moves_exactly_once(january_case, olga, dave):
    assignment = january_case
    assert (assignment.due_at, assignment.due_date_estimated) == (end_of(D(2027, 1, 12)), True)
    events_before = Event.objects.filter(dispute=assignment.dispute).count()

    done = calendar_notice.confirm(olga, notice_2027())

    assert done.moved == 1
    moved = Assignment.objects.get(pk=assignment.pk)
    # Saturday 9 January is a working day in the notice: the tenth working day is Monday 11 January.
    assert (moved.due_at, moved.due_date_estimated) == (end_of(D(2027, 1, 11)), False)
    dispute = reload(assignment.dispute)
    assert (dispute.due_at, dispute.due_date_estimated) == (end_of(D(2027, 1, 11)), False)
    events = list(Event.objects.filter(dispute=dispute).order_by("pk"))
    assert len(events) == events_before + 1
    event = events[-1]
    assert (event.action, event.actor) == ("deadline_recounted", olga)
    assert dt.datetime.fromisoformat(event.before["due_at"]) == end_of(D(2027, 1, 12))
    assert dt.datetime.fromisoformat(event.after["due_at"]) == end_of(D(2027, 1, 11))
    assert action_label(event.action) != event.action
    # The handler (区人力社保局: dave) is told, through an alert about the timeline entry.
    alert = Alert.objects.get(kind=AlertKind.DEADLINE_MOVED, recipient_unit__code="rsj")
    assert alert.subject == event
    note = Notification.objects.get(user=dave, alert=alert)
    assert dispute.number in note.title and "2027-01-11" in note.title
    # The year is entered: CalendarYear, its rows, the notice kept.
    year = CalendarYear.objects.get(year=2027)
    assert (year.entered_by, year.note) == (olga, NOTICE_2027["note"])
    assert CalendarDay.objects.get(date=D(2027, 1, 9)).is_workday
    assert not calendar.deadline(at(2026, 12, 28), 10, DayType.WORKING).estimated


def test_the_handler_reads_the_move_on_the_timeline_and_in_the_notification(client, january_case, olga, dave):
    calendar_notice.confirm(olga, notice_2027())
    client.login(username="dave", password=PASSWORD)
    page = client.get(reverse("disputes:detail", args=[january_case.dispute_id])).content.decode()
    assert str(action_label("deadline_recounted")) in page
    assert "2027-01-12 → 2027-01-11" in page
    notifications = client.get(reverse("mediation:notifications")).content.decode()
    assert january_case.dispute.number in notifications


def test_confirming_the_same_notice_twice_changes_nothing_the_second_time(january_case, olga):
    calendar_notice.confirm(olga, notice_2027())
    counts = (Event.objects.count(), Notification.objects.count(), CalendarNotice.objects.count())
    due = Assignment.objects.get(pk=january_case.pk).due_at

    again = calendar_notice.confirm(olga, notice_2027())

    assert (again.record, again.moved) == (None, 0)
    assert (Event.objects.count(), Notification.objects.count(), CalendarNotice.objects.count()) == counts
    assert Assignment.objects.get(pk=january_case.pk).due_at == due
    assert calendar_notice.preview(olga, notice_2027()).unchanged


def test_a_correction_replaces_the_years_days_and_keeps_the_earlier_entry(january_case, olga):
    calendar_notice.confirm(olga, notice_2027())
    first = CalendarNotice.objects.get()
    corrected = notice_2027(workdays=[D(2027, 2, 20), D(2027, 10, 9)], note="更正后的通知")

    done = calendar_notice.confirm(olga, corrected)

    assert done.moved == 1
    assert not CalendarDay.objects.filter(date=D(2027, 1, 9)).exists()
    assert Assignment.objects.get(pk=january_case.pk).due_at == end_of(D(2027, 1, 12))
    first.refresh_from_db()
    assert first.superseded_at is not None and first.days["2027-01-09"]["workday"] is True
    assert CalendarNotice.objects.filter(superseded_at__isnull=True).get().note == "更正后的通知"
    assert Event.objects.filter(dispute=january_case.dispute, action="deadline_recounted").count() == 2


def test_an_extended_due_date_is_kept_and_said_so(january_case, olga):
    dispute = january_case.dispute
    agreed = end_of(D(2027, 2, 26))
    Extension.objects.create(
        dispute=dispute,
        old_due_at=january_case.due_at,
        new_due_at=agreed,
        reason="双方同意",
        consent_note="书面同意",
        recorded_by=olga,
    )
    Extension.objects.filter(dispute=dispute).update(recorded_at=at(2026, 12, 30))
    Assignment.objects.filter(pk=january_case.pk).update(due_at=agreed)

    preview = calendar_notice.preview(olga, notice_2027())
    assert preview.outcome.moves == [] and preview.outcome.kept == 1
    calendar_notice.confirm(olga, notice_2027())
    assert Assignment.objects.get(pk=january_case.pk).due_at == agreed


def test_an_unanswered_supervision_is_recounted_from_its_recorded_limit(january_case, olga):
    notice = Supervision.objects.create(
        dispute=january_case.dispute,
        assignment=january_case,
        level=3,
        notice="请书面说明",
        answer_limit_days=3,
        answer_day_type=DayType.WORKING,
        answer_due_at=end_of(D(2027, 1, 4)),
    )
    Supervision.objects.filter(pk=notice.pk).update(issued_at=at(2026, 12, 30))
    # Estimated: 31 December, (1 January off) 4 January, 5 January; the notice adds 2–3 January off: same.
    # Stored 4 January (as if counted before the rule): the recount puts it on 5 January.
    calendar_notice.confirm(olga, notice_2027())
    assert Supervision.objects.get(pk=notice.pk).answer_due_at == end_of(D(2027, 1, 5))


# --- who may, and bad input ----------------------------------------------------------------------------------------


def test_only_the_office_may_enter_the_calendar(january_case, olga, alice, heidi, make_user, street):
    clerk = make_user("sam")
    grant(clerk, Role.OFFICE_ADMIN, region=street)  # an office role, but over one street only
    for user in (alice, heidi, clerk, None):
        with pytest.raises(Forbidden) as refused:
            calendar_notice.confirm(user, notice_2027())
        assert refused.value.code == "forbidden"
        with pytest.raises(Forbidden):
            calendar_notice.preview(user, notice_2027())
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()
    assert Assignment.objects.get(pk=january_case.pk).due_date_estimated


def test_bad_pasted_lines_are_refused_with_their_line_numbers_and_nothing_is_saved(olga):
    text = "# 2027\n2027-01-01~2027-01-03 休 元旦\n2027-13-01 休\n明天放假\n2027-01-04 班\n2027-01-02 班\n"
    with translation.override("en"), pytest.raises(NoticeError) as refused:
        calendar_notice.build(year=2027, note="通知", text=text)
    assert refused.value.code == "invalid_notice"
    problems = refused.value.problems
    codes = [code for code, _message in problems]
    assert codes[:4] == ["invalid_date", "invalid_line", "workday_not_weekend", "conflicting_day"]
    assert [m.split(":")[0] for _c, m in problems[:4]] == ["Line 3", "Line 4", "Line 5", "Line 6"]
    # The statutory days the notice leaves out are named too.
    assert ("statutory_day_missing") in codes
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_the_messages_are_in_chinese():
    with pytest.raises(NoticeError) as refused:
        calendar_notice.build(year=2027, note="通知", text="明天放假")
    assert refused.value.problems[0][1].startswith("第1行")


def test_a_notice_must_name_its_source_and_stay_in_its_year():
    with translation.override("en"), pytest.raises(NoticeError) as refused:
        calendar_notice.build(**(NOTICE_2027 | {"note": "", "workdays": [D(2028, 1, 8)]}))
    assert [code for code, _m in refused.value.problems] == ["note_required", "outside_year"]


# --- the page ------------------------------------------------------------------------------------------------------


def page_data(notice=NOTICE_2027, **extra) -> dict:
    data = {"year": notice["year"], "note": notice["note"], "text": ""}
    for i, r in enumerate(notice["ranges"]):
        data |= {f"range_{i}_name": r.name, f"range_{i}_first": r.first, f"range_{i}_last": r.last}
    for i, day in enumerate(notice["workdays"]):
        data[f"workday_{i}"] = day
    return data | extra


def test_the_page_is_the_offices(client, olga, alice):
    client.login(username="alice", password=PASSWORD)
    assert client.get(reverse("disputes:calendar")).status_code == 403
    client.login(username="olga", password=PASSWORD)
    page = client.get(reverse("disputes:calendar") + "?year=2027").content.decode()
    assert "2027-02-05 春节" in page and "2027-02-07 班" in page  # the statutory days and the format


def test_the_page_query_count(client, olga, django_assert_num_queries):
    client.login(username="olga", password=PASSWORD)
    client.get(reverse("disputes:calendar"))
    with django_assert_num_queries(7):
        assert client.get(reverse("disputes:calendar") + "?year=2027").status_code == 200


def test_the_preview_lists_the_moves_and_saves_nothing(client, january_case, olga, django_assert_num_queries):
    client.login(username="olga", password=PASSWORD)
    client.get(reverse("disputes:calendar"))
    with django_assert_num_queries(19):
        response = client.post(reverse("disputes:calendar"), page_data(preview="1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert january_case.dispute.number in page
    moves = page[page.index('id="preview-moves"') :]
    assert "2027-01-12" in moves and "2027-01-11" in moves
    assert "2027-01-09" in page  # Saturday 9 January becomes a working day
    assert not CalendarYear.objects.exists()
    assert Assignment.objects.get(pk=january_case.pk).due_at == end_of(D(2027, 1, 12))


def test_confirming_on_the_page(client, january_case, olga):
    client.login(username="olga", password=PASSWORD)
    response = client.post(reverse("disputes:calendar"), page_data(confirm="1"))
    assert response.status_code == 302
    assert Assignment.objects.get(pk=january_case.pk).due_at == end_of(D(2027, 1, 11))
    again = client.post(reverse("disputes:calendar"), page_data(confirm="1"), follow=True)
    assert Event.objects.filter(action="deadline_recounted").count() == 1
    assert again.status_code == 200


def test_bad_lines_on_the_page_are_listed_and_nothing_is_saved(client, olga):
    client.login(username="olga", password=PASSWORD)
    response = client.post(reverse("disputes:calendar"), page_data(text="2027-02-30 休\n", confirm="1"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-code="invalid_date"' in page and "第1行" in page
    assert not CalendarYear.objects.exists() and not CalendarNotice.objects.exists()
