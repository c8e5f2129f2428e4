"""The registry's indicators (mediation/indicators.py) on hand-built rows with known answers.

Every registered indicator is checked for its numerator, denominator, rate and the met flag of each row, at
fixed dates before and after a change (an organization established or dissolved, a headcount revised, a
mediator dismissed) — never at today's date. BEFORE and AFTER are the two as-of dates most tests use.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from mediation.choices import (
    AppointmentRole,
    Background,
    Gender,
    MediationField,
    MediatorStatus,
    OrganizationKind,
    RegionKind,
    RegionLevel,
    TrainingLevel,
    UnitKind,
)
from mediation.indicators import (
    REGISTRY,
    IndicatorResult,
    all_indicators,
    committee_composition_warnings,
    full_time_counts,
    indicator,
    officers_on,
    staffing_of,
)
from mediation.models import MediationOrganization, Region, StaffingRule, Unit
from tests.conftest import make_region
from tests.registry_fixtures import (
    D,
    add_expert,
    appoint,
    change_status,
    dismiss,
    make_mediator,
    make_org,
    make_police_station,
    make_training,
    make_unit,
    staff,
    street_of,
)

pytest_plugins = ["tests.registry_fixtures"]

BEFORE = D(2022, 6, 30)
AFTER = D(2023, 6, 30)
CHANGE = D(2023, 1, 1)  # between BEFORE and AFTER

K = OrganizationKind
F = MediationField

XINSHANCUN, YUEJINCUN, JIUGONGMIAO, QIEZIXI = "500104001", "500104002", "500104003", "500104004"


def met(result: IndicatorResult) -> dict:
    """The rows' met flags keyed by label."""
    labels = [row.label for row in result.rows]
    assert len(labels) == len(set(labels)), f"duplicate row labels in {result.code}"
    return {row.label: row.met for row in result.rows}


def rows(result: IndicatorResult) -> dict:
    """(met, detail) of each row keyed by label: rows sorted by name follow the database's collation of
    Chinese, so tests compare them as a mapping rather than a sequence."""
    labels = [row.label for row in result.rows]
    assert len(labels) == len(set(labels)), f"duplicate row labels in {result.code}"
    return {row.label: (row.met, row.detail) for row in result.rows}


def figures(result: IndicatorResult) -> tuple:
    return result.numerator, result.denominator, result.rate


# --- the registry and the result --------------------------------------------------------------------------------


def test_the_registry_has_exactly_the_indicators_tested_here():
    """The registry is shared with disputes/indicators.py; the registry's own codes are the ones tested here."""
    own = {
        code for code, (_label, compute) in REGISTRY.items() if compute.__module__ == "mediation.indicators"
    }
    assert own == {
        "platform_rate_district",
        "platform_rate_street",
        "platform_rate_community",
        "industry_room_occupancy",
        "industry_fields_covered",
        "field_rooms_covered",
        "committee_rate",
        "court_room_rate",
        "police_room_rate",
        "petition_room_rate",
        "admin_room_rate",
        "staffing_industry_committee",
        "staffing_street_committee",
        "staffing_community_committee",
        "staffing_enterprise_committee",
        "staffing_court_room",
        "staffing_police_room",
        "staffing_petition_room",
        "staffing_dispatched_rooms",
        "trainings_district",
        "trainings_street",
        "experts_in_industry_orgs",
        "mediator_backgrounds",
        "brand_studios",
    }


def test_an_unknown_code_is_an_error():
    with pytest.raises(KeyError):
        indicator("no_such_indicator", BEFORE)


def test_the_rate_is_a_percent_rounded_half_up_and_the_value_what_a_target_compares_with():
    assert IndicatorResult("x", "x", BEFORE, 2, 3).rate == Decimal("66.7")
    assert IndicatorResult("x", "x", BEFORE, 1, 8).rate == Decimal("12.5")
    assert IndicatorResult("x", "x", BEFORE, 1, 3).value == Decimal("33.3")
    assert IndicatorResult("x", "x", BEFORE, 0, 0).rate is None
    assert IndicatorResult("x", "x", BEFORE, 0, 0).value is None
    count = IndicatorResult("x", "x", BEFORE, 4, None)
    assert (count.rate, count.value) == (None, 4)


def test_every_indicator_answers_on_an_empty_registry(reference):
    results = all_indicators(BEFORE)
    assert [r.code for r in results] == list(REGISTRY)
    assert all(r.as_of == BEFORE for r in results)
    by_code = {r.code: r for r in results}
    assert figures(by_code["platform_rate_street"]) == (0, 8, Decimal("0.0"))
    assert figures(by_code["admin_room_rate"]) == (0, 5, Decimal("0.0"))
    # The reference data's 区法院 is the district's basic people's court.
    assert figures(by_code["court_room_rate"]) == (0, 1, Decimal("0.0"))
    assert by_code["brand_studios"].value == 0


# --- task 1: comprehensive platforms per level -----------------------------------------------------------------


def test_platform_rate_district(district):
    assert figures(indicator("platform_rate_district", BEFORE)) == (0, 1, Decimal("0.0"))
    make_org(K.PLATFORM, district, "区矛盾纠纷综合调处中心", established_on=D(2021, 3, 1))

    assert figures(indicator("platform_rate_district", D(2021, 2, 28))) == (0, 1, Decimal("0.0"))
    result = indicator("platform_rate_district", BEFORE)
    assert figures(result) == (1, 1, Decimal("100.0"))
    assert [(row.obj, row.met) for row in result.rows] == [(district, True)]


