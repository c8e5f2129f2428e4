"""Plays a demo case (disputes/demo/cases.py) through the workflow services, as the demo account whose job
each step is, on a simulated clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from disputes.choices import (
    AgreementForm,
    ConfirmationResult,
    FailureGuidance,
    FeedbackTarget,
    PartyKind,
    PartyRole,
    Performance,
    Satisfaction,
    SessionMode,
    SupervisionLevel,
)
from disputes.demo.cases import C1, STAGES, STREET, Case
from disputes.services import workflow
from disputes.services.intake import DisputeData, PartyData, register
from mediation.demo.common import clock, credit_code, id_number

DISTRICT_DISPATCHER = ("district_dispatcher", "周坐席")
_MOBILE = [
    "138",
    "139",
    "135",
    "136",
    "150",
    "151",
    "158",
    "159",
    "180",
    "182",
    "187",
    "189",
    "133",
    "177",
    "199",
]


# --- people ---------------------------------------------------------------------------------------------------


def _id_number(n: int) -> str:
    birth = dt.date(1952 + (n * 7) % 48, 1 + (n * 5) % 12, 1 + (n * 11) % 28)
    return id_number(birth, (n * 37) % 999 + 1)


def parties_of(case: Case, registry: dict) -> list[PartyData]:
    """The same name gets the same ID number in every case, so repeat disputes show as related."""
    parties = []
    for name, role, kind, *extra in case.parties:
        n = registry.setdefault(name, len(registry) + 1)
        person = kind == PartyKind.PERSON
        parties.append(
            PartyData(
                name=name,
                role=role,
                kind=kind,
                id_number=_id_number(n) if person else credit_code(n),
                phone=f"{_MOBILE[n % len(_MOBILE)]}{(n * 7919) % 10**8:08d}" if person else f"023-688{n:05d}",
                consents_to_mediation=True,
                vulnerabilities=list(extra),
            )
        )
    return parties


# --- the cast ---------------------------------------------------------------------------------------------------


class Cast:
    """The demo accounts, and who controls or handles what."""

    def __init__(self):
        from disputes.models import Category
        from mediation.models import MediationOrganization, Region, Unit

        User = get_user_model()
        self.users = {
            u.username: u for u in User.objects.filter(username__in=[*ACCOUNTS, DISTRICT_DISPATCHER[0]])
        }
        self.street_path = Region.objects.get(code=STREET).path
        self.units = {u.code: u for u in Unit.objects.all()}
        self.categories = {c.code: c for c in Category.objects.all()}
        self.regions = {r.code: r for r in Region.objects.filter(is_demo=True)}
        self.organizations = MediationOrganization.objects.select_related("region")

    def __getitem__(self, username):
        return self.users[username]

    def controller(self, dispute):
        """The dispatcher of the platform in control (新山村街道's, or the district's for everything else)."""
        path = dispute.platform.region.path if dispute.platform_id else dispute.region_path
        return self["dispatcher" if path.startswith(self.street_path) else DISTRICT_DISPATCHER[0]]

    def handler(self, assignment):
        if assignment.to_unit_id:
            return self["liaison"] if assignment.to_unit.code == "rsj" else None
        return self["mediator"] if assignment.to_organization.region.code == C1 else None

    def local_organization(self, region):
        """Where a community's disputes are mediated: its committee, else its platform."""
        from mediation.choices import OrganizationKind

        community = region.parent if region.level == 5 else region
        found = {o.kind: o for o in self.organizations.filter(region=community)}
        return found.get(OrganizationKind.COMMUNITY_COMMITTEE) or found[OrganizationKind.PLATFORM]

    def target(self, code, dispute):
        return self.units[code] if code else self.local_organization(dispute.region)


ACCOUNTS = ["grid_worker", "mediator", "dispatcher", "liaison", "supervisor", "api_client"]


# --- one story --------------------------------------------------------------------------------------------------


