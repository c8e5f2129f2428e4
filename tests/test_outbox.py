"""The outbox: delivery by channel, retries with backoff, dead letters, no double send; the SMS gateway adapter
against a local fake gateway; the admin's "retry now"; the operations page."""

from __future__ import annotations

import datetime as dt
import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from mediation import periodic, sms
from mediation.choices import Role
from mediation.models import OutboxMessage, TaskRun, Unit
from mediation.services import operations, outbox
from mediation.services.alerts import Recipient, raise_alert
from mediation.services.memberships import grant

pytest_plugins = ["tests.fake_sms_server"]

T0 = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
GATEWAY = "mediation.sms.HttpGatewayBackend"


def message(channel="email", recipient="alice@example.org", n=1, **extra) -> OutboxMessage:
    values = {
        "channel": channel,
        "recipient": recipient,
        "subject": "预警：DDK-2025-000001",
        "body": "请及时签收。",
        "dedupe_key": f"test:{channel}:{recipient}:{n}",
        "next_attempt_at": T0,
    } | extra
    return OutboxMessage.objects.create(**values)


def fresh(m: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=m.pk)


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "大调解平台 <noreply@ddk.example>"


@pytest.fixture
def gateway(settings, fake_sms):
    settings.SMS_BACKEND = GATEWAY
    settings.SMS_GATEWAY_URL = fake_sms.url
    settings.SMS_GATEWAY_TOKEN = "s3cret-token"
    return fake_sms


class TestBackoff:
    def test_it_doubles_from_one_minute(self):
        assert [outbox.backoff(n) for n in range(4)] == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]

    def test_it_is_capped_at_six_hours(self):
        assert outbox.backoff(9) == dt.timedelta(hours=6)
        assert outbox.backoff(500) == dt.timedelta(hours=6)


@pytest.mark.django_db
class TestEmail:
    def test_it_is_sent_with_the_project_sender(self):
        m = message()
        assert outbox.deliver_due(now=T0) == 1
        assert len(mail.outbox) == 1
        sent = mail.outbox[0]
        assert sent.to == ["alice@example.org"]
        assert sent.from_email == "大调解平台 <noreply@ddk.example>"
        assert sent.subject == "预警：DDK-2025-000001"
        assert sent.body == "请及时签收。"
        m = fresh(m)
        assert (m.status, m.sent_at, m.attempts, m.last_error) == ("sent", T0, 0, "")

    def test_a_message_not_due_yet_waits(self):
        m = message(next_attempt_at=T0 + MINUTE)
        assert outbox.deliver_due(now=T0) == 0
        assert mail.outbox == []
        assert fresh(m).status == "pending"
        assert outbox.deliver_due(now=T0 + MINUTE) == 1

    def test_a_sent_message_is_never_sent_again(self):
        m = message()
        outbox.deliver_due(now=T0)
        assert outbox.deliver_due(now=T0 + dt.timedelta(days=1)) == 0
        # Even asked directly (a deliverer that listed it before it was sent): the claim re-checks the row.
        assert outbox.deliver_one(m.pk, now=T0 + dt.timedelta(days=1)) is False
        assert len(mail.outbox) == 1

    def test_a_raised_alert_reaches_the_mailbox_through_the_job(self, make_user, district):
        user = make_user("zhang", email="zhang@example.org")
        raise_alert(district, "overdue", [Recipient(user=user)], title="超期提醒", body="纠纷已超期。")
        record = periodic.run("deliver_outbox")
        assert (record.outcome, record.processed) == ("ok", 1)
        assert [m.to for m in mail.outbox] == [["zhang@example.org"]]
        assert OutboxMessage.objects.get().status == "sent"

    def test_many_messages_go_out_in_keyset_batches(self, django_assert_max_num_queries):
        for n in range(25):
            message(recipient=f"u{n}@example.org", n=n, next_attempt_at=T0 - n * MINUTE)
        assert outbox.deliver_due(now=T0, batch_size=10) == 25
        assert len(mail.outbox) == 25
        assert not OutboxMessage.objects.filter(status="pending").exists()