def test_platform_rate_street_follows_established_and_dissolved_dates(reference):
    make_org(K.PLATFORM, street_of(XINSHANCUN))
    make_org(K.PLATFORM, street_of(YUEJINCUN), established_on=CHANGE)  # after BEFORE
    make_org(K.PLATFORM, street_of(JIUGONGMIAO), dissolved_on=CHANGE)  # dissolved before AFTER
    make_org(K.PLATFORM, street_of(QIEZIXI), established_on=CHANGE)
    # A street committee is not a platform.
    make_org(K.STREET_COMMITTEE, street_of("500104005"))

    before = indicator("platform_rate_street", BEFORE)
    assert figures(before) == (2, 8, Decimal("25.0"))
    assert met(before) == {
        "新山村街道": True,
        "跃进村街道": False,
        "九宫庙街道": True,
        "茄子溪街道": False,
        "春晖路街道": False,
        "八桥镇": False,
        "建胜镇": False,
        "跳磴镇": False,
    }
    assert [row.detail for row in before.rows][:2] == [XINSHANCUN, YUEJINCUN]

    after = indicator("platform_rate_street", AFTER)
    assert figures(after) == (3, 8, Decimal("37.5"))
    assert {row.label for row in after.gaps} == {"九宫庙街道", "春晖路街道", "八桥镇", "建胜镇", "跳磴镇"}


