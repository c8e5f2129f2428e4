"""The registry's indicators, computed from live data at any date (tasks 1–3, 5–8, 10, 11, 17–19, 32).

`indicator(code, as_of)` returns an IndicatorResult: numerator, denominator, rate (percent) and the rows
behind them, each row saying whether it meets the requirement. History is read with dates (organizations'
established/dissolved dates, appointments, the discipline log, headcounts), so a past date gives the picture
of that day. tasks_plan compares these values with the plan's targets.

People are counted once each, and only while in good standing: a mediator suspended or dismissed in the
discipline log on or before the date counts neither for staffing, nor as an expert, nor as a committee member.
disputes/indicators.py registers the case-data indicators in the same REGISTRY.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from mediation.choices import (
    INDUSTRY_FIELDS,
    ROOM_FIELDS,
    AppointmentRole,
    Background,
    Gender,
    MediationField,
    OrganizationKind,
    RegionLevel,
    TrainingLevel,
    UnitKind,
)

# Task 7 counts police stations with at least this many officers.
POLICE_STATION_MIN_OFFICERS = 20
# Task 10: the key departments that must have an administrative mediation room.
KEY_DEPARTMENTS = ["gaj", "zjw", "ghzy", "sthj", "scj"]
# Task 17: centralized trainings a year.
DISTRICT_TRAININGS_PER_YEAR = 1
STREET_TRAININGS_PER_YEAR = 2
# Tasks 3 and 18: the industry/professional mediation organizations (行业性专业性调解组织).
INDUSTRY_KINDS = [OrganizationKind.INDUSTRY_COMMITTEE, OrganizationKind.INDUSTRY_ROOM]
# Task 8: the rooms a people's mediation committee dispatches to other bodies (派驻有关单位和部门的人民调解工作室).
DISPATCHED_ROOM_KINDS = [
    OrganizationKind.COURT_ROOM,
    OrganizationKind.POLICE_ROOM,
    OrganizationKind.PETITION_ROOM,
]
# Task 19: the backgrounds the plan names (志愿者 and 心理咨询师 are recorded too, but not counted).
PLAN_BACKGROUNDS = [
    Background.PARTY_DELEGATE,
    Background.NPC_DEPUTY,
    Background.CPPCC_MEMBER,
    Background.FIVE_ELDERS,
    Background.PROFESSIONAL,
    Background.COMMUNITY_WORKER,
    Background.SELECTED_GRADUATE,
    Background.LAWYER,
]
# Art. 8 of the People's Mediation Law: the roles that make a committee member (委员), and the committee kinds.
COMMITTEE_ROLES = [AppointmentRole.DIRECTOR, AppointmentRole.DEPUTY_DIRECTOR, AppointmentRole.MEMBER]
COMMITTEE_KINDS = {
    OrganizationKind.MAJOR_DISPUTE_CENTRE,
    OrganizationKind.STREET_COMMITTEE,
    OrganizationKind.COMMUNITY_COMMITTEE,
    OrganizationKind.ENTERPRISE_COMMITTEE,
    OrganizationKind.INDUSTRY_COMMITTEE,
}
COMMITTEE_MIN_MEMBERS, COMMITTEE_MAX_MEMBERS = 3, 9
DEFAULT_STAFFING = {
    OrganizationKind.INDUSTRY_COMMITTEE: (3, False),
    OrganizationKind.STREET_COMMITTEE: (2, False),
    OrganizationKind.COMMUNITY_COMMITTEE: (1, True),
    OrganizationKind.ENTERPRISE_COMMITTEE: (1, True),
    OrganizationKind.COURT_ROOM: (2, False),
    OrganizationKind.POLICE_ROOM: (2, False),
    OrganizationKind.PETITION_ROOM: (2, False),
}


@dataclass
class IndicatorRow:
    """One thing counted: an organization, a region, a unit, a field; `met` says whether it counts as done."""

    label: str
    met: bool
    detail: str = ""
    obj: object = None


@dataclass
class IndicatorResult:
    code: str
    label: str
    as_of: dt.date
    numerator: int
    denominator: int | None
    rows: list[IndicatorRow] = field(default_factory=list)
    unit: str = "%"
    note: str = ""

    @property
    def rate(self) -> Decimal | None:
        """Percent with one decimal; None when there is nothing to divide by."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def value(self) -> Decimal | int | None:
        """What a target compares with: the rate when there is a denominator, else the count."""
        return self.rate if self.denominator is not None else self.numerator

    @property
    def gaps(self) -> list[IndicatorRow]:
        return [row for row in self.rows if not row.met]


