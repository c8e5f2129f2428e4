"""The dispute list's search box: a dispute number, a party's ID number or phone, or any text.

- A whole dispute number (DDK-2026-000123, any case) finds that dispute: one lookup on the unique index.
- Something shaped like a resident ID number or credit code, or a valid phone number, finds the disputes of the
  parties with exactly that ID number or phone (normalized as intake stores them; B-tree indexes).
- Anything else is a case-insensitive substring of the number, summary, address, description or a party's name.
  On PostgreSQL each column has a trigram index, and the condition is written so that the planner can combine
  one bitmap scan per index (a BitmapOr): every arm is a condition on the dispute row itself; the parties' arm
  is `id = ANY(ARRAY(SELECT dispute_id …))`, evaluated once before the scan, not a subquery per row. Trigrams
  need three characters; a two-character text (噪音, 漏水) uses bigram indexes instead (one on the text columns
  joined, one on party names). One character, or two on SQLite, matches the same columns read in the list's
  order within the user's visible disputes, and a party's whole name (a B-tree lookup).

The caller passes a queryset already limited to the user's visible disputes, so a search never widens it.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Upper

from dadukou.kernel.errors import WorkflowError
from disputes.models import Party
from disputes.services.intake import clean_phone
from mediation.db import BIGRAMS_FUNCTION

NUMBER = re.compile(r"DDK-\d{4}-\d{6,}")
# A resident ID number (18 characters, or the old 15 digits) or a unified social credit code (18).
ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
# Also the columns, in this order, of the bigram index (migration disputes 0009).
TEXT_COLUMNS = ["number", "title", "address", "description"]
TRIGRAM, BIGRAM = 3, 2


class Joined(Func):
    """`a || ' ' || b …`, the text the bigram indexes are built on (CONCAT() is not immutable, so not indexable)."""

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = TextField()


class Bigrams(Func):
    function = BIGRAMS_FUNCTION
    output_field = TextField()


class HasBigram(Func):
    """`bigrams @> ARRAY[value]`: served by a GIN index on the same bigrams expression."""

    arg_joiner = " @> ARRAY["
    template = "(%(expressions)s]::text[])"
    output_field = BooleanField()


def _has_bigram(columns: list[str], value: str) -> HasBigram:
    text = Joined(*[F(c) for c in columns]) if len(columns) > 1 else F(columns[0])
    return HasBigram(Bigrams(Upper(text)), Value(value.upper()))


class AnyOf(Func):
    """`expression = ANY(ARRAY(subquery))`: the subquery runs once, and the condition can use an index."""

    arg_joiner = " = ANY(ARRAY("
    template = "%(expressions)s))"
    output_field = BooleanField()


def _disputes_of(parties: QuerySet) -> Q:
    ids = parties.order_by().values("dispute_id")
    if connection.vendor == "postgresql":
        return Q(AnyOf(F("pk"), Subquery(ids)))
    return Q(pk__in=ids)


def _phone(value: str) -> str:
    if not re.fullmatch(r"\+?[\d\s-]{7,20}", value):
        return ""
    try:
        return clean_phone(value)
    except WorkflowError:
        return ""


def search_q(value: str) -> Q | None:
    """The condition for one search text, or None when the text is empty."""
    value = value.strip()
    if not value:
        return None
    upper = value.upper().replace(" ", "")
    if NUMBER.fullmatch(upper):
        return Q(number=upper)
    exact = Q(pk__in=[])
    if ID_NUMBER.fullmatch(upper):
        exact |= _disputes_of(Party.objects.filter(id_number=upper))
    phone = _phone(value)
    if phone:
        exact |= _disputes_of(Party.objects.filter(phone=phone))
    if phone or ID_NUMBER.fullmatch(upper):
        return exact
    text = Q(pk__in=[])
    for column in TEXT_COLUMNS:
        text |= Q(**{f"{column}__icontains": value})
    if len(value) == BIGRAM and connection.vendor == "postgresql":
        # Two characters: a text holds them exactly when its bigrams do (both upper-cased, and the value has no
        # space, so it cannot straddle two joined columns). A LIKE beside it would tempt the planner into
        # reading a trigram index whole.
        parties = Party.objects.filter(_has_bigram(["name"], value))
        return Q(_has_bigram(TEXT_COLUMNS, value)) | _disputes_of(parties)
    if len(value) < TRIGRAM:
        # No trigram to look up (a trigram index would be read whole): the text columns are checked row by row
        # in the list's order, and a party's name must be the whole name (a two-character name is common).
        return text | _disputes_of(Party.objects.filter(name=value))
    return text | _disputes_of(Party.objects.filter(name__icontains=value))


def search(queryset: QuerySet, value: str) -> QuerySet:
    condition = search_q(value)
    return queryset if condition is None else queryset.filter(condition)
