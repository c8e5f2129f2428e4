"""Readable dispute numbers: DDK-2026-000123, unique, gap-tolerant and safe under concurrent intake."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F

PREFIX = "DDK"


def next_number(year: int) -> str:
    """Take the next number of `year` with an atomic increment of the year's counter row.

    The row lock taken by the UPDATE serializes concurrent intakes; a rolled-back intake leaves a gap.
    """
    from disputes.models import DisputeCounter

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO disputes_disputecounter (year, last) VALUES (%s, 1) "
                    "ON CONFLICT (year) DO UPDATE SET last = disputes_disputecounter.last + 1 RETURNING last",
                    [year],
                )
                value = cursor.fetchone()[0]
        else:
            DisputeCounter.objects.get_or_create(year=year)
            DisputeCounter.objects.filter(year=year).update(last=F("last") + 1)
            value = DisputeCounter.objects.get(year=year).last
    return f"{PREFIX}-{year}-{value:06d}"
