"""The dispute pages through the browser: intake, the dispute page and its actions, the case file.

The whole closed loop is driven by real users with memberships, so the workflow's authority checks run.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from dadukou.kernel.personal_data import mask_id_number, mask_phone
from disputes.models import Agreement, Assignment, Dispute, Event, Party, Supervision
from tests.dispute_pages_world import client_for, id_number, intake_data, register

pytest_plugins = ["tests.dispute_pages_world"]

NUMBER = re.compile(r"^DDK-\d{4}-\d{6}$")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Users log in with force_login; a slow password hash only slows the fixtures down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def texts(response, level: str | None = None) -> list[str]:
    return [str(m) for m in response.context["messages"] if level is None or m.level_tag == level]


def post_action(user, dispute, name, version=None, **data):
    dispute.refresh_from_db()
    payload = {"version": dispute.version if version is None else version, **data}
    return client_for(user).post(reverse("disputes:action", args=[dispute.pk, name]), payload, follow=True)


def do(user, dispute, name, **data) -> Dispute:
    """Take an action through the browser as `user`; it must succeed and write exactly one Event."""
    events = Event.objects.filter(dispute=dispute).count()
    response = post_action(user, dispute, name, **data)
    assert response.status_code == 200 and response.redirect_chain, (name, texts(response))
    assert not texts(response, "error") and texts(response, "success"), (name, texts(response))
    dispute.refresh_from_db()
    new = list(Event.objects.filter(dispute=dispute).order_by("pk"))[events:]
    assert len(new) == 1 and new[0].actor == user, (name, [e.action for e in new])
    return dispute


def state(dispute) -> tuple:
    fresh = Dispute.objects.get(pk=dispute.pk)
    return fresh.status, fresh.version, Event.objects.filter(dispute=fresh).count()


def shown_actions(user, dispute) -> list[str]:
    response = client_for(user).get(reverse("disputes:detail", args=[dispute.pk]))
    assert response.status_code == 200
    return [form.action for form in response.context["action_forms"]]


# --- intake ------------------------------------------------------------------------------------------------


def test_intake_page_offers_only_visible_regions(page_world):
    response = client_for(page_world.alice).get(reverse("disputes:intake"))
    assert response.status_code == 200
    groups = dict(response.context["form"].fields["region"].choices[1:])
    assert list(groups) == ["新山村街道"]
    labels = [label for _pk, label in groups["新山村街道"]]
    assert labels == ["新山村街道 / 甲社区", "新山村街道 / 甲社区 / 甲社区第一网格"]
    content = response.content.decode()
    assert 'id="party-template"' in content


def test_intake_registers_a_numbered_dispute_with_its_parties(page_world):
    client = client_for(page_world.alice)
    response = client.post(reverse("disputes:intake"), intake_data(page_world), follow=True)
    dispute = Dispute.objects.get()
    assert NUMBER.match(dispute.number)
    assert response.redirect_chain[-1][0] == reverse("disputes:detail", args=[dispute.pk])
    assert any(dispute.number in m for m in texts(response))
    assert dispute.region == page_world.grid_a
    assert dispute.status == "registered"
    parties = list(dispute.parties.order_by("pk"))
    assert [p.name for p in parties] == ["张三", "重庆某某劳务有限公司"]
    assert parties[0].consents_to_mediation is True and parties[0].vulnerabilities == ["elderly"]
    assert parties[1].phone == "02368812345"
    assert Event.objects.filter(dispute=dispute, action="register").count() == 1


def test_intake_needs_the_register_permission(page_world, charlie):
    assert client_for(charlie).get(reverse("disputes:intake")).status_code == 403
    assert client_for(page_world.carol).get(reverse("disputes:intake")).status_code == 403


def _service_message(msgid: str, **params) -> str:
    with translation.override("zh-hans"):
        message = gettext(msgid) % params
    assert re.search(r"[\u4e00-\u9fff]", message), f"no Chinese translation for {msgid!r}"
    return message


def test_invalid_id_number_is_refused_in_chinese(page_world):
    bad = id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")
    response = client_for(page_world.alice).post(
        reverse("disputes:intake"), intake_data(page_world, **{"parties-0-id_number": bad})
    )
    assert response.status_code == 400
    expected = _service_message(
        "“%(value)s” is not a valid resident ID number (GB 11643): its check digit is wrong.", value=bad
    )
    assert expected in response.content.decode()
    assert not Dispute.objects.exists() and not Party.objects.exists()


def test_invalid_phone_is_refused(page_world):
    response = client_for(page_world.alice).post(
        reverse("disputes:intake"), intake_data(page_world, **{"parties-0-phone": "1381234"})
    )
    assert response.status_code == 400
    expected = _service_message(
        "“%(value)s” is too short for a phone number: a mobile has 11 digits, a landline its area code "
        "and 7 or 8 digits (023-68812345).",
        value="1381234",
    )
    assert expected in response.content.decode()
    assert not Dispute.objects.exists()


def test_service_errors_without_a_field_are_shown_on_the_form(page_world):
    # Only a respondent: the intake service wants an applicant.
    response = client_for(page_world.alice).post(
        reverse("disputes:intake"), intake_data(page_world, **{"parties-0-role": "respondent"})
    )
    assert response.status_code == 400
    assert _service_message("Register at least one applicant.") in response.content.decode()
    assert not Dispute.objects.exists()


def test_region_of_the_neighbour_community_is_refused(page_world):
    response = client_for(page_world.alice).post(
        reverse("disputes:intake"), intake_data(page_world, region=page_world.community_b.pk)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["region"]
    assert not Dispute.objects.exists()


# --- the closed loop through the browser ------------------------------------------------------------------


def test_the_full_loop_through_the_browser(page_world):
    w = page_world
    dispute = register(w)
    assert shown_actions(w.alice, dispute)[:1] == ["assess"]

    dispute = do(w.alice, dispute, "assess", complexity="general", note="情况清楚")
    assert dispute.status == "assessed"
    assert dispute.platform == w.platforms["a"]
    assert dispute.risk_grade is not None

    dispute = do(w.alice, dispute, "assign", to=f"unit-{w.rsj.pk}", note="请核实工资发放情况")
    assert dispute.status == "assigned"
    # The department it is addressed to may take it or give it back, re-assess the risk it finds (with a
    # reason), record a party's answer, or end the mediation on a refusal.
    assert shown_actions(w.dave, dispute) == [
        "reassess_risk",
        "accept",
        "return",
        "record_consent",
        "terminate",
    ]
    pending = Assignment.objects.get(dispute=dispute, status="pending")
    dispute = do(w.dave, dispute, "return", assignment=pending.pk, reason="属劳动关系调解，建议社区先行调解")
    assert dispute.status == "assessed"

    dispute = do(w.alice, dispute, "assign", to=f"org-{w.committee.pk}")
    dispute = do(w.alice, dispute, "reassign", to=f"org-{w.studio.pk}", reason="当事人申请王大姐工作室调解")
    assert dispute.status == "assigned"
    assert list(dispute.assignments.order_by("pk").values_list("status", flat=True)) == [
        "returned",
        "withdrawn",
        "pending",
    ]
    lead = Assignment.objects.get(dispute=dispute, status="pending")
    assert lead.to_organization == w.studio

    dispute = do(w.erin, dispute, "accept", assignment=lead.pk)
    assert dispute.status == "in_progress"
    dispute = do(w.erin, dispute, "notify_rights", note="书面告知并宣读")
    assert "notify_rights" not in shown_actions(w.erin, dispute)
    assert dispute.rights_notified_at is not None
    held = timezone.localtime() - dt.timedelta(hours=1)
    dispute = do(
        w.erin,
        dispute,
        "record_session",
        held_at=held.strftime("%Y-%m-%dT%H:%M"),
        mode="on_site",
        location="甲社区调解室",
        participants="张三；重庆某某劳务有限公司代表李四",
        minutes="双方确认欠薪金额，被申请人同意分两期支付。",
    )
    assert dispute.sessions.count() == 1

    today = timezone.localdate()
    dispute = do(
        w.erin,
        dispute,
        "record_outcome",
        outcome="success",
        agreement_form="written",
        facts="被申请人拖欠申请人工资一万二千元。",
        terms="被申请人于两周内分两期支付一万二千元。",
        performance_method="银行转账，分两期支付",
        performance_due_on=(today + dt.timedelta(days=14)).isoformat(),
        amount="12000",
        effective_on=today.isoformat(),
        signed_by_all="on",
        preventions=["civil_to_criminal"],
        note="调解成功",
    )
    assert dispute.status == "resolved"
    agreement = Agreement.objects.get(dispute=dispute)
    assert agreement.form == "written" and agreement.signed_by_all

    shown = shown_actions(w.erin, dispute)
    assert "apply_confirmation" in shown and "record_confirmation" not in shown
    dispute = do(
        w.erin,
        dispute,
        "apply_confirmation",
        applied_on=today.isoformat(),
        court="大渡口区人民法院",
        parties=[p.pk for p in dispute.parties.all()],
    )
    shown = shown_actions(w.erin, dispute)
    assert "record_confirmation" in shown and "apply_confirmation" not in shown
    dispute = do(w.erin, dispute, "record_confirmation", result="confirmed", decided_on=today.isoformat())
    agreement.refresh_from_db()
    assert agreement.confirmation_result == "confirmed"

    dispute = do(w.erin, dispute, "feedback", target="parties", channel="电话", content="已告知调解结果")
    assert dispute.status == "resolved"
    dispute = do(
        w.erin, dispute, "feedback", target="platform", channel="系统", content="已调解成功并司法确认"
    )
    assert dispute.status == "fed_back"
    dispute = do(
        w.erin,
        dispute,
        "follow_up",
        visited_on=today.isoformat(),
        satisfaction="satisfied",
        performance="performed",
        notes="款项已付清",
    )
    assert dispute.status == "fed_back"
    dispute = do(w.erin, dispute, "archive")
    assert dispute.status == "archived" and dispute.closed_at is not None

    actions = list(Event.objects.filter(dispute=dispute).order_by("pk").values_list("action", flat=True))
    assert actions == [
        "register",
        "assess",
        "assign",
        "return",
        "assign",
        "reassign",
        "accept",
        "notify_rights",
        "record_session",
        "record_outcome",
        "apply_confirmation",
        "record_confirmation",
        "feedback",
        "feedback",
        "follow_up",
        "archive",
    ]

    page = client_for(w.erin).get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert "被申请人于两周内分两期支付一万二千元。" in page
    casefile = client_for(w.alice).get(reverse("disputes:casefile", args=[dispute.pk]))
    assert casefile.status_code == 200
    body = casefile.content.decode()
    for text in (
        "双方确认欠薪金额",
        "银行转账，分两期支付",
        "大渡口区人民法院",
        "款项已付清",
        dispute.number,
    ):
        assert text in body


def _in_progress(world) -> Dispute:
    dispute = register(world)
    dispute = do(world.alice, dispute, "assess", complexity="general")
    dispute = do(world.alice, dispute, "assign", to=f"org-{world.studio.pk}")
    lead = Assignment.objects.get(dispute=dispute, status="pending")
    return do(world.erin, dispute, "accept", assignment=lead.pk)


def test_report_up_then_guidance_and_assessment_at_the_street(page_world):
    w = page_world
    dispute = _in_progress(w)
    dispute = do(w.alice, dispute, "report_up", reason="涉及多个部门，社区无法化解")
    assert dispute.status == "reported_up"
    assert dispute.platform == w.platforms["street"]
    assert not dispute.assignments.filter(status__in=["pending", "accepted"]).exists()

    assert "guide" in shown_actions(w.carol, dispute)
    client_for(w.carol).post(
        reverse("disputes:action", args=[dispute.pk, "guide"]), {"text": "请街道平台牵头，人力社保局配合"}
    )
    assert Event.objects.filter(dispute=dispute, action="guide", actor=w.carol).exists()

    # The street platform assesses what was reported to it: it stays at the street.
    dispute = do(w.grace, dispute, "assess", complexity="complex")
    assert dispute.status == "assessed"
    assert dispute.platform == w.platforms["street"]


def test_supervision_notice_and_written_answer(page_world):
    w = page_world
    dispute = _in_progress(w)
    assert "supervise" in shown_actions(w.carol, dispute)
    client_for(w.carol).post(
        reverse("disputes:action", args=[dispute.pk, "supervise"]),
        {"level": "3", "notice": "请三日内书面报告进展"},
    )
    supervision = Supervision.objects.get(dispute=dispute)
    assert supervision.issued_by == w.carol and not supervision.answered_at

    assert "answer_supervision" in shown_actions(w.erin, dispute)
    response = client_for(w.erin).post(
        reverse("disputes:action", args=[dispute.pk, "answer_supervision"]),
        {"supervision": supervision.pk, "answer": "已组织双方调解一次，预计本周内达成协议。"},
        follow=True,
    )
    supervision.refresh_from_db()
    assert supervision.answered_by == w.erin and supervision.answer.startswith("已组织")
    assert "预计本周内达成协议" in response.content.decode()


def test_set_leader_offers_the_supervisors_above(page_world):
    w = page_world
    dispute = do(w.alice, register(w), "assess", complexity="general")
    response = client_for(w.alice).get(reverse("disputes:detail", args=[dispute.pk]))
    form = next(f for f in response.context["action_forms"] if f.action == "set_leader")
    assert list(form.fields["leader"].queryset) == [w.carol]
    dispute = do(w.alice, dispute, "set_leader", leader=w.carol.pk)
    assert dispute.leader == w.carol


def test_related_disputes_of_the_same_person_are_shown_when_visible(page_world):
    w = page_world
    first = register(w, title="第一次纠纷")
    hidden = register(w, user=w.bob, region=w.community_b.pk, title="乙社区的纠纷")
    second = register(w, title="第二次纠纷")
    response = client_for(w.alice).get(reverse("disputes:detail", args=[second.pk]))
    assert [d.pk for d in response.context["related"]] == [first.pk]
    assert hidden.pk not in [d.pk for d in response.context["duplicates"]]
    assert first.pk in [d.pk for d in response.context["duplicates"]]
    assert "第一次纠纷" in response.content.decode() and "乙社区的纠纷" not in response.content.decode()


def test_a_related_dispute_is_linked_without_merging(page_world):
    w = page_world
    first = register(w, title="一方报告的纠纷")
    second = register(w, title="另一方报告的纠纷")
    hidden = register(w, user=w.bob, region=w.community_b.pk, title="乙社区的纠纷")
    assert "link" in shown_actions(w.alice, second)
    second = do(w.alice, second, "link", other=first.number, note="同一纠纷的双方")
    assert list(second.linked.all()) == [first] and second.status == first.status == "registered"
    assert Event.objects.filter(dispute=first, action="link").count() == 1
    response = post_action(w.alice, second, "link", other=hidden.number)
    assert not second.linked.filter(pk=hidden.pk).exists() and response.status_code in (200, 400)


# --- refusals ---------------------------------------------------------------------------------------------


def test_only_allowed_actions_are_shown(page_world):
    w = page_world
    dispute = register(w)
    assert "assess" in shown_actions(w.alice, dispute)
    assert shown_actions(w.carol, dispute) == []  # a supervisor cannot assess a registered dispute
    assert "accept" not in shown_actions(w.alice, dispute)


def test_a_forbidden_action_posted_directly_changes_nothing(page_world):
    w = page_world
    dispute = _in_progress(w)
    before = state(dispute)
    forbidden = _service_message("You may not take this action on this dispute.")
    # erin handles the dispute but may not reassign it (the controlling platform's action) ...
    response = post_action(w.erin, dispute, "reassign", to=f"org-{w.studio.pk}", reason="换人")
    assert texts(response, "error") == [forbidden]
    assert state(dispute) == before
    # ... and alice controls it, but does not mediate it.
    response = post_action(
        w.alice,
        dispute,
        "record_session",
        held_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        mode="phone",
        participants="张三",
        minutes="……",
    )
    assert texts(response, "error") == [forbidden]
    assert state(dispute) == before
    # An action the status does not allow is refused by the transition table.
    response = post_action(w.alice, dispute, "assess", complexity="simple")
    assert response.status_code == 400 and texts(response, "error")
    assert state(dispute) == before


def test_a_stale_version_gets_the_conflict_message(page_world):
    w = page_world
    dispute = register(w)
    stale = dispute.version
    do(w.alice, dispute, "assess", complexity="general")
    before = state(dispute)
    response = post_action(w.alice, dispute, "void", version=stale, reason="重复登记")
    expected = _service_message(
        "Someone else changed this dispute in the meantime. Reload the page and try again."
    )
    assert expected in texts(response)
    assert state(dispute) == before


def test_a_refused_action_keeps_the_input(page_world):
    w = page_world
    dispute = _in_progress(w)
    before = state(dispute)
    # No rights notice yet: the session is refused, the minutes stay in the form.
    response = client_for(w.erin).post(
        reverse("disputes:action", args=[dispute.pk, "record_session"]),
        {
            "version": dispute.version,
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "mode": "phone",
            "participants": "张三",
            "minutes": "很长的调解笔录",
        },
    )
    assert response.status_code == 400
    assert "很长的调解笔录" in response.content.decode()
    assert state(dispute) == before


def test_the_neighbour_sees_nothing(page_world):
    w = page_world
    dispute = register(w)
    bob = client_for(w.bob)
    assert bob.get(reverse("disputes:detail", args=[dispute.pk])).status_code == 404
    assert bob.get(reverse("disputes:casefile", args=[dispute.pk])).status_code == 404
    response = bob.post(
        reverse("disputes:action", args=[dispute.pk, "void"]), {"version": dispute.version, "reason": "x"}
    )
    assert response.status_code == 404
    assert state(dispute)[0] == "registered"


# --- personal data ----------------------------------------------------------------------------------------


def test_personal_data_is_masked_by_default(page_world):
    w = page_world
    dispute = register(w)
    full = id_number(1)
    for name in ("disputes:detail", "disputes:casefile"):
        body = client_for(w.alice).get(reverse(name, args=[dispute.pk])).content.decode()
        assert full not in body and "13812345678" not in body
        assert mask_id_number(full) in body and "138****5678" in body
    # Asking without the permission shows nothing more and logs nothing.
    response = client_for(w.alice).get(
        reverse("disputes:detail", args=[dispute.pk]), {"unmask": "1", "reason": "好奇"}
    )
    assert full not in response.content.decode()
    assert not Event.objects.filter(dispute=dispute, action="view_personal_data").exists()


def test_unmasked_view_needs_the_permission_and_a_reason_and_is_logged(page_world):
    w = page_world
    dispute = register(w)
    full = id_number(1)
    olga = client_for(w.olga)
    assert full not in olga.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()

    no_reason = olga.get(reverse("disputes:detail", args=[dispute.pk]), {"unmask": "1", "reason": " "})
    assert full not in no_reason.content.decode()
    assert not Event.objects.filter(dispute=dispute, action="view_personal_data").exists()

    response = olga.get(reverse("disputes:detail", args=[dispute.pk]), {"unmask": "1", "reason": "审计抽查"})
    body = response.content.decode()
    assert full in body and "13812345678" in body
    printed = olga.get(reverse("disputes:casefile", args=[dispute.pk]), {"unmask": "1", "reason": "打印卷宗"})
    assert full in printed.content.decode()
    logged = list(Event.objects.filter(dispute=dispute, action="view_personal_data").order_by("pk"))
    assert [(e.actor, e.note, e.after["where"]) for e in logged] == [
        (w.olga, "审计抽查", "detail"),
        (w.olga, "打印卷宗", "casefile"),
    ]


def test_mask_helpers():
    assert mask_id_number("50010419800101123X") == "5001**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


# --- query counts -----------------------------------------------------------------------------------------


def _grow(world, dispute, n: int):
    """Add n parties, n events and n co-handler assignments to a dispute in progress."""
    lead = Assignment.objects.get(dispute=dispute, status="accepted", role="lead")
    for i in range(n):
        Party.objects.create(
            dispute=dispute,
            role="third_party",
            name=f"第三人{i}",
            id_number=id_number(100 + i),
            phone="13900000000",
        )
        Event.objects.create(dispute=dispute, action="guide", actor=world.carol, note=f"指导{i}")
        Assignment.objects.create(
            dispute=dispute,
            from_platform=lead.from_platform,
            to_organization=world.committee,
            role="co_handler",
            status="accepted",
            limit_days=7,
            day_type="working",
            accept_due_at=lead.accept_due_at,
            due_at=lead.due_at,
            assigned_by=world.alice,
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["disputes:detail", "disputes:casefile"])
def test_query_count_does_not_grow_with_the_record(page_world, name, django_assert_max_num_queries):
    w = page_world
    dispute = _in_progress(w)
    url = reverse(name, args=[dispute.pk])
    for user in (w.erin, w.alice):
        client = client_for(user)
        client.get(url)  # warm the content-type and permission caches
        small = _count(client, url)
        _grow(w, dispute, 5)
        large = _count(client, url)
        assert large == small, f"{name} as {user}: {small} → {large} queries"
    client = client_for(w.erin)
    with django_assert_max_num_queries(40 if name == "disputes:detail" else 22):
        client.get(url)
