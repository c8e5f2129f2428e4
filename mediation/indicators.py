"""The indicators (tasks 1–8, 10, 11, 15–20, 22–26, 28, 32): one registry for the three apps, each figure as of a date.

An indicator is written once, as the **cells** of its figure on a day: each cell is one part of the figure anchored
where the thing it counts belongs — a region, a unit, a mediation organization — and is either a row of the
indicator (a region, an organization, a unit, a training: label, met, detail) or an aggregate (the disputes of one
region and platform, by key). Its `combine` function turns a list of cells into an IndicatorResult: numerator,
denominator, rate (percent) and the rows behind them, each row saying whether it meets the requirement.

- `indicator(code, as_of)` is the **recount**: every cell, computed now from the data, for the whole platform.
  Tests define the values with it, and `rebuild_indicators` proves the stored figures equal it.
- `indicator(code, as_of, viewer=user)` is what pages show: the stored cells of that day
  (mediation/services/indicator_store.py keeps them fresh), only those anchored in what the viewer may see — a
  region of `Region.objects.visible_to(viewer)`, one of their own units or organizations — combined. So a street
  sees its street's figure and rows, never the district's total, and a name in a row's detail (a room, an
  organization, a mediator) is shown only to who may open it. Indicators with a row per case (assignments, concluded
  disputes, warnings) store aggregates only and serve their rows page by page (`RowSource`).

History is read with dates (organizations' established/dissolved dates, appointments, the discipline log,
headcounts), so a past date gives the picture of that day. People are counted once each, and only while in good
standing: a mediator suspended or dismissed in the discipline log on or before the date counts neither for staffing,
nor as an expert, nor as a committee member. disputes/indicators.py and tasks_plan/indicators.py register their
indicators in the same REGISTRY.
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
    """One thing counted: an organization, a region, a unit, a field; `met` says whether it counts as done.

    `obj` is the thing itself (a model instance or a choice value); a row read from the store carries its `ref`
    ("app_label.model:pk") until `resolve_objects` loads the objects of the rows a page shows. A row per case
    carries the `url` of its dispute (read only among the disputes the viewer may open)."""

    label: str
    met: bool
    detail: str = ""
    obj: object = None
    ref: str = ""
    url: str = ""


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
    # The rows are served page by page (RowSource): `rows` is empty and the figure says how many there are.
    paged: bool = False
    # When the stored figures were computed (None: computed just now, for the recount).
    computed_at: dt.datetime | None = None

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

    @property
    def gap_count(self) -> int:
        if self.paged:
            return (self.denominator or 0) - self.numerator
        return len(self.gaps)

    @property
    def row_count(self) -> int:
        return (self.denominator or 0) if self.paged else len(self.rows)


# --- cells -------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One anchored part of a figure (stored as mediation.IndicatorCell). Anchors are primary keys.

    `numerator`/`denominator` are what the cell adds to the figure (for a row: 1/1 when met, 0/1 when not);
    `names` lists the objects its detail names, [model label, pk, name], shown only to who may open them."""

    region: int | None = None
    unit: int | None = None
    organization: int | None = None
    key: str = ""
    label: str = ""
    detail: str = ""
    met: bool = False
    numerator: int = 0
    denominator: int = 0
    names: list = field(default_factory=list)
    ref: str = ""
    obj: object = None


# Cells whose key starts so state a rule of the figure (a minimum, not a thing counted): anchored nowhere, read by
# every viewer.
RULE_PREFIX = "@rule"


def ref_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def name_of(obj, name: str | None = None) -> list:
    return [obj._meta.label_lower, obj.pk, name if name is not None else str(obj)]


def organization_anchor(org) -> dict:
    """An organization belongs to its region, its host unit and itself (as MediationOrganization.visible_to)."""
    return {"region": org.region_id, "unit": org.host_unit_id, "organization": org.pk}


def unit_anchor(unit) -> dict:
    return {"region": unit.region_id, "unit": unit.pk}


def row_cell(
    obj, label: str, met: bool, detail: str = "", *, anchor: dict, count: bool = False, **extra
) -> Cell:
    """A row of the indicator about `obj`: it adds 1 to the count, or met/1 to a rate."""
    return Cell(
        **anchor,
        label=label,
        detail=detail,
        met=met,
        numerator=1 if count else int(met),
        denominator=0 if count else 1,
        ref=ref_of(obj),
        obj=obj,
        **extra,
    )


