"""The notification centre: the unread count in the header, the list, mark read, and nobody else's notifications."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mediation.models import Alert, AlertKind, Notification
from mediation.services.alerts import Recipient, raise_alert
from mediation.views import notifications as views_notifications

pytestmark = pytest.mark.django_db


def notify(user, title="超期提醒", *, read=False, minutes_ago=0, url="", alert=None) -> Notification:
    n = Notification.objects.create(user=user, title=title, body="请处理。", url=url, alert=alert)
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=n.pk).update(created_at=created, read_at=created if read else None)
    n.refresh_from_db()
    return n


def badge(page: str) -> str:
    link = page.split('id="notifications-link"')[1].split("</a>")[0]
    return link.split('class="badge text-bg-danger">')[1].split("<")[0] if "badge" in link else ""


class TestHeader:
    def test_it_shows_the_unread_count_on_every_page(self, client, alice, bob):
        notify(alice, "一")
        notify(alice, "二")
        notify(alice, "三", read=True)
        notify(bob, "鲍勃的")
        client.force_login(alice)
        assert badge(client.get(reverse("home")).content.decode()) == "2"
        assert badge(client.get(reverse("mediation:structure")).content.decode()) == "2"

    def test_without_unread_there_is_no_badge(self, client, alice):
        notify(alice, read=True)
        client.force_login(alice)
        page = client.get(reverse("home")).content.decode()
        assert 'id="notifications-link"' in page
        assert badge(page) == ""

    def test_a_large_count_is_capped(self, client, alice):
        Notification.objects.bulk_create([Notification(user=alice, title=f"n{i}") for i in range(120)])
        client.force_login(alice)
        assert badge(client.get(reverse("home")).content.decode()) == "99+"

    def test_home_costs_one_query_more_and_does_not_grow(self, client, alice, django_assert_max_num_queries):
        client.force_login(alice)
        with django_assert_max_num_queries(13) as few:
            client.get(reverse("home"))
        Notification.objects.bulk_create([Notification(user=alice, title=f"n{i}") for i in range(50)])
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("home")).status_code == 200
        counts = [q["sql"] for q in few.captured_queries if "mediation_notification" in q["sql"]]
        assert len(counts) == 1 and "COUNT" in counts[0]


class TestList:
    def test_newest_first_unread_highlighted_only_mine(self, client, alice, bob):
        notify(alice, "旧的", read=True, minutes_ago=60)
        notify(alice, "新的", minutes_ago=1)
        notify(bob, "鲍勃的")
        client.force_login(alice)
        page = client.get(reverse("mediation:notifications")).content.decode()
        assert page.index("新的") < page.index("旧的")
        assert "鲍勃的" not in page
        new_item = page.split("新的")[0].rsplit("<li", 1)[1]
        old_item = page.split("旧的")[0].rsplit("<li", 1)[1]
        assert "notification-unread" in new_item and "notification-unread" not in old_item

    def test_unread_only(self, client, alice):
        notify(alice, "已读的", read=True)
        notify(alice, "未读的")
        client.force_login(alice)
        page = client.get(reverse("mediation:notifications"), {"unread": "1"}).content.decode()
        assert "未读的" in page and "已读的" not in page

    def test_it_needs_a_login(self, client):
        response = client.get(reverse("mediation:notifications"))
        assert response.status_code == 302 and reverse("login") in response.url

    def test_it_pages(self, client, alice):
        Notification.objects.bulk_create([Notification(user=alice, title=f"第{i}条") for i in range(60)])
        client.force_login(alice)
        first = client.get(reverse("mediation:notifications"))
        url = f"{reverse('mediation:notifications')}?{first.context['next_query']}"
        second = client.get(url).content.decode()
        assert first.content.decode().count('id="notification-') == 50
        assert second.count('id="notification-') == 10
        # Created in one statement, so they tie on the time: the id breaks the tie and no row shows twice.
        shown = [n.pk for n in first.context["page"].rows] + [
            n.pk for n in client.get(url).context["page"].rows
        ]
        assert sorted(shown) == sorted(Notification.objects.filter(user=alice).values_list("pk", flat=True))

    def test_its_query_count_does_not_grow(self, client, alice, django_assert_max_num_queries):
        client.force_login(alice)
        url = reverse("mediation:notifications")
        notify(alice)
        client.get(url)
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        Notification.objects.bulk_create([Notification(user=alice, title=f"第{i}条") for i in range(80)])
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)

    def test_its_pages_stay_stable_when_notifications_arrive(self, client, alice):
        Notification.objects.bulk_create([Notification(user=alice, title=f"第{i}条") for i in range(60)])
        client.force_login(alice)
        first = client.get(reverse("mediation:notifications"))
        notify(alice, "新来的")
        second = client.get(f"{reverse('mediation:notifications')}?{first.context['next_query']}")
        assert len(second.context["page"].rows) == 10
        assert not {n.pk for n in first.context["page"].rows} & {n.pk for n in second.context["page"].rows}


class TestMarkRead:
    def test_one(self, client, alice):
        n = notify(alice)
        other = notify(alice, "另一条")
        client.force_login(alice)
        response = client.post(reverse("mediation:notification_read", args=[n.pk]))
        assert response.status_code == 302 and response.url == reverse("mediation:notifications")
        n.refresh_from_db()
        other.refresh_from_db()
        assert n.read_at is not None and other.read_at is None

    def test_read_stays_read_at_its_first_time(self, client, alice):
        n = notify(alice, read=True, minutes_ago=30)
        client.force_login(alice)
        client.post(reverse("mediation:notification_read", args=[n.pk]))
        assert Notification.objects.get(pk=n.pk).read_at == n.read_at

    def test_open_goes_to_its_link(self, client, alice):
        n = notify(alice, url="/disputes/1/")
        client.force_login(alice)
        response = client.post(reverse("mediation:notification_read", args=[n.pk]), {"open": "1"})
        assert response.url == "/disputes/1/"

    def test_it_never_redirects_off_site(self, client, alice):
        n = notify(alice, url="https://evil.example/")
        client.force_login(alice)
        response = client.post(
            reverse("mediation:notification_read", args=[n.pk]),
            {"open": "1", "next": "https://evil.example/"},
        )
        assert response.url == reverse("mediation:notifications")

    def test_another_users_notification_is_404(self, client, alice, bob):
        theirs = notify(bob, "鲍勃的")
        client.force_login(alice)
        assert client.post(reverse("mediation:notification_read", args=[theirs.pk])).status_code == 404
        assert Notification.objects.get(pk=theirs.pk).read_at is None

    def test_it_is_post_only(self, client, alice):
        n = notify(alice)
        client.force_login(alice)
        assert client.get(reverse("mediation:notification_read", args=[n.pk])).status_code == 405
        assert client.get(reverse("mediation:notifications_read_all")).status_code == 405
        assert Notification.objects.get(pk=n.pk).read_at is None

    def test_all_of_mine_and_none_of_theirs(self, client, alice, bob):
        for i in range(3):
            notify(alice, f"a{i}")
        theirs = notify(bob)
        client.force_login(alice)
        client.post(reverse("mediation:notifications_read_all"), {"next": reverse("home")})
        assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
        assert Notification.objects.get(pk=theirs.pk).read_at is None


class TestAcknowledge:
    def warning(self, user, subject, *, ack_due_at):
        (alert,) = raise_alert(
            subject,
            AlertKind.EARLY_WARNING,
            [Recipient(user=user)],
            title="红色预警",
            url="/disputes/1/",
            level=1,
            ack_due_at=ack_due_at,
            email=False,
        )
        return alert

    def test_a_warning_waiting_for_acknowledgment_has_the_button(self, client, alice, community_a):
        alert = self.warning(alice, community_a, ack_due_at=timezone.now() - dt.timedelta(hours=1))
        client.force_login(alice)
        page = client.get(reverse("mediation:notifications")).content.decode()
        assert f'action="{reverse("disputes:acknowledge_alert", args=[alert.pk])}"' in page
        assert "text-bg-danger" in page.split("红色预警")[1]  # late: past its acknowledgment time

    def test_an_acknowledged_warning_has_none(self, client, alice, community_a):
        alert = self.warning(alice, community_a, ack_due_at=timezone.now() + dt.timedelta(hours=4))
        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=timezone.now(), acknowledged_by=alice)
        client.force_login(alice)
        page = client.get(reverse("mediation:notifications")).content.decode()
        assert "/acknowledge/" not in page

    def test_without_the_acknowledge_view_the_button_is_left_out(self, client, alice, community_a):
        self.warning(alice, community_a, ack_due_at=timezone.now() + dt.timedelta(hours=4))
        client.force_login(alice)
        with mock.patch.object(views_notifications, "reverse", side_effect=NoReverseMatch):
            page = client.get(reverse("mediation:notifications")).content.decode()
        assert "红色预警" in page and "/acknowledge/" not in page
