"""The registry's indicators, computed from live data at any date (tasks 1–3, 5–8, 10, 11, 17–19, 32).

`indicator(code, as_of)` returns an IndicatorResult: numerator, denominator, rate (percent) and the rows
behind them, each row saying whether it meets the requirement. History is read with dates (organizations'
established/dissolved dates, appointments, the discipline log, headcounts), so a past date gives the picture
of that day. tasks_plan compares these values with the plan's targets.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediation.choices import (
    INDUSTRY_FIELDS,
    ROOM_FIELDS,
    Background,
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


def _district():
    from mediation.models import Region

    return Region.objects.get(code=settings.DISTRICT_CODE)


def _organizations(as_of, *kinds):
    from mediation.models import MediationOrganization

    return MediationOrganization.objects.active_on(as_of).filter(kind__in=kinds)


def _regions_at(level):
    from mediation.models import Region

    return Region.objects.subtree(_district()).filter(level=level, is_active=True).order_by("path")


def _coverage_by_region(as_of, regions, kind_for_level) -> tuple[int, list[IndicatorRow]]:
    regions = list(regions)
    kinds = set(kind_for_level.values())
    covered = set(_organizations(as_of, *kinds).values_list("region_id", "kind"))
    rows = [IndicatorRow(r.full_name, (r.pk, kind_for_level[r.level]) in covered, r.code, r) for r in regions]
    return sum(row.met for row in rows), rows


def _result(code, as_of, numerator, denominator, rows, **extra) -> IndicatorResult:
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


# --- task 1: comprehensive platforms per level ----------------------------------------------------------------


def _platform_rate(level):
    def compute(as_of):
        numerator, rows = _coverage_by_region(as_of, _regions_at(level), {level: OrganizationKind.PLATFORM})
        return _result(f"platform_rate_{RegionLevel(level).name.lower()}", as_of, numerator, len(rows), rows)

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
    return _result("industry_room_occupancy", as_of, numerator, len(rows), rows)


@register("industry_fields_covered", _("Fields with an industry/professional mediation organization"))
def industry_fields_covered(as_of):
    from mediation.models import ExpertMembership

    numerator, rows = _fields_covered(
        as_of, INDUSTRY_FIELDS, [OrganizationKind.INDUSTRY_COMMITTEE, OrganizationKind.INDUSTRY_ROOM]
    )
    experts = ExpertMembership.objects.on(as_of).values("mediator").distinct().count()
    return _result(
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
    return _result("field_rooms_covered", as_of, numerator, len(rows), rows)


# --- task 5: people's mediation committees ------------------------------------------------------------------


@register("committee_rate", _("People's mediation committee build rate"))
def committee_rate(as_of):
    from mediation.models import Region

    regions = (
        Region.objects.subtree(_district())
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
    return _result("committee_rate", as_of, numerator, len(rows), rows)


# --- tasks 7, 10, 11: rooms hosted by units ---------------------------------------------------------------


def _hosted_rate(code, as_of, hosts, room_kind):
    hosts = list(hosts)
    hosting = set(_organizations(as_of, room_kind).values_list("host_unit_id", flat=True))
    rows = [IndicatorRow(u.name, u.pk in hosting, "", u) for u in hosts]
    return _result(code, as_of, sum(r.met for r in rows), len(rows), rows)


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

    return _hosted_rate(
        "court_room_rate",
        as_of,
        Unit.objects.filter(kind=UnitKind.COURT, is_active=True),
        OrganizationKind.COURT_ROOM,
    )


@register("police_room_rate", _("Mediation rooms at police stations with ≥ 20 officers"))
def police_room_rate(as_of):
    from mediation.models import Unit

    stations = list(Unit.objects.filter(kind=UnitKind.POLICE_STATION, is_active=True).order_by("name"))
    officers = officers_on(stations, as_of)
    eligible = [s for s in stations if officers.get(s.pk, 0) >= POLICE_STATION_MIN_OFFICERS]
    result = _hosted_rate("police_room_rate", as_of, eligible, OrganizationKind.POLICE_ROOM)
    for row in result.rows:
        row.detail = str(_("%(n)s officers")) % {"n": officers.get(row.obj.pk, 0)}
    excluded = len(stations) - len(eligible)
    result.note = str(_("%(n)s station(s) with fewer than 20 officers not counted")) % {"n": excluded}
    return result


@register("petition_room_rate", _("Petition-matter mediation rooms"))
def petition_room_rate(as_of):
    from mediation.models import Unit

    halls = Unit.objects.filter(kind=UnitKind.PETITION_HALL, is_active=True)
    return _hosted_rate("petition_room_rate", as_of, halls, OrganizationKind.PETITION_ROOM)


@register("admin_room_rate", _("Administrative mediation rooms in key departments"))
def admin_room_rate(as_of):
    from mediation.models import Unit

    departments = Unit.objects.filter(code__in=KEY_DEPARTMENTS).order_by("name")
    return _hosted_rate("admin_room_rate", as_of, departments, OrganizationKind.ADMINISTRATIVE_ROOM)


# --- task 8: full-time staffing -------------------------------------------------------------------------------


def staffing_rules() -> dict[str, tuple[int, bool]]:
    from mediation.models import StaffingRule

    rules = dict(DEFAULT_STAFFING)
    rules.update({r.kind: (r.min_full_time, r.where_conditions_allow) for r in StaffingRule.objects.all()})
    return rules


def full_time_counts(organizations, as_of) -> dict[int, int]:
    """Active full-time mediators per organization on `as_of`."""
    from mediation.models import Appointment, Mediator

    active = Mediator.objects.active_on(as_of).values("pk")
    counts = Counter(
        Appointment.objects.on(as_of)
        .filter(organization__in=organizations, is_full_time=True, mediator__in=active)
        .values_list("organization_id", flat=True)
    )
    return dict(counts)


def staffing_of(organization, as_of) -> tuple[int, int | None]:
    """(full-time mediators, minimum) for one organization, e.g. (1, 3) shows as 专职调解员 1/3."""
    minimum = staffing_rules().get(organization.kind, (None, False))[0]
    return full_time_counts([organization], as_of).get(organization.pk, 0), minimum


def _staffing_rate(kind):
    def compute(as_of):
        minimum, _conditional = staffing_rules()[kind]
        orgs = list(_organizations(as_of, kind).order_by("name"))
        counts = full_time_counts(orgs, as_of)
        rows = [
            IndicatorRow(o.name, counts.get(o.pk, 0) >= minimum, f"{counts.get(o.pk, 0)}/{minimum}", o)
            for o in orgs
        ]
        return _result(f"staffing_{kind}", as_of, sum(r.met for r in rows), len(rows), rows)

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
    register(f"staffing_{_kind}", _label)(_staffing_rate(_kind))


# --- task 17: trainings ---------------------------------------------------------------------------------------


def _trainings_in_year(as_of):
    from mediation.models import Training

    return Training.objects.filter(is_centralized=True, held_on__year=as_of.year, held_on__lte=as_of)


@register("trainings_district", _("District centralized trainings this year (≥ 1)"))
def trainings_district(as_of):
    trainings = list(_trainings_in_year(as_of).filter(level=TrainingLevel.DISTRICT).order_by("held_on"))
    rows = [IndicatorRow(t.title, True, t.held_on.isoformat(), t) for t in trainings]
    result = _result("trainings_district", as_of, len(trainings), None, rows, unit="")
    result.note = str(_("Target: %(n)s a year")) % {"n": DISTRICT_TRAININGS_PER_YEAR}
    return result


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
        for s in _regions_at(RegionLevel.STREET)
    ]
    return _result("trainings_street", as_of, sum(r.met for r in rows), len(rows), rows)


# --- task 18: experts in industry organizations ---------------------------------------------------------------


@register("experts_in_industry_orgs", _("Industry/professional organizations with ≥ 1 expert"))
def experts_in_industry_orgs(as_of):
    from mediation.models import Appointment, ExpertMembership

    orgs = list(
        _organizations(as_of, OrganizationKind.INDUSTRY_COMMITTEE, OrganizationKind.INDUSTRY_ROOM).order_by(
            "name"
        )
    )
    experts = ExpertMembership.objects.on(as_of).values("mediator")
    with_expert = Counter(
        Appointment.objects.on(as_of)
        .filter(organization__in=orgs, mediator__in=experts)
        .values_list("organization_id", flat=True)
    )
    rows = [
        IndicatorRow(o.name, with_expert.get(o.pk, 0) >= 1, str(with_expert.get(o.pk, 0)), o) for o in orgs
    ]
    return _result("experts_in_industry_orgs", as_of, sum(r.met for r in rows), len(rows), rows)


# --- task 19: backgrounds --------------------------------------------------------------------------------------


@register("mediator_backgrounds", _("Mediators with a background the plan names"))
def mediator_backgrounds(as_of):
    from mediation.models import Appointment, Mediator

    serving = Appointment.objects.on(as_of).values("mediator")
    mediators = list(Mediator.objects.active_on(as_of).filter(pk__in=serving).only("backgrounds"))
    counts = Counter(b for m in mediators for b in set(m.backgrounds or []))
    rows = [
        IndicatorRow(str(b.label), counts.get(b.value, 0) > 0, str(counts.get(b.value, 0)), b.value)
        for b in Background
    ]
    with_background = sum(1 for m in mediators if m.backgrounds)
    return _result("mediator_backgrounds", as_of, with_background, len(mediators), rows)


# --- task 32: brand studios ------------------------------------------------------------------------------------


@register("brand_studios", _("Brand mediation studios (≥ 5)"))
def brand_studios(as_of):
    studios = list(
        _organizations(as_of, OrganizationKind.BRAND_STUDIO).select_related("named_after").order_by("name")
    )
    rows = [IndicatorRow(s.name, True, s.named_after.name if s.named_after else "", s) for s in studios]
    return _result("brand_studios", as_of, len(studios), None, rows, unit="")


def committee_composition_warnings(organization, as_of=None) -> list[str]:
    """人民调解法 Art. 8: a committee has 3–9 members and includes a woman. Returned as warnings, not errors."""
    from django.utils import timezone

    from mediation.models import Appointment

    committees = {
        OrganizationKind.STREET_COMMITTEE,
        OrganizationKind.COMMUNITY_COMMITTEE,
        OrganizationKind.ENTERPRISE_COMMITTEE,
        OrganizationKind.INDUSTRY_COMMITTEE,
        OrganizationKind.MAJOR_DISPUTE_CENTRE,
    }
    if organization.kind not in committees:
        return []
    as_of = as_of or timezone.localdate()
    members = list(
        Appointment.objects.on(as_of)
        .filter(organization=organization)
        .filter(Q(role__in=["director", "deputy_director", "member"]))
        .select_related("mediator")
    )
    warnings = []
    if not 3 <= len(members) <= 9:
        warnings.append(
            str(_("The committee has %(n)s members; the law asks for 3 to 9 (Art. 8).")) % {"n": len(members)}
        )
    if not any(m.mediator.gender == "female" for m in members):
        warnings.append(str(_("The committee has no woman member (Art. 8).")))
    return warnings