class Names:
    """Which named objects a reader may open: all of them for the recount, the visible ones for a viewer."""

    def __init__(self, visible: dict[str, set[int]] | None = None):
        self.visible = visible

    def shows(self, name) -> bool:
        label, pk = name[0], name[1]
        return self.visible is None or pk in self.visible.get(label, ())

    def join(self, names, sep: str = "、") -> str:
        return sep.join(name[2] for name in names if self.shows(name))


EVERY_NAME = Names()


@dataclass
class RowSource:
    """The rows of an indicator with a row per case, read page by page in keyset order instead of stored.

    `queryset(as_of)` gives every row's object; `anchors` names the lookups of the three anchors (as the cells
    of the same indicator are anchored), and "region_path" the lookup of the row's copy of its region's path
    where there is one (the viewer's regions are then matched as path prefixes, see Viewpoint.q); `through` names the field of a scoped parent whose `visible_to` the rows
    must also pass (empty: the model's own), since a row names its dispute; `make_rows(objects, as_of)` turns a
    page of objects into rows. Pages go newest first, in keyset order on the primary key (the year's rows are the
    newest, so a page is found at the top of the primary-key index, however many years are kept); the recount
    lists every row in `recount_order`."""

    queryset: Callable
    anchors: dict
    make_rows: Callable
    recount_order: tuple[str, ...]
    through: str = ""
    order: tuple[str, ...] = ("-pk",)


@dataclass
class Spec:
    code: str
    label: object
    cells: Callable[[dt.date], list[Cell]]
    combine: Callable
    rows: RowSource | None = None

    @property
    def from_sums(self) -> bool:
        """Whether `combine` needs only the per-key sums of the cells (see `from_sums`)."""
        return getattr(self.combine, "from_sums", False)


SPECS: dict[str, Spec] = {}
# code → (label, recount): the recount function carries the module of the indicator that defines it.
REGISTRY: dict[str, tuple[str, Callable[[dt.date], IndicatorResult]]] = {}
# Functions today → {day: indicator codes} the scheduled work keeps fresh besides today (the plan's check dates).
MAINTAINED_DAYS: list[Callable[[dt.date], dict[dt.date, set[str]]]] = []


def register(code: str, label, *, combine: Callable, rows: RowSource | None = None):
    """Register the cells function of an indicator, its combine function and, for a row per case, its RowSource."""

    def decorator(cells: Callable[[dt.date], list[Cell]]):
        SPECS[code] = Spec(code, label, cells, combine, rows)

        def recount_this(as_of: dt.date) -> IndicatorResult:
            return recount(code, as_of)

        recount_this.__module__, recount_this.__name__ = cells.__module__, cells.__name__
        recount_this.__doc__ = cells.__doc__
        REGISTRY[code] = (label, recount_this)
        return cells

    return decorator


def recount(code: str, as_of: dt.date) -> IndicatorResult:
    """The figure computed now from every row of the data (with every row behind it)."""
    spec = SPECS[code]
    result = spec.combine(spec, as_of, spec.cells(as_of), EVERY_NAME)
    if spec.rows is not None:
        source = spec.rows
        objects = source.queryset(as_of).order_by(*source.recount_order)
        result.rows = source.make_rows(list(objects), as_of)
    return result


def indicator(code: str, as_of: dt.date | None = None, *, viewer=None) -> IndicatorResult:
    """The recount (no viewer), or the stored figure as `viewer` may see it."""
    from django.utils import timezone

    if code not in REGISTRY:
        raise KeyError(f"unknown indicator {code!r}")
    as_of = as_of or timezone.localdate()
    if viewer is None:
        return recount(code, as_of)
    from mediation.services import indicator_store

    return indicator_store.read([code], as_of, viewer)[0]


def all_indicators(as_of: dt.date | None = None, *, viewer=None) -> list[IndicatorResult]:
    from django.utils import timezone

    as_of = as_of or timezone.localdate()
    if viewer is None:
        return [recount(code, as_of) for code in REGISTRY]
    from mediation.services import indicator_store

    return indicator_store.read(list(REGISTRY), as_of, viewer)


# --- combining cells ---------------------------------------------------------------------------------------


