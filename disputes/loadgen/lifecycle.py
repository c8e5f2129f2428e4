"""One dispute's life, from intake to archive, written as the workflow and the scheduled work would have written it.

Each dispute is played in two steps:

1. `plan()` decides its story — who registered it, how it was graded and routed, to whom it was assigned, how
   long each step took, whether it was returned, reported up, extended, supervised, re-mediated after a bad
   follow-up or reopened — as a list of timed steps. Steps after `now` are cut off, which is what leaves the
   recent disputes open and the old ones archived; a small share stalls for good (the long-overdue ones).
2. The overdue sweep's and the warning escalation's effects are derived from the assignments' time spans (what
   the beat, every 10 minutes, would have found), then every step runs in time order through the methods below,
   each named after the disputes.services.workflow function it mirrors: the same status changes, version
   increments, snapshot shapes ({"status", "risk_grade", "platform", "due_at", "version"} plus the action's own
   keys), rows and alerts.

Risk grading and routing use the services' own rule functions (risk.rule_matches, routing.rule_matches) over the
office's rules in the database, so the recorded grade and platform are those the rules give.
"""

from __future__ import annotations

import heapq
import json
import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from disputes.loadgen import names
from disputes.loadgen.clock import DAY, HOUR, MINUTE

TICK = 10 * MINUTE  # the overdue sweep and the warning escalation run every 10 minutes

SOURCES = [
    ("grid_patrol", 34),
    ("application", 24),
    ("committee_patrol", 9),
    ("hotline_12345", 11),
    ("police", 6),
    ("court", 4),
    ("petition", 4),
    ("designated", 2),
    ("higher_level", 2),
    ("review", 1),
    ("api", 3),
]
CATEGORY_WEIGHTS = {
    "neighbourhood": 24,
    "marriage_family": 14,
    "property_management": 9,
    "labour": 8,
    "damages": 7,
    "contract": 6,
    "housing_land": 5,
    "traffic": 5,
    "consumer": 4,
    "business": 2,
    "migrant_wages": 3,
    "construction": 2,
    "city_management": 2,
    "pollution": 2,
    "medical": 1.5,
    "expropriation": 1,
    "forest_land": 1,
    "other": 2,
    "tourism": 0.3,
    "commerce": 0.5,
    "intellectual_property": 0.2,
    "internet": 0.5,
}
SATISFACTION = [("very_satisfied", 40), ("satisfied", 40), ("basically", 16), ("unsatisfied", 4)]
PREVENTIONS = ["suicide", "civil_to_criminal", "mass_petition", "mass_fight"]
ACK_LIMITS = {1: 4 * HOUR, 2: DAY, 3: 2 * DAY, 4: 3 * DAY}  # disputes.services.warnings.ACK_LIMITS
LADDER = {
    None: {1: 80, 2: 100, 3: 150, 4: 200},
    1: {1: 80, 2: 100, 3: 125, 4: 150},
}  # sweeps.DEFAULT_THRESHOLDS
OPEN = ("registered", "assessed", "assigned", "in_progress", "reported_up")
# rng.choices(population, weights)[0] with the weights summed once (names.Weighted: the same draws).
_SOURCE = names.Weighted([s for s, _w in SOURCES], [w for _s, w in SOURCES])
_COMPLEXITY = names.Weighted(["simple", "general", "complex"], [30, 55, 15])
_MODE = names.Weighted(["on_site", "video", "phone", "online"], [75, 8, 12, 5])
_GUIDANCE = names.Weighted(["litigation", "arbitration", "administrative"], [60, 20, 20])
_SATISFIED = names.Weighted([v for v, _w in SATISFACTION[:3]], [w for _v, w in SATISFACTION[:3]])
_PERFORMANCE = names.Weighted(["performed", "partial", "pending"], [85, 8, 7])


@dataclass(eq=False)
class Assignment:
    id: int
    target: object  # world.Unit or world.Org
    is_unit: bool
    role: str
    platform: object
    assigned_by: object
    assigned_at: int
    limit_days: int
    accept_due_at: int
    due_at: int
    due_estimated: bool
    note: str = ""
    status: str = "pending"
    accepted_by: object = None
    accepted_at: int | None = None
    return_reason: str = ""
    returned_at: int | None = None
    result_report: str = ""
    completed_at: int | None = None
    overdue_level: int | None = None
    accept_reported: bool = False

    def handler(self):
        members = self.target.members if self.is_unit else _org_handlers(self.target)
        return members[0] if members else None


def _org_handlers(org):
    if org.members:
        return org.members
    # A community committee is staffed by the community's mediators, whose territory covers it.
    return org.region.staff.get("mediator", [])


@dataclass(eq=False)
class State:
    id: int
    number: str
    region: object
    district: object
    category: tuple  # (id, code)
    created_at: int
    created_by: object
    title: str
    status: str = "registered"
    version: int = 1
    risk_grade: int | None = None
    platform: object = None
    due_at: int | None = None
    due_local: bool = False
    due_estimated: bool = False
    leader: object = None
    updated_at: int = 0
    fields: dict = field(default_factory=dict)
    assignments: list = field(default_factory=list)
    agreements: list = field(default_factory=list)  # dicts; the last one is current
    alert_keys: set = field(default_factory=set)
    parties: list = field(default_factory=list)  # (id, role, kind, name)
    feedback_given: set = field(default_factory=set)
    follow_ups: int = 0
    t: int = 0  # the time of the step running now
    order: int = 0
    queue: list = field(default_factory=list)
    rng: object = None
    warnings: dict = field(default_factory=dict)  # grade → [(recipient, acknowledged at)]
    escalated: set = field(default_factory=set)

    @property
    def lead(self) -> Assignment | None:
        for a in self.assignments:
            if a.role == "lead" and a.status in ("pending", "accepted"):
                return a
        return None

    def current(self):
        return [a for a in self.assignments if a.status in ("pending", "accepted")]


