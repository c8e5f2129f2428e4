"""Intake (登记): ID numbers, credit codes, phones, numbering, idempotence, scope, related and duplicate disputes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from stdnum.cn import ric, uscc

from dadukou.kernel.errors import Forbidden, WorkflowError
from dadukou.kernel.validators import clean_id_number, clean_phone
from disputes.choices import PartyKind, PartyRole, Source, Vulnerability
from disputes.models import Category, Dispute, DisputeCounter, Event, Party
from disputes.services.intake import possible_duplicates, related_disputes
from mediation.choices import Role
from mediation.services.memberships import grant
from tests.dispute_fixtures import applicant, id_check_digit, make_id_number, register_dispute, respondent

pytest_plugins = ["tests.dispute_fixtures"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def world(defaults, platforms, alice, bob):
    return platforms


def written():
    """Everything an intake writes: refused intakes must leave all of it as it was."""
    return (
        Dispute.objects.count(),
        Party.objects.count(),
        Event.objects.count(),
        list(DisputeCounter.objects.values_list("year", "last")),
    )


def refused(code, call, error=WorkflowError):
    before = written()
    with pytest.raises(error) as info:
        call()
    assert info.value.code == code, info.value.message
    assert written() == before


def credit_code(body: str = "91500104MA5U7XQ1A") -> str:
    """A unified social credit code (GB 32100) with its correct check character."""
    return body + uscc.calc_check_digit(body)


# --- ID numbers (GB 11643) ---------------------------------------------------------------------------------


def test_the_check_digit_of_the_fixtures_is_the_standards():
    number = make_id_number(birth="19900307", seq=42)
    assert number[:17] == "50010419900307042"
    assert ric.calc_check_digit(number) == number[-1]  # our generator agrees with python-stdnum
    assert clean_id_number(number) == number


def test_a_valid_id_number_is_stored_normalized(world, alice, community_a):
    # Find a number whose check character is X, and type it in lower case with spaces.
    seq = next(s for s in range(1, 999) if id_check_digit(f"50010419850612{s:03d}") == "X")
    number = make_id_number(birth="19850612", seq=seq)
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    d = register_dispute(alice, community_a, parties=[applicant(id_number=typed), respondent()])
    assert d.parties.get(role=PartyRole.APPLICANT).id_number == number


def test_a_wrong_check_digit_is_refused(world, alice, community_a):
    good = make_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    refused(
        "invalid_id_number",
        lambda: register_dispute(alice, community_a, parties=[applicant(id_number=bad), respondent()]),
    )
    with pytest.raises(WorkflowError) as info:
        clean_id_number(bad)
    assert bad in info.value.message


@pytest.mark.parametrize(
    "number",
    [
        "50010480010100X",  # an old 15-character number is all digits
        "5001041980010100",  # too short
        "50010419800101001X0",  # too long
        "50010419800A010012",  # not digits
    ],
)
def test_malformed_id_numbers_are_refused(number):
    assert not ric.is_valid(number)
    with pytest.raises(WorkflowError) as info:
        clean_id_number(number)
    assert info.value.code == "invalid_id_number"


@pytest.mark.parametrize(
    "first17",
    [
        "50010419801301001",  # month 13
        "50010419800230001",  # 30 February
        "50010430000101001",  # born in the year 3000
        "99999919800101001",  # no such county
    ],
)
def test_impossible_id_numbers_are_refused_even_with_a_correct_check_digit(first17):
    with pytest.raises(WorkflowError) as info:
        clean_id_number(first17 + id_check_digit(first17))
    assert info.value.code == "invalid_id_number"


def test_a_legacy_15_digit_id_number_is_stored_as_its_18_digits(world, alice, community_a):
    converted = make_id_number(birth="19800101", seq=1)
    old = converted[:6] + converted[8:17]
    d = register_dispute(alice, community_a, parties=[applicant(id_number=old), respondent()])
    assert d.parties.get(role=PartyRole.APPLICANT).id_number == converted == "500104198001010012"


def test_a_dadukou_resident_born_before_chongqing_became_a_municipality_is_accepted():
    # 500104 (大渡口区, 重庆市) exists since 1997; GB 11643's address code is where the number was issued,
    # so someone born in 1980 may well hold a 500104 number. stdnum's ric.validate refuses it; we do not.
    number = make_id_number(birth="19800101")
    assert not ric.is_valid(number)
    assert clean_id_number(number) == number


def test_organizations_have_a_unified_social_credit_code(world, alice, community_a):
    code = credit_code()
    d = register_dispute(alice, community_a, parties=[applicant(), respondent(id_number=code.lower())])
    assert d.parties.get(kind=PartyKind.ORGANIZATION).id_number == code
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    refused(
        "invalid_credit_code",
        lambda: register_dispute(alice, community_a, parties=[applicant(), respondent(id_number=bad)]),
    )
    # A person's ID number is not an organization's code.
    refused(
        "invalid_credit_code",
        lambda: register_dispute(
            alice, community_a, parties=[applicant(), respondent(id_number=make_id_number(seq=9))]
        ),
    )


# --- phones ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("023-68812345", "02368812345"),
        ("02368812345", "02368812345"),
        ("", ""),
    ],
)
def test_valid_phones(typed, stored):
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "invalid_phone"),
        ("00000000000", "invalid_phone"),
        ("12345", "phone_service_number"),
        ("1381234567", "phone_too_short"),
        ("023-123", "phone_too_short"),
        ("138123456789", "phone_too_long"),
    ],
)
def test_garbage_phones_are_refused(typed, code):
    with pytest.raises(WorkflowError) as info:
        clean_phone(typed)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("phone", "code"),
    [
        ("110", "phone_service_number"),
        ("68812345", "phone_area_code_missing"),
        ("023-68812345转123", "phone_extension"),
        ("1381234", "phone_too_short"),
        ("138123456789", "phone_too_long"),
        ("0000-12345678", "invalid_phone"),
    ],
)
def test_a_bad_phone_refuses_the_whole_intake(world, alice, community_a, phone, code):
    refused(
        code, lambda: register_dispute(alice, community_a, parties=[applicant(phone=phone), respondent()])
    )


def test_a_bad_id_number_refuses_the_whole_intake(world, alice, community_a):
    refused(
        "invalid_id_number",
        lambda: register_dispute(
            alice, community_a, parties=[applicant(id_number="500104801301001"), respondent()]
        ),
    )


def test_landlines_400_numbers_and_foreign_numbers_are_stored_as_intake_normalizes_them(
    world, alice, community_a
):
    d = register_dispute(
        alice,
        community_a,
        parties=[applicant(phone="(0371) 1234-5678"), respondent(phone="+86 400-810-8888")],
    )
    assert sorted(d.parties.values_list("phone", flat=True)) == ["037112345678", "4008108888"]


# --- numbering and the record written -----------------------------------------------------------------------


def test_numbers_are_readable_unique_and_counted_per_year(world, alice, community_a):
    year = timezone.localtime().year
    numbers = [register_dispute(alice, community_a, title=f"纠纷{i}").number for i in range(3)]
    assert all(re.fullmatch(rf"DDK-{year}-\d{{6}}", n) for n in numbers)
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3]
    assert DisputeCounter.objects.get(year=year).last == 3


def test_intake_writes_the_dispute_its_parties_and_one_event(world, alice, community_a):
    d = register_dispute(
        alice,
        community_a,
        parties=[
            applicant(vulnerabilities=[Vulnerability.ELDERLY]),
            respondent(consents_to_mediation=None),
            applicant(name="李四", seq=2, role=PartyRole.REPRESENTATIVE, phone=""),
        ],
        risk_flags=["public_opinion"],
    )
    assert d.region_path == community_a.path and d.created_by == alice
    assert d.parties.count() == 3
    elderly = d.parties.get(name="张三")
    assert elderly.vulnerabilities == [Vulnerability.ELDERLY]
    assert elderly.consents_to_mediation is True and elderly.consent_recorded_at is not None
    assert d.parties.get(kind=PartyKind.ORGANIZATION).consent_recorded_at is None
    event = d.events.get()
    assert (event.action, event.actor, event.after["number"]) == ("register", alice, d.number)


def test_the_same_external_id_returns_the_same_dispute_and_writes_nothing(world, alice, community_a):
    first = register_dispute(alice, community_a, source=Source.HOTLINE_12345, external_id="12345-0001")
    before = written()
    again = register_dispute(
        alice, community_a, source=Source.HOTLINE_12345, external_id="12345-0001", title="重复推送"
    )
    assert again.pk == first.pk and again.title == first.title
    assert written() == before
    # The same id from another system is another dispute.
    other = register_dispute(alice, community_a, source=Source.API, external_id="12345-0001")
    assert other.pk != first.pk


def test_a_region_outside_the_users_scope_is_refused(world, alice, community_b):
    refused("region_out_of_scope", lambda: register_dispute(alice, community_b), Forbidden)


def test_a_user_without_the_permission_gets_nothing_back(world, alice, dave, community_a):
    register_dispute(alice, community_a, source=Source.API, external_id="city-42")
    refused(
        "forbidden",
        lambda: register_dispute(dave, community_a, source=Source.API, external_id="city-42"),
        Forbidden,
    )


@pytest.fixture
def city_client(make_user, district):
    user = make_user("city")
    grant(user, Role.API_CLIENT, region=district)
    return user


def test_the_region_must_be_a_street_or_below(world, city_client, district):
    refused("region_too_coarse", lambda: register_dispute(city_client, district))


@pytest.mark.parametrize(
    ("code", "change"),
    [
        ("invalid_source", {"source": "pigeon"}),
        ("title_required", {"title": "  "}),
        ("description_required", {"description": ""}),
        ("address_required", {"address": ""}),
        ("future_occurrence", {"occurred_at": dt.datetime(2999, 1, 1, tzinfo=dt.UTC)}),
        ("invalid_amount", {"amount": Decimal("-1")}),
        ("invalid_amount", {"amount": "a lot"}),
        ("invalid_people", {"people_involved": 0}),
        ("invalid_flag", {"risk_flags": ["aliens"]}),
    ],
)
def test_bad_dispute_input_is_refused(world, alice, community_a, code, change):
    refused(code, lambda: register_dispute(alice, community_a, **change))


@pytest.mark.parametrize(
    ("code", "parties"),
    [
        ("parties_required", []),
        ("applicant_required", [respondent()]),
        ("party_name_required", [applicant(name=" ")]),
        ("invalid_party_role", [applicant(role="victim")]),
        ("invalid_party_kind", [applicant(kind="robot")]),
        ("invalid_vulnerability", [applicant(vulnerabilities=["tall"])]),
    ],
)
def test_bad_parties_are_refused(world, alice, community_a, code, parties):
    refused(code, lambda: register_dispute(alice, community_a, parties=parties))


def test_an_inactive_category_is_refused(world, alice, community_a):
    Category.objects.filter(code="labour").update(is_active=False)
    refused("inactive_category", lambda: register_dispute(alice, community_a))


# --- related and duplicate disputes ------------------------------------------------------------------------


def test_related_disputes_share_an_id_number(world, alice, bob, community_a, community_b):
    zhang = make_id_number(birth="19750505", seq=11)
    earlier = register_dispute(alice, community_a, parties=[applicant(id_number=zhang), respondent()])
    elsewhere = register_dispute(
        bob,
        community_b,
        category="neighbourhood",
        parties=[
            applicant(name="王五", seq=12),
            respondent(name="张三", kind=PartyKind.PERSON, id_number=zhang),
        ],
    )
    unrelated = register_dispute(alice, community_a, parties=[applicant(seq=13), respondent()])
    latest = register_dispute(alice, community_a, parties=[applicant(id_number=zhang), respondent()])
    assert set(related_disputes(latest)) == {earlier, elsewhere}
    assert unrelated not in related_disputes(latest)
    no_ids = register_dispute(alice, community_a, parties=[applicant(id_number="")])
    assert not related_disputes(no_ids).exists()


def test_possible_duplicates(world, alice, community_a, grid_a):
    when = timezone.now() - dt.timedelta(days=3)
    first = register_dispute(alice, grid_a, source=Source.GRID_PATROL, occurred_at=when, address="钢城路5号")
    same_address = register_dispute(
        alice,
        community_a,
        source=Source.HOTLINE_12345,
        occurred_at=when + dt.timedelta(hours=5),
        address="钢城路5号",
        parties=[applicant(name="赵六", seq=21)],
    )
    same_person = register_dispute(alice, community_a, address="别处", occurred_at=when)
    other_category = register_dispute(alice, community_a, category="neighbourhood", occurred_at=when)
    long_ago = register_dispute(alice, community_a, occurred_at=when - dt.timedelta(days=90))
    found = set(possible_duplicates(first))
    assert {same_address, same_person} <= found
    assert other_category not in found and long_ago not in found and first not in found