def result(code, as_of, numerator, denominator, rows, **extra) -> IndicatorResult:
    return IndicatorResult(code, str(REGISTRY[code][0]), as_of, numerator, denominator, rows, **extra)


def _row(cell: Cell, names: Names, detail: str | None = None) -> IndicatorRow:
    return IndicatorRow(cell.label, cell.met, cell.detail if detail is None else detail, cell.obj, cell.ref)


def combine_rows(
    *, count: bool = False, unit: str = "%", note: Callable | None = None, detail_names: bool = False
):
    """Each cell is a row: the figure is the number of rows met (of all rows), or the number of rows (`count`).

    `note(cells, as_of, names)` writes the result's note; with `detail_names` a row's detail is the names it
    lists that the reader may open."""

    def combine(spec: Spec, as_of: dt.date, cells: list[Cell], names: Names) -> IndicatorResult:
        rows = [_row(c, names, names.join(c.names) if detail_names else None) for c in cells if not c.key]
        numerator = sum(c.numerator for c in cells if not c.key)
        denominator = None if count else sum(c.denominator for c in cells if not c.key)
        text = note(cells, as_of, names) if note else ""
        return result(spec.code, as_of, numerator, denominator, rows, unit=unit, note=text)

    return combine


def from_sums(combine: Callable) -> Callable:
    """Mark a combine function that reads its cells only through `sums_by_key` (no labels, anchors or names):
    the store may then hand it one cell per key carrying the sums, added up in the database. A district's
    overview reads ~16,000 such cells at 10^6 disputes; their sums are a few dozen rows."""
    combine.from_sums = True
    return combine


@from_sums
def combine_totals(spec: Spec, as_of: dt.date, cells: list[Cell], names: Names) -> IndicatorResult:
    """Aggregates: numerator and denominator are the sums; the rows are served page by page (RowSource)."""
    numerator = sum(c.numerator for c in cells)
    denominator = sum(c.denominator for c in cells)
    return result(spec.code, as_of, numerator, denominator, [], paged=True)


def sums_by_key(cells: list[Cell]) -> dict[str, list[int]]:
    """{key: [Σ numerator, Σ denominator]} of the cells."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cell in cells:
        sums[cell.key][0] += cell.numerator
        sums[cell.key][1] += cell.denominator
    return sums


# --- helpers ----------------------------------------------------------------------------------------------


def district():
    from mediation.models import Region

    return Region.objects.get(code=settings.DISTRICT_CODE)


def _organizations(as_of, *kinds):
    from mediation.models import MediationOrganization

    return MediationOrganization.objects.active_on(as_of).filter(kind__in=kinds)


def regions_at(level):
    """The active regions of `level` in the district, in division-code order (the order people read them in;
    the path, made of primary keys, sorts "/1/2/10/" before "/1/2/9/")."""
    from mediation.models import Region

    return Region.objects.subtree(district()).filter(level=level, is_active=True).order_by("code", "path")


def _full_names(regions) -> dict[int, str]:
    """Each region's full name by primary key, in one query (the district itself keeps its own name)."""
    from mediation.models import Region

    by_path = Region.objects.full_names(r.path for r in regions)
    return {r.pk: by_path[r.path] or r.name for r in regions}


def region_cells(regions, met: Callable, detail: Callable | None = None) -> list[Cell]:
    """A row per region (full name, code), anchored at the region; `met(region)` says whether it counts."""
    regions = list(regions)
    names = _full_names(regions)
    return [
        row_cell(r, names[r.pk], met(r), detail(r) if detail else r.code, anchor={"region": r.pk})
        for r in regions
    ]


def _coverage_by_region(as_of, regions, kind_for_level) -> list[Cell]:
    kinds = set(kind_for_level.values())
    covered = set(_organizations(as_of, *kinds).values_list("region_id", "kind"))
    return region_cells(regions, lambda r: (r.pk, kind_for_level[r.level]) in covered)


def _fields_cells(as_of, required, kinds, hosted_in_kind=None) -> list[Cell]:
    """A cell per (organization, field it covers) among the `required` fields, anchored at the organization."""
    orgs = _organizations(as_of, *kinds)
    if hosted_in_kind:
        from mediation.models import MediationOrganization

        centres = MediationOrganization.objects.active_on(as_of).filter(kind=hosted_in_kind)
        orgs = orgs.filter(hosted_in__in=centres)
    wanted = set(required)
    cells = []
    for org in orgs.only("name", "fields", "region", "host_unit"):
        for f in org.fields or []:
            if f in wanted:
                cells.append(
                    Cell(**organization_anchor(org), key=f, met=True, names=[name_of(org, org.name)])
                )
    return cells