class Story:
    """Plays one Case through the workflow services, step by step, each step at its simulated time."""

    def __init__(self, case: Case, cast: Cast, parties: list[PartyData]):
        self.case, self.cast, self.parties, self.dispute = case, cast, parties, None
        self.more = case.more

    def do(self, action, user, *, versioned=True, **kwargs):
        from disputes.models import Dispute

        current = Dispute.objects.get(pk=self.dispute.pk)
        if versioned:
            kwargs["version"] = current.version
        self.dispute = action(current.pk, user, **kwargs)

    def reached(self, stage: str) -> bool:
        return STAGES.index(self.case.stage) >= STAGES.index(stage)

    @property
    def controller(self):
        return self.cast.controller(self.dispute)

    @property
    def handler(self):
        lead = self.dispute.lead_assignment or self.dispute.assignments.filter(role="lead").last()
        user = self.cast.handler(lead)
        if user is None:
            raise ValueError(f"{self.case.key}: nobody in the demo handles {lead.target}")
        return user

    # The steps, with the hours each takes after the one before. The script is laid out before it is played
    # (to fit it between the case's first day and now), so it decides from the case, never from the dispute.
    def script(self):
        case, more = self.case, self.more
        yield 0, self.register
        if "merge_into" in more:
            yield 2, self.merge
            return
        if "void" in more:
            yield 3, lambda: self.do(workflow.void, self.controller, reason=more["void"])
            return
        if not self.reached("assessed"):
            return
        yield 3, self.assess
        if "report_up" in more:
            yield 20, lambda: self.do(workflow.report_up, self.controller, reason=more["report_up"])
            return
        if "returned" in more:
            yield 1, lambda: self.do(workflow.assign, self.controller, to=self.cast.units[case.to])
            yield 20, self.give_back
        if not self.reached("assigned"):
            return
        yield from self.assignment()
        if not self.reached("accepted"):
            return
        yield 16, self.accept
        if "guide" in more:
            yield (
                20,
                lambda: self.do(workflow.guide, self.cast["supervisor"], versioned=False, text=more["guide"]),
            )
        if not self.reached("notified"):
            return
        yield 20, lambda: self.do(workflow.notify_rights, self.handler, note="书面告知当事人调解的权利和义务")
        if not self.reached("session"):
            return
        for n in range(more.get("sessions", 1)):
            yield 30 + 18 * n, self.session
        if "extend" in more:
            yield 24, self.extend
        if "supervise" in more:
            yield from self.supervision()
        if not self.reached("concluded"):
            return
        yield 6, self.outcome
        yield from self.agreement_follow_through()
        if not self.reached("fed_back"):
            return
        yield 20, lambda: self.feedback(FeedbackTarget.PARTIES, "电话", "已将调解结果告知双方当事人。")
        yield 3, lambda: self.feedback(FeedbackTarget.PLATFORM, "系统", "已办结，调解结果已反馈交办平台。")
        if "remediate" in more:
            yield 24 * 7, self.remediate
            return
        if not self.reached("archived"):
            return
        if self.more.get("outcome") not in FailureGuidance.values:
            yield 24 * 7, self.follow_up
        yield 6, lambda: self.do(workflow.archive, self.handler)
        if "reopen" in more:
            yield 72, lambda: self.do(workflow.reopen, self.cast["supervisor"], reason=more["reopen"])

    def assignment(self):
        case, more = self.case, self.more
        if "reassigned" in more:
            first, reason = more["reassigned"]
            yield 1, lambda: self.do(workflow.assign, self.controller, to=self.cast.units[first])
            yield (
                22,
                lambda: self.do(
                    workflow.reassign,
                    self.controller,
                    to=self.cast.target(case.to, self.dispute),
                    reason=reason,
                ),
            )
        else:
            yield (
                1,
                lambda: self.do(
                    workflow.assign,
                    self.controller,
                    to=self.cast.target("" if "returned" in more else case.to, self.dispute),
                    co_handlers=[self.cast.units[c] for c in case.co],
                    note="请按时限受理并组织调解。",
                ),
            )
        if "supervise" in more and not self.reached("accepted"):
            yield from self.supervision()

    def supervision(self):
        notice, answer = self.more["supervise"]
        yield (
            30,
            lambda: self.do(
                workflow.supervise,
                self.cast["supervisor"],
                versioned=False,
                level=SupervisionLevel.SUPERVISE,
                notice=notice,
            ),
        )
        if answer:
            yield (
                20,
                lambda: self.do(
                    workflow.answer_supervision,
                    self.handler,
                    versioned=False,
                    supervision_id=self.dispute.supervisions.latest("pk").pk,
                    answer=answer,
                ),
            )

    def agreement_follow_through(self):
        more = self.more
        if more.get("confirmation"):
            yield (
                48,
                lambda: self.do(
                    workflow.apply_confirmation,
                    self.handler,
                    applied_on=timezone.localdate(),
                    court="重庆市大渡口区人民法院",
                    party_ids=[p.pk for p in self.dispute.parties.all()],
                ),
            )
        if more.get("confirmation") in ("confirmed", "rejected"):
            yield (
                96,
                lambda: self.do(
                    workflow.record_confirmation,
                    self.handler,
                    result=ConfirmationResult(more["confirmation"]),
                    decided_on=timezone.localdate(),
                ),
            )
        if more.get("notarized"):
            yield (
                72,
                lambda: self.do(
                    workflow.record_notarization,
                    self.handler,
                    notarized_on=timezone.localdate(),
                    office="重庆市大渡口区公证处",
                ),
            )
        if more.get("performance"):
            yield (
                24 * 10,
                lambda: self.do(
                    workflow.record_performance,
                    self.handler,
                    performance=more["performance"],
                    note="已核实履行情况",
                ),
            )

    # --- the steps themselves ---------------------------------------------------------------------------------

    def register(self):
        case = self.case
        data = DisputeData(
            category=self.cast.categories[case.category],
            source=case.source,
            region=self.cast.regions[case.region],
            address=case.address,
            occurred_at=timezone.now() - dt.timedelta(hours=5 + len(case.title)),
            title=case.title,
            description=case.description,
            people_involved=case.people,
            amount=Decimal(case.amount),
            risk_flags=list(case.flags),
            external_id=case.key,
        )
        self.dispute = register(self.cast[case.by], data, self.parties)

    def merge(self):
        from disputes.models import Dispute

        key, reason = self.more["merge_into"]
        into = Dispute.objects.get(external_id=key)
        self.do(workflow.merge, self.controller, into=into, reason=reason)

    def assess(self):
        self.do(
            workflow.assess,
            self.controller,
            complexity=self.case.complexity,
            note="已核实当事人及纠纷基本情况",
        )

    def give_back(self):
        assignment = self.dispute.lead_assignment
        self.do(
            workflow.return_assignment,
            self.cast["liaison"],
            assignment_id=assignment.pk,
            reason=self.more["returned"],
        )

    def accept(self):
        self.do(workflow.accept, self.handler, assignment_id=self.dispute.lead_assignment.pk)

    def session(self):
        self.do(
            workflow.record_session,
            self.handler,
            held_at=timezone.now() - dt.timedelta(hours=2),
            mode=SessionMode.ON_SITE if self.dispute.sessions.count() % 2 == 0 else SessionMode.PHONE,
            location="社区人民调解室",
            participants="、".join(p.name for p in self.parties),
            minutes="调解员释明相关法律政策，双方分别陈述事实和诉求，就争议焦点进行协商。",
        )

    def extend(self):
        principal = self.dispute.parties.filter(role__in=[PartyRole.APPLICANT, PartyRole.RESPONDENT])
        self.do(
            workflow.extend,
            self.handler,
            new_due_at=self.dispute.due_at + dt.timedelta(days=30),
            reason=self.more["extend"],
            consent_note="双方当事人签署《延长调解期限同意书》",
            consenting_party_ids=list(principal.values_list("pk", flat=True)),
        )

    def outcome(self):
        more = self.more
        kind = more.get("outcome", "written")
        if kind in FailureGuidance.values:
            self.do(
                workflow.record_outcome,
                self.handler,
                outcome="failure",
                failure_guidance=kind,
                note=more["note"],
            )
            return
        agreement = {
            "form": AgreementForm.ORAL if kind == "oral" else AgreementForm.WRITTEN,
            "facts": self.case.description,
            "terms": more["terms"],
            "performance_method": "按协议约定的期限和方式履行，由人民调解委员会督促履行。",
            "amount": more.get("amount", "0"),
            "signed_by_all": True,
        }
        self.do(
            workflow.record_outcome,
            self.handler,
            outcome="success",
            note="调解成功",
            preventions=more.get("preventions", []),
            agreement=agreement,
        )

    def feedback(self, target, channel, content):
        self.do(workflow.give_feedback, self.handler, target=target, channel=channel, content=content)

    def follow_up(self):
        self.do(
            workflow.follow_up,
            self.handler,
            visited_on=timezone.localdate(),
            satisfaction=Satisfaction.SATISFIED,
            performance=Performance.PERFORMED if self.more.get("terms") else "",
            notes="电话回访，当事人对调解结果满意，协议已履行。",
        )

    def remediate(self):
        satisfaction, performance, notes = self.more["remediate"]
        self.do(
            workflow.follow_up,
            self.handler,
            visited_on=timezone.localdate(),
            satisfaction=satisfaction,
            performance=performance,
            notes=notes,
        )

    def play(self, now: dt.datetime, index: int) -> None:
        steps = list(self.script())
        start = timezone.localtime(now - dt.timedelta(days=self.case.days))
        start = start.replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(minutes=7 * index)
        start = min(start, now - dt.timedelta(hours=2))
        natural = sum(hours for hours, _step in steps)
        room = (now - dt.timedelta(minutes=30) - start).total_seconds() / 3600
        scale = min(1.0, room / natural) if natural else 1.0
        at = start
        for hours, step in steps:
            at += dt.timedelta(hours=hours * scale)
            with clock(at):
                step()