REGISTRY: dict[str, tuple[str, Callable[[dt.date], IndicatorResult]]] = {}


def register(code: str, label: str):
    def decorator(func):
        REGISTRY[code] = (label, func)
        return func

    return decorator


def indicator(code: str, as_of: dt.date | None = None) -> IndicatorResult:
    from django.utils import timezone

    if code not in REGISTRY:
        raise KeyError(f"unknown indicator {code!r}")
    return REGISTRY[code][1](as_of or timezone.localdate())


def all_indicators(as_of: dt.date | None = None) -> list[IndicatorResult]:
    return [indicator(code, as_of) for code in REGISTRY]


# --- helpers ----------------------------------------------------------------------------------------------


def district():
    """The district's own region (settings.DISTRICT_CODE)."""
    from mediation.models import Region

    return Region.objects.get(code=settings.DISTRICT_CODE)


def _organizations(as_of, *kinds):
    from mediation.models import MediationOrganization

    return MediationOrganization.objects.active_on(as_of).filter(kind__in=kinds)


def regions_at(level):
    """The district's active regions of one level, in tree order."""
    from mediation.models import Region

    return Region.objects.subtree(district()).filter(level=level, is_active=True).order_by("path")


def _full_names(regions) -> dict[int, str]:
    """Each region's full name by primary key, in one query (the district itself keeps its own name)."""
    from mediation.models import Region

    by_path = Region.objects.full_names(r.path for r in regions)
    return {r.pk: by_path[r.path] or r.name for r in regions}


def _coverage_by_region(as_of, regions, kind_for_level) -> tuple[int, list[IndicatorRow]]:
    regions = list(regions)
    names = _full_names(regions)
    kinds = set(kind_for_level.values())
    covered = set(_organizations(as_of, *kinds).values_list("region_id", "kind"))
    rows = [IndicatorRow(names[r.pk], (r.pk, kind_for_level[r.level]) in covered, r.code, r) for r in regions]
    return sum(row.met for row in rows), rows


def result(code, as_of, numerator, denominator, rows, **extra) -> IndicatorResult:
    """An indicator's result under the name it was registered with."""
    return IndicatorResult(code, str(REGISTRY[code][0]), as_of, numerator, denominator, rows, **extra)


def _fields_covered(as_of, required, kinds, hosted_in_kind=None) -> tuple[int, list[IndicatorRow]]:
    orgs = _organizations(as_of, *kinds)
    if hosted_in_kind:
        from mediation.models import MediationOrganization

        centres = MediationOrganization.objects.active_on(as_of).filter(kind=hosted_in_kind)
        orgs = orgs.filter(hosted_in__in=centres)
    by_field = defaultdict(list)
    for org in orgs.only("name", "fields"):
        for f in org.fields or []:
            by_field[f].append(org.name)
    rows = [
        IndicatorRow(str(MediationField(f).label), bool(by_field.get(f)), "、".join(by_field.get(f, [])), f)
        for f in required
    ]
    return sum(row.met for row in rows), rows


def _active_mediators(as_of):
    """Mediators in good standing on `as_of` (the discipline log: not suspended or dismissed then)."""
    from mediation.models import Mediator

    return Mediator.objects.active_on(as_of).values("pk")