def combine_fields(required, note: Callable | None = None):
    """A row per required field, met when a (visible) organization covers it; the detail names them."""

    def combine(spec: Spec, as_of: dt.date, cells: list[Cell], names: Names) -> IndicatorResult:
        by_field = defaultdict(list)
        for cell in cells:
            if cell.key in required:
                by_field[cell.key] += cell.names
        rows = []
        for f in required:
            shown = [n for n in by_field.get(f, []) if names.shows(n)]
            rows.append(
                IndicatorRow(str(MediationField(f).label), bool(shown), "、".join(n[2] for n in shown), f)
            )
        text = note(cells, as_of, names) if note else ""
        return result(spec.code, as_of, sum(row.met for row in rows), len(rows), rows, note=text)

    return combine


def _active_mediators(as_of):
    """Mediators in good standing on `as_of` (the discipline log: not suspended or dismissed then)."""
    from mediation.models import Mediator

    return Mediator.objects.active_on(as_of).values("pk")


def _experts_on(as_of):
    """Mediator ids in the expert pool on `as_of`, leaving out those suspended or dismissed by then."""
    from mediation.models import ExpertMembership

    return ExpertMembership.objects.on(as_of).filter(mediator__in=_active_mediators(as_of)).values("mediator")


# --- task 1: comprehensive platforms per level ----------------------------------------------------------------


def _platform_cells(level):
    def cells(as_of):
        return _coverage_by_region(as_of, regions_at(level), {level: OrganizationKind.PLATFORM})

    return cells


for _level, _label in [
    (RegionLevel.DISTRICT, _("Platform build rate: district")),
    (RegionLevel.STREET, _("Platform build rate: streets/towns")),
    (RegionLevel.COMMUNITY, _("Platform build rate: communities/villages")),
]:
    register(f"platform_rate_{RegionLevel(_level).name.lower()}", _label, combine=combine_rows())(
        _platform_cells(_level)
    )


# --- tasks 2, 3, 6: fields covered ------------------------------------------------------------------------


@register(
    "industry_room_occupancy",
    _("Industry rooms in the district mediation centre"),
    combine=combine_fields(INDUSTRY_FIELDS),
)
def industry_room_occupancy(as_of):
    return _fields_cells(
        as_of, INDUSTRY_FIELDS, [OrganizationKind.INDUSTRY_ROOM], OrganizationKind.MAJOR_DISPUTE_CENTRE
    )


EXPERT_KEY = "@expert"


def _expert_pool_note(cells, as_of, names) -> str:
    return str(_("Expert pool: %(n)s members")) % {"n": sum(1 for c in cells if c.key == EXPERT_KEY)}


@register(
    "industry_fields_covered",
    _("Fields with an industry/professional mediation organization"),
    combine=combine_fields(INDUSTRY_FIELDS, note=_expert_pool_note),
)
def industry_fields_covered(as_of):
    """The fields covered, and a cell per member of the expert pool (each counted once, at their region)."""
    from mediation.models import Mediator

    experts = Mediator.objects.filter(pk__in=_experts_on(as_of)).values_list("pk", "region_id")
    return _fields_cells(as_of, INDUSTRY_FIELDS, INDUSTRY_KINDS) + [
        Cell(region=region_id, key=EXPERT_KEY, numerator=1, ref=f"mediation.mediator:{pk}")
        for pk, region_id in experts
    ]


@register(
    "field_rooms_covered",
    _("Fields with a people's mediation room"),
    combine=combine_fields(ROOM_FIELDS),
)
def field_rooms_covered(as_of):
    return _fields_cells(as_of, ROOM_FIELDS, [OrganizationKind.FIELD_ROOM])


# --- task 5: people's mediation committees ------------------------------------------------------------------


