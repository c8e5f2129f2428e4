"""The disputes admin: the office edits configuration; disputes and their timeline are read-only there."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from disputes.models import Category, Event, RoutingRule, TimeLimit
from disputes.services.defaults import CATEGORIES, ROUTING_RULES
from mediation.choices import OrganizationKind, Role
from mediation.models import MediationOrganization, Unit
from mediation.services.memberships import grant
from tests.conftest import PASSWORD
from tests.dispute_list_fixtures import new_dispute

pytest_plugins = ["tests.dispute_fixtures", "tests.dispute_list_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def olivia(make_user, reference):
    """A member of the grand-mediation office, with admin access."""
    user = make_user("olivia", is_staff=True)
    grant(user, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    return user


@pytest.fixture
def root(make_user, reference):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def dispute(defaults, platforms, alice, community_a):
    return new_dispute(alice, community_a)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_office_edits_a_routing_rule(client, defaults, olivia):
    rule = RoutingRule.objects.get(priority=30)
    login(client, olivia)
    assert client.get(reverse("admin:disputes_routingrule_changelist")).status_code == 200
    url = reverse("admin:disputes_routingrule_change", args=[rule.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "橙色纠纷由区级平台统筹",
            "priority": 30,
            "category": "",
            "max_grade": rule.max_grade,
            "level": 2,
            "assign_to_category_units": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    rule.refresh_from_db()
    assert (rule.name, rule.level) == ("橙色纠纷由区级平台统筹", 2)


def test_the_office_edits_a_categorys_units_and_time_limits(client, defaults, olivia):
    login(client, olivia)
    category = Category.objects.get(code="labour")
    response = client.get(reverse("admin:disputes_category_change", args=[category.pk]))
    assert response.status_code == 200
    assert "selectfilter" in response.content.decode().lower()  # filter_horizontal for the units
    for name in ("timelimit", "riskrule", "calendarday", "calendaryear", "sensitiveperiod", "category"):
        assert client.get(reverse(f"admin:disputes_{name}_changelist")).status_code == 200
    limit = TimeLimit.objects.get(key=TimeLimit.Key.ACCEPTANCE)
    response = client.post(
        reverse("admin:disputes_timelimit_change", args=[limit.pk]),
        {"key": limit.key, "days": 2, "day_type": limit.day_type},
    )
    assert response.status_code == 302
    limit.refresh_from_db()
    assert limit.days == 2


def test_the_office_sets_the_organizations_that_mediate_a_category(client, defaults, platforms, olivia):
    login(client, olivia)
    category = Category.objects.get(code="labour")
    platform = MediationOrganization.objects.filter(kind=OrganizationKind.PLATFORM).order_by("pk").first()
    url = reverse("admin:disputes_category_change", args=[category.pk])
    assert client.get(url).status_code == 200
    data = {
        "code": category.code,
        "name": category.name,
        "units": [unit.pk for unit in category.units.all()],
        "organizations": [platform.pk],
        "sort_order": category.sort_order,
        "is_active": "on",
        **({"is_plan_field": "on"} if category.is_plan_field else {}),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    # The organization's side of the relation (shown on its registry page) sees the change.
    assert list(platform.categories.all()) == [category]


def test_a_liaison_cannot_reach_the_configuration(client, defaults, dave):
    response = login(client, dave).get(reverse("admin:disputes_routingrule_changelist"))
    assert response.status_code == 302  # not staff: sent to the admin login


def test_nobody_adds_changes_or_deletes_an_event(client, dispute, root, olivia):
    event = Event.objects.filter(dispute=dispute).first()
    for user in (root, olivia):
        login(client, user)
        assert client.get(reverse("admin:disputes_event_add")).status_code == 403
        assert client.get(reverse("admin:disputes_event_delete", args=[event.pk])).status_code == 403
        assert (
            client.post(reverse("admin:disputes_event_delete", args=[event.pk]), {"post": "yes"}).status_code
            == 403
        )
        changelist = reverse("admin:disputes_event_changelist")
        client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk]})
        assert Event.objects.filter(pk=event.pk).exists()
        response = client.get(reverse("admin:disputes_event_change", args=[event.pk]))
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()


def test_disputes_are_read_only_in_the_admin(client, dispute, root):
    login(client, root)
    assert client.get(reverse("admin:disputes_dispute_add")).status_code == 403
    assert client.get(reverse("admin:disputes_dispute_delete", args=[dispute.pk])).status_code == 403
    response = client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert dispute.number in html
    assert 'name="_save"' not in html
    assert dispute.parties.first().name in html  # the parties inline
    assert dispute.parties.first().id_number not in html  # no personal data here


def test_the_dispute_admin_keeps_to_the_visibility_rule(
    client, defaults, platforms, bob, community_b, make_user, street, other_street
):
    d = new_dispute(bob, community_b)
    insider = make_user("sam", is_staff=True)
    grant(insider, Role.SUPERVISOR, region=street)
    login(client, insider)
    response = client.get(reverse("admin:disputes_dispute_changelist"))
    assert response.status_code == 200
    assert d.number in response.content.decode()
    outsider = make_user("otto", is_staff=True)
    grant(outsider, Role.SUPERVISOR, region=other_street)
    login(client, outsider)
    assert d.number not in client.get(reverse("admin:disputes_dispute_changelist")).content.decode()
    # An object outside the queryset is "not found": the admin sends the user back to its index.
    assert client.get(reverse("admin:disputes_dispute_change", args=[d.pk])).status_code == 302
    assert d.number not in client.get(reverse("admin:disputes_event_changelist")).content.decode()


def test_the_event_changelist_query_count_is_constant(
    client, defaults, platforms, alice, community_a, root, django_assert_max_num_queries
):
    for _ in range(5):
        new_dispute(alice, community_a)
    login(client, root)
    url = reverse("admin:disputes_event_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url)
    for _ in range(20):
        new_dispute(alice, community_a)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_load_dispute_defaults_prints_counts_and_is_idempotent(reference):
    first, second = io.StringIO(), io.StringIO()
    call_command("load_dispute_defaults", stdout=first)
    assert f"categories: {len(CATEGORIES)} added" in first.getvalue()
    assert f"routing_rules: {len(ROUTING_RULES)} added" in first.getvalue()
    call_command("load_dispute_defaults", stdout=second)
    assert "categories: 0 added" in second.getvalue()
    assert Category.objects.count() == len(CATEGORIES)
