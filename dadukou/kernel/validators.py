"""Identity numbers and phones as the district's forms and sheets accept them.

Each function returns the value in its stored form ("" for an empty value) or raises WorkflowError with a
stable code; the dispute intake and the registry import use the same rules.
"""

from __future__ import annotations

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from dadukou.kernel.errors import WorkflowError


def _validate_ric(value: str) -> str:
    """GB 11643: 18 characters, a valid birth date, a known county code and the check digit.

    Not `ric.validate`: it also requires the county code to have existed in the birth year, but GB 11643's
    address code is where the person was registered when the number was issued. Chongqing's codes (50xxxx)
    date from 1997, so it would refuse every Dadukou resident born before 1997 whose number starts 500104.
    """
    number = ric.compact(value)
    if len(number) != 18:
        raise stdnum_exceptions.InvalidLength()
    if not number[:-1].isdigit():
        raise stdnum_exceptions.InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise stdnum_exceptions.InvalidChecksum()
    if ric.get_birth_date(number) > timezone.localdate():
        raise stdnum_exceptions.InvalidComponent()
    if not any("county" in props for _part, props in numdb.get("cn/loc").info(number[:6])):
        raise stdnum_exceptions.InvalidComponent()
    return number


def _compact(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def clean_id_number(value: str) -> str:
    """A resident ID number checked per GB 11643."""
    value = _compact(value)
    if not value:
        return ""
    try:
        return _validate_ric(value)
    except StdnumError as exc:
        raise WorkflowError(
            "invalid_id_number",
            _("“%(value)s” is not a valid resident ID number (GB 11643).") % {"value": value},
        ) from exc


def clean_credit_code(value: str) -> str:
    """An organization's unified social credit code (GB 32100)."""
    value = _compact(value)
    if not value:
        return ""
    try:
        return uscc.validate(value)
    except StdnumError as exc:
        raise WorkflowError(
            "invalid_credit_code",
            _("“%(value)s” is not a valid unified social credit code.") % {"value": value},
        ) from exc


def clean_phone(value: str) -> str:
    """A Chinese mobile or landline number, stored in E.164-free national form (e.g. 13812345678, 02368812345)."""
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise WorkflowError(
            "invalid_phone", _("“%(value)s” is not a phone number.") % {"value": value}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise WorkflowError("invalid_phone", _("“%(value)s” is not a valid phone number.") % {"value": value})
    national = str(number.national_number)
    return (
        national
        if number.country_code == 86 and national.startswith("1")
        else (
            "0" + national
            if number.country_code == 86
            else phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        )
    )
