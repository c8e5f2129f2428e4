"""Task 25: the district's periodic reports made on time, counted from the stored snapshots."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import override

from disputes.models import PeriodicReport
from disputes.services.reports import period_for, scope_key
from mediation.indicators import indicator

AS_OF = dt.date(2025, 3, 10)


def store(district, kind, start, end, made_on):
    report = PeriodicReport.objects.create(
        kind=kind, period_start=start, period_end=end, region=district, scope_key=scope_key(region=district)
    )
    made = timezone.make_aware(dt.datetime.combine(made_on, dt.time(1, 0)))
    PeriodicReport.objects.filter(pk=report.pk).update(generated_at=made)


@pytest.mark.django_db
def test_reports_made_within_two_days_of_their_period_count_as_on_time(district):
    # The ten weeks ending 2025-01-05 … 2025-03-09 (the first began in 2024 but ended in 2025), all on time.
    day, weeks = AS_OF, []
    while True:
        start, end = period_for(PeriodicReport.Kind.WEEKLY, day)
        if end.year < 2025:
            break
        weeks.append((start, end))
        day = start
    assert len(weeks) == 10
    for start, end in weeks:
        store(district, PeriodicReport.Kind.WEEKLY, start, end, end + dt.timedelta(days=1))
    # January's assessment on the 1st of February; February's four days late.
    store(
        district, PeriodicReport.Kind.MONTHLY, dt.date(2025, 1, 1), dt.date(2025, 1, 31), dt.date(2025, 2, 1)
    )
    store(
        district, PeriodicReport.Kind.MONTHLY, dt.date(2025, 2, 1), dt.date(2025, 2, 28), dt.date(2025, 3, 4)
    )
    # Last year's bulletin and evaluation ended in 2024: not due in 2025's count.
    store(
        district, PeriodicReport.Kind.ANNUAL, dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2025, 1, 1)
    )

    with override("en"):
        result = indicator("reports_on_time", AS_OF)
    assert (result.numerator, result.denominator, result.rate) == (11, 12, Decimal("91.7"))
    rows = {row.obj: (row.met, row.detail) for row in result.rows}
    assert rows == {
        "weekly": (True, "10 of 10 on time"),
        "monthly": (False, "1 of 2 on time"),
        "quarterly": (True, "0 of 0 on time"),
        "annual": (True, "0 of 0 on time"),
    }


@pytest.mark.django_db
def test_a_missing_report_is_a_gap(district):
    result = indicator("reports_on_time", dt.date(2025, 2, 3))
    assert result.denominator == 5 + 1  # weeks ending Jan 5 … Feb 2, and January
    assert result.numerator == 0 and result.rate == Decimal("0.0")