@pytest.mark.django_db
class TestRetries:
    def test_a_failure_is_recorded_and_retried_with_backoff(self, gateway):
        gateway.fail_times = 2
        m = message("sms", "13812345678")

        assert outbox.deliver_due(now=T0) == 0
        m = fresh(m)
        assert (m.status, m.attempts, m.next_attempt_at) == ("pending", 1, T0 + MINUTE)
        assert "HTTP 500" in m.last_error

        assert outbox.deliver_due(now=T0 + 30 * dt.timedelta(seconds=1)) == 0  # not due yet
        assert len(gateway.requests) == 1

        outbox.deliver_due(now=T0 + MINUTE)
        m = fresh(m)
        assert (m.attempts, m.next_attempt_at) == (2, T0 + MINUTE + 2 * MINUTE)

        assert outbox.deliver_due(now=T0 + 3 * MINUTE) == 1
        m = fresh(m)
        assert (m.status, m.sent_at, m.last_error) == ("sent", T0 + 3 * MINUTE, "")
        assert len(gateway.requests) == 3

    def test_after_eight_failures_it_is_dead_and_kept(self, gateway):
        gateway.fail_times = 1000
        m = message("sms", "13812345678")
        now = T0
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            outbox.deliver_due(now=now)
            m = fresh(m)
            assert m.attempts == attempt
            now = m.next_attempt_at
        assert m.status == "dead"
        assert "HTTP 500" in m.last_error
        # Dead is final until an admin retries it: nothing more is sent, and the row stays.
        outbox.deliver_due(now=T0 + dt.timedelta(days=30))
        assert len(gateway.requests) == outbox.MAX_ATTEMPTS
        assert fresh(m).status == "dead"
        assert outbox.backlog(T0)["dead"] == 1

    def test_an_unknown_channel_is_a_recorded_failure(self):
        m = message("fax")
        outbox.deliver_due(now=T0)
        m = fresh(m)
        assert (m.status, m.attempts) == ("pending", 1)
        assert "unknown channel" in m.last_error

    def test_retry_now_revives_dead_messages_with_fresh_attempts(self):
        dead = message(n=1, status="dead", attempts=8, last_error="boom")
        waiting = message(n=2, attempts=3, next_attempt_at=T0 + dt.timedelta(hours=1))
        sent = message(n=3, status="sent", sent_at=T0)
        assert outbox.retry_now(OutboxMessage.objects.all(), now=T0) == 2
        assert (fresh(dead).status, fresh(dead).attempts, fresh(dead).next_attempt_at) == ("pending", 0, T0)
        assert (fresh(waiting).attempts, fresh(waiting).next_attempt_at) == (3, T0)
        assert fresh(sent).status == "sent"


@pytest.mark.django_db
class TestSmsGateway:
    def test_it_posts_to_and_text_with_the_bearer_token(self, gateway):
        m = message("sms", "13812345678")
        assert outbox.deliver_due(now=T0) == 1
        (request,) = gateway.requests
        assert request.path == "/send"
        assert request.headers["Authorization"] == "Bearer s3cret-token"
        assert request.headers["Content-Type"].startswith("application/json")
        assert request.body == {"to": "13812345678", "text": "预警：DDK-2025-000001：请及时签收。"}
        assert fresh(m).status == "sent"

    def test_the_adapter_returns_the_gateway_id(self, fake_sms):
        backend = sms.HttpGatewayBackend(url=fake_sms.url, token="t")
        assert backend.send("13812345678", "你好") == "sms-1"

    def test_a_non_2xx_answer_raises(self, make_fake_sms):
        server = make_fake_sms(fail_times=1, fail_status=403)
        with pytest.raises(sms.DeliveryError, match="HTTP 403"):
            sms.HttpGatewayBackend(url=server.url, token="t").send("13812345678", "你好")

    def test_an_unreachable_gateway_raises(self, make_fake_sms):
        server = make_fake_sms()
        url = server.url
        server.stop()
        with pytest.raises(sms.DeliveryError, match="unreachable"):
            sms.HttpGatewayBackend(url=url, token="t", timeout=2).send("13812345678", "你好")

    def test_without_a_url_it_refuses(self, settings):
        settings.SMS_GATEWAY_URL = ""
        with pytest.raises(sms.DeliveryError):
            sms.HttpGatewayBackend().send("13812345678", "你好")

    def test_the_default_backend_logs_and_succeeds(self, settings, caplog):
        assert settings.SMS_BACKEND == "mediation.sms.LoggingBackend"
        m = message("sms", "13812345678")
        with caplog.at_level("INFO", logger="mediation.sms"):
            assert outbox.deliver_due(now=T0) == 1
        assert "13812345678" in caplog.text
        assert fresh(m).status == "sent"

    def test_a_webhook_posts_the_payload(self, fake_sms):
        m = message("webhook", fake_sms.url, payload={"event": "alert", "number": "DDK-2025-000001"})
        assert outbox.deliver_due(now=T0) == 1
        assert fake_sms.requests[0].body == {"event": "alert", "number": "DDK-2025-000001"}
        assert fresh(m).status == "sent"