@register("committee_rate", _("People's mediation committee build rate"), combine=combine_rows())
def committee_rate(as_of):
    from mediation.models import Region

    regions = (
        Region.objects.subtree(district())
        .filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY], is_active=True)
        .order_by("code", "path")  # a street, then its communities (their codes extend the street's)
    )
    return _coverage_by_region(
        as_of,
        regions,
        {
            RegionLevel.STREET: OrganizationKind.STREET_COMMITTEE,
            RegionLevel.COMMUNITY: OrganizationKind.COMMUNITY_COMMITTEE,
        },
    )


# --- tasks 7, 10, 11: rooms hosted by units ---------------------------------------------------------------


def _hosted_cells(as_of, hosts, room_kind, *, sub_units_count=False) -> list[Cell]:
    """A row per host unit, met with an active room of `room_kind`; with `sub_units_count`, a room hosted by a
    unit directly under the host (e.g. the traffic police under the public security bureau) counts for the
    host. The detail names the rooms."""
    hosts = list(hosts)
    rooms_of = defaultdict(list)
    rooms = _organizations(as_of, room_kind).filter(host_unit__isnull=False).order_by("name")
    for pk, name, host_id, parent_id in rooms.values_list(
        "pk", "name", "host_unit_id", "host_unit__parent_id"
    ):
        room = ["mediation.mediationorganization", pk, name]
        rooms_of[host_id].append(room)
        if sub_units_count and parent_id:
            rooms_of[parent_id].append(room)
    return [
        row_cell(u, u.name, bool(rooms_of.get(u.pk)), anchor=unit_anchor(u), names=rooms_of.get(u.pk, []))
        for u in hosts
    ]


hosted_rows = combine_rows(detail_names=True)


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


@register("court_room_rate", _("Mediation rooms at courts"), combine=hosted_rows)
def court_room_rate(as_of):
    from mediation.models import Unit

    courts = Unit.objects.filter(kind=UnitKind.COURT, is_active=True).order_by("name")
    return _hosted_cells(as_of, courts, OrganizationKind.COURT_ROOM)


EXCLUDED_KEY = "@excluded"


def _police_note(cells, as_of, names) -> str:
    excluded = sum(1 for c in cells if c.key == EXCLUDED_KEY)
    return str(_("%(n)s station(s) with fewer than 20 officers not counted")) % {"n": excluded}


def combine_police(spec: Spec, as_of: dt.date, cells: list[Cell], names: Names) -> IndicatorResult:
    """A station's detail is its headcount (stored as the number, written in the reader's language)."""
    result = combine_rows(note=_police_note)(spec, as_of, cells, names)
    for row in result.rows:
        row.detail = str(_("%(n)s officers")) % {"n": row.detail}
    return result


@register(
    "police_room_rate", _("Mediation rooms at police stations with ≥ 20 officers"), combine=combine_police
)
def police_room_rate(as_of):
    """Only stations with at least 20 officers on `as_of` are counted (实有警力20人以上); a station without
    a recorded headcount is not counted either, and the note says how many were left out."""
    from mediation.models import Unit

    stations = list(Unit.objects.filter(kind=UnitKind.POLICE_STATION, is_active=True).order_by("name"))
    officers = officers_on(stations, as_of)
    eligible = [s for s in stations if officers.get(s.pk, 0) >= POLICE_STATION_MIN_OFFICERS]
    cells = _hosted_cells(as_of, eligible, OrganizationKind.POLICE_ROOM)
    for cell in cells:
        cell.detail = str(officers[cell.obj.pk])
    excluded = [s for s in stations if officers.get(s.pk, 0) < POLICE_STATION_MIN_OFFICERS]
    return cells + [Cell(**unit_anchor(s), key=EXCLUDED_KEY, ref=ref_of(s)) for s in excluded]


@register("petition_room_rate", _("Petition-matter mediation rooms"), combine=hosted_rows)
def petition_room_rate(as_of):
    from mediation.models import Unit

    halls = Unit.objects.filter(kind=UnitKind.PETITION_HALL, is_active=True).order_by("name")
    return _hosted_cells(as_of, halls, OrganizationKind.PETITION_ROOM)


@register("admin_room_rate", _("Administrative mediation rooms in key departments"), combine=hosted_rows)
def admin_room_rate(as_of):
    from mediation.models import Unit

    by_code = {u.code: u for u in Unit.objects.filter(code__in=KEY_DEPARTMENTS)}
    departments = [by_code[code] for code in KEY_DEPARTMENTS if code in by_code]
    return _hosted_cells(as_of, departments, OrganizationKind.ADMINISTRATIVE_ROOM, sub_units_count=True)


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