def _experts_on(as_of):
    """Mediator ids in the expert pool on `as_of`, leaving out those suspended or dismissed by then."""
    from mediation.models import ExpertMembership

    return ExpertMembership.objects.on(as_of).filter(mediator__in=_active_mediators(as_of)).values("mediator")


# --- task 1: comprehensive platforms per level ----------------------------------------------------------------


def _platform_rate(level):
    def compute(as_of):
        numerator, rows = _coverage_by_region(as_of, regions_at(level), {level: OrganizationKind.PLATFORM})
        return result(f"platform_rate_{RegionLevel(level).name.lower()}", as_of, numerator, len(rows), rows)

    return compute


register("platform_rate_district", _("Platform build rate: district"))(_platform_rate(RegionLevel.DISTRICT))
register("platform_rate_street", _("Platform build rate: streets/towns"))(_platform_rate(RegionLevel.STREET))
register("platform_rate_community", _("Platform build rate: communities/villages"))(
    _platform_rate(RegionLevel.COMMUNITY)
)


# --- tasks 2, 3, 6: fields covered ------------------------------------------------------------------------


@register("industry_room_occupancy", _("Industry rooms in the district mediation centre"))
def industry_room_occupancy(as_of):
    numerator, rows = _fields_covered(
        as_of, INDUSTRY_FIELDS, [OrganizationKind.INDUSTRY_ROOM], OrganizationKind.MAJOR_DISPUTE_CENTRE
    )
    return result("industry_room_occupancy", as_of, numerator, len(rows), rows)


@register("industry_fields_covered", _("Fields with an industry/professional mediation organization"))
def industry_fields_covered(as_of):
    numerator, rows = _fields_covered(as_of, INDUSTRY_FIELDS, INDUSTRY_KINDS)
    experts = _experts_on(as_of).distinct().count()
    return result(
        "industry_fields_covered",
        as_of,
        numerator,
        len(rows),
        rows,
        note=str(_("Expert pool: %(n)s members")) % {"n": experts},
    )


@register("field_rooms_covered", _("Fields with a people's mediation room"))
def field_rooms_covered(as_of):
    numerator, rows = _fields_covered(as_of, ROOM_FIELDS, [OrganizationKind.FIELD_ROOM])
    return result("field_rooms_covered", as_of, numerator, len(rows), rows)


# --- task 5: people's mediation committees ------------------------------------------------------------------


@register("committee_rate", _("People's mediation committee build rate"))
def committee_rate(as_of):
    from mediation.models import Region

    regions = (
        Region.objects.subtree(district())
        .filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY], is_active=True)
        .order_by("path")
    )
    numerator, rows = _coverage_by_region(
        as_of,
        regions,
        {
            RegionLevel.STREET: OrganizationKind.STREET_COMMITTEE,
            RegionLevel.COMMUNITY: OrganizationKind.COMMUNITY_COMMITTEE,
        },
    )
    return result("committee_rate", as_of, numerator, len(rows), rows)


# --- tasks 7, 10, 11: rooms hosted by units ---------------------------------------------------------------


def _hosted_rate(code, as_of, hosts, room_kind, *, sub_units_count=False) -> IndicatorResult:
    """Hosts with an active room of `room_kind`; with `sub_units_count`, a room hosted by a unit directly
    under the host (e.g. the traffic police under the public security bureau) counts for the host."""
    hosts = list(hosts)
    rooms_of = defaultdict(list)
    rooms = _organizations(as_of, room_kind).filter(host_unit__isnull=False).order_by("name")
    for name, host_id, parent_id in rooms.values_list("name", "host_unit_id", "host_unit__parent_id"):
        rooms_of[host_id].append(name)
        if sub_units_count and parent_id:
            rooms_of[parent_id].append(name)
    rows = [
        IndicatorRow(u.name, bool(rooms_of.get(u.pk)), "、".join(rooms_of.get(u.pk, [])), u) for u in hosts
    ]
    return result(code, as_of, sum(r.met for r in rows), len(rows), rows)