class Lifecycle:
    """Plays disputes one after another; `ctx` holds the writers, ids, clock and the world."""

    def __init__(self, ctx, world):
        self.ctx = ctx
        self.world = world
        self.clock = ctx.clock
        self.now = ctx.now
        self.w = {
            label: ctx.w(label)
            for label in (
                "disputes.Dispute",
                "disputes.Party",
                "disputes.Event",
                "disputes.Assignment",
                "disputes.Supervision",
                "disputes.MediationSession",
                "disputes.MediationSession.mediators",
                "disputes.Extension",
                "disputes.Extension.consenting_parties",
                "disputes.Agreement",
                "disputes.Feedback",
                "disputes.FollowUp",
                "disputes.Dispute.responsible_units",
                "disputes.Dispute.linked",
                "mediation.Alert",
                "mediation.Notification",
            )
        }
        self.risk_rules = list(ctx.risk_rules)
        self.routing_rules = list(ctx.routing_rules)
        self.category_units = ctx.category_units  # category code → [unit code]
        self.repeat: dict[str, int] = {}  # ID number → disputes so far (not voided or merged)
        self.frequent: dict[int, list] = {}  # district place id → pool of repeat disputants
        self.recent: dict[
            int, tuple
        ] = {}  # community id → (dispute id, number, created_at) of a valid dispute
        self.patrol_finds: dict[
            tuple[int, int], list
        ] = {}  # (grid id, local day) → [(dispute id, registered)]
        self.counters: dict[int, int] = {}
        self.statuses: dict[str, int] = {}
        self.external: dict[str, int] = {}
        self._texts()

    def _texts(self) -> None:
        from disputes.choices import RiskGrade, SupervisionLevel

        self.grade_label = {g.value: str(g.label) for g in RiskGrade}
        self.step_label = {s.value: str(s.label) for s in SupervisionLevel}
        self.t = {
            "warning_title": _("Early warning (%(grade)s): %(number)s %(title)s"),
            "warning_body": _("Dispute %(number)s is graded %(grade)s. Acknowledge this warning by %(due)s."),
            "escalation_title": _("Warning not acknowledged (%(grade)s): %(number)s"),
            "escalation_body": _(
                "The early warning on dispute %(number)s (%(grade)s) was not acknowledged in time by: %(who)s."
            ),
            "overdue_title": _("%(step)s: %(number)s is overdue at %(target)s"),
            "nearing_title": _("%(step)s: %(number)s is nearing its deadline at %(target)s"),
            "step_body": _(
                "The assignment of dispute %(number)s to %(target)s is due %(due)s; %(percent)s%% of its time limit "
                "has passed."
            ),
            "notice_tail": _("Report the progress and the reason for the delay in writing."),
            "accept_title": _("Not accepted in time: %(number)s at %(target)s"),
            "accept_body": _(
                "The assignment of dispute %(number)s to %(target)s should have been accepted by %(due)s."
            ),
            "merged_in": _("%(number)s merged into this dispute"),
        }

    # --- the story --------------------------------------------------------------------------------------------

    def play(self, dispute_id: int, number: str, created_at: int, rng) -> None:
        """Plan one dispute, then run its steps (and the sweeps' checks they schedule) in time order."""
        district = self.ctx.pick_district(rng)
        state, story = self.plan(dispute_id, number, created_at, district, rng)
        self.register(state, rng)
        state.queue = story
        state.rng = rng
        heapq.heapify(story)
        while story:
            state.t, _order, step, args = heapq.heappop(story)
            step(state, *args)
        self.write_dispute(state)

    def plan(self, dispute_id, number, t0, district, rng):
        ctx = self.ctx
        grid = rng.choice(district.grids)
        r = rng.random()
        region = grid if r < 0.72 else grid.community if r < 0.96 else grid.street
        category_id, category = ctx.pick_category(rng)
        source = _SOURCE.pick(rng)
        creator = self._registrar(region, source, district)
        state = State(dispute_id, number, region, district, (category_id, category), t0, creator, "")
        state.updated_at = t0
        f = state.fields
        f.update(self._intake(state, source, rng))
        story: list = []

        def at(t, step, *args):
            if t <= self.now:
                state.order += 1
                story.append((t, state.order, step, args))
                return True
            return False

        stall = rng.random() < 0.015  # a case nobody moves any more: long overdue
        saga = rng.random() < 0.0008  # a case that drags on for months with a long timeline
        t = t0 + _duration(rng, 6 * HOUR, 5 * MINUTE, 5 * DAY)
        fate = rng.random()
        if fate < 0.025:
            at(t, self.void)
            return state, story
        if fate < 0.04:
            target = self.recent.get(region.community.id if region.community else region.id)
            if target and target[2] < t0 - HOUR:
                at(t, self.merge, target)
                return state, story
        if stall and rng.random() < 0.2:
            return state, story
        if not at(t, self.assess, rng, None):
            return state, story
        self._remember(state, region)
        t += _duration(rng, 3 * HOUR, MINUTE, 3 * DAY)
        if stall and rng.random() < 0.25:
            return state, story
        at(t, self.assign, rng)
        self._plan_handling(state, story, at, t, rng, stall, saga)
        return state, story

    def _plan_handling(self, state, story, at, t, rng, stall, saga) -> None:
        """From the assignment on: acceptance (or return), mediation, outcome, feedback, follow-up, archive."""
        rounds = 0
        while True:
            rounds += 1
            if rng.random() < 0.04 and rounds == 1:
                t += _duration(rng, 8 * HOUR, 10 * MINUTE, 2 * DAY)
                if not at(t, self.return_assignment, rng):
                    return
                t += _duration(rng, 6 * HOUR, 10 * MINUTE, 3 * DAY)
                if not at(t, self.assign, rng):
                    return
            late = rng.random() < 0.07
            t += (
                _duration(rng, 30 * HOUR, 2 * HOUR, 5 * DAY)
                if late
                else _duration(rng, 4 * HOUR, 2 * MINUTE, 20 * HOUR)
            )
            if stall and rng.random() < 0.3:
                return
            if not at(t, self.accept, "lead"):
                return
            at(t + 30 * MINUTE, self.accept, "co_handler")
            t += _duration(rng, 2 * HOUR, 5 * MINUTE, DAY)
            if not at(t, self.notify_rights):
                return
            if rng.random() < 0.025 and rounds == 1:
                t += _duration(rng, 3 * DAY, HOUR, 10 * DAY)
                if not at(t, self.report_up):
                    return
                t += _duration(rng, 12 * HOUR, 30 * MINUTE, 4 * DAY)
                if not at(t, self.assess, rng, "reported_up"):
                    return
                t += _duration(rng, 4 * HOUR, 10 * MINUTE, 2 * DAY)
                if not at(t, self.assign, rng):
                    return
                continue
            break
        if stall:
            return
        # Mediation: the sessions spread over the handling time, a share of it late against the limit.
        limit = self._expected_limit(state, rng)
        # The handling time as a share of the limit: most well within it, some late, a few very late.
        f = rng.random()
        bounds = (
            (0.1, 0.75) if f < 0.8 else (0.75, 1.2) if f < 0.92 else (1.2, 2.0) if f < 0.98 else (2.0, 4.0)
        )
        share = rng.uniform(*bounds)
        if saga:
            share = rng.uniform(4, 12)
        span = max(30 * MINUTE, int(limit * share))
        sessions = 1 if rng.random() < 0.6 else rng.choice([2, 2, 2, 3, 3, 4, 5])
        if saga:
            sessions = rng.randrange(8, 18)
        start = t
        for n in range(sessions):
            held = start + int(span * (n + 1) / (sessions + 0.5)) - rng.randrange(0, HOUR)
            at(
                max(held, t + MINUTE),
                self.record_session,
                rng,
                max(held, t + MINUTE) - rng.randrange(0, 3 * HOUR),
            )
            if saga or rng.random() < 0.02:
                at(held + rng.randrange(HOUR, DAY), self.guide, rng)
            if saga and n % 3 == 1:
                at(held + rng.randrange(HOUR, DAY), self.supervise, rng)
        if share > 0.85 and rng.random() < 0.1:
            at(start + int(limit * 0.85), self.extend, rng)
        if rng.random() < 0.015:
            at(start + int(span * 0.5), self.supervise, rng)
        for _n in range(rng.randrange(1, 6) if saga else (1 if rng.random() < 0.02 else 0)):
            at(start + rng.randrange(0, span + DAY), self.view_personal_data, rng)
        t = start + span + rng.randrange(0, 2 * HOUR)
        self._plan_conclusion(state, story, at, t, rng, saga, remediation=0)

    def _plan_conclusion(self, state, story, at, t, rng, saga, remediation) -> None:
        success = rng.random() < 0.78
        if not at(t, self.record_outcome, rng, success):
            return
        if success:
            if rng.random() < 0.08:
                applied = t + _duration(rng, 5 * DAY, HOUR, 25 * DAY)
                if at(applied, self.apply_confirmation, rng):
                    at(applied + _duration(rng, 6 * DAY, DAY, 15 * DAY), self.record_confirmation, rng)
            if rng.random() < 0.02:
                at(t + _duration(rng, 5 * DAY, DAY, 20 * DAY), self.record_notarization, rng)
        t += _duration(rng, 20 * HOUR, 30 * MINUTE, 5 * DAY)
        if not at(t, self.give_feedback, rng, "parties"):
            return
        t += _duration(rng, 10 * HOUR, 10 * MINUTE, 3 * DAY)
        at(t, self.give_feedback, rng, "platform")
        if success or rng.random() < 0.3:
            t += _duration(rng, 10 * DAY, 3 * DAY, 30 * DAY)
            unhappy = remediation == 0 and rng.random() < (0.2 if saga else 0.035)
            if not at(t, self.follow_up, rng, unhappy):
                return
            if unhappy:
                t += _duration(rng, DAY, HOUR, 5 * DAY)
                at(t, self.record_session, rng, t - HOUR)
                t += _duration(rng, 5 * DAY, HOUR, 20 * DAY)
                self._plan_conclusion(state, story, at, t, rng, saga, remediation + 1)
                return
        t += _duration(rng, 3 * DAY, HOUR, 10 * DAY)
        if not at(t, self.archive):
            return
        if remediation == 0 and rng.random() < 0.003:
            t += _duration(rng, 20 * DAY, DAY, 90 * DAY)
            if at(t, self.reopen, rng):
                t += _duration(rng, 3 * DAY, HOUR, 10 * DAY)
                at(t, self.record_session, rng, t - HOUR)
                self._plan_conclusion(
                    state, story, at, t + _duration(rng, 5 * DAY, HOUR, 20 * DAY), rng, saga, 1
                )

    def _expected_limit(self, state, rng) -> int:
        days = {"simple": 1, "general": 7, "complex": 20}[state.fields.get("complexity") or "general"]
        return int(days * 1.4 * DAY)

    def _remember(self, state, region) -> None:
        key = region.community.id if region.community else region.id
        self.recent[key] = (state.id, state.number, state.created_at)

    # --- intake -----------------------------------------------------------------------------------------------

    def _registrar(self, region, source, district):
        if source == "api":
            return district.api_client
        community = region.community
        if source == "grid_patrol" and region.level == 5:
            return region.one("grid_worker")
        if community is not None:
            if source in ("application", "committee_patrol", "grid_patrol"):
                return community.one("mediator")
            return community.platform.members[0]
        if source in ("application", "committee_patrol", "grid_patrol"):
            return region.committee.members[0]
        return region.platform.members[0]

    def _intake(self, state, source, rng) -> dict:
        ctx = self.ctx
        category = state.category[1]
        t0 = state.created_at
        today = ctx.clock.date(ctx.clock.local_day(t0))
        p = rng.random()
        people = (
            2
            if p < 0.85
            else rng.randrange(3, 10)
            if p < 0.96
            else rng.randrange(10, 50)
            if p < 0.995
            else rng.randrange(50, 300)
        )
        amount = 0
        if (
            category
            in (
                "contract",
                "labour",
                "damages",
                "business",
                "migrant_wages",
                "construction",
                "traffic",
                "consumer",
                "property_management",
                "housing_land",
                "medical",
                "expropriation",
            )
            or rng.random() < 0.2
        ):
            amount = int(math.exp(rng.gauss(8.6, 1.6)))
            if rng.random() < 0.004:
                amount = rng.randrange(1_000_000, 8_000_000)
        flags = []
        for flag, share in (
            ("extreme_act", 0.003),
            ("mass_incident", 0.003),
            ("civil_to_criminal", 0.002),
            ("repeated_petition", 0.01),
            ("cross_unit", 0.02),
            ("public_opinion", 0.005),
        ):
            if rng.random() < share:
                flags.append(flag)
        parties = self._parties(state, people, today, rng)
        applicant = next(p for p in parties if p["role"] == "applicant")
        respondent = next((p for p in parties if p["role"] == "respondent"), applicant)
        a_name = names.masked(applicant["name"]) if applicant["kind"] == "person" else applicant["name"]
        r_name = names.masked(respondent["name"]) if respondent["kind"] == "person" else respondent["name"]
        title, subject = names.dispute_title(rng, category, a_name, r_name)
        state.title = title
        address = names.address(rng, state.region.full_name.replace(" / ", ""))
        occurred = t0 - _duration(rng, 2 * DAY, 10 * MINUTE, 120 * DAY)
        external = ""
        if source in ("hotline_12345", "api"):
            self.external[source] = self.external.get(source, 0) + 1
            prefix = "12345" if source == "hotline_12345" else "SJPT"
            external = f"{prefix}-{ctx.clock.local_year(t0)}-{self.external[source]:08d}"
        return {
            "source": source,
            "external_id": external,
            "address": address,
            "occurred_at": occurred,
            "description": names.description(rng, subject, a_name, r_name, address, amount),
            "people_involved": people,
            "amount": amount,
            "risk_flags": flags,
            "parties": parties,
            "vulnerable": any(p["vulnerabilities"] for p in parties),
        }

    def _parties(self, state, people, today, rng) -> list[dict]:
        district = state.district
        category = state.category[1]
        count = 2 if rng.random() < 0.8 else rng.choice([3, 3, 4])
        parties = []
        pool = self.frequent.setdefault(district.place.id, [])
        for n in range(count):
            role = (
                "applicant"
                if n == 0
                else "respondent"
                if n == 1
                else rng.choice(["applicant", "respondent", "third_party", "representative"])
            )
            if n == 1 and category in names.ORGANIZATION_RESPONDENT and rng.random() < 0.6:
                parties.append(
                    {
                        "kind": "organization",
                        "role": role,
                        "name": names.company(rng),
                        "id_number": names.credit_code(rng, district.code),
                        "phone": names.landline(rng),
                        "vulnerabilities": [],
                    }
                )
                continue
            if pool and rng.random() < 0.05:
                person = dict(rng.choice(pool), role=role, pool=True)
            else:
                birth = names.birth_date(rng, today, 14 if rng.random() < 0.02 else 20, 88)
                person = {
                    "kind": "person",
                    "role": role,
                    "name": names.person_name(rng),
                    "id_number": names.id_number(rng, district.code, birth) if rng.random() < 0.92 else "",
                    "phone": names.mobile(rng) if rng.random() < 0.95 else "",
                    "vulnerabilities": _vulnerabilities(rng, today.year - birth.year),
                }
                if rng.random() < 0.02 and len(pool) < 2000 and person["id_number"]:
                    pool.append(
                        {k: person[k] for k in ("kind", "name", "id_number", "phone", "vulnerabilities")}
                    )
                    person["pool"] = True
            parties.append(person)
        return parties

    def register(self, state, rng) -> None:
        """intake.register: the dispute, its parties (consent recorded at intake) and the register event."""
        ctx = self.ctx
        f = state.fields
        consent = [rng.random() < 0.9 for _p in f["parties"]]
        for party, consents in zip(f["parties"], consent, strict=True):
            party_id = ctx.ids.next("disputes.Party")
            state.parties.append((party_id, party["role"], party["kind"], party["name"]))
            self.w["disputes.Party"].add(
                id=party_id,
                dispute_id=state.id,
                kind=party["kind"],
                role=party["role"],
                name=party["name"],
                id_number=party["id_number"],
                phone=party["phone"],
                address=f["address"] if party["kind"] == "person" and rng.random() < 0.5 else "",
                consents_to_mediation=True if consents else None,
                consent_recorded_at=self.clock.ts(state.created_at) if consents else None,
                vulnerabilities=party["vulnerabilities"],
            )
        self.event(
            state,
            "register",
            state.created_by,
            state.created_at,
            before={},
            after={"status": "registered", "number": state.number, "source": f["source"], "version": 1},
        )
        for i in self._pool_ids(state):
            self.repeat[i] = self.repeat.get(i, 0) + 1
        if f["source"] == "grid_patrol" and state.region.level == 5:
            self.patrol_finds.setdefault(
                (state.region.id, self.clock.local_day(state.created_at)), []
            ).append((state.id, state.created_at))

    @staticmethod
    def _pool_ids(s: State) -> list[str]:
        return list(dict.fromkeys(p["id_number"] for p in s.fields["parties"] if p.get("pool")))

    def _forget(self, s: State) -> None:
        """A voided or merged dispute no longer counts as a repeat."""
        for i in self._pool_ids(s):
            self.repeat[i] -= 1

    # --- the machinery of every action (workflow._snapshot, _begin, _finish) ---------------------------------

    def snapshot(self, s: State) -> str:
        due = "null"
        if s.due_at is not None:
            due = (
                '"' + (self.clock.iso_local(s.due_at) if s.due_local else self.clock.iso_utc(s.due_at)) + '"'
            )
        grade = "null" if s.risk_grade is None else s.risk_grade
        platform = "null" if s.platform is None else s.platform.id
        return f'{{"status":"{s.status}","risk_grade":{grade},"platform":{platform},"due_at":{due},"version":{s.version}'

    def begin(self, s: State) -> str:
        s.due_local = False  # the dispute is read back from the database: its deadline in UTC
        return self.snapshot(s) + "}"

    def finish(self, s: State, action, actor, t, before, target=None, note="", extra=None) -> None:
        if target:
            s.status = target
        s.version += 1
        s.updated_at = t
        after = self.snapshot(s)
        if extra:
            after += "," + _members(extra)
        self.event(s, action, actor, t, note=note, before=before, after=after + "}")

    def event(self, s: State, action, actor, t, note="", before=None, after=None) -> None:
        self.w["disputes.Event"].add(
            id=self.ctx.ids.next("disputes.Event"),
            dispute_id=s.id,
            action=action,
            actor_id=actor.id if actor else None,
            at=self.clock.ts(t),
            note=note,
            before=_j(before),
            after=_j(after),
        )

    # --- assessment and routing -------------------------------------------------------------------------------

    def assess(self, s: State, rng, reported_up) -> None:
        from disputes.services import risk

        before = self.begin(s)
        t = self._now_of(s)
        f = s.fields
        if "complexity" not in f:
            f["complexity"] = _COMPLEXITY.pick(rng)
        day = self.clock.local_day(t)
        # risk.repeat_dispute_count: other disputes (not voided or merged) sharing a party's ID number. Only the
        # repeat disputants of the pool share numbers (random numbers practically never meet).
        repeats = sum(self.repeat[i] - 1 for i in self._pool_ids(s))
        facts = risk.RiskFacts(
            people_involved=f["people_involved"],
            amount=f["amount"],
            flags=set(f["risk_flags"]),
            repeat_disputes=repeats,
            vulnerable_party=f["vulnerable"],
            in_sensitive_period=day in self.ctx.sensitive_days,
        )
        by_rules = 4
        for rule in self.risk_rules:
            if risk.rule_matches(rule, facts):
                facts.matched.append(rule.name)
                by_rules = min(by_rules, rule.grade)
        f["in_sensitive_period"] = facts.in_sensitive_period
        f["risk_grade_by_rules"] = by_rules
        override = (
            max(1, min(4, by_rules + rng.choice([-1, 1])))
            if not reported_up and rng.random() < 0.02
            else None
        )
        if override is not None and override != by_rules:
            s.risk_grade, f["risk_override_reason"] = override, "结合现场走访情况调整风险等级"
        else:
            s.risk_grade, f["risk_override_reason"] = by_rules, ""
        rule, level = self._route(s)
        platform = self._platform_for(s.region, level)
        if reported_up and platform.region.level > s.platform.region.level:
            platform, level = s.platform, s.platform.region.level
        f["routing_rule"] = rule.id if rule else None
        f["handling_level"] = level if platform.region.level == level else platform.region.level
        s.platform = platform
        units = self.responsible_units(s)
        f["units"] = units
        if (rule is not None and rule.needs_leader) or s.risk_grade == 1:
            if s.leader is None:
                s.leader = platform.region.one("supervisor")
        extra = {
            "rules_matched": facts.matched,
            "repeat_disputes": facts.repeat_disputes,
            "complexity": f["complexity"],
            "routing_rule": f["routing_rule"],
        }
        actor = self._dispatcher(s, before_route=not reported_up)
        self.finish(s, "assess", actor, t, before, "assessed", extra=extra)
        self.early_warning(s, t, rng)

    def _route(self, s: State):
        from disputes.services import routing

        shim = _RoutingView(s, len(self.category_units.get(s.category[1], [])))
        for rule in self.routing_rules:
            if routing.rule_matches(rule, shim):
                return rule, rule.level
        return None, 4

    @staticmethod
    def _platform_for(region, level):
        """routing.platform_for: the platform of the ancestor at `level`, or the nearest one above."""
        chain = {}
        place = region
        while place is not None and place.level >= 2:
            chain[place.level] = place
            place = place.parent
        for candidate in range(min(level, max(chain)), 1, -1):
            place = chain.get(candidate)
            if place is not None and place.platform is not None:
                return place.platform
        return None

    def responsible_units(self, s: State) -> list:
        """The category's 属事 units — in another district, that district's counterparts of Dadukou's units."""
        return [
            s.district.units[c] for c in self.category_units.get(s.category[1], []) if c in s.district.units
        ]

    def _dispatcher(self, s: State, before_route=False):
        if before_route:
            # Before routing the dispute has no platform: whoever's territory covers its region assesses it.
            place = s.region.community or s.region.street
            return place.platform.members[0]
        return s.platform.members[0]

    def void(self, s: State) -> None:
        t = self._now_of(s)
        before = self.begin(s)
        reason = "重复登记，信息有误"
        s.fields["void_reason"] = reason
        self._forget(s)
        self.finish(s, "void", self._dispatcher(s, before_route=True), t, before, "voided", note=reason)

    def merge(self, s: State, target) -> None:
        t = self._now_of(s)
        before = self.begin(s)
        into_id, into_number, _created = target
        s.fields["duplicate_of"] = into_id
        self._forget(s)
        actor = self._dispatcher(s, before_route=True)
        self.w["disputes.Dispute.linked"].add(
            id=self.ctx.ids.next("disputes.Dispute.linked"), from_dispute_id=s.id, to_dispute_id=into_id
        )
        self.w["disputes.Dispute.linked"].add(
            id=self.ctx.ids.next("disputes.Dispute.linked"), from_dispute_id=into_id, to_dispute_id=s.id
        )
        self.w["disputes.Event"].add(
            id=self.ctx.ids.next("disputes.Event"),
            dispute_id=into_id,
            action="merged_in",
            actor_id=actor.id,
            at=self.clock.ts(t),
            note=self.t["merged_in"] % {"number": s.number},
            before="{}",
            after="{}",
        )
        self.finish(
            s, "merge", actor, t, before, "merged", note="同一纠纷重复报送", extra={"into": into_number}
        )

    # --- assignment -------------------------------------------------------------------------------------------

    def _targets(self, s: State, rng):
        """The lead target and the co-handlers, as a dispatcher would choose them at this platform's level."""
        units = [u for u in s.fields["units"] if u.members]
        level = s.platform.region.level
        region = s.platform.region
        if level == 4:
            lead = region.committee if not units or rng.random() < 0.9 else rng.choice(units)
        elif level == 3:
            lead = region.committee if not units or rng.random() < 0.6 else rng.choice(units)
        else:
            rooms = [
                o
                for o in s.district.orgs.get("industry_room", []) + s.district.orgs.get("major_centre", [])
                if o.members
            ]
            lead = rng.choice(units) if units and rng.random() < 0.7 else rng.choice(rooms)
        co = []
        if rng.random() < 0.12:
            options = [u for u in units if u is not lead]
            street = s.region.street
            if street is not None and street.committee is not lead:
                options.append(street.committee)
            if options:
                co.append(rng.choice(options))
        return lead, co

    def _limit(self, s: State) -> int:
        return {"simple": 1, "general": 7, "complex": 20}[s.fields.get("complexity") or "general"]

    def _new_assignment(self, s: State, to, role, t, actor, limit_days, note="") -> Assignment:
        from disputes.loadgen.world import Unit

        accept_due, _est = self.clock.deadline(t, 1, True)
        due, estimated = self.clock.deadline(t, limit_days, True)
        a = Assignment(
            self.ctx.ids.next("disputes.Assignment"),
            to,
            isinstance(to, Unit),
            role,
            s.platform,
            actor,
            t,
            limit_days,
            accept_due,
            due,
            estimated,
            note,
        )
        s.assignments.append(a)
        self.schedule_checks(s, a)
        return a

    def assign(self, s: State, rng) -> None:
        t = self._now_of(s)
        before = self.begin(s)
        actor = s.platform.members[0]
        lead_to, co = self._targets(s, rng)
        limit = self._limit(s)
        lead = self._new_assignment(s, lead_to, "lead", t, actor, limit)
        for other in co:
            self._new_assignment(s, other, "co_handler", t, actor, limit)
        s.due_at, s.due_estimated, s.due_local = lead.due_at, lead.due_estimated, True
        self.finish(
            s,
            "assign",
            actor,
            t,
            before,
            "assigned",
            extra={"to": lead_to.name, "assignment": lead.id, "co_handlers": [c.name for c in co]},
        )

    def accept(self, s: State, role) -> None:
        t = self._now_of(s)
        mine = [a for a in s.assignments if a.role == role and a.status == "pending"]
        if not mine or s.status not in ("assigned", "in_progress"):
            return
        a = mine[-1]
        user = a.handler()
        if user is None:
            return  # nobody staffs the target: it stays pending (the sweep reports it)
        before = self.begin(s)
        a.status, a.accepted_by, a.accepted_at = "accepted", user, t
        self.finish(
            s,
            "accept",
            user,
            t,
            before,
            "in_progress" if role == "lead" else None,
            extra={"assignment": a.id},
        )

    def return_assignment(self, s: State, rng) -> None:
        t = self._now_of(s)
        a = s.lead
        if a is None or a.status != "pending" or s.status != "assigned":
            return
        user = a.handler()
        if user is None:
            return
        before = self.begin(s)
        reason = rng.choice(["不属于本单位职责范围", "当事人不在本辖区", "需由上级平台统筹"])
        a.status, a.return_reason, a.returned_at = "returned", reason, t
        for co in s.current():
            co.status = "withdrawn"
        s.due_at = None
        self.finish(s, "return", user, t, before, "assessed", note=reason, extra={"assignment": a.id})

    def report_up(self, s: State) -> None:
        t = self._now_of(s)
        if s.status != "in_progress" or s.platform.region.level <= 2:
            return
        upper = self._platform_for(s.platform.region.parent, s.platform.region.level - 1)
        lead = s.lead
        actor = lead.accepted_by if lead and lead.accepted_by else s.platform.members[0]
        before = self.begin(s)
        for a in s.current():
            a.status = "withdrawn"
        s.platform, s.due_at = upper, None
        s.fields["handling_level"] = upper.region.level
        reason = "矛盾复杂，超出本级化解能力，申请上级统筹"
        self.finish(
            s, "report_up", actor, t, before, "reported_up", note=reason, extra={"platform_name": upper.name}
        )

    # --- guidance and supervision ---------------------------------------------------------------------------

    def _supervisor(self, s: State):
        if s.leader is not None:
            return s.leader
        place = s.platform.region if s.platform else s.region
        while place is not None:
            user = place.one("supervisor")
            if user is not None:
                return user
            place = place.parent
        return None

    def guide(self, s: State, rng) -> None:
        t = self._now_of(s)
        if s.status not in ("assessed", "assigned", "in_progress", "reported_up"):
            return
        before = self.begin(s)
        text = rng.choice(
            [
                "请加强与当事人沟通，注意依法依规化解。",
                "请联合属事部门开展联调。",
                "请做好稳控工作，防止矛盾激化。",
            ]
        )
        self.finish(s, "guide", self._supervisor(s), t, before, None, note=text)

    def supervise(self, s: State, rng) -> None:
        t = self._now_of(s)
        if s.status not in ("assigned", "in_progress"):
            return
        before = self.begin(s)
        user = self._supervisor(s)
        notice = "该纠纷化解进度缓慢，请于规定时限内书面报告办理情况。"
        supervision_id = self._notice(s, s.lead, 3, notice, user, t)
        self.finish(
            s,
            "supervise",
            user,
            t,
            before,
            None,
            note=notice,
            extra={"supervision": supervision_id, "level": 3},
        )
        handler = self._handler(s)
        if handler is not None:
            self._later(
                s, t + _duration(rng, DAY, HOUR, 3 * DAY), self.answer_supervision, supervision_id, handler
            )

    def _notice(self, s: State, assignment, level, notice, issued_by, t) -> int:
        answer_due, _est = self.clock.deadline(t, 3, True)
        supervision_id = self.ctx.ids.next("disputes.Supervision")
        s.fields.setdefault("notices", {})[supervision_id] = {
            "assignment": assignment.id if assignment else None,
            "level": level,
            "notice": notice,
            "issued_by": issued_by,
            "issued_at": t,
            "answer_due_at": answer_due,
        }
        return supervision_id

    def answer_supervision(self, s: State, supervision_id, handler) -> None:
        t = self._now_of(s)
        notice = s.fields["notices"][supervision_id]
        if s.status not in ("assigned", "in_progress", "resolved", "failed") or notice.get("answered_at"):
            return
        before = self.begin(s)
        answer = "已组织双方再次调解，现将办理进展及延误原因报告如下：当事人分歧较大，正在补充调查，预计一周内办结。"
        notice.update(answer=answer, answered_by=handler, answered_at=t)
        self.finish(
            s,
            "answer_supervision",
            handler,
            t,
            before,
            None,
            note=answer,
            extra={"supervision": supervision_id},
        )

    # --- mediation --------------------------------------------------------------------------------------------

    def _handler(self, s: State):
        for a in reversed(s.assignments):
            if a.role == "lead" and a.status in ("accepted", "completed") and a.accepted_by is not None:
                return a.accepted_by
        return None

    def notify_rights(self, s: State) -> None:
        t = self._now_of(s)
        if s.status != "in_progress" or s.fields.get("rights_notified_at"):
            return
        before = self.begin(s)
        s.fields["rights_notified_at"] = t
        self.finish(s, "notify_rights", self._handler(s), t, before, None)

    def record_session(self, s: State, rng, held_at) -> None:
        t = self._now_of(s)
        if s.status != "in_progress" or not s.fields.get("rights_notified_at"):
            return
        user = self._handler(s)
        if user is None:
            return
        before = self.begin(s)
        mode = _MODE.pick(rng)
        session_id = self.ctx.ids.next("disputes.MediationSession")
        names_ = [p[3] for p in s.parties]
        self.w["disputes.MediationSession"].add(
            id=session_id,
            dispute_id=s.id,
            held_at=self.clock.ts(min(held_at, t)),
            mode=mode,
            location=rng.choice(names.SESSION_PLACES)
            if mode == "on_site"
            else ("腾讯会议" if mode == "video" else ""),
            participants="、".join(names_ + [user.name]),
            minutes=f"调解员向双方释明相关法律规定，听取双方意见。{rng.choice(['双方初步达成一致意见。', '双方分歧较大，约定再次调解。', '双方同意各退一步。'])}",
            recorded_by_id=user.id,
            recorded_at=self.clock.ts(t),
        )
        self.w["disputes.MediationSession.mediators"].add(
            id=self.ctx.ids.next("disputes.MediationSession.mediators"),
            mediationsession_id=session_id,
            user_id=user.id,
        )
        s.fields["sessions"] = s.fields.get("sessions", 0) + 1
        self.finish(s, "record_session", user, t, before, None, extra={"session": session_id, "mode": mode})

    def extend(self, s: State, rng) -> None:
        t = self._now_of(s)
        lead = s.lead
        if s.status != "in_progress" or lead is None or s.due_at is None:
            return
        principal = [p[0] for p in s.parties if p[1] in ("applicant", "respondent")]
        if len(principal) < 1:
            return
        user = self._handler(s)
        before = self.begin(s)
        new_due = self.clock.day_end(self.clock.local_day(s.due_at) + rng.randrange(10, 31))
        extension_id = self.ctx.ids.next("disputes.Extension")
        reason = "案情复杂，需补充调查"
        self.w["disputes.Extension"].add(
            id=extension_id,
            dispute_id=s.id,
            old_due_at=self.clock.ts(s.due_at),
            new_due_at=self.clock.ts(new_due),
            reason=reason,
            consent_note="双方当事人当面同意延长调解期限，已签字确认。",
            recorded_by_id=user.id,
            recorded_at=self.clock.ts(t),
        )
        for party_id in principal:
            self.w["disputes.Extension.consenting_parties"].add(
                id=self.ctx.ids.next("disputes.Extension.consenting_parties"),
                extension_id=extension_id,
                party_id=party_id,
            )
        s.due_at, s.due_local = new_due, True
        s.fields["extended"] = True
        lead.due_at = new_due
        self.schedule_checks(s, lead)
        self.finish(
            s,
            "extend",
            user,
            t,
            before,
            None,
            note=reason,
            extra={"new_due_at": self.clock.iso_local(new_due)},
        )

    def view_personal_data(self, s: State, rng) -> None:
        """personal_data.unmask: an auditor's unmasked view, logged on the timeline (no version change)."""
        t = self._now_of(s)
        auditor = s.district.place.one("auditor")
        where = rng.choice(["detail", "casefile"])
        self.event(
            s,
            "view_personal_data",
            auditor,
            t,
            note="核查当事人身份信息",
            before="{}",
            after=f'{{"where":"{where}"}}',
        )

    # --- outcome and agreement --------------------------------------------------------------------------------

    def record_outcome(self, s: State, rng, success) -> None:
        t = self._now_of(s)
        f = s.fields
        if s.status != "in_progress" or not f.get("sessions"):
            return
        user = self._handler(s)
        before = self.begin(s)
        day = self.clock.local_day(t)
        note = "经调解，双方达成调解协议。" if success else "经多次调解，双方未能达成一致。"
        preventions = [rng.choice(PREVENTIONS)] if rng.random() < 0.01 else []
        if success:
            previous = s.agreements[-1] if s.agreements else None
            if previous is not None and not self.ctx.agreement_history:
                # Re-mediation replaces the agreement; the old terms stay in the timeline.
                before = (
                    before[:-1]
                    + ","
                    + json.dumps(
                        {
                            "previous_agreement": {
                                "form": previous["form"],
                                "terms": previous["terms"],
                                "effective_on": self.clock.date_text(previous["effective_on"]),
                            }
                        },
                        ensure_ascii=False,
                        separators=(",", ":"),
                    )[1:]
                )
            if previous is not None:
                previous["superseded_at"] = t
            written = rng.random() < 0.7
            amount = int(f["amount"] * rng.uniform(0.3, 1.0)) if f["amount"] else 0
            s.agreements.append(
                {
                    "id": self.ctx.ids.next("disputes.Agreement"),
                    "form": "written" if written else "oral",
                    "facts": f"双方因{s.title.split('与', 1)[-1][:20]}产生争议。" if written else "",
                    "terms": rng.choice(
                        [
                            "双方互谅互让，一次性了结纠纷。",
                            f"被申请人于十五日内支付{amount}元。",
                            "双方按协议约定各自履行义务。",
                        ]
                    ),
                    "performance_method": "协议签订后十五日内一次性履行完毕。" if written else "",
                    "performance_due_on": day + 15 if written and rng.random() < 0.5 else None,
                    "amount": amount,
                    "effective_on": day,
                    "signed_by_all": written,
                    "performance": "pending",
                    "recorded_by": user,
                    "recorded_at": t,
                }
            )
            f["failure_guidance"] = ""
            target = "resolved"
            guidance = ""
        else:
            guidance = _GUIDANCE.pick(rng)
            f["failure_guidance"] = guidance
            target = "failed"
        f.update(
            outcome="success" if success else "failure",
            outcome_note=note,
            preventions=preventions,
            resolved_at=t,
        )
        for a in s.current():
            a.status, a.completed_at, a.result_report = "completed", t, note
        self.finish(
            s,
            "record_outcome",
            user,
            t,
            before,
            target,
            note=note,
            extra={"outcome": f["outcome"], "preventions": preventions, "failure_guidance": guidance},
        )

    def apply_confirmation(self, s: State, rng) -> None:
        t = self._now_of(s)
        agreement = s.agreements[-1] if s.agreements else None
        day = self.clock.local_day(t)
        if s.status not in ("resolved", "fed_back") or agreement is None or agreement.get("applied_on"):
            return
        if not agreement["effective_on"] <= day <= agreement["effective_on"] + 30:
            return
        before = self.begin(s)
        court = s.district.court.name
        agreement.update(applied_on=day, court=court, result="pending")
        self.finish(
            s,
            "apply_confirmation",
            self._handler(s),
            t,
            before,
            None,
            note=court,
            extra={"applied_on": self.clock.date_text(day)},
        )

    def record_confirmation(self, s: State, rng) -> None:
        t = self._now_of(s)
        agreement = s.agreements[-1] if s.agreements else None
        if (
            s.status not in ("resolved", "fed_back", "archived")
            or agreement is None
            or not agreement.get("applied_on")
        ):
            return
        before = self.begin(s)
        result = "confirmed" if rng.random() < 0.92 else "rejected"
        agreement.update(result=result, decided_on=max(self.clock.local_day(t), agreement["applied_on"]))
        self.finish(s, "record_confirmation", self._handler(s), t, before, None, extra={"result": result})

    def record_notarization(self, s: State, rng) -> None:
        t = self._now_of(s)
        agreement = s.agreements[-1] if s.agreements else None
        if s.status not in ("resolved", "fed_back", "archived") or agreement is None:
            return
        before = self.begin(s)
        office = f"重庆市{s.district.place.name}公证处"
        day = self.clock.local_day(t)
        agreement.update(notarized_on=day, notary_office=office)
        self.finish(
            s,
            "record_notarization",
            self._handler(s),
            t,
            before,
            None,
            note=office,
            extra={"notarized_on": self.clock.date_text(day)},
        )

    # --- feedback, follow-up, archive -------------------------------------------------------------------------

    def give_feedback(self, s: State, rng, target) -> None:
        t = self._now_of(s)
        if s.status not in ("resolved", "failed", "fed_back"):
            return
        assigned = any(a.status != "withdrawn" for a in s.assignments)
        if target == "platform" and not assigned:
            return
        user = self._handler(s)
        before = self.begin(s)
        content = "已将调解结果告知双方当事人。" if target == "parties" else "已向交办平台反馈办理结果。"
        self.w["disputes.Feedback"].add(
            id=self.ctx.ids.next("disputes.Feedback"),
            dispute_id=s.id,
            target=target,
            channel=rng.choice(names.CHANNELS),
            content=content,
            given_by_id=user.id,
            given_at=self.clock.ts(t),
        )
        s.feedback_given.add(target)
        needed = {"parties"} | ({"platform"} if assigned else set())
        self.finish(
            s,
            "feedback",
            user,
            t,
            before,
            "fed_back" if needed <= s.feedback_given else None,
            note=content,
            extra={"target": target},
        )

    def follow_up(self, s: State, rng, unhappy) -> None:
        t = self._now_of(s)
        if s.status != "fed_back":
            return
        user = self._handler(s)
        before = self.begin(s)
        day = self.clock.local_day(t)
        agreement = s.agreements[-1] if s.agreements and s.fields.get("outcome") == "success" else None
        satisfaction = "unsatisfied" if unhappy else _SATISFIED.pick(rng)
        performance = ""
        if agreement is not None:
            performance = _PERFORMANCE.pick(rng)
            agreement.update(performance=performance, performance_checked_on=day)
        notes = "当事人对调解结果表示认可。" if not unhappy else "当事人反映协议未落实，要求重新调解。"
        self.w["disputes.FollowUp"].add(
            id=self.ctx.ids.next("disputes.FollowUp"),
            dispute_id=s.id,
            visited_on=self.clock.date_text(day),
            satisfaction=satisfaction,
            performance=performance,
            notes=notes,
            visited_by_id=user.id,
            recorded_at=self.clock.ts(t),
        )
        s.follow_ups += 1
        target = None
        if unhappy:
            target = "in_progress"
            s.fields.update(outcome="", resolved_at=None)
            self._reopen_lead(s)
            s.feedback_given = set()
        self.finish(
            s,
            "follow_up",
            user,
            t,
            before,
            target,
            note=notes,
            extra={"satisfaction": satisfaction, "performance": performance, "remediation": unhappy},
        )

    def _reopen_lead(self, s: State) -> None:
        """workflow._reopen_lead_assignment: the last completed lead assignment is open again."""
        leads = [a for a in s.assignments if a.role == "lead" and a.status == "completed"]
        if leads:
            lead = leads[-1]
            lead.status, lead.completed_at = "accepted", None
            self.schedule_checks(s, lead)

    def archive(self, s: State) -> None:
        t = self._now_of(s)
        if s.status != "fed_back" or (s.fields.get("outcome") == "success" and not s.follow_ups):
            return
        before = self.begin(s)
        s.fields["closed_at"] = t
        self.finish(s, "archive", self._handler(s), t, before, "archived")

    def reopen(self, s: State, rng) -> None:
        t = self._now_of(s)
        if s.status not in ("archived", "failed"):
            return
        before = self.begin(s)
        reason = "当事人反映协议履行出现新问题"
        s.fields.update(closed_at=None, outcome="", resolved_at=None)
        self._reopen_lead(s)
        s.feedback_given = set()
        self.finish(s, "reopen", self._supervisor(s), t, before, "in_progress", note=reason)

    # --- time of the running step -----------------------------------------------------------------------------

    def _now_of(self, s: State) -> int:
        return s.t

    def _later(self, s: State, t, step, *args) -> None:
        """Schedule a step (an answer, a sweep's check) while the story runs."""
        if t <= self.now:
            s.order += 1
            heapq.heappush(s.queue, (t, s.order, step, args))

    # --- early warnings (warnings.raise_early_warning) ------------------------------------------------------

    def early_warning(self, s: State, t, rng) -> None:
        grade = s.risk_grade
        if grade not in (1, 2):
            return
        recipients = [("unit", u) for u in s.fields["units"]]
        recipients.append(("org", s.platform))
        recipients += [("user", u) for u in self._supervisors_over(s.region)]
        due = t + ACK_LIMITS[grade]
        values = {
            "grade": self.grade_label[grade],
            "number": s.number,
            "title": s.title,
            "due": self.clock.local_text(due),
        }
        title = (self.t["warning_title"] % values)[:200]
        body = self.t["warning_body"] % values
        raised = []
        for kind, recipient in recipients:
            key = (grade, _recipient_key(kind, recipient))
            if key in s.alert_keys:
                continue  # once per (dispute, kind, level, recipient)
            s.alert_keys.add(key)
            users = _users_of(kind, recipient)
            r = rng.random()
            ack = (
                t + int(ACK_LIMITS[grade] * rng.uniform(0.05, 0.95))
                if r < 0.85
                else (due + rng.randrange(HOUR, 3 * DAY) if r < 0.95 else None)
            )
            if ack is not None and (not users or ack > self.now):
                ack = None
            self.ctx.alert(
                kind="early_warning",
                level=grade,
                ct="dispute",
                object_id=s.id,
                region=s.region,
                recipient=(kind, recipient),
                title=title,
                body=body,
                url=f"/disputes/{s.id}/",
                at=t,
                ack_due_at=due,
                acknowledged_at=ack,
                acknowledged_by=users[0] if ack is not None else None,
                users=users,
                rng=rng,
            )
            raised.append(((kind, recipient), ack))
        if raised:
            s.warnings.setdefault(grade, []).extend((r, ack, due) for r, ack in raised)
            self._later(s, _next_tick(due), self.check_escalation, grade)

    def _supervisors_over(self, region) -> list:
        """warnings.supervisors_over: supervisors whose region is the dispute's or one above it."""
        found, place = [], region
        while place is not None:
            found += place.staff.get("supervisor", [])
            place = place.parent
        return sorted(found, key=lambda u: u.id)

    # --- the scheduled work, at the beat's ticks ----------------------------------------------------------
    # Checks run in the same time-ordered queue as the actions, so each sees the dispute as the sweep would
    # have: an assignment still pending at the tick after its acceptance deadline is reported, an open one
    # whose elapsed share has reached a step climbs the ladder. They write no dispute version (the sweep
    # saves assignments, not the dispute).

    def schedule_checks(self, s: State, a: Assignment) -> None:
        start = max(s.t, a.assigned_at)
        if a.status == "pending":
            self._later(s, max(_next_tick(a.accept_due_at), _next_tick(start)), self.check_accept, a)
        for share in sorted(set(LADDER.get(s.risk_grade, LADDER[None]).values())):
            crossing = a.assigned_at + (a.due_at - a.assigned_at) * share // 100
            self._later(s, max(_next_tick(crossing), _next_tick(start)), self.check_ladder, a)

    def check_accept(self, s: State, a: Assignment) -> None:
        """sweeps._report_accept_overdue."""
        tick = s.t
        if a.status != "pending" or a.accept_due_at >= tick or a.accept_reported:
            return
        a.accept_reported = True
        values = {"number": s.number, "target": a.target.name, "due": self.clock.local_text(a.accept_due_at)}
        title = (self.t["accept_title"] % values)[:200]
        body = self.t["accept_body"] % values
        for kind, recipient in _unique([("unit" if a.is_unit else "org", a.target), ("org", s.platform)]):
            self.ctx.alert(
                kind="accept_overdue",
                level=1,
                ct="assignment",
                object_id=a.id,
                region=s.region,
                recipient=(kind, recipient),
                title=title,
                body=body,
                url=f"/disputes/{s.id}/",
                at=tick,
                users=_users_of(kind, recipient),
                rng=s.rng,
            )
        self.event(
            s,
            "accept_overdue",
            None,
            tick,
            note=a.target.name,
            before="{}",
            after=f'{{"assignment":{a.id},"accept_due_at":"{self.clock.iso_utc(a.accept_due_at)}"}}',
        )

    def check_ladder(self, s: State, a: Assignment) -> None:
        """sweeps._climb_batch: every step newly reached, lowest first, and one event."""
        tick = s.t
        if a.status not in ("pending", "accepted"):
            return
        steps = LADDER.get(s.risk_grade, LADDER[None])
        percent = (
            (tick - a.assigned_at) * 100 / (a.due_at - a.assigned_at)
            if a.due_at > a.assigned_at
            else 10_000.0
        )
        reached = a.overdue_level or 0
        target = max((level for level, share in steps.items() if percent >= share), default=0)
        if target <= reached:
            return
        for level in sorted(lv for lv in steps if reached < lv <= target):
            self._step(s, a, level, percent, tick)
        self.event(
            s,
            "supervision_step",
            None,
            tick,
            note=self.step_label[target],
            before=f'{{"assignment":{a.id},"overdue_level":{a.overdue_level or "null"}}}',
            after=f'{{"assignment":{a.id},"overdue_level":{target},"elapsed_percent":{round(percent)},'
            f'"overdue":{"true" if target >= 2 else "false"}}}',
        )
        a.overdue_level = target

    def _step(self, s: State, a: Assignment, level, percent, tick) -> None:
        values = {
            "number": s.number,
            "step": self.step_label[level],
            "target": a.target.name,
            "due": self.clock.local_text(a.due_at),
            "percent": round(percent),
        }
        title = (self.t["overdue_title" if level >= 2 else "nearing_title"] % values)[:200]
        body = self.t["step_body"] % values
        recipients = [("unit" if a.is_unit else "org", a.target), ("org", s.platform)]
        if level >= 3:
            supervision_id = self._notice(s, a, level, body + " " + self.t["notice_tail"], None, tick)
            if a.accepted_by is not None and s.rng.random() < 0.7:
                answer_at = tick + _duration(s.rng, DAY, HOUR, 4 * DAY)
                self._later(s, answer_at, self.answer_supervision, supervision_id, a.accepted_by)
            if s.leader is not None:
                recipients.append(("user", s.leader))
        for kind, recipient in _unique(recipients):
            self.ctx.alert(
                kind="supervision",
                level=level,
                ct="assignment",
                object_id=a.id,
                region=s.region,
                recipient=(kind, recipient),
                title=title,
                body=body,
                url=f"/disputes/{s.id}/",
                at=tick,
                users=_users_of(kind, recipient),
                rng=s.rng,
            )

    def check_escalation(self, s: State, grade) -> None:
        """warnings.escalate_unacknowledged: once per (open dispute, grade) with a warning late at the tick."""
        tick = s.t
        if s.status not in OPEN or grade in s.escalated:
            return
        late = [r for r, ack, due in s.warnings.get(grade, []) if due < tick and (ack is None or ack > tick)]
        if not late:
            return
        s.escalated.add(grade)
        recipients = []
        platform = s.platform
        if platform is not None and platform.region.level > 2:
            upper = self._platform_for(platform.region.parent, platform.region.level - 1)
            if upper is not None and upper is not platform:
                recipients.append(("org", upper))
        # warnings.escalation_recipients names settings.DISTRICT_CODE's supervisors: here the dispute's own district's.
        recipients += [("user", u) for u in s.district.place.staff.get("supervisor", [])]
        who = "、".join(sorted({r.name for _k, r in late}))
        values = {"grade": self.grade_label[grade], "number": s.number, "who": who}
        title = (self.t["escalation_title"] % values)[:200]
        body = self.t["escalation_body"] % values
        for kind, recipient in recipients:
            self.ctx.alert(
                kind="ack_escalation",
                level=grade,
                ct="dispute",
                object_id=s.id,
                region=s.region,
                recipient=(kind, recipient),
                title=title,
                body=body,
                url=f"/disputes/{s.id}/",
                at=tick,
                users=_users_of(kind, recipient),
                rng=s.rng,
            )

    # --- the rows that hold the final state -----------------------------------------------------------------

    def write_dispute(self, s: State) -> None:
        ctx = self.ctx
        f = s.fields
        clock = self.clock
        self.statuses[s.status] = self.statuses.get(s.status, 0) + 1
        year = int(s.number[4:8])
        self.counters[year] = max(self.counters.get(year, 0), int(s.number[9:]))
        ts = clock.ts
        ctx.w("disputes.Dispute").add(
            id=s.id,
            number=s.number,
            category_id=s.category[0],
            source=f["source"],
            external_id=f["external_id"],
            region_id=s.region.id,
            region_path=s.region.path,
            address=f["address"],
            occurred_at=ts(f["occurred_at"]),
            title=s.title,
            description=f["description"],
            people_involved=f["people_involved"],
            amount=f["amount"],
            risk_flags=f["risk_flags"],
            risk_grade=s.risk_grade,
            risk_grade_by_rules=f.get("risk_grade_by_rules"),
            risk_override_reason=f.get("risk_override_reason", ""),
            complexity=f.get("complexity", ""),
            in_sensitive_period=f.get("in_sensitive_period", False),
            status=s.status,
            handling_level=f.get("handling_level"),
            platform_id=s.platform.id if s.platform else None,
            routing_rule_id=f.get("routing_rule"),
            leader_id=s.leader.id if s.leader else None,
            due_at=ts(s.due_at) if s.due_at is not None else None,
            due_date_estimated=s.due_estimated if s.due_at is not None else False,
            rights_notified_at=ts(f["rights_notified_at"]) if f.get("rights_notified_at") else None,
            extended=f.get("extended", False),
            outcome=f.get("outcome", ""),
            failure_guidance=f.get("failure_guidance", ""),
            preventions=f.get("preventions", []),
            outcome_note=f.get("outcome_note", ""),
            resolved_at=ts(f["resolved_at"]) if f.get("resolved_at") else None,
            closed_at=ts(f["closed_at"]) if f.get("closed_at") else None,
            duplicate_of_id=f.get("duplicate_of"),
            void_reason=f.get("void_reason", ""),
            version=s.version,
            created_by_id=s.created_by.id,
            created_at=ts(s.created_at),
            updated_at=ts(s.updated_at),
        )
        for unit in f.get("units", []):
            self.w["disputes.Dispute.responsible_units"].add(
                id=ctx.ids.next("disputes.Dispute.responsible_units"), dispute_id=s.id, unit_id=unit.id
            )
        for a in s.assignments:
            self.w["disputes.Assignment"].add(
                id=a.id,
                dispute_id=s.id,
                from_platform_id=a.platform.id,
                to_unit_id=a.target.id if a.is_unit else None,
                to_organization_id=None if a.is_unit else a.target.id,
                role=a.role,
                status=a.status,
                limit_days=a.limit_days,
                day_type="working",
                accept_due_at=ts(a.accept_due_at),
                due_at=ts(a.due_at),
                due_date_estimated=a.due_estimated,
                note=a.note,
                assigned_by_id=a.assigned_by.id,
                assigned_at=ts(a.assigned_at),
                accepted_by_id=a.accepted_by.id if a.accepted_by else None,
                accepted_at=ts(a.accepted_at) if a.accepted_at is not None else None,
                return_reason=a.return_reason,
                returned_at=ts(a.returned_at) if a.returned_at is not None else None,
                result_report=a.result_report,
                completed_at=ts(a.completed_at) if a.completed_at is not None else None,
                overdue_level=a.overdue_level,
            )
        for supervision_id, n in f.get("notices", {}).items():
            self.w["disputes.Supervision"].add(
                id=supervision_id,
                dispute_id=s.id,
                assignment_id=n["assignment"],
                level=n["level"],
                notice=n["notice"],
                issued_by_id=n["issued_by"].id if n["issued_by"] else None,
                issued_at=ts(n["issued_at"]),
                answer_due_at=ts(n["answer_due_at"]),
                answer=n.get("answer", ""),
                answered_by_id=n["answered_by"].id if n.get("answered_by") else None,
                answered_at=ts(n["answered_at"]) if n.get("answered_at") else None,
            )
        agreements = s.agreements if ctx.agreement_history else s.agreements[-1:]
        for g in agreements:
            row = {
                "id": g["id"],
                "dispute_id": s.id,
                "form": g["form"],
                "facts": g["facts"],
                "terms": g["terms"],
                "performance_method": g["performance_method"],
                "performance_due_on": clock.date_text(g["performance_due_on"])
                if g["performance_due_on"]
                else None,
                "amount": g["amount"],
                "effective_on": clock.date_text(g["effective_on"]),
                "signed_by_all": g["signed_by_all"],
                "performance": g["performance"],
                "performance_checked_on": clock.date_text(g["performance_checked_on"])
                if g.get("performance_checked_on")
                else None,
                "confirmation_applied_on": clock.date_text(g["applied_on"]) if g.get("applied_on") else None,
                "confirmation_court": g.get("court", ""),
                "confirmation_result": g.get("result", ""),
                "confirmation_decided_on": clock.date_text(g["decided_on"]) if g.get("decided_on") else None,
                "notarized_on": clock.date_text(g["notarized_on"]) if g.get("notarized_on") else None,
                "notary_office": g.get("notary_office", ""),
                "recorded_by_id": g["recorded_by"].id,
                "recorded_at": ts(g["recorded_at"]),
            }
            if ctx.agreement_history:
                row["superseded_at"] = ts(g["superseded_at"]) if g.get("superseded_at") else None
            self.w["disputes.Agreement"].add(**row)