RULE_KEY = RULE_PREFIX + ":staffing"


def _staffing_note(cells, as_of, names) -> str:
    """The minimum of each kind, as the cells recorded it: "人民调解委员会 ≥ 2；…" (key @rule, label the kind)."""
    parts = []
    for cell in cells:
        if cell.key == RULE_KEY:
            text = f"{OrganizationKind(cell.label).label} ≥ {cell.numerator}"
            if cell.met:
                text += f" ({_('only where conditions allow')})"
            parts.append(text)
    return "；".join(parts)


def _staffing_cells(kinds):
    def cells(as_of):
        rules = staffing_rules()
        orgs = list(_organizations(as_of, *kinds).order_by("kind", "name"))
        counts = full_time_counts(orgs, as_of)
        found = []
        for org in orgs:
            n, minimum = counts.get(org.pk, 0), rules[org.kind][0]
            found.append(
                row_cell(org, org.name, n >= minimum, f"{n}/{minimum}", anchor=organization_anchor(org))
            )
        # The rule in force, for the note: a rule cell, read by everyone.
        return found + [Cell(key=RULE_KEY, label=k, numerator=rules[k][0], met=rules[k][1]) for k in kinds]

    return cells


def combine_staffing(spec: Spec, as_of: dt.date, cells: list[Cell], names: Names) -> IndicatorResult:
    if not any(c.key == RULE_KEY for c in cells):
        rules = staffing_rules()
        cells = cells + [
            Cell(key=RULE_KEY, label=k, numerator=rules[k][0], met=rules[k][1])
            for k in STAFFING_KINDS[spec.code]
        ]
    return combine_rows(note=_staffing_note)(spec, as_of, cells, names)


STAFFING_KINDS: dict[str, list[str]] = {}
for _kind, _label in [
    (OrganizationKind.INDUSTRY_COMMITTEE, _("Full-time staffing: industry/professional committees (≥ 3)")),
    (OrganizationKind.STREET_COMMITTEE, _("Full-time staffing: street/town committees (≥ 2)")),
    (OrganizationKind.COMMUNITY_COMMITTEE, _("Full-time staffing: community/village committees (≥ 1)")),
    (OrganizationKind.ENTERPRISE_COMMITTEE, _("Full-time staffing: enterprise committees (≥ 1)")),
    (OrganizationKind.COURT_ROOM, _("Full-time staffing: rooms at courts (≥ 2)")),
    (OrganizationKind.POLICE_ROOM, _("Full-time staffing: rooms at police stations (≥ 2)")),
    (OrganizationKind.PETITION_ROOM, _("Full-time staffing: petition rooms (≥ 2)")),
]:
    STAFFING_KINDS[f"staffing_{_kind}"] = [_kind]
    register(f"staffing_{_kind}", _label, combine=combine_staffing)(_staffing_cells([_kind]))
del _kind, _label, _level
# Task 8's target counts the dispatched rooms together (派驻有关单位的人民调解工作室配备率).
STAFFING_KINDS["staffing_dispatched_rooms"] = DISPATCHED_ROOM_KINDS
register(
    "staffing_dispatched_rooms", _("Full-time staffing: dispatched rooms (≥ 2)"), combine=combine_staffing
)(_staffing_cells(DISPATCHED_ROOM_KINDS))


# --- task 17: trainings ---------------------------------------------------------------------------------------


def _trainings_in_year(as_of):
    """Centralized trainings held from 1 January of `as_of`'s year up to and including `as_of`."""
    from mediation.models import Training

    return Training.objects.filter(
        is_centralized=True, held_on__gte=dt.date(as_of.year, 1, 1), held_on__lte=as_of
    )


def _district_trainings_note(cells, as_of, names) -> str:
    return str(_("Target: %(n)s a year")) % {"n": DISTRICT_TRAININGS_PER_YEAR}


@register(
    "trainings_district",
    _("District centralized trainings this year (≥ 1)"),
    combine=combine_rows(count=True, unit="", note=_district_trainings_note),
)
def trainings_district(as_of):
    trainings = _trainings_in_year(as_of).filter(level=TrainingLevel.DISTRICT).order_by("held_on", "pk")
    return [
        row_cell(
            t,
            t.title,
            True,
            t.held_on.isoformat(),
            count=True,
            anchor={"region": t.region_id, "unit": t.organizer_id},
        )
        for t in trainings
    ]