def officers_on(units, as_of) -> dict[int, int]:
    """Each unit's headcount valid on `as_of` (the latest entry on or before it)."""
    from mediation.models import UnitHeadcount

    found: dict[int, int] = {}
    for unit_id, officers in (
        UnitHeadcount.objects.filter(unit__in=units, valid_from__lte=as_of)
        .order_by("unit_id", "-valid_from")
        .values_list("unit_id", "officers")
    ):
        found.setdefault(unit_id, officers)
    return found


@register("court_room_rate", _("Mediation rooms at courts"))
def court_room_rate(as_of):
    from mediation.models import Unit

    courts = Unit.objects.filter(kind=UnitKind.COURT, is_active=True).order_by("name")
    return _hosted_rate("court_room_rate", as_of, courts, OrganizationKind.COURT_ROOM)


@register("police_room_rate", _("Mediation rooms at police stations with ≥ 20 officers"))
def police_room_rate(as_of):
    """Only stations with at least 20 officers on `as_of` are counted (实有警力20人以上); a station without
    a recorded headcount is not counted either, and the note says how many were left out."""
    from mediation.models import Unit

    stations = list(Unit.objects.filter(kind=UnitKind.POLICE_STATION, is_active=True).order_by("name"))
    officers = officers_on(stations, as_of)
    eligible = [s for s in stations if officers.get(s.pk, 0) >= POLICE_STATION_MIN_OFFICERS]
    result = _hosted_rate("police_room_rate", as_of, eligible, OrganizationKind.POLICE_ROOM)
    for row in result.rows:
        row.detail = str(_("%(n)s officers")) % {"n": officers[row.obj.pk]}
    excluded = len(stations) - len(eligible)
    result.note = str(_("%(n)s station(s) with fewer than 20 officers not counted")) % {"n": excluded}
    return result


@register("petition_room_rate", _("Petition-matter mediation rooms"))
def petition_room_rate(as_of):
    from mediation.models import Unit

    halls = Unit.objects.filter(kind=UnitKind.PETITION_HALL, is_active=True).order_by("name")
    return _hosted_rate("petition_room_rate", as_of, halls, OrganizationKind.PETITION_ROOM)


@register("admin_room_rate", _("Administrative mediation rooms in key departments"))
def admin_room_rate(as_of):
    from mediation.models import Unit

    by_code = {u.code: u for u in Unit.objects.filter(code__in=KEY_DEPARTMENTS)}
    departments = [by_code[code] for code in KEY_DEPARTMENTS if code in by_code]
    return _hosted_rate(
        "admin_room_rate", as_of, departments, OrganizationKind.ADMINISTRATIVE_ROOM, sub_units_count=True
    )


# --- task 8: full-time staffing -------------------------------------------------------------------------------


def staffing_rules() -> dict[str, tuple[int, bool]]:
    """Minimum full-time mediators per organization kind: the plan's defaults, overridden by StaffingRule rows."""
    from mediation.models import StaffingRule

    rules = dict(DEFAULT_STAFFING)
    rules.update({r.kind: (r.min_full_time, r.where_conditions_allow) for r in StaffingRule.objects.all()})
    return rules


def full_time_counts(organizations, as_of) -> dict[int, int]:
    """Full-time mediators in good standing per organization on `as_of`, each person counted once."""
    from mediation.models import Appointment

    return dict(
        Appointment.objects.on(as_of)
        .filter(organization__in=organizations, is_full_time=True, mediator__in=_active_mediators(as_of))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("mediator", distinct=True))
        .values_list("organization_id", "n")
    )


