"""Reading one cell: text, dates, yes/no, choices by their labels, ID numbers, phones, years and hours.

Each parser returns the stored value or raises CellError with a message for the person who filled the sheet.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dadukou.kernel.errors import WorkflowError
from dadukou.kernel.validators import clean_id_number, clean_phone, restore_landline_zero
from mediation.choices import Background, OrganizationKind, TrainingLevel

# Several values in one cell (覆盖领域, 身份背景) are separated by these; "/" is not one ("选调生/大学生村官").
_SEPARATORS = re.compile(r"[、,，;；\n]+")
_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "无", "n", "no", "false", "0", "×", "✗"}
# Labels people write that differ from the choice labels.
_ALIASES = {
    TrainingLevel: {
        "区级": "district",
        "区级培训": "district",
        "街镇级": "street",
        "街道级": "street",
        "镇级": "street",
    },
    Background: {"五老人员": "five_elders", "五老": "five_elders", "大学生村官": "selected_graduate"},
    OrganizationKind: {
        "区重大矛盾纠纷人民调解委员会(调解中心)": "major_centre",
        "区重大矛盾纠纷人民调解委员会": "major_centre",
        "行业性专业性调解委员会": "industry_committee",
        "行业性专业性调解室": "industry_room",
        "人民调解室": "field_room",
    },
}


def normalize(text: str) -> str:
    """Compare labels loosely: no spaces or quotes, ASCII parentheses, lower case."""
    text = str(text).strip().replace("（", "(").replace("）", ")")
    return re.sub(r"[\s“”\"'‘’]", "", text).lower()


def choice_labels(choices) -> dict[str, str]:
    """Normalized label (Chinese or English) or value → value."""
    found = {}
    for language in ("en", "zh-hans", translation.get_language() or "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                found[normalize(label)] = value
    for value in choices.values:
        found[normalize(value)] = value
    for alias, value in _ALIASES.get(choices, {}).items():
        found[normalize(alias)] = value
    return found


class CellError(ValueError):
    pass


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellError(_("“%(value)s” is not a date; write it as 2024-03-01.") % {"value": text})


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize(cell_text(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("Write 是 or 否, not “%(value)s”.") % {"value": cell_text(value)})


def parse_choice(value, choices, labels) -> str:
    text = cell_text(value)
    found = labels.get(normalize(text))
    if found is None:
        raise CellError(
            _("“%(value)s” is not one of the allowed values (see the sheet 填写说明): %(allowed)s.")
            % {"value": text, "allowed": "、".join(str(label) for label in choices.labels)}
        )
    return found


def parse_choices(value, choices, labels) -> list[str]:
    parts = [p for p in _SEPARATORS.split(cell_text(value)) if p.strip()]
    return list(dict.fromkeys(parse_choice(p, choices, labels) for p in parts))


def parse_id_number(value) -> str:
    if isinstance(value, float):
        raise CellError(_("The ID number was stored as a number and lost digits; format the column as text."))
    try:
        return clean_id_number(cell_text(value))
    except WorkflowError as exc:
        raise CellError(exc.message) from exc


def parse_phone(value) -> str:
    """A phone cell; a landline typed into a cell formatted as a number lost its leading zero, which comes back."""
    text = cell_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = restore_landline_zero(text)
    try:
        return clean_phone(text)
    except WorkflowError as exc:
        raise CellError(exc.message) from exc


def parse_year(value) -> int:
    text = cell_text(value).removesuffix("年")
    if not text.isdigit() or not 1900 <= int(text) <= timezone.localdate().year:
        raise CellError(_("“%(value)s” is not a year of birth.") % {"value": text})
    return int(text)


def parse_hours(value) -> Decimal:
    try:
        hours = Decimal(cell_text(value)).quantize(Decimal("0.1"))
    except InvalidOperation as exc:
        raise CellError(_("“%(value)s” is not a number of hours.") % {"value": cell_text(value)}) from exc
    if hours < 0 or hours >= 10_000:
        raise CellError(_("“%(value)s” is not a number of hours.") % {"value": cell_text(value)})
    return hours