class SlowRecordingBackend(sms.BaseSmsBackend):
    """Takes a while per message, so two deliverers overlap; records every send."""

    sent: list = []
    lock = threading.Lock()

    def send(self, phone, text):
        time.sleep(0.02)
        with self.lock:
            self.sent.append(phone)
        return phone


@pytest.mark.django_db(transaction=True)
def test_two_deliverers_at_once_send_each_message_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's")
    settings.SMS_BACKEND = f"{__name__}.SlowRecordingBackend"
    SlowRecordingBackend.sent = []
    for n in range(30):
        message("sms", f"1381234{n:04d}", n=n)
    start = threading.Barrier(2)
    counts = []

    def deliverer():
        try:
            start.wait()
            counts.append(outbox.deliver_due(now=T0, batch_size=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(SlowRecordingBackend.sent) == sorted(f"1381234{n:04d}" for n in range(30))
    assert sum(counts) == 30
    assert min(counts) > 0, "both deliverers took part"
    assert OutboxMessage.objects.filter(status="sent").count() == 30


@pytest.mark.django_db
class TestAdmin:
    @pytest.fixture
    def admin_client(self, client, make_user):
        client.force_login(make_user("root", is_staff=True, is_superuser=True))
        return client

    def test_the_list_filters_by_status_and_channel(self, admin_client):
        message(n=1, status="dead", last_error="HTTP 500")
        message("sms", "13812345678", n=2)
        url = reverse("admin:mediation_outboxmessage_changelist")
        page = admin_client.get(url, {"status__exact": "dead"}).content.decode()
        assert "alice@example.org" in page and "13812345678" not in page
        assert admin_client.get(url, {"channel__exact": "sms"}).status_code == 200

    def test_retry_now_action(self, admin_client):
        dead = message(status="dead", attempts=8)
        response = admin_client.post(
            reverse("admin:mediation_outboxmessage_changelist"),
            {"action": "retry_now", "_selected_action": [dead.pk]},
        )
        assert response.status_code == 302
        assert (fresh(dead).status, fresh(dead).attempts) == ("pending", 0)

    def test_alerts_and_notifications_are_read_only(self, admin_client, district):
        assert admin_client.get(reverse("admin:mediation_alert_changelist")).status_code == 200
        assert admin_client.get(reverse("admin:mediation_notification_changelist")).status_code == 200
        assert admin_client.get(reverse("admin:mediation_alert_add")).status_code == 403


# --- the operations page ------------------------------------------------------------------------------------


@pytest.fixture
def olga(make_user, reference):
    """The grand-mediation office's administrator (not Django staff)."""
    user = make_user("olga")
    grant(user, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    return user


def run_record(name, outcome="ok", minutes_ago=0, processed=0, detail=""):
    record = TaskRun.objects.create(name=name, outcome=outcome, processed=processed, detail=detail)
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    TaskRun.objects.filter(pk=record.pk).update(
        started_at=started, finished_at=started + dt.timedelta(seconds=2)
    )
    return record


@pytest.mark.django_db
class TestOperationsPage:
    def test_it_is_for_the_office_and_staff_only(self, client, olga, alice, charlie, make_user):
        url = reverse("mediation:operations")
        for user, status in [
            (charlie, 403),
            (alice, 403),
            (olga, 200),
            (make_user("ops", is_staff=True), 200),
        ]:
            client.force_login(user)
            assert client.get(url).status_code == status, user
        for user in (charlie, alice):
            client.force_login(user)
            with mock.patch("mediation.views.operations.run_periodic.delay") as delay:
                response = client.post(reverse("mediation:operations_run"), {"name": "deliver_outbox"})
            assert response.status_code == 403
            delay.assert_not_called()

    def test_the_menu_shows_it_to_the_office(self, client, olga, alice):
        client.force_login(olga)
        assert reverse("mediation:operations") in client.get(reverse("home")).content.decode()
        client.force_login(alice)
        assert reverse("mediation:operations") not in client.get(reverse("home")).content.decode()

    def test_it_shows_the_schedule_last_runs_errors_and_backlog(self, client, olga):
        run_record("deliver_outbox", "ok", minutes_ago=5, processed=3)
        run_record("deliver_outbox", "error", minutes_ago=1, detail="Traceback: gateway down")
        run_record("weekly_reports", "ok", minutes_ago=60, processed=34)
        message(n=1)
        OutboxMessage.objects.filter(pk=message(n=2).pk).update(
            created_at=timezone.now() - dt.timedelta(hours=2)
        )
        message(n=3, status="dead", attempts=8, last_error="HTTP 500 from gateway")
        client.force_login(olga)
        page = client.get(reverse("mediation:operations")).content.decode()
        # The beat schedule, with each job's crontab.
        assert 'id="job-deliver_outbox"' in page and 'id="job-annual_reports"' in page
        assert "<code>0 1 * * mon</code>" in page
        # The latest run of each job: deliver_outbox's is the failed one.
        row = page.split('id="job-deliver_outbox"')[1].split("</tr>")[0]
        assert "text-bg-danger" in row
        assert "Traceback: gateway down" in page
        assert "HTTP 500 from gateway" in page
        backlog = page.split('id="outbox-backlog"')[1].split("</dl>")[0]
        admin = reverse("admin:mediation_outboxmessage_changelist")
        assert f'{admin}?status__exact=pending">2</a>' in backlog
        assert f'{admin}?status__exact=dead"' in backlog and ">1</a>" in backlog

    def test_a_scheduled_task_that_is_no_job_has_no_run_button(self, client, olga, settings):
        settings.CELERY_BEAT_SCHEDULE = settings.CELERY_BEAT_SCHEDULE | {
            "cleanup": {"task": "celery.backend_cleanup", "schedule": 3600.0}
        }
        client.force_login(olga)
        page = client.get(reverse("mediation:operations"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        row = page.split('id="job-celery.backend_cleanup"')[1].split("</tr>")[0]
        assert "every 3600 s" in row and "operations/run/" not in row
        assert "expires after 180 d" in page  # the annual reports' entry, in whole days

    def test_latest_runs_cost_one_query_however_long_the_history(self, django_assert_num_queries):
        for n in range(30):
            run_record("deliver_outbox", minutes_ago=n)
            run_record("weekly_reports", minutes_ago=n * 7)
        with django_assert_num_queries(1):
            latest = operations.latest_runs(["deliver_outbox", "weekly_reports", "never_ran"])
        assert set(latest) == {"deliver_outbox", "weekly_reports"}
        newest = TaskRun.objects.filter(name="deliver_outbox").order_by("-started_at").first()
        assert latest["deliver_outbox"].pk == newest.pk

    def test_run_now_queues_the_job(self, client, olga):
        client.force_login(olga)
        with mock.patch("mediation.views.operations.run_periodic.delay") as delay:
            response = client.post(reverse("mediation:operations_run"), {"name": "weekly_reports"})
        delay.assert_called_once_with("weekly_reports")
        assert response.status_code == 302

    def test_with_the_broker_down_it_says_so_and_offers_to_run_here(self, client, olga):
        client.force_login(olga)
        with mock.patch(
            "mediation.views.operations.run_periodic.delay",
            side_effect=OperationalError("Connection refused"),
        ):
            response = client.post(
                reverse("mediation:operations_run"), {"name": "prune_task_runs"}, follow=True
            )
        page = response.content.decode()
        assert "offer_sync=prune_task_runs" in response.redirect_chain[-1][0]
        assert 'name="sync" value="1"' in page
        response = client.post(reverse("mediation:operations_run"), {"name": "prune_task_runs", "sync": "1"})
        assert response.status_code == 302
        assert TaskRun.objects.get(name="prune_task_runs").outcome == "ok"

    def test_an_unknown_job_is_404(self, client, olga):
        client.force_login(olga)
        assert client.post(reverse("mediation:operations_run"), {"name": "rm -rf"}).status_code == 404
        assert client.get(reverse("mediation:operations_run")).status_code == 405

    def test_pruning_keeps_recent_runs_errors_and_each_latest(self):
        now = timezone.now()
        old_ok = run_record("deliver_outbox", minutes_ago=60 * 24 * 40)
        old_error = run_record("deliver_outbox", "error", minutes_ago=60 * 24 * 40)
        ancient_error = run_record("deliver_outbox", "error", minutes_ago=60 * 24 * 100)
        recent = run_record("deliver_outbox", minutes_ago=5)
        lone_old = run_record("annual_reports", minutes_ago=60 * 24 * 300)
        assert operations.prune_runs(now) == 2
        kept = set(TaskRun.objects.values_list("pk", flat=True))
        assert kept == {old_error.pk, recent.pk, lone_old.pk}
        assert old_ok.pk not in kept and ancient_error.pk not in kept