def staffing_of(organization, as_of) -> tuple[int, int | None]:
    """(full-time mediators, minimum) for one organization, e.g. (1, 3) shows as 专职调解员 1/3."""
    minimum = staffing_rules().get(organization.kind, (None, False))[0]
    return full_time_counts([organization], as_of).get(organization.pk, 0), minimum


def _staffing_rate(code, kinds):
    def compute(as_of):
        rules = staffing_rules()
        orgs = list(_organizations(as_of, *kinds).order_by("kind", "name"))
        counts = full_time_counts(orgs, as_of)
        rows = []
        for org in orgs:
            n, minimum = counts.get(org.pk, 0), rules[org.kind][0]
            rows.append(IndicatorRow(org.name, n >= minimum, f"{n}/{minimum}", org))
        note = "；".join(
            f"{OrganizationKind(k).label} ≥ {rules[k][0]}"
            + (f" ({_('only where conditions allow')})" if rules[k][1] else "")
            for k in kinds
        )
        return result(code, as_of, sum(r.met for r in rows), len(rows), rows, note=note)

    return compute


for _kind, _label in [
    (OrganizationKind.INDUSTRY_COMMITTEE, _("Full-time staffing: industry/professional committees (≥ 3)")),
    (OrganizationKind.STREET_COMMITTEE, _("Full-time staffing: street/town committees (≥ 2)")),
    (OrganizationKind.COMMUNITY_COMMITTEE, _("Full-time staffing: community/village committees (≥ 1)")),
    (OrganizationKind.ENTERPRISE_COMMITTEE, _("Full-time staffing: enterprise committees (≥ 1)")),
    (OrganizationKind.COURT_ROOM, _("Full-time staffing: rooms at courts (≥ 2)")),
    (OrganizationKind.POLICE_ROOM, _("Full-time staffing: rooms at police stations (≥ 2)")),
    (OrganizationKind.PETITION_ROOM, _("Full-time staffing: petition rooms (≥ 2)")),
]:
    register(f"staffing_{_kind}", _label)(_staffing_rate(f"staffing_{_kind}", [_kind]))
del _kind, _label
# Task 8's target counts the dispatched rooms together (派驻有关单位的人民调解工作室配备率).
register("staffing_dispatched_rooms", _("Full-time staffing: dispatched rooms (≥ 2)"))(
    _staffing_rate("staffing_dispatched_rooms", DISPATCHED_ROOM_KINDS)
)


# --- task 17: trainings ---------------------------------------------------------------------------------------


def _trainings_in_year(as_of):
    """Centralized trainings held from 1 January of `as_of`'s year up to and including `as_of`."""
    from mediation.models import Training

    return Training.objects.filter(
        is_centralized=True, held_on__gte=dt.date(as_of.year, 1, 1), held_on__lte=as_of
    )


@register("trainings_district", _("District centralized trainings this year (≥ 1)"))
def trainings_district(as_of):
    trainings = list(_trainings_in_year(as_of).filter(level=TrainingLevel.DISTRICT).order_by("held_on", "pk"))
    rows = [IndicatorRow(t.title, True, t.held_on.isoformat(), t) for t in trainings]
    note = str(_("Target: %(n)s a year")) % {"n": DISTRICT_TRAININGS_PER_YEAR}
    return result("trainings_district", as_of, len(trainings), None, rows, unit="", note=note)


@register("trainings_street", _("Streets/towns with ≥ 2 centralized trainings this year"))
def trainings_street(as_of):
    counts = Counter(
        _trainings_in_year(as_of).filter(level=TrainingLevel.STREET).values_list("region_id", flat=True)
    )
    rows = [
        IndicatorRow(
            s.name,
            counts.get(s.pk, 0) >= STREET_TRAININGS_PER_YEAR,
            f"{counts.get(s.pk, 0)}/{STREET_TRAININGS_PER_YEAR}",
            s,
        )
        for s in regions_at(RegionLevel.STREET)
    ]
    return result("trainings_street", as_of, sum(r.met for r in rows), len(rows), rows)


