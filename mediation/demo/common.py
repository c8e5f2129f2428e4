"""What every app's demo uses: valid identity numbers, a simulated clock, demo staff in post from a date."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from stdnum.cn import uscc

AREA = "500104"
_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def check_digit(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2)."""
    value = (12 - sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def id_number(birth: dt.date, seq: int, area: str = AREA) -> str:
    """A valid resident ID number; `seq` (0–999) is odd for a man, even for a woman."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def credit_code(n: int) -> str:
    """A valid unified social credit code of a Dadukou company, the n-th of the demo."""
    body = f"91500104MA{n:07d}"
    return body + uscc.calc_check_digit(body)


@contextmanager
def clock(moment: dt.datetime):
    """Run the services as if it were `moment`, so a demo story has a believable history (registered weeks ago,
    accepted the next day, overdue now) instead of happening all in the second setup_demo runs."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def in_post_since(usernames, day: dt.date) -> None:
    """The demo staff were in post when the demo stories begin (memberships count from their start date)."""
    from mediation.models import Membership

    Membership.objects.filter(user__username__in=list(usernames), started_on__gt=day).update(started_on=day)
