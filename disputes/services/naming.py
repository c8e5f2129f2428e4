"""Texts that name disputes, shown only to who may open them.

A dispute's number is written into texts that outlive the moment: timeline notes ("DDK-2026-000123 merged into this
dispute", a link to another dispute), the stored rows of periodic reports, alert titles. What a reader may open
changes (a merge partner in another street, a region moved, a membership ended), so the text is checked when it is
shown: a number the reader may not open is replaced by an anonymous form ("另一件纠纷", another dispute), and a
list of numbers keeps only the visible ones and says how many are left out. `Dispute.objects.visible_to` decides.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from disputes.models import Dispute
from disputes.services.numbering import PREFIX

NUMBER_RE = re.compile(rf"\b{PREFIX}-\d{{4}}-\d{{6}}\b")
NUMBERS_PER_QUERY = 5000


def numbers_in(text: str) -> set[str]:
    return set(NUMBER_RE.findall(text or ""))


def visible_numbers(user, numbers) -> set[str]:
    """The dispute numbers among `numbers` that `user` may open (a query per 5,000 numbers)."""
    numbers = sorted({n for n in numbers if n})
    found: set[str] = set()
    for i in range(0, len(numbers), NUMBERS_PER_QUERY):
        chunk = numbers[i : i + NUMBERS_PER_QUERY]
        found.update(
            Dispute.objects.visible_to(user).filter(number__in=chunk).values_list("number", flat=True)
        )
    return found


def another_dispute() -> str:
    return _("another dispute")


def mask(text: str, visible: set[str]) -> str:
    """`text` with each dispute number not in `visible` replaced by "another dispute"."""
    if not text:
        return text
    return NUMBER_RE.sub(lambda m: m.group(0) if m.group(0) in visible else another_dispute(), text)


class Masker:
    """Masks many texts for one reader with one visibility query: collect the texts first, then mask them."""

    def __init__(self, user, texts=()):
        self.user = user
        self.visible = visible_numbers(user, {n for text in texts for n in numbers_in(text)})

    def __call__(self, text: str) -> str:
        return mask(text, self.visible)

    def shows(self, number: str) -> bool:
        return number in self.visible
