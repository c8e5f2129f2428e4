"""The browser shell: login, Chinese layout, navigation by role, local static assets."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def all_url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.converters:
            yield prefix + entry.name


@pytest.mark.django_db
class TestLogin:
    def test_login_page_is_open_and_chinese(self, client):
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert "登录" in response.content.decode()

    @pytest.mark.parametrize("name", ["home", "mediation:structure", "admin:index"])
    def test_pages_require_login(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]

    def test_every_parameterless_page_but_login_requires_login(self, client, reference):
        open_pages = {"login", "set_language", "admin:login", "javascript-catalog"}
        checked = 0
        for name in all_url_names():
            if name in open_pages or name.startswith("admin:") and name != "admin:index":
                continue
            response = client.get(reverse(name))
            assert response.status_code in (302, 401, 403), name
            if response.status_code == 302:
                assert "login" in response["Location"], name
            checked += 1
        assert checked >= 2

    def test_login_then_home_shows_region_unit_and_role(self, client, alice):
        response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True)
        body = response.content.decode()
        assert response.status_code == 200
        assert "甲社区" in body and "新山村街道" in body
        assert "坐席" in body  # the role, in Chinese

    def test_wrong_password_gets_a_chinese_error(self, client, alice):
        response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
        assert response.status_code == 200
        assert re.search("[\u4e00-\u9fff]", response.content.decode())
        assert "_auth_user_id" not in client.session

    def test_logout(self, client, alice):
        client.force_login(alice)
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
class TestNavigationByRole:
    def test_staff_see_the_admin_link_others_do_not(self, client, alice, make_user, reference):
        client.force_login(alice)
        assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
        staff = make_user("staffer", is_staff=True, is_superuser=True)
        client.force_login(staff)
        assert reverse("admin:index") in client.get(reverse("home")).content.decode()

    def test_structure_page_is_scoped(self, client, alice, community_a, community_b):
        client.force_login(alice)
        body = client.get(reverse("mediation:structure")).content.decode()
        assert "甲社区" in body and "乙社区" not in body

    def test_structure_page_needs_the_permission(self, client, charlie):
        client.force_login(charlie)
        assert client.get(reverse("mediation:structure")).status_code == 403

    def test_admin_is_chinese(self, client, make_user, reference):
        client.force_login(make_user("root", is_staff=True, is_superuser=True))
        body = client.get(reverse("admin:mediation_region_changelist")).content.decode()
        assert "区划代码" in body or "区域" in body


class TestStaticAssets:
    def test_no_template_loads_anything_from_the_internet(self):
        offenders = [
            str(path)
            for path in TEMPLATES.rglob("*.html")
            if re.search(r"""(src|href)=["']https?://""", path.read_text(encoding="utf-8"))
        ]
        assert offenders == []

    @pytest.mark.parametrize(
        "asset",
        [
            "vendor/bootstrap/css/bootstrap.min.css",
            "vendor/bootstrap/js/bootstrap.bundle.min.js",
            "django_htmx/htmx-2.min.js",
            "css/site.css",
        ],
    )
    def test_front_end_assets_are_served_by_the_project(self, asset):
        assert finders.find(asset), asset


@pytest.mark.django_db
class TestQueryCounts:
    """The number of queries of the foundation's pages does not grow with the data."""

    def test_home(self, client, alice, django_assert_max_num_queries):
        client.force_login(alice)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("home")).status_code == 200

    def test_structure_is_constant_in_the_number_of_regions(
        self, client, carol, street, django_assert_max_num_queries
    ):
        from mediation.services.division_codes import add_grids
        from tests.conftest import make_region

        client.force_login(carol)
        community = make_region(street, "500104001011", "丙社区", 4, "community")
        add_grids(community, count=2)
        with django_assert_max_num_queries(14) as small:
            client.get(reverse("mediation:structure"))
        for n in range(12, 30):
            add_grids(make_region(street, f"5001040010{n}", f"社区{n}", 4, "community"), count=3)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(reverse("mediation:structure")).status_code == 200
