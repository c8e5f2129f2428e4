"""The dispute list's search box: a dispute number, a party's ID number or phone, or any text.

- A whole dispute number (DDK-2026-000123, any case) finds that dispute: one lookup on the unique index.
- Something shaped like a resident ID number or credit code, or a valid phone number, finds the disputes of the
  parties with exactly that ID number or phone (normalized as intake stores them; B-tree indexes). An old
  15-digit ID number is looked up by its 18-digit form, which intake stored; full-width digits are read as
  ASCII ones.
- Anything else is a case-insensitive substring of the number, summary, address, description or a party's name.
  On PostgreSQL each column has a trigram index, and a two-character text (噪音, 漏水), which trigrams cannot
  find, has bigram indexes (one on the text columns joined, one on party names). One character, or two on
  SQLite, matches the same columns read in the list's order within the user's visible disputes, and a party's
  whole name (a B-tree lookup).

On PostgreSQL a text search first asks for the matching ids among the searched disputes, up to SELECTIVE of
them: a rare text (a person's name, an uncommon word) then becomes `id IN (those ids)`, which the list reads by
primary key whatever the user's scope. Only a common text (more matches than that) is checked row by row in the
list's order — where matches are dense, so a page fills after a few thousand rows — with a plain LIKE on the
joined columns, cheap per row, and the matching parties' disputes as a hashed subquery. At 10^6 disputes the
planner, left to choose, walked the whole district through the bigram function for a two-character name that
matched a few hundred parties (13 s).

The caller passes a queryset already limited to the user's visible disputes, so a search never widens it.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Contains

from dadukou.kernel.errors import WorkflowError
from dadukou.kernel.validators import normalize_id_number
from disputes.models import Party
from disputes.services.intake import clean_phone
from mediation.db import BIGRAMS_FUNCTION

NUMBER = re.compile(r"DDK-\d{4}-\d{6,}")
# A resident ID number (18 characters, or the old 15 digits) or a unified social credit code (18).
ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
# Also the columns, in this order, of the bigram index (migration disputes 0009).
TEXT_COLUMNS = ["number", "title", "address", "description"]
TRIGRAM, BIGRAM = 3, 2
# At most this many matching disputes among those searched: the search is resolved to their ids first (a larger
# cap costs more in the look-up, a heap page per match in scope, than it saves in the list query).
SELECTIVE = 500
# At most this many parties city-wide whose name holds the text, for that look-up.
PARTIES_AT_MOST = 5000


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
    if not re.fullmatch(r"\+?[\d\s()-]{7,20}", value):
        return ""
    try:
        return clean_phone(value)
    except WorkflowError:
        return ""


def search_q(value: str, within: QuerySet | None = None) -> Q | None:
    """The condition for one search text, or None when the text is empty; `within` (the disputes searched, by
    default all) bounds the look-up of the matching ids."""
    value = value.strip()
    if not value:
        return None
    # Numbers as typed with a Chinese input method (１３８, ＋86, （023）) are read in ASCII; the text search
    # below keeps the value as typed, since the stored texts hold full-width punctuation.
    ascii_value = unicodedata.normalize("NFKC", value).strip()
    upper = re.sub(r"\s+", "", ascii_value).upper()
    if NUMBER.fullmatch(upper):
        return Q(number=upper)
    exact = Q(pk__in=[])
    if ID_NUMBER.fullmatch(upper):
        exact |= _disputes_of(Party.objects.filter(id_number=normalize_id_number(upper)))
    phone = _phone(ascii_value)
    if phone:
        exact |= _disputes_of(Party.objects.filter(phone=phone))
    if phone or ID_NUMBER.fullmatch(upper):
        return exact
    text = Q(pk__in=[])
    for column in TEXT_COLUMNS:
        text |= Q(**{f"{column}__icontains": value})
    if len(value) >= BIGRAM and connection.vendor == "postgresql":
        return _indexed_text_q(value, text, within)
    if len(value) < TRIGRAM:
        # No trigram to look up (a trigram index would be read whole): the text columns are checked row by row
        # in the list's order, and a party's name must be the whole name (a two-character name is common).
        return text | _disputes_of(Party.objects.filter(name=value))
    return text | _disputes_of(Party.objects.filter(name__icontains=value))


def _indexed_text_q(value: str, text: Q, within: QuerySet | None) -> Q:
    """PostgreSQL, two characters or more: the matching ids when they are few (see the module's docstring),
    else a condition for reading row by row. The ids are looked up within the searched disputes: for a grid's
    fifty the planner reads them and checks each, for a district it combines the text and region indexes."""
    from disputes.models import Dispute

    within = Dispute.objects.all() if within is None else within
    if len(value) == BIGRAM:
        # Two characters: a text holds them exactly when its bigrams do (both upper-cased, and the value has no
        # space, so it cannot straddle two joined columns).
        in_text = within.filter(_has_bigram(TEXT_COLUMNS, value))
        parties = Party.objects.filter(_has_bigram(["name"], value))
    else:
        # Each column's trigram index; the planner combines them in one BitmapOr.
        in_text = within.filter(text)
        parties = Party.objects.filter(name__icontains=value)
    ids = _few_matches(in_text, parties, within)
    if ids is not None:
        return Q(pk__in=sorted(ids))
    # Common: a LIKE on the joined text per row (no index on that expression tempts the planner), the parties'
    # disputes hashed once.
    joined = Upper(Joined(*[F(c) for c in TEXT_COLUMNS]))
    return Q(Contains(joined, value.upper())) | Q(pk__in=parties.order_by().values("dispute_id"))


def _few_matches(in_text: QuerySet, parties: QuerySet, within: QuerySet) -> set[int] | None:
    """The searched disputes whose text, or a party's name, matches — None when there are more than SELECTIVE,
    or more than PARTIES_AT_MOST parties city-wide (too common to look up this way)."""
    ids = set(in_text.order_by().values_list("pk", flat=True)[: SELECTIVE + 1])
    if len(ids) > SELECTIVE:
        return None
    # The parties' disputes city-wide first (a join with the searched disputes was planned as a hash join over
    # all of a district's), then those among the searched, by primary key.
    named = list(parties.order_by().values_list("dispute_id", flat=True)[: PARTIES_AT_MOST + 1])
    if len(named) > PARTIES_AT_MOST:
        return None
    ids.update(within.filter(pk__in=named).order_by().values_list("pk", flat=True)[: SELECTIVE + 1])
    return ids if len(ids) <= SELECTIVE else None


def search(queryset: QuerySet, value: str) -> QuerySet:
    condition = search_q(value, queryset)
    return queryset if condition is None else queryset.filter(condition)