# --- task 18: experts in industry organizations ---------------------------------------------------------------


@register("experts_in_industry_orgs", _("Industry/professional organizations with ≥ 1 expert"))
def experts_in_industry_orgs(as_of):
    """An organization counts when someone serving it on `as_of` is then in the expert pool (调解专家库)."""
    from mediation.models import Appointment

    orgs = list(_organizations(as_of, *INDUSTRY_KINDS).order_by("name"))
    experts = dict(
        Appointment.objects.on(as_of)
        .filter(organization__in=orgs, mediator__in=_experts_on(as_of))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("mediator", distinct=True))
        .values_list("organization_id", "n")
    )
    rows = [IndicatorRow(o.name, experts.get(o.pk, 0) >= 1, str(experts.get(o.pk, 0)), o) for o in orgs]
    return result("experts_in_industry_orgs", as_of, sum(r.met for r in rows), len(rows), rows)


# --- task 19: backgrounds --------------------------------------------------------------------------------------


@register("mediator_backgrounds", _("Mediators with a background the plan names"))
def mediator_backgrounds(as_of):
    """Of the mediators in good standing serving somewhere on `as_of`, those with one of the eight backgrounds
    task 19 names; a row per background. Counsellors and volunteers are reported in the note only."""
    from mediation.models import Appointment, Mediator

    serving = Appointment.objects.on(as_of).values("mediator")
    mediators = list(Mediator.objects.active_on(as_of).filter(pk__in=serving).only("pk", "backgrounds"))
    counts = Counter(b for m in mediators for b in set(m.backgrounds or []))
    rows = [
        IndicatorRow(str(b.label), counts[b.value] > 0, str(counts[b.value]), b.value)
        for b in PLAN_BACKGROUNDS
    ]
    named = {b.value for b in PLAN_BACKGROUNDS}
    numerator = sum(1 for m in mediators if named.intersection(m.backgrounds or []))
    note = "；".join(f"{b.label}: {counts[b.value]}" for b in Background if b.value not in named)
    return result("mediator_backgrounds", as_of, numerator, len(mediators), rows, note=note)


# --- task 32: brand studios ------------------------------------------------------------------------------------


@register("brand_studios", _("Brand mediation studios (≥ 5)"))
def brand_studios(as_of):
    studios = list(
        _organizations(as_of, OrganizationKind.BRAND_STUDIO).select_related("named_after").order_by("name")
    )
    rows = [IndicatorRow(s.name, True, s.named_after.name if s.named_after else "", s) for s in studios]
    return result("brand_studios", as_of, len(studios), None, rows, unit="")


# --- Art. 8 of the People's Mediation Law ---------------------------------------------------------------------


def committee_composition_warnings(organization, as_of=None) -> list[str]:
    """人民调解法 Art. 8: a committee has 3–9 members (委员: director, deputies, members) and includes a woman.

    Members are the people in good standing holding a member's role on `as_of`, each counted once.
    Returned as warnings, not errors: an organization that breaks the rule is still recorded.
    """
    from django.utils import timezone

    from mediation.models import Appointment

    if organization.kind not in COMMITTEE_KINDS:
        return []
    as_of = as_of or timezone.localdate()
    appointments = (
        Appointment.objects.on(as_of)
        .filter(organization=organization, role__in=COMMITTEE_ROLES, mediator__in=_active_mediators(as_of))
        .select_related("mediator")
    )
    members = {a.mediator_id: a.mediator for a in appointments}
    warnings = []
    if not COMMITTEE_MIN_MEMBERS <= len(members) <= COMMITTEE_MAX_MEMBERS:
        warnings.append(
            str(_("The committee has %(n)s members; the law asks for 3 to 9 (Art. 8).")) % {"n": len(members)}
        )
    if not any(m.gender == Gender.FEMALE for m in members.values()):
        warnings.append(str(_("The committee has no woman member (Art. 8).")))
    return warnings
