"""The kernel's validators on real formats: phones (mobiles, landlines of many area codes, 400/800, the refused
short numbers) and resident ID numbers (18 digits, the legacy 15, full-width input). No database needed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from stdnum.cn import ric

from dadukou.kernel.errors import WorkflowError
from dadukou.kernel.validators import (
    clean_id_number,
    clean_phone,
    id_number_from_15,
    normalize_id_number,
    restore_landline_zero,
)
from mediation.services.registry_import.cells import CellError, parse_id_number, parse_phone
from tests.dispute_fixtures import id_check_digit, make_id_number


@pytest.fixture(autouse=True)
def in_english():
    """The messages' English msgids are asserted below; the Chinese translations in the tests that say so."""
    with translation.override("en"):
        yield


def full_width(text: str) -> str:
    """ASCII digits, letters, + - ( ) as a Chinese input method in full-width mode types them (１３８…)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def refused_with(code: str, check, value: str) -> str:
    with pytest.raises(WorkflowError) as info:
        check(value)
    assert info.value.code == code, info.value.message
    return info.value.message


# --- mobiles -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",  # China Mobile 138
        "13512345678",  # China Mobile 135
        "15023456789",  # China Mobile 150 (many Chongqing numbers)
        "18723456789",  # China Mobile 187
        "19823456789",  # China Mobile 198
        "13012345678",  # China Unicom 130
        "15523456789",  # China Unicom 155
        "18623456789",  # China Unicom 186
        "17623456789",  # China Unicom 176
        "13312345678",  # China Telecom 133
        "17723456789",  # China Telecom 177
        "18923456789",  # China Telecom 189
        "19923456789",  # China Telecom 199
        "19212345678",  # China Broadcast Network 192
        "17012345678",  # a virtual operator's 170
    ],
)
def test_mobiles_of_every_carrier_are_stored_as_their_11_digits(typed):
    assert clean_phone(typed) == typed


@pytest.mark.parametrize(
    "typed",
    [
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 138 1234 5678",
        "0086-13812345678",
        " 138 1234 5678 ",
        "１３８１２３４５６７８",  # full-width digits
        "＋８６　１３８　１２３４　５６７８",  # full-width plus and ideographic spaces
    ],
)
def test_a_mobile_in_any_written_form_is_stored_once(typed):
    assert clean_phone(typed) == "13812345678"


# --- landlines -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("023-68812345", "02368812345"),  # 重庆 大渡口
        ("023-63851234", "02368812345".replace("68812345", "63851234")),  # 重庆 渝中
        ("(023)68812345", "02368812345"),
        ("（023）6881 2345", "02368812345"),  # full-width parentheses
        ("023 6881 2345", "02368812345"),
        ("+86 23 6881 2345", "02368812345"),  # dialled from abroad: no trunk zero
        ("+86 023 6881 2345", "02368812345"),
        ("0086-23-68812345", "02368812345"),
        ("010-12345678", "01012345678"),  # 北京
        ("+86 10 1234 5678", "01012345678"),
        ("020-87654321", "02087654321"),  # 广州
        ("021-64881234", "02164881234"),  # 上海
        ("022-23456789", "02223456789"),  # 天津
        ("024-23456789", "02423456789"),  # 沈阳
        ("025-84561234", "02584561234"),  # 南京
        ("027-87654321", "02787654321"),  # 武汉
        ("028-85123456", "02885123456"),  # 成都
        ("029-88661234", "02988661234"),  # 西安
        ("0371-12345678", "037112345678"),  # 郑州
        ("0755-12345678", "075512345678"),  # 深圳
        ("0571-87654321", "057187654321"),  # 杭州
        ("0851-85551234", "085185551234"),  # 贵阳
        ("0991-4561234", "09914561234"),  # 乌鲁木齐: 7-digit local numbers
    ],
)
def test_landlines_of_any_area_code_keep_their_leading_zero(typed, stored):
    assert clean_phone(typed) == stored


def test_a_local_number_without_its_area_code_is_refused_asking_for_it():
    # Deliberately not assumed to be Chongqing's (023): a party or a company may be elsewhere.
    for typed in ("68812345", "6881 2345", "6881-2345", "4561234"):
        message = refused_with("phone_area_code_missing", clean_phone, typed)
        assert typed in message and "023" in message


@pytest.mark.parametrize(
    "typed",
    [
        "023-6881234",  # Chongqing's local numbers have 8 digits
        "0371-1234567",  # so have Zhengzhou's
        "0000-12345678",  # no such area code
        "00000000000",
        "2368812345",  # the area code without its zero, typed
        "10012345678",  # no mobile range 100
    ],
)
def test_numbers_no_area_code_or_range_allows_are_refused(typed):
    refused_with("invalid_phone", clean_phone, typed)


# --- service numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("400-810-8888", "4008108888"),
        ("400 610 1234", "4006101234"),
        ("4001234567", "4001234567"),
        ("800-820-8820", "8008208820"),
        ("800 123 4567", "8001234567"),
    ],
)
def test_400_and_800_numbers_are_stored_as_their_10_digits(typed, stored):
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["110", "119", "120", "122", "114", "12345", "12315", "10086", "95588", "95598", "9510-5678", "96166"],
)
def test_public_service_numbers_are_refused(typed):
    message = refused_with("phone_service_number", clean_phone, typed)
    assert typed in message


@pytest.mark.parametrize(
    "typed",
    [
        "023-68812345转123",
        "023-68812345 转 8001",
        "02368812345分机12",
        "023-68812345 ext 123",
        "4008108888#2",
    ],
)
def test_extensions_are_refused(typed):
    refused_with("phone_extension", clean_phone, typed)


# --- malformed -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "invalid_phone"),
        ("138-1234-567a", "invalid_phone"),
        ("电话13812345678", "invalid_phone"),
        ("1381234", "phone_too_short"),
        ("1381234567", "phone_too_short"),  # a mobile missing a digit
        ("023-123", "phone_too_short"),
        ("023-12345", "phone_too_short"),
        ("400-810-888", "phone_too_short"),
        ("12345", "phone_service_number"),
        ("123456", "phone_too_short"),
        ("138123456789", "phone_too_long"),  # a mobile with a digit too many
        ("400-810-88889", "phone_too_long"),
        ("0371-123456789", "phone_too_long"),
        ("+86 138 1234 56789", "phone_too_long"),
    ],
)
def test_malformed_phones_are_refused_with_a_stable_code(typed, code):
    message = refused_with(code, clean_phone, typed)
    assert typed in message


def test_the_refusals_are_in_chinese():
    with translation.override("zh-hans"):
        for typed in (
            "68812345",
            "110",
            "023-68812345转1",
            "1381234",
            "138123456789",
            "0000-12345678",
            "abc",
        ):
            with pytest.raises(WorkflowError) as info:
                clean_phone(typed)
            assert any("\u4e00" <= c <= "\u9fff" for c in info.value.message), info.value.message


def test_foreign_numbers_are_stored_in_e164():
    assert clean_phone("+852 9123 4567") == "+85291234567"  # Hong Kong mobile
    assert clean_phone("00852 9123 4567") == "+85291234567"
    refused_with("invalid_phone", clean_phone, "+852 123")


def test_empty_is_empty():
    assert clean_phone("") == clean_phone("   ") == clean_phone(None) == ""


# --- the Excel registry import -------------------------------------------------------------------------------


def test_a_landline_in_a_number_cell_gets_its_zero_back():
    # Typed into a cell formatted as a number, 023-68812345 became 2368812345 (and a float when read).
    assert parse_phone(2368812345) == "02368812345"
    assert parse_phone(2368812345.0) == "02368812345"
    assert parse_phone(37112345678.0) == "037112345678"
    assert parse_phone(13812345678.0) == "13812345678"  # a mobile stays
    assert parse_phone(4008108888) == "4008108888"  # so does a 400 number
    assert parse_phone("023-68812345") == "02368812345"
    assert restore_landline_zero("2368812345") == "02368812345"
    assert restore_landline_zero("68812345") == "68812345"  # a local number: no area code to restore
    with pytest.raises(CellError, match="68812345"):
        parse_phone(68812345)  # still refused: which area code?
    with pytest.raises(CellError):
        parse_phone("2368812345")  # typed as text, the zero was not lost by Excel


def test_a_15_digit_id_number_in_a_cell_is_converted():
    assert parse_id_number("500104800101001") == "500104198001010012"
    with pytest.raises(CellError):
        parse_id_number(500104800101001.0)  # a number cell: refused as before (an 18-digit one loses digits)


# --- resident ID numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "seq", "area"),
    [
        ("19800101", 1, "500104"),  # 重庆 大渡口区
        ("19750615", 123, "500103"),  # 重庆 渝中区
        ("19920229", 88, "110101"),  # 北京 东城区, a leap day
        ("20010911", 402, "440305"),  # 深圳 南山区
        ("19581231", 7, "510104"),  # 成都 锦江区
    ],
)
def test_valid_18_digit_numbers_are_accepted(birth, seq, area):
    number = make_id_number(birth=birth, seq=seq, area=area)
    assert ric.calc_check_digit(number) == number[-1]
    assert clean_id_number(number) == number


def test_the_check_digit_x_is_stored_upper_case():
    seq = next(s for s in range(1, 999) if id_check_digit(f"50010419850612{s:03d}") == "X")
    number = make_id_number(birth="19850612", seq=seq)
    assert number.endswith("X")
    assert clean_id_number(number.lower()) == number
    assert clean_id_number(f"{number[:6]} {number[6:14]} {number[14:].lower()}") == number


def test_full_width_input_and_spaces_are_normalized():
    number = make_id_number(birth="19850612", seq=18)
    assert clean_id_number(full_width(number)) == number
    assert clean_id_number(full_width(f" {number[:6]} {number[6:14]} {number[14:]} ")) == number


def test_a_legacy_15_digit_number_is_converted_to_18_digits():
    # 500104 800101 001: born 1980-01-01 in 大渡口区, sequence 001 (odd: a man).
    converted = make_id_number(birth="19800101", seq=1)
    assert converted == "500104198001010012"
    assert id_number_from_15("500104800101001") == converted
    assert clean_id_number("500104800101001") == converted
    assert clean_id_number("500104 800101 001") == converted
    assert clean_id_number(full_width("500104800101001")) == converted
    assert normalize_id_number("500104800101001") == converted
    # Another province's, and one whose converted check digit is X.
    seq = next(s for s in range(1, 999) if id_check_digit(f"11010819650310{s:03d}") == "X")
    old = f"110108650310{seq:03d}"
    assert clean_id_number(old) == f"11010819650310{seq:03d}X"
    assert ric.get_birth_date(clean_id_number(old)) == dt.date(1965, 3, 10)


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("500104801301001", "birth date"),  # a 15-digit number born in month 13
        ("500104800230001", "birth date"),  # 30 February 1980
        ("999999800101001", "county"),  # no such county
        ("50010480010100X", "18"),  # the old numbers have no check character
        ("5001048001010", "18"),  # too short
        ("5001041980010100", "18"),
        ("50010419800101001X0", "18"),  # too long
    ],
)
def test_malformed_id_numbers_are_refused_saying_why(number, says):
    message = refused_with("invalid_id_number", clean_id_number, number)
    assert number in message and says in message


def test_a_wrong_check_digit_is_refused():
    good = make_id_number(birth="19900307", seq=42)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert "check digit" in refused_with("invalid_id_number", clean_id_number, bad)
    assert "check digit" in refused_with("invalid_id_number", clean_id_number, good[:-1] + "A")


@pytest.mark.parametrize("first17", ["50010419801301001", "50010419800230001", "50010430000101001"])
def test_an_impossible_birth_date_is_refused_even_with_a_correct_check_digit(first17):
    message = refused_with("invalid_id_number", clean_id_number, first17 + id_check_digit(first17))
    assert "birth date" in message


def test_id_refusals_are_in_chinese():
    with translation.override("zh-hans"):
        for number in ("500104801301001", "999999800101001", "5001048001010", make_id_number()[:-1] + "A"):
            with pytest.raises(WorkflowError) as info:
                clean_id_number(number)
            assert any("\u4e00" <= c <= "\u9fff" for c in info.value.message), info.value.message