@register(
    "trainings_street", _("Streets/towns with ≥ 2 centralized trainings this year"), combine=combine_rows()
)
def trainings_street(as_of):
    counts = Counter(
        _trainings_in_year(as_of).filter(level=TrainingLevel.STREET).values_list("region_id", flat=True)
    )
    streets = list(regions_at(RegionLevel.STREET))
    return [
        row_cell(
            s,
            s.name,
            counts.get(s.pk, 0) >= STREET_TRAININGS_PER_YEAR,
            f"{counts.get(s.pk, 0)}/{STREET_TRAININGS_PER_YEAR}",
            anchor={"region": s.pk},
        )
        for s in streets
    ]


# --- task 18: experts in industry organizations ---------------------------------------------------------------


@register(
    "experts_in_industry_orgs",
    _("Industry/professional organizations with ≥ 1 expert"),
    combine=combine_rows(),
)
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
    return [
        row_cell(
            o, o.name, experts.get(o.pk, 0) >= 1, str(experts.get(o.pk, 0)), anchor=organization_anchor(o)
        )
        for o in orgs
    ]


# --- task 19: backgrounds --------------------------------------------------------------------------------------

NAMED_KEY = "@named"


@from_sums
def combine_backgrounds(spec: Spec, as_of: dt.date, cells: list[Cell], names: Names) -> IndicatorResult:
    sums = sums_by_key(cells)
    counts = {key: n for key, (n, _d) in sums.items()}
    rows = [
        IndicatorRow(str(b.label), counts.get(b.value, 0) > 0, str(counts.get(b.value, 0)), b.value)
        for b in PLAN_BACKGROUNDS
    ]
    named = {b.value for b in PLAN_BACKGROUNDS}
    note = "；".join(f"{b.label}: {counts.get(b.value, 0)}" for b in Background if b.value not in named)
    numerator, denominator = sums.get(NAMED_KEY, [0, 0])
    return result(spec.code, as_of, numerator, denominator, rows, note=note)


@register(
    "mediator_backgrounds", _("Mediators with a background the plan names"), combine=combine_backgrounds
)
def mediator_backgrounds(as_of):
    """Of the mediators in good standing serving somewhere on `as_of`, those with one of the eight backgrounds
    task 19 names; a row per background. Counsellors and volunteers are reported in the note only. Counted per
    mediator's region: a cell per (region, background) and one per region for the mediators with a named one."""
    from mediation.models import Appointment, Mediator

    serving = Appointment.objects.on(as_of).values("mediator")
    mediators = (
        Mediator.objects.active_on(as_of).filter(pk__in=serving).only("pk", "backgrounds", "region_id")
    )
    named = {b.value for b in PLAN_BACKGROUNDS}
    by_region: dict[int, Counter] = defaultdict(Counter)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for m in mediators:
        backgrounds = set(m.backgrounds or [])
        by_region[m.region_id].update(backgrounds)
        totals[m.region_id][0] += bool(named & backgrounds)
        totals[m.region_id][1] += 1
    cells = [
        Cell(region=region, key=NAMED_KEY, numerator=with_named, denominator=serving_here)
        for region, (with_named, serving_here) in sorted(totals.items())
    ]
    cells += [
        Cell(region=region, key=background, numerator=n)
        for region, counter in sorted(by_region.items())
        for background, n in sorted(counter.items())
    ]
    return cells


# --- task 32: brand studios ------------------------------------------------------------------------------------


@register(
    "brand_studios",
    _("Brand mediation studios (≥ 5)"),
    combine=combine_rows(count=True, unit="", detail_names=True),
)
def brand_studios(as_of):
    """The active brand studios; the detail names the mediator each is named after."""
    studios = (
        _organizations(as_of, OrganizationKind.BRAND_STUDIO).select_related("named_after").order_by("name")
    )
    return [
        row_cell(
            s,
            s.name,
            True,
            count=True,
            anchor=organization_anchor(s),
            names=[name_of(s.named_after, s.named_after.name)] if s.named_after else [],
        )
        for s in studios
    ]


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
