"""Markup for the long loops of a page, built in Python: matrix cells, table rows, timeline entries.

Django's template engine costs microseconds per variable and tens of microseconds per tag; a page with thousands
of cells (the plan matrix) or hundreds of rows (a dispute list, a long timeline) spent most of its time there,
several times its SQL (docs/BENCHMARKS.md). The template tags built on these helpers give the same markup, with
every value escaped; the pages' templates keep the structure around them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils.html import conditional_escape

_MARKER = 2_147_483_647


def pk_url(viewname: str) -> Callable[[object], str]:
    """`reverse(viewname, args=[pk])` for many pks at the cost of one reverse (call it once per render)."""
    head, tail = reverse(viewname, args=[_MARKER]).split(str(_MARKER), 1)
    return lambda pk: f"{head}{int(pk)}{tail}"


def labels(choices: Iterable[tuple[object, object]]) -> dict[str, str]:
    """A choices list as {value: translated label}, translated once (get_FOO_display() translates per call)."""
    return {str(value): str(label) for value, label in choices}


def e(value) -> str:
    """The value as escaped text (None as empty)."""
    return "" if value is None else str(conditional_escape(value))
