"""raise_alerts: raise_alert for a sweep's whole batch, with the same rules and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediation.models import Alert, AlertKind, Notification, OutboxMessage
from mediation.services.alerts import AlertSpec, Recipient, raise_alert, raise_alerts

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(dave, carol, rsj_unit):
    dave.email = "dave@dadukou.example"
    dave.save()
    return dave, carol


@pytest.fixture
def rsj_unit(reference):
    from mediation.models import Unit

    return Unit.objects.get(code="rsj")


def spec(subject, recipient, level=1, kind=AlertKind.SUPERVISION):
    return AlertSpec(subject, kind, recipient, f"title {subject.pk}", "body", "/x/", level=level)


def test_it_raises_each_alert_once_with_notifications_and_outbox(people, rsj_unit, street):
    dave, carol = people
    subjects = [street, rsj_unit]
    specs = [spec(s, r) for s in subjects for r in (Recipient(unit=rsj_unit), Recipient(user=carol))]
    created = raise_alerts(specs + specs)  # a duplicate in the same call is raised once
    assert len(created) == 4 and Alert.objects.count() == 4
    assert Notification.objects.filter(user=dave).count() == 2  # dave is the liaison of rsj
    assert Notification.objects.filter(user=carol).count() == 2
    assert OutboxMessage.objects.filter(recipient="dave@dadukou.example").count() == 2  # carol has no e-mail

    # Raised before, by either path: nothing again.
    assert raise_alerts(specs) == []
    assert raise_alert(street, AlertKind.SUPERVISION, [Recipient(user=carol)], title="again", level=1) == []
    created = raise_alerts([spec(street, Recipient(user=carol), level=2)] + specs)
    assert [(a.level, a.recipient_key) for a in created] == [(2, f"user:{carol.pk}")]
    assert Notification.objects.count() == 5


def test_its_queries_do_not_grow_with_the_batch(people, rsj_unit, district, street, other_street):
    dave, carol = people

    def queries(subjects) -> int:
        with CaptureQueriesContext(connection) as captured:
            raise_alerts(
                [spec(s, r) for s in subjects for r in (Recipient(unit=rsj_unit), Recipient(user=carol))]
            )
        return len(captured)

    assert queries([street]) == queries([district, other_street, rsj_unit])
