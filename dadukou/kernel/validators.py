"""Identity numbers and phones as the district's forms and sheets accept them.

Each function returns the value in its stored form ("" for an empty value) or raises WorkflowError with a
stable code and a message for people; the dispute intake, the list's search box and the registry import use
the same rules. Input is normalized first: full-width digits and letters (１２３, Ｘ), full-width parentheses
and spaces become their ASCII forms (Unicode NFKC), so a number typed with a Chinese input method is accepted.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from dadukou.kernel.errors import WorkflowError


def _normalized(value: str) -> str:
    """NFKC (full-width → ASCII, the ideographic space → a space), stripped."""
    return unicodedata.normalize("NFKC", value or "").strip()


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", _normalized(value)).upper()


# --- resident ID numbers (GB 11643) --------------------------------------------------------------------------


def _validate_ric(number: str) -> str:
    """GB 11643: 18 characters, a valid birth date, a known county code and the check digit.

    Not `ric.validate`: it also requires the county code to have existed in the birth year, but GB 11643's
    address code is where the person was registered when the number was issued. Chongqing's codes (50xxxx)
    date from 1997, so it would refuse every Dadukou resident born before 1997 whose number starts 500104.
    """
    if len(number) != 18:
        raise stdnum_exceptions.InvalidLength()
    if not number[:-1].isdigit():
        raise stdnum_exceptions.InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):  # also a last character that is no digit nor X
        raise stdnum_exceptions.InvalidChecksum()
    try:
        born = ric.get_birth_date(number)
    except stdnum_exceptions.InvalidComponent as exc:  # 30 February, month 13
        raise _BirthDate() from exc
    if born > timezone.localdate():
        raise _BirthDate()
    if not any("county" in props for _part, props in numdb.get("cn/loc").info(number[:6])):
        raise stdnum_exceptions.InvalidComponent()
    return number


class _BirthDate(stdnum_exceptions.InvalidComponent):
    """The birth date (characters 7–14) is no day, or a day still to come."""


def id_number_from_15(number: str) -> str:
    """The 18-digit form of a first-generation 15-digit number (GB 11643-1989: county, YYMMDD, sequence).

    GB 11643-1999 made the 18-digit form by writing the year in full and appending the check digit. The 15-digit
    numbers were issued to people born in the 20th century (the 18-digit ones replaced them from 1999), so the
    century is always 19. python-stdnum has no such conversion; its `calc_check_digit` computes the digit (it
    takes the number with a placeholder check character).
    """
    first17 = number[:6] + "19" + number[6:]
    return first17 + ric.calc_check_digit(first17 + "0")


def normalize_id_number(value: str) -> str:
    """The compact form a search or a check starts from: NFKC, no spaces, upper case, 15 digits → 18."""
    number = _compact(value)
    return id_number_from_15(number) if len(number) == 15 and number.isdigit() else number


def clean_id_number(value: str) -> str:
    """A resident ID number checked per GB 11643, stored as its 18 characters (the check digit X upper case).

    A legacy 15-digit number (YYMMDD birth date, all digits) is accepted and converted to 18 digits first, then
    checked like any other; a 15-character value that is not all digits is refused. Every refusal has the code
    invalid_id_number; the message says what is wrong.
    """
    typed = _normalized(value)
    number = normalize_id_number(typed)
    if not number:
        return ""
    try:
        return _validate_ric(number)
    except stdnum_exceptions.InvalidLength as exc:
        message = _("“%(value)s” is not a resident ID number: it has 18 characters (the old ones 15 digits).")
        raise WorkflowError("invalid_id_number", message % {"value": typed}) from exc
    except stdnum_exceptions.InvalidChecksum as exc:
        message = _("“%(value)s” is not a valid resident ID number (GB 11643): its check digit is wrong.")
        raise WorkflowError("invalid_id_number", message % {"value": typed}) from exc
    except _BirthDate as exc:
        message = _(
            "“%(value)s” is not a valid resident ID number: its birth date is impossible (no such day, or in "
            "the future)."
        )
        raise WorkflowError("invalid_id_number", message % {"value": typed}) from exc
    except stdnum_exceptions.InvalidComponent as exc:
        message = _(
            "“%(value)s” is not a valid resident ID number: its county code (the first six digits) does not exist."
        )
        raise WorkflowError("invalid_id_number", message % {"value": typed}) from exc
    except StdnumError as exc:
        raise WorkflowError(
            "invalid_id_number",
            _("“%(value)s” is not a valid resident ID number (GB 11643).") % {"value": typed},
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


# --- phones --------------------------------------------------------------------------------------------------

# 转 (Chinese for "extension"), 分机, ext, x, # followed by digits.
_EXTENSION = re.compile(r"(转|分机|ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)
# Separators people write inside a number: spaces, dashes, dots, parentheses (after NFKC, ASCII ones).
_SEPARATORS = re.compile(r"[\s\-–—.·()\[\]/]")
# Chinese numbers have at most 12 national digits (0 + a three-digit area code + an 8-digit number).
_LONGEST = 12


def _refuse(code: str, message: str, typed: str) -> WorkflowError:
    return WorkflowError(code, message % {"value": typed})


def _too_short(typed: str) -> WorkflowError:
    return _refuse(
        "phone_too_short",
        _(
            "“%(value)s” is too short for a phone number: a mobile has 11 digits, a landline its area code "
            "and 7 or 8 digits (023-68812345)."
        ),
        typed,
    )


def _too_long(typed: str) -> WorkflowError:
    return _refuse(
        "phone_too_long",
        _(
            "“%(value)s” is too long for a phone number: a mobile has 11 digits, a landline with its area code "
            "at most 12."
        ),
        typed,
    )


def _not_valid(typed: str) -> WorkflowError:
    return _refuse(
        "invalid_phone",
        _("“%(value)s” is not a valid phone number: check the area code and the number of digits."),
        typed,
    )


def _is(number: phonenumbers.PhoneNumber, *types: int) -> bool:
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in types


def _national(digits: str, typed: str) -> str:
    """A Chinese number without its country code, as dialled inside China."""
    if len(digits) > _LONGEST:
        raise _too_long(typed)
    number = phonenumbers.parse(digits, "CN")
    if digits.startswith("0"):
        # A landline with its area code: 0 + 2 digits (010, 020–029) or 3 (0371, 0755, 0999) + 7 or 8 digits.
        # phonenumbers knows which area codes exist and how long each one's local numbers are.
        if len(digits) < 10:
            raise _too_short(typed)
        if not _is(
            number, phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
        ):
            raise _not_valid(typed)
        return digits
    if digits.startswith("1"):
        if len(digits) <= 5:  # 110, 119, 120, 122, 114, 10086, 12345, 12315 …
            raise _service_number(typed)
        if len(digits) < 11:
            raise _too_short(typed)
        if len(digits) > 11:
            raise _too_long(typed)
        if not _is(
            number, phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
        ):
            raise _not_valid(typed)
        return digits
    if digits[:3] in ("400", "800"):
        # An organization's service number (400 shared cost, 800 toll free): 10 digits, no leading zero.
        if len(digits) < 10:
            raise _too_short(typed)
        if len(digits) > 10:
            raise _too_long(typed)
        if not phonenumbers.is_valid_number(number):
            raise _not_valid(typed)
        return digits
    if digits.startswith("9") and len(digits) <= 8:  # 95588, 95598, 9510xxxx, 96166 …
        raise _service_number(typed)
    if len(digits) in (7, 8):
        raise _refuse(
            "phone_area_code_missing",
            _(
                "“%(value)s” has no area code: write a landline with its area code, for Chongqing "
                "023-68812345."
            ),
            typed,
        )
    if len(digits) < 7:
        raise _too_short(typed)
    raise _not_valid(typed)


def _service_number(typed: str) -> WorkflowError:
    return _refuse(
        "phone_service_number",
        _(
            "“%(value)s” is a public service number (such as 110, 12345 or 95588), not the phone of a person "
            "or an organization: give a mobile, a landline with its area code, or a 400/800 number."
        ),
        typed,
    )


def clean_phone(value: str) -> str:
    """A phone number in its stored form, the digits as dialled inside China.

    - A mobile (1 + 10 digits, any carrier's range that phonenumbers knows: 13x–19x) is stored as its 11 digits.
    - A landline with its area code (010, 020–029, 0xxx), with or without dashes, spaces or parentheses, is
      stored with its leading zero: 02368812345, 01012345678, 037112345678.
    - +86 or 0086 before either is dropped; from abroad the landline's zero is not dialled (+86 23 6881 2345),
      so it is put back. A foreign number (another country code) is stored in E.164 (+85291234567).
    - A 400 or 800 service number is an organization's, accepted and stored as its 10 digits (4008108888).

    Refused, each with its own code and nothing changed:

    - phone_area_code_missing: a local number of 7 or 8 digits without its area code. The platform is in
      Chongqing, but the parties and their companies are not all there; assuming 023 would store a wrong number
      without anybody noticing, so the clerk is asked for the area code (three more keys).
    - phone_service_number: short public service numbers (110, 119, 120, 12345, 10086, 95xxx, 96xxx): they
      reach an emergency line, a hotline or a call centre, not the party; 96xxx numbers also differ per city.
    - phone_extension: a number with an extension (转 123, ext 123): one stored form per number keeps the exact
      search and the masking right, so only the main number is stored and the extension is noted elsewhere.
    - phone_too_short, phone_too_long: too few or too many digits for any of the above.
    - invalid_phone: letters, or digits that are no number (an area code that does not exist, a mobile range
      that is not allocated, 00000000000).

    phonenumbers decides whether a mobile range, an area code and the length of its local numbers exist (its
    metadata follows the allocations). It does not decide the rest: it reads 68812345 or 110 as a Chinese
    number merely "not valid", drops an extension into a separate field and does not know 转; those cases are
    recognized here first, so that each gets its own message.
    """
    typed = _normalized(value)
    if not typed:
        return ""
    if _EXTENSION.search(typed):
        raise _refuse(
            "phone_extension",
            _(
                "“%(value)s” has an extension: write only the main number, and note the extension elsewhere "
                "(for instance in the description)."
            ),
            typed,
        )
    compact = _SEPARATORS.sub("", typed)
    if not re.fullmatch(r"\+?\d+", compact):
        raise _refuse("invalid_phone", _("“%(value)s” is not a phone number."), typed)
    if compact.startswith("00") and not compact.startswith("0086"):
        compact = "+" + compact[2:]
    if compact.startswith(("+86", "0086")):
        digits = compact.removeprefix("+86").removeprefix("0086")
        # A landline dialled from abroad has no trunk zero: +86 23 6881 2345, +86 10 1234 5678 (Beijing's 10
        # is the only area code starting with 1; mobiles start 13–19).
        if digits[:1] in tuple("23456789") and digits[:3] not in ("400", "800") or digits.startswith("10"):
            digits = "0" + digits
        return _national(digits, typed)
    if compact.startswith("+"):
        try:
            number = phonenumbers.parse(compact)
        except phonenumbers.NumberParseException as exc:
            raise _not_valid(typed) from exc
        if not phonenumbers.is_valid_number(number):
            raise _not_valid(typed)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _national(compact, typed)


def restore_landline_zero(digits: str) -> str:
    """A landline whose leading zero a spreadsheet dropped (02368812345 typed into a number cell → 2368812345).

    Only for values known to have been numbers: 9 to 11 digits starting 2–9 are never a number dialled inside
    China (local numbers have 7 or 8, a 400/800 number 10 starting 4 or 8), so a zero before them is a landline
    exactly when phonenumbers knows its area code. Anything else is returned unchanged.
    """
    if not (digits.isdigit() and 9 <= len(digits) <= 11 and digits[0] in "23456789"):
        return digits
    if digits[:3] in ("400", "800") and len(digits) == 10:
        return digits
    landline = phonenumbers.parse("0" + digits, "CN")
    return "0" + digits if phonenumbers.is_valid_number(landline) else digits