def test_platform_rate_community_counts_gaps_and_only_active_regions(
    street, community_a, community_b, community_c
):
    make_org(K.PLATFORM, community_a)
    make_org(K.COMMUNITY_COMMITTEE, community_c)  # not a platform: community C is a gap
    make_org(K.PLATFORM, street)  # the street's platform does not cover its communities
    closed = make_region(street, "500104001003", "已撤并社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)
    Region.objects.filter(pk=closed.pk).update(is_active=False)

    result = indicator("platform_rate_community", BEFORE)
    assert figures(result) == (1, 3, Decimal("33.3"))
    assert met(result) == {
        "新山村街道 / 甲社区": True,
        "新山村街道 / 乙社区": False,
        "跃进村街道 / 丙社区": False,
    }
    assert [row.obj for row in result.gaps] == [community_b, community_c]


def test_a_platform_counts_from_its_establishment_day_and_not_on_its_dissolution_day(community_a):
    make_org(K.PLATFORM, community_a, established_on=D(2022, 6, 30), dissolved_on=D(2023, 6, 30))

    assert indicator("platform_rate_community", D(2022, 6, 29)).numerator == 0
    assert indicator("platform_rate_community", D(2022, 6, 30)).numerator == 1
    assert indicator("platform_rate_community", D(2023, 6, 29)).numerator == 1
    assert indicator("platform_rate_community", D(2023, 6, 30)).numerator == 0


def test_an_organization_without_an_establishment_date_has_always_existed(community_a):
    make_org(K.PLATFORM, community_a, established_on=None)
    assert indicator("platform_rate_community", D(2000, 1, 1)).numerator == 1


# --- task 2: industry rooms hosted in the district centre -------------------------------------------------------


def test_industry_room_occupancy_counts_rooms_hosted_in_the_active_centre(district):
    centre = make_org(K.MAJOR_DISPUTE_CENTRE, district, "区重大矛盾纠纷人民调解委员会", dissolved_on=CHANGE)
    make_org(K.INDUSTRY_ROOM, district, "医患纠纷调解室", hosted_in=centre, fields=[F.MEDICAL])
    make_org(K.INDUSTRY_ROOM, district, "交通劳动调解室", hosted_in=centre, fields=[F.TRAFFIC, F.LABOUR])
    # Not hosted in the centre: does not count.
    make_org(K.INDUSTRY_ROOM, district, "物业纠纷调解室", fields=[F.PROPERTY])
    # Hosted in the centre but dissolved before BEFORE: does not count.
    make_org(
        K.INDUSTRY_ROOM, district, "城管调解室", hosted_in=centre, fields=[F.CITY], dissolved_on=D(2022, 1, 1)
    )
    # A committee is not a room, even in the centre.
    make_org(K.INDUSTRY_COMMITTEE, district, "生态环保调委会", hosted_in=centre, fields=[F.ECOLOGY])

    before = indicator("industry_room_occupancy", BEFORE)
    assert figures(before) == (3, 12, Decimal("25.0"))
    rows = {row.obj: row for row in before.rows}
    assert [row.obj for row in before.rows] == [
        F.MEDICAL, F.TRAFFIC, F.PROPERTY, F.CITY, F.LABOUR, F.EXPROPRIATION,
        F.ECOLOGY, F.MARRIAGE, F.CONSTRUCTION, F.TOURISM, F.CONSUMER, F.COMMERCE,
    ]  # fmt: skip
    assert {f for f, row in rows.items() if row.met} == {F.MEDICAL, F.TRAFFIC, F.LABOUR}
    assert rows[F.MEDICAL].detail == "医患纠纷调解室"
    assert rows[F.LABOUR].detail == "交通劳动调解室"

    assert indicator("industry_room_occupancy", D(2021, 12, 31)).numerator == 4  # the city room still open
    # The centre is dissolved on CHANGE: its rooms no longer count.
    assert figures(indicator("industry_room_occupancy", AFTER)) == (0, 12, Decimal("0.0"))


# --- task 3: fields with an industry/professional organization, and the expert pool ------------------------


def test_industry_fields_covered_counts_each_field_an_organization_covers(district, registrar):
    make_org(K.INDUSTRY_COMMITTEE, district, "医疗交通调委会", fields=[F.MEDICAL, F.TRAFFIC])
    make_org(K.INDUSTRY_ROOM, district, "物业纠纷调解室", fields=[F.PROPERTY])
    make_org(K.INDUSTRY_COMMITTEE, district, "第二医疗调委会", fields=[F.MEDICAL])
    make_org(K.FIELD_ROOM, district, "旅游纠纷人民调解室", fields=[F.TOURISM])  # task 6's kind, not task 3's
    make_org(K.INDUSTRY_COMMITTEE, district, "城管调委会", fields=[F.CITY], dissolved_on=D(2022, 1, 1))
    make_org(K.INDUSTRY_COMMITTEE, district, "商务调委会", fields=[F.COMMERCE], established_on=CHANGE)

    before = indicator("industry_fields_covered", BEFORE)
    assert figures(before) == (3, 12, Decimal("25.0"))
    rows = {row.obj: row for row in before.rows}
    assert {f for f, row in rows.items() if row.met} == {F.MEDICAL, F.TRAFFIC, F.PROPERTY}
    assert rows[F.MEDICAL].detail == "医疗交通调委会、第二医疗调委会"
    assert not rows[F.TOURISM].met and not rows[F.CITY].met

    assert figures(indicator("industry_fields_covered", AFTER)) == (4, 12, Decimal("33.3"))


def test_industry_fields_covered_notes_the_expert_pool_on_the_date(district, registrar):
    region = district
    current = make_mediator("在库专家", region)
    add_expert(current, joined_on=D(2021, 1, 1), specialties=[F.MEDICAL])
    add_expert(current, joined_on=D(2022, 1, 1), specialties=[F.TRAFFIC])  # two entries, one person
    add_expert(make_mediator("已退库专家", region), joined_on=D(2021, 1, 1), left_on=D(2022, 3, 1))
    add_expert(make_mediator("新入库专家", region), joined_on=CHANGE)
    dismissed = make_mediator("被解聘专家", region)
    add_expert(dismissed, joined_on=D(2021, 1, 1))
    dismiss(dismissed, D(2022, 5, 1), registrar)

    with translation.override("en"):
        assert indicator("industry_fields_covered", BEFORE).note == "Expert pool: 1 members"
        assert indicator("industry_fields_covered", D(2022, 2, 1)).note == "Expert pool: 3 members"
        assert indicator("industry_fields_covered", AFTER).note == "Expert pool: 2 members"


# --- task 5: people's mediation committees ----------------------------------------------------------------------


def test_committee_rate_over_streets_and_communities(community_a, community_b, community_c):
    make_org(K.STREET_COMMITTEE, street_of(XINSHANCUN))
    make_org(K.STREET_COMMITTEE, street_of(YUEJINCUN), dissolved_on=CHANGE)
    make_org(K.COMMUNITY_COMMITTEE, community_a)
    make_org(K.PLATFORM, community_b)  # a platform is not a committee
    make_org(K.ENTERPRISE_COMMITTEE, community_c)  # nor is an enterprise's committee the community's
    make_org(K.COMMUNITY_COMMITTEE, street_of(JIUGONGMIAO))  # a community committee does not cover a street

    before = indicator("committee_rate", BEFORE)
    assert figures(before) == (3, 11, Decimal("27.3"))
    flags = met(before)
    assert flags["新山村街道"] and flags["跃进村街道"] and flags["新山村街道 / 甲社区"]
    assert not flags["九宫庙街道"] and not flags["新山村街道 / 乙社区"] and not flags["跃进村街道 / 丙社区"]
    assert sum(flags.values()) == 3

    assert figures(indicator("committee_rate", AFTER)) == (2, 11, Decimal("18.2"))


# --- task 6: fields with a people's mediation room --------------------------------------------------------------


def test_field_rooms_covered_of_the_seven_fields(district, street):
    make_org(K.FIELD_ROOM, district, "消费旅游人民调解室", fields=[F.CONSUMER, F.TOURISM])
    make_org(K.FIELD_ROOM, street, "知识产权人民调解室", fields=[F.IP])
    make_org(K.INDUSTRY_COMMITTEE, district, "婚姻家庭调委会", fields=[F.MARRIAGE])  # not a room
    make_org(K.FIELD_ROOM, district, "互联网人民调解室", fields=[F.INTERNET], established_on=CHANGE)
    make_org(K.FIELD_ROOM, district, "医患人民调解室", fields=[F.MEDICAL])  # not one of the seven

    before = indicator("field_rooms_covered", BEFORE)
    assert figures(before) == (3, 7, Decimal("42.9"))
    assert [row.obj for row in before.rows] == [
        F.CONSUMER, F.TOURISM, F.ECOLOGY, F.IP, F.INTERNET, F.CONSTRUCTION, F.MARRIAGE,
    ]  # fmt: skip
    assert [row.met for row in before.rows] == [True, True, False, True, False, False, False]

    assert figures(indicator("field_rooms_covered", AFTER)) == (4, 7, Decimal("57.1"))


# --- task 7: rooms at courts, police stations, petition halls -------------------------------------------------


def test_court_room_rate(district, street):
    court = Unit.objects.get(code="fy")  # 区法院, a court in the reference data
    tribunal = make_unit("新山村人民法庭", UnitKind.COURT, street)
    make_unit("已撤销法庭", UnitKind.COURT, street, is_active=False)
    make_org(K.COURT_ROOM, district, "驻法院调解室", host_unit=court)
    make_org(K.COURT_ROOM, street, "驻法庭调解室", host_unit=tribunal, established_on=CHANGE)

    before = indicator("court_room_rate", BEFORE)
    assert figures(before) == (1, 2, Decimal("50.0"))
    assert met(before) == {"区法院": True, "新山村人民法庭": False}
    assert rows(before)["区法院"] == (True, "驻法院调解室")
    assert figures(indicator("court_room_rate", AFTER)) == (2, 2, Decimal("100.0"))


@pytest.fixture
def stations(district, street, other_street):
    """Five stations: A 19 officers (a room, but excluded), B exactly 20 (a room), C 30 (no room),
    D 19 then 25 from CHANGE (no room), E without a recorded headcount (excluded)."""
    since = D(2021, 1, 1)
    a = make_police_station("甲派出所", street, (19, since))
    b = make_police_station("乙派出所", street, (20, since))
    c = make_police_station("丙派出所", other_street, (30, since))
    d = make_police_station("丁派出所", other_street, (19, since), (25, CHANGE))
    e = make_police_station("戊派出所", district)
    make_org(K.POLICE_ROOM, street, "甲所警调室", host_unit=a)
    make_org(K.POLICE_ROOM, street, "乙所警调室", host_unit=b)
    return a, b, c, d, e


def test_police_room_rate_counts_only_stations_with_at_least_20_officers(stations):
    before = indicator("police_room_rate", BEFORE)
    # A (19, with a room) and D (19) and E (unknown) are outside the denominator.
    assert figures(before) == (1, 2, Decimal("50.0"))
    assert met(before) == {"乙派出所": True, "丙派出所": False}
    with translation.override("en"):
        before = indicator("police_room_rate", BEFORE)
        assert rows(before) == {"乙派出所": (True, "20 officers"), "丙派出所": (False, "30 officers")}
        assert before.note == "3 station(s) with fewer than 20 officers not counted"


def test_a_headcount_change_changes_a_station_s_eligibility_on_its_date(stations):
    after = indicator("police_room_rate", AFTER)
    assert figures(after) == (1, 3, Decimal("33.3"))
    assert met(after) == {"乙派出所": True, "丙派出所": False, "丁派出所": False}

    assert "丁派出所" not in met(indicator("police_room_rate", D(2022, 12, 31)))
    assert "丁派出所" in met(indicator("police_room_rate", CHANGE))


def test_officers_on_takes_the_latest_headcount_on_or_before_the_date(stations):
    a, b, c, d, e = stations
    assert officers_on([a, d, e], D(2020, 12, 31)) == {}
    assert officers_on([a, d, e], D(2022, 12, 31)) == {a.pk: 19, d.pk: 19}
    assert officers_on([a, d, e], CHANGE) == {a.pk: 19, d.pk: 25}


def test_petition_room_rate(district, street):
    hall = make_unit("区信访接待中心", UnitKind.PETITION_HALL, district)
    make_unit("新山村街道信访接待室", UnitKind.PETITION_HALL, street)
    make_unit("已关闭接待室", UnitKind.PETITION_HALL, street, is_active=False)
    make_org(K.PETITION_ROOM, district, "信访事项调解室", host_unit=hall)
    make_org(K.PETITION_ROOM, street, "已撤销的信访调解室", host_unit=hall, dissolved_on=D(2022, 1, 1))

    result = indicator("petition_room_rate", BEFORE)
    assert figures(result) == (1, 2, Decimal("50.0"))
    assert met(result) == {"区信访接待中心": True, "新山村街道信访接待室": False}
    assert rows(result)["区信访接待中心"] == (True, "信访事项调解室")


# --- task 8: full-time staffing -----------------------------------------------------------------------------------


@pytest.fixture
def industry_committees(district, registrar):
    """甲: 3 full-time and 1 part-time; 乙: 2 full-time (one with two appointments) and one whose full-time
    appointment ended before BEFORE; 丙: 3 full-time, one dismissed on CHANGE."""
    jia = make_org(K.INDUSTRY_COMMITTEE, district, "甲行业调委会")
    staff(jia, full_time=3, part_time=1)
    yi = make_org(K.INDUSTRY_COMMITTEE, district, "乙行业调委会")
    first, _second = staff(yi, full_time=2)
    appoint(first, yi, full_time=True, role=AppointmentRole.DIRECTOR, started_on=D(2022, 1, 1))
    staff(yi, full_time=1, ended_on=D(2022, 3, 1))
    bing = make_org(K.INDUSTRY_COMMITTEE, district, "丙行业调委会")
    *_, third = staff(bing, full_time=3)
    dismiss(third, CHANGE, registrar)
    return jia, yi, bing


def test_staffing_of_industry_committees_before_and_after_a_dismissal(industry_committees):
    jia, yi, bing = industry_committees

    before = indicator("staffing_industry_committee", BEFORE)
    assert figures(before) == (2, 3, Decimal("66.7"))
    assert rows(before) == {
        "甲行业调委会": (True, "3/3"),
        "乙行业调委会": (False, "2/3"),
        "丙行业调委会": (True, "3/3"),
    }
    after = indicator("staffing_industry_committee", AFTER)
    assert figures(after) == (1, 3, Decimal("33.3"))
    assert {row.label: row.detail for row in after.rows} == {
        "丙行业调委会": "2/3",
        "乙行业调委会": "2/3",
        "甲行业调委会": "3/3",
    }
    assert full_time_counts([jia, yi, bing], D(2022, 12, 31)) == {jia.pk: 3, yi.pk: 2, bing.pk: 3}
    assert full_time_counts([jia, yi, bing], CHANGE) == {jia.pk: 3, yi.pk: 2, bing.pk: 2}
    # The ended appointment still counted while it ran.
    assert full_time_counts([yi], D(2022, 2, 28)) == {yi.pk: 3}
    assert staffing_of(yi, BEFORE) == (2, 3)


def test_a_suspended_mediator_is_not_counted_until_reinstated(street, registrar):
    committee = make_org(K.STREET_COMMITTEE, street, "新山村街道人民调解委员会")
    first, _second = staff(committee, full_time=2)
    change_status(first, MediatorStatus.SUSPENDED, D(2022, 1, 1), registrar)
    change_status(first, MediatorStatus.ACTIVE, D(2022, 9, 1), registrar, ground="reinstated")

    assert staffing_of(committee, D(2021, 12, 31)) == (2, 2)
    assert staffing_of(committee, BEFORE) == (1, 2)
    assert staffing_of(committee, D(2022, 9, 1)) == (2, 2)


def test_staffing_rule_rows_override_the_plan_s_minimum(reference):
    xinshancun = make_org(K.STREET_COMMITTEE, street_of(XINSHANCUN), "新山村街道调委会")
    staff(xinshancun, full_time=2)
    yuejincun = make_org(K.STREET_COMMITTEE, street_of(YUEJINCUN), "跃进村街道调委会")
    staff(yuejincun, full_time=1, part_time=1)

    default = indicator("staffing_street_committee", BEFORE)
    assert figures(default) == (1, 2, Decimal("50.0"))
    assert rows(default) == {"新山村街道调委会": (True, "2/2"), "跃进村街道调委会": (False, "1/2")}
    assert staffing_of(xinshancun, BEFORE) == (2, 2)

    StaffingRule.objects.create(kind=K.STREET_COMMITTEE, min_full_time=3)
    stricter = indicator("staffing_street_committee", BEFORE)
    assert figures(stricter) == (0, 2, Decimal("0.0"))
    assert rows(stricter) == {"新山村街道调委会": (False, "2/3"), "跃进村街道调委会": (False, "1/3")}
    assert staffing_of(xinshancun, BEFORE) == (2, 3)
    with translation.override("en"):
        assert indicator("staffing_street_committee", BEFORE).note == (
            "Street/town people's mediation committee ≥ 3"
        )


def test_staffing_of_community_and_enterprise_committees(community_a, community_b):
    staff(make_org(K.COMMUNITY_COMMITTEE, community_a, "甲社区调委会"), full_time=1)
    staff(make_org(K.COMMUNITY_COMMITTEE, community_b, "乙社区调委会"), part_time=2)
    staff(make_org(K.ENTERPRISE_COMMITTEE, community_a, "某企业调委会"), part_time=1)

    community = indicator("staffing_community_committee", BEFORE)
    assert figures(community) == (1, 2, Decimal("50.0"))
    assert rows(community) == {"甲社区调委会": (True, "1/1"), "乙社区调委会": (False, "0/1")}
    enterprise = indicator("staffing_enterprise_committee", BEFORE)
    assert figures(enterprise) == (0, 1, Decimal("0.0"))
    with translation.override("en"):
        assert indicator("staffing_community_committee", BEFORE).note == (
            "Community/village people's mediation committee ≥ 1 (only where conditions allow)"
        )


def test_staffing_of_dispatched_rooms_per_kind_and_together(district, street, registrar):
    court_room = make_org(K.COURT_ROOM, district, "驻法院调解室")
    staff(court_room, full_time=2)
    police_room = make_org(K.POLICE_ROOM, street, "驻派出所调解室")
    staff(police_room, full_time=1, part_time=3)
    petition_room = make_org(K.PETITION_ROOM, district, "信访事项调解室")
    suspended, _other = staff(petition_room, full_time=2)
    change_status(suspended, MediatorStatus.SUSPENDED, D(2022, 1, 1), registrar)
    make_org(K.COURT_ROOM, district, "已撤销的调解室", dissolved_on=D(2022, 1, 1))

    assert figures(indicator("staffing_court_room", BEFORE)) == (1, 1, Decimal("100.0"))
    assert figures(indicator("staffing_police_room", BEFORE)) == (0, 1, Decimal("0.0"))
    assert figures(indicator("staffing_petition_room", BEFORE)) == (0, 1, Decimal("0.0"))
    together = indicator("staffing_dispatched_rooms", BEFORE)
    assert figures(together) == (1, 3, Decimal("33.3"))
    assert rows(together) == {
        "驻法院调解室": (True, "2/2"),
        "驻派出所调解室": (False, "1/2"),
        "信访事项调解室": (False, "1/2"),
    }
    assert {row.obj for row in together.rows} == {court_room, police_room, petition_room}
    assert staffing_of(police_room, BEFORE) == (1, 2)


def test_staffing_of_a_kind_without_a_minimum(district):
    studio = make_org(K.BRAND_STUDIO, district, "老马调解工作室")
    staff(studio, full_time=1)
    assert staffing_of(studio, BEFORE) == (1, None)


# --- task 10: administrative rooms in key departments -----------------------------------------------------------


def test_admin_room_rate_over_the_five_key_departments(district):
    units = {u.code: u for u in Unit.objects.filter(code__in=["gaj", "zjw", "ghzy", "scj", "rsj"])}
    traffic_police = make_unit("区公安分局交巡警支队", UnitKind.GOVERNMENT, district, parent=units["gaj"])
    make_org(K.ADMINISTRATIVE_ROOM, district, "交通事故调解室", host_unit=traffic_police)
    make_org(K.ADMINISTRATIVE_ROOM, district, "住建行政调解室", host_unit=units["zjw"])
    make_org(
        K.ADMINISTRATIVE_ROOM, district, "规资行政调解室", host_unit=units["ghzy"], dissolved_on=D(2022, 1, 1)
    )
    make_org(
        K.ADMINISTRATIVE_ROOM, district, "市场监管行政调解室", host_unit=units["scj"], established_on=CHANGE
    )
    make_org(
        K.ADMINISTRATIVE_ROOM, district, "人社行政调解室", host_unit=units["rsj"]
    )  # not a key department
    make_org(K.COURT_ROOM, district, "生态环境局的非行政调解室", host_unit=Unit.objects.get(code="sthj"))

    before = indicator("admin_room_rate", BEFORE)
    assert figures(before) == (2, 5, Decimal("40.0"))
    assert [(row.obj.code, row.met) for row in before.rows] == [
        ("gaj", True),
        ("zjw", True),
        ("ghzy", False),
        ("sthj", False),
        ("scj", False),
    ]
    assert before.rows[0].detail == "交通事故调解室"

    after = indicator("admin_room_rate", AFTER)
    assert figures(after) == (3, 5, Decimal("60.0"))
    assert [row.obj.code for row in after.gaps] == ["ghzy", "sthj"]


# --- task 17: trainings ---------------------------------------------------------------------------------------------


def test_district_trainings_this_year(district):
    make_training(TrainingLevel.DISTRICT, district, D(2021, 12, 1))  # last year
    make_training(TrainingLevel.DISTRICT, district, D(2022, 3, 1), title="2022年全区调解员集中培训")
    make_training(TrainingLevel.DISTRICT, district, D(2022, 5, 1), is_centralized=False)
    make_training(TrainingLevel.DISTRICT, district, D(2023, 1, 5))  # next January
    make_training(TrainingLevel.STREET, street_of(XINSHANCUN), D(2022, 4, 1))  # a street's

    year_end = indicator("trainings_district", D(2022, 12, 31))
    assert (year_end.numerator, year_end.denominator, year_end.rate, year_end.value) == (1, None, None, 1)
    assert [(row.label, row.met, row.detail) for row in year_end.rows] == [
        ("2022年全区调解员集中培训", True, "2022-03-01")
    ]
    assert indicator("trainings_district", D(2022, 2, 28)).value == 0
    assert indicator("trainings_district", D(2023, 1, 4)).value == 0
    assert indicator("trainings_district", D(2023, 1, 5)).value == 1
    with translation.override("en"):
        assert indicator("trainings_district", BEFORE).note == "Target: 1 a year"


def test_streets_with_two_trainings_this_year(district):
    xinshancun, yuejincun = street_of(XINSHANCUN), street_of(YUEJINCUN)
    make_training(TrainingLevel.STREET, xinshancun, D(2022, 3, 1))
    make_training(TrainingLevel.STREET, xinshancun, D(2022, 9, 1))
    make_training(TrainingLevel.STREET, yuejincun, D(2021, 11, 1))  # last year's
    make_training(TrainingLevel.STREET, yuejincun, D(2022, 4, 1))
    make_training(TrainingLevel.STREET, yuejincun, D(2022, 5, 1), is_centralized=False)
    make_training(TrainingLevel.DISTRICT, district, D(2022, 5, 2))

    year_end = indicator("trainings_street", D(2022, 12, 31))
    assert figures(year_end) == (1, 8, Decimal("12.5"))
    details = {row.label: (row.met, row.detail) for row in year_end.rows}
    assert details["新山村街道"] == (True, "2/2")
    assert details["跃进村街道"] == (False, "1/2")
    assert details["跳磴镇"] == (False, "0/2")
    assert len(year_end.gaps) == 7

    mid_year = indicator("trainings_street", BEFORE)
    assert figures(mid_year) == (0, 8, Decimal("0.0"))
    assert {row.label: row.detail for row in mid_year.rows}["新山村街道"] == "1/2"


# --- task 18: industry organizations with an expert ---------------------------------------------------------------


def test_experts_in_industry_organizations(district, registrar):
    jia = make_org(K.INDUSTRY_COMMITTEE, district, "甲调委会")
    for name in ("专家一", "专家二"):
        expert = make_mediator(name, district)
        add_expert(expert)
        appoint(expert, jia)
        appoint(expert, jia, role=AppointmentRole.MEMBER)  # two appointments, one person
    yi = make_org(K.INDUSTRY_ROOM, district, "乙调解室")
    left = make_mediator("已退库", district)
    add_expert(left, left_on=D(2022, 3, 1))
    appoint(left, yi)
    bing = make_org(K.INDUSTRY_COMMITTEE, district, "丙调委会")
    dismissed = make_mediator("被解聘", district)
    add_expert(dismissed)
    appoint(dismissed, bing)
    dismiss(dismissed, D(2022, 5, 1), registrar)
    ding = make_org(K.INDUSTRY_COMMITTEE, district, "丁调委会")
    gone = make_mediator("已离任", district)
    add_expert(gone)
    appoint(gone, ding, ended_on=D(2022, 1, 1))
    appoint(make_mediator("非专家", district), ding, full_time=True)
    field_room = make_org(K.FIELD_ROOM, district, "消费人民调解室")  # not an industry organization
    appoint(gone, field_room, started_on=D(2022, 1, 1))

    result = indicator("experts_in_industry_orgs", BEFORE)
    assert figures(result) == (1, 4, Decimal("25.0"))
    assert rows(result) == {
        "甲调委会": (True, "2"),
        "乙调解室": (False, "0"),
        "丙调委会": (False, "0"),
        "丁调委会": (False, "0"),
    }
    # Before the expert left the pool and before the dismissal, 乙 and 丙 had theirs.
    assert figures(indicator("experts_in_industry_orgs", D(2022, 2, 28))) == (3, 4, Decimal("75.0"))


# --- task 19: backgrounds ------------------------------------------------------------------------------------------


def test_mediator_backgrounds_among_active_serving_mediators(community_a, registrar):
    committee = make_org(K.COMMUNITY_COMMITTEE, community_a)
    other = make_org(K.PLATFORM, community_a)
    both = make_mediator(
        "党代表律师", community_a, backgrounds=[Background.PARTY_DELEGATE, Background.LAWYER]
    )
    appoint(both, committee)
    appoint(both, other)  # serving twice, counted once
    appoint(make_mediator("志愿者", community_a, backgrounds=[Background.VOLUNTEER]), committee)
    appoint(make_mediator("无来源", community_a), committee)
    deputy = make_mediator("人大代表", community_a, backgrounds=[Background.NPC_DEPUTY])
    appoint(deputy, committee)
    dismiss(deputy, D(2022, 5, 1), registrar)
    elder = make_mediator("五老", community_a, backgrounds=[Background.FIVE_ELDERS])
    appoint(elder, committee, ended_on=D(2022, 1, 1))
    make_mediator("未任职律师", community_a, backgrounds=[Background.LAWYER])

    result = indicator("mediator_backgrounds", BEFORE)
    assert figures(result) == (1, 3, Decimal("33.3"))
    assert [row.obj for row in result.rows] == [
        "party_delegate", "npc_deputy", "cppcc_member", "five_elders",
        "professional", "community_worker", "selected_graduate", "lawyer",
    ]  # fmt: skip
    assert {row.obj: row.detail for row in result.rows if row.met} == {"party_delegate": "1", "lawyer": "1"}
    with translation.override("en"):
        assert indicator("mediator_backgrounds", BEFORE).note == "Psychological counsellor: 0；Volunteer: 1"

    earlier = indicator("mediator_backgrounds", D(2021, 12, 31))
    assert figures(earlier) == (3, 5, Decimal("60.0"))
    assert {row.obj for row in earlier.rows if row.met} == {
        "party_delegate",
        "npc_deputy",
        "five_elders",
        "lawyer",
    }


# --- task 32: brand studios ------------------------------------------------------------------------------------------


def test_brand_studios_count_the_active_ones(district, street):
    laoma = make_mediator("马善祥", street)
    make_org(K.BRAND_STUDIO, street, "老马工作室", named_after=laoma)
    make_org(K.BRAND_STUDIO, district, "甲品牌工作室")
    make_org(K.BRAND_STUDIO, district, "乙品牌工作室")
    make_org(K.BRAND_STUDIO, district, "已撤销工作室", dissolved_on=D(2022, 1, 1))
    make_org(K.BRAND_STUDIO, district, "新工作室", established_on=CHANGE)
    make_org(K.PSYCHOLOGICAL, district, "心理服务室")

    before = indicator("brand_studios", BEFORE)
    assert (before.numerator, before.denominator, before.value) == (3, None, 3)
    assert rows(before) == {
        "老马工作室": (True, "马善祥"),
        "甲品牌工作室": (True, ""),
        "乙品牌工作室": (True, ""),
    }
    assert indicator("brand_studios", AFTER).value == 4
    assert indicator("brand_studios", D(2021, 6, 30)).value == 4


# --- Art. 8: committee composition ------------------------------------------------------------------------------------


def _committee_with(street, *genders, role=AppointmentRole.MEMBER, kind=K.STREET_COMMITTEE):
    committee = make_org(kind, street)
    people = []
    for i, gender in enumerate(genders):
        person = make_mediator(f"委员{i + 1}", street, gender=gender)
        appoint(person, committee, role=AppointmentRole.DIRECTOR if i == 0 else role)
        people.append(person)
    return committee, people


def test_two_men_make_two_warnings(street):
    committee, _ = _committee_with(street, Gender.MALE, Gender.MALE)
    with translation.override("en"):
        assert committee_composition_warnings(committee, BEFORE) == [
            "The committee has 2 members; the law asks for 3 to 9 (Art. 8).",
            "The committee has no woman member (Art. 8).",
        ]


def test_three_members_with_a_woman_make_none(street):
    committee, _ = _committee_with(street, Gender.MALE, Gender.FEMALE, Gender.MALE)
    assert committee_composition_warnings(committee, BEFORE) == []


def test_ten_members_make_a_size_warning(street):
    committee, _ = _committee_with(street, Gender.FEMALE, *[Gender.MALE] * 9)
    with translation.override("en"):
        assert committee_composition_warnings(committee, BEFORE) == [
            "The committee has 10 members; the law asks for 3 to 9 (Art. 8).",
        ]


def test_only_members_in_good_standing_on_the_date_count(street, registrar):
    committee, (director, woman, third) = _committee_with(street, Gender.MALE, Gender.FEMALE, Gender.MALE)
    appoint(make_mediator("调解员", street, gender=Gender.FEMALE), committee)  # a mediator, not a 委员
    appoint(director, committee, role=AppointmentRole.MEMBER)  # a second appointment, still one person
    dismiss(woman, CHANGE, registrar)
    with translation.override("en"):
        assert committee_composition_warnings(committee, BEFORE) == []
        assert committee_composition_warnings(committee, AFTER) == [
            "The committee has 2 members; the law asks for 3 to 9 (Art. 8).",
            "The committee has no woman member (Art. 8).",
        ]


def test_composition_is_checked_for_committees_only(street):
    platform, _ = _committee_with(street, Gender.MALE, kind=K.PLATFORM)
    assert committee_composition_warnings(platform, BEFORE) == []
    centre, _ = _committee_with(street, Gender.MALE, kind=K.MAJOR_DISPUTE_CENTRE)
    assert len(committee_composition_warnings(centre, BEFORE)) == 2


# --- query counts -----------------------------------------------------------------------------------------------------


def _populate(prefix, district, street, community_a, count):
    """`count` organizations of five kinds in turn, each with a full-time mediator with a background and a
    part-time one in the expert pool, plus a district centre and a police station to host rooms. (Five kinds,
    so 5 and 40 organizations have the same kinds: an indicator over no organization skips its query.)"""
    kinds = [K.INDUSTRY_COMMITTEE, K.INDUSTRY_ROOM, K.STREET_COMMITTEE, K.POLICE_ROOM, K.BRAND_STUDIO]
    centre = make_org(K.MAJOR_DISPUTE_CENTRE, district, f"{prefix}区调解中心")
    station = make_police_station(f"{prefix}派出所", street, (25, D(2021, 1, 1)))
    for i in range(count):
        kind = kinds[i % len(kinds)]
        region = {K.STREET_COMMITTEE: street, K.COMMUNITY_COMMITTEE: community_a}.get(kind, district)
        org = make_org(
            kind,
            region,
            f"{prefix}组织{i}",
            fields=[F.MEDICAL, F.CONSUMER],
            hosted_in=centre if kind == K.INDUSTRY_ROOM else None,
            host_unit=station if kind == K.POLICE_ROOM else None,
        )
        full, part = staff(org, full_time=1, part_time=1)
        full.backgrounds = [Background.LAWYER]
        full.save()
        add_expert(part)
    make_training(TrainingLevel.STREET, street, D(2022, 3, 1), title=f"{prefix}培训")


def _own_indicators(as_of):
    return [
        indicator(code, as_of) for code, (_l, f) in REGISTRY.items() if f.__module__ == "mediation.indicators"
    ]


def test_all_indicators_run_as_many_queries_for_40_organizations_as_for_5(
    district, street, community_a, django_assert_max_num_queries
):
    _populate("一", district, street, community_a, 5)
    with CaptureQueriesContext(connection) as five:
        all_indicators(BEFORE)
    with CaptureQueriesContext(connection) as own:
        _own_indicators(BEFORE)
    assert len(own.captured_queries) <= 2.5 * 24  # the registry's 24 indicators, a few queries each

    _populate("二", district, street, community_a, 35)
    assert MediationOrganization.objects.exclude(kind=K.MAJOR_DISPUTE_CENTRE).count() == 40
    with django_assert_max_num_queries(len(five.captured_queries)):
        results = all_indicators(BEFORE)
    by_code = {r.code: r for r in results}
    assert by_code["brand_studios"].value == 8
    assert figures(by_code["staffing_industry_committee"]) == (0, 8, Decimal("0.0"))
    assert figures(by_code["experts_in_industry_orgs"]) == (16, 16, Decimal("100.0"))


def test_region_rows_cost_no_query_each(district, street, community_a, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as one:
        _own_indicators(BEFORE)
    for i in range(20):
        make_region(street, f"5001040019{i:02d}", f"新社区{i}", RegionLevel.COMMUNITY, RegionKind.COMMUNITY)
    with django_assert_max_num_queries(len(one.captured_queries)):
        results = {r.code: r for r in _own_indicators(BEFORE)}
    assert results["platform_rate_community"].denominator == 21
    assert results["platform_rate_community"].rows[-1].label == "新山村街道 / 新社区19"
