"""The disputes demo (disputes/demo/) as `manage.py setup_demo` loads it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from dadukou.kernel.validators import clean_phone
from disputes.choices import Status
from disputes.demo.cases import CASES
from disputes.models import Dispute, Event, Party
from disputes.services.intake import clean_party_id

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]
pytest_plugins = ["tests.dispute_fixtures"]


def test_setup_demo_plays_the_whole_loop_once(fast_password_hashing):
    """One test on purpose: `setup_demo` is the slowest fixture of the suite, so it runs once (twice, for the
    idempotence check) and every property of the demo is checked on that one load."""
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    demo = out.getvalue()

    # Every status of the loop is shown.
    assert f"Disputes demo: {len(CASES)} disputes created" in demo
    statuses = dict(Dispute.objects.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == set(Status.values)
    assert Dispute.objects.count() == len(CASES) >= 60
    assert Dispute.objects.overdue().exists()

    # The stories were played by people, in order.
    assert not Event.objects.filter(actor__isnull=True).exists()
    assert not Event.objects.filter(actor__is_superuser=True).exists()
    for dispute in Dispute.objects.all():
        events = list(dispute.events.order_by("pk"))
        assert [e.at for e in events] == sorted(e.at for e in events), dispute.external_id
        assert events[0].action == "register"
    by_number = list(Dispute.objects.order_by("number").values_list("created_at", flat=True))
    assert by_number == sorted(by_number)  # numbers follow the order the disputes came in

    # Personal data is valid.
    for party in Party.objects.all():
        assert clean_party_id(party.id_number, party.kind) == party.id_number
        assert clean_phone(party.phone) == party.phone

    # A second run adds nothing.
    counts = (Dispute.objects.count(), Party.objects.count(), Event.objects.count())
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    assert f"0 disputes created, {len(CASES)} already there" in out.getvalue()
    assert (Dispute.objects.count(), Party.objects.count(), Event.objects.count()) == counts
