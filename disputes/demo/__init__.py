"""Demo disputes, loaded by `manage.py setup_demo` after the demo regions, platforms and accounts exist.

About sixty disputes typical of Dadukou, in the demo communities and grids, spread over every status of the closed
loop. Each one is played through the service layer (register, assess, assign, accept, …) by the demo account whose
job it is, so its timeline, deadlines and figures are what real use would record:

- 王网格 (grid_worker) reports from her grid, 李调解 (mediator) registers walk-ins and mediates in 新山村演示一社区,
  张坐席 (dispatcher) assesses and assigns at 新山村街道's platform, 赵联络 (liaison) handles what goes to 区人力社保局,
  陈领导 (supervisor) guides, supervises and reopens, 市级平台 (api_client) sends disputes from other streets;
- 周坐席 (district_dispatcher), added here, dispatches at the district platform: red and cross-unit disputes go
  there, and the other accounts do not control it.

Each story runs on a simulated clock, weeks in the past up to now, so the lists show overdue work and the
timelines read like real cases. A story is one transaction and is keyed by its external id ("demo-001"):
a second run finds it and adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from disputes.demo.cases import CASES
from disputes.demo.stories import ACCOUNTS, DISTRICT_DISPATCHER, Cast, Story, parties_of
from disputes.services.defaults import load_defaults
from mediation.demo.common import in_post_since


def _district_dispatcher(cast_password: str):
    """周坐席 staffs the district platform: red and cross-unit disputes are controlled there."""
    from mediation.choices import OrganizationKind, Role
    from mediation.models import MediationOrganization
    from mediation.services.memberships import grant
    from mediation.services.reference import district_region

    username, display = DISTRICT_DISPATCHER
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": display}
    )
    if created:
        user.set_password(cast_password)
        user.save(update_fields=["password"])
    platform = MediationOrganization.objects.get(region=district_region(), kind=OrganizationKind.PLATFORM)
    grant(user, Role.DISPATCHER, organization=platform)
    return user


def load_demo(stdout) -> None:
    from disputes.models import Dispute
    from mediation.demo.foundation import DEMO_PASSWORD

    load_defaults()
    _district_dispatcher(DEMO_PASSWORD)
    now = timezone.now()
    in_post_since(
        [*ACCOUNTS, DISTRICT_DISPATCHER[0]],
        timezone.localdate() - dt.timedelta(days=max(c.days for c in CASES) + 30),
    )
    cast = Cast()
    registry: dict[str, int] = {}
    created = 0
    parties = {case.key: parties_of(case, registry) for case in CASES}
    # The oldest stories first, so the numbers follow the order the disputes came in.
    for index, case in enumerate(sorted(CASES, key=lambda c: -c.days)):
        if Dispute.objects.filter(external_id=case.key).exists():
            continue
        with transaction.atomic():
            Story(case, cast, parties[case.key]).play(now, index)
        created += 1
    stdout.write(f"Disputes demo: {created} disputes created, {len(CASES) - created} already there.")
    stdout.write(f"  {DISTRICT_DISPATCHER[0]:<12} {DEMO_PASSWORD}  district platform dispatcher (区级坐席)")