class _RoutingView:
    """What routing.rule_matches reads of a dispute."""

    def __init__(self, s: State, unit_count: int):
        self.category_id = s.category[0]
        self.risk_grade = s.risk_grade
        self.risk_flags = s.fields["risk_flags"]
        self.category = _CategoryUnits(unit_count)


class _CategoryUnits:
    def __init__(self, count):
        self.units = self
        self._count = count

    def count(self):
        return self._count


def _duration(rng, mean, low, high) -> int:
    """An exponentially distributed duration in seconds, clipped to [low, high]."""
    return int(min(high, max(low, rng.expovariate(1 / mean))))


def _next_tick(t) -> int:
    """The first beat tick (every 10 minutes) after `t`."""
    return (t // TICK + 1) * TICK


def _members(values: dict) -> str:
    """The members of a JSON object (no braces) for the small dicts of the snapshots, faster than json.dumps."""
    parts = []
    for key, value in values.items():
        kind = type(value)
        if kind is int:
            text = str(value)
        elif value is None:
            text = "null"
        elif kind is bool:
            text = "true" if value else "false"
        elif kind is str and value.isprintable() and '"' not in value and "\\" not in value:
            text = f'"{value}"'
        elif kind is list and not value:
            text = "[]"
        else:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        parts.append(f'"{key}":{text}')
    return ",".join(parts)


def _j(value):
    if value is None:
        return "{}"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _vulnerabilities(rng, age) -> list[str]:
    found = []
    if age < 18:
        found.append("minor")
    if age >= 70 and rng.random() < 0.4:
        found.append("elderly")
    if rng.random() < 0.01:
        found.append("disabled")
    if rng.random() < 0.003:
        found.append("mental_illness")
    return found


def _recipient_key(kind, recipient) -> str:
    return f"{'org' if kind == 'org' else kind}:{recipient.id}"


def _recipient_name(kind, recipient) -> str:
    return recipient.name


def _users_of(kind, recipient) -> list:
    if kind == "user":
        return [recipient]
    return sorted(recipient.members, key=lambda u: u.id)


def _unique(recipients):
    seen = {}
    for kind, recipient in recipients:
        if recipient is None:
            continue
        seen.setdefault(_recipient_key(kind, recipient), (kind, recipient))
    return list(seen.values())
