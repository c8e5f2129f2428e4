"""The stored indicator figures: kept fresh by the scheduled work, read by the pages for one viewer at a time.

- `refresh(code, day)` computes an indicator's cells (mediation.indicators) and replaces its snapshot of that day,
  under a row lock, so two refreshes never interleave and a reader that waited for one reuses its result.
- The periodic job `refresh_indicators` (every ten minutes) refreshes today's figures of every indicator and the
  past days other apps keep fresh (mediation.indicators.MAINTAINED_DAYS: the plan's check dates), and prunes the
  snapshots of other days once they are old.
- `read(codes, day, viewer)` serves the snapshots of the day (see `snapshots()`: a stale or an earlier day's
  stand-in while the job catches up, computed on the way only when there is none) with only the cells anchored
  in what the viewer may see (`Viewpoint`), combined.
- `rows_page(…)` serves the rows behind a figure, a bounded page at a time.
- `rebuild(days)` (`manage.py rebuild_indicators`) recomputes every indicator of the given days at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, JSONField, Q, Sum, Value
from django.db.models.functions import NullIf
from django.utils import timezone

from mediation.indicators import (
    MAINTAINED_DAYS,
    REGISTRY,
    RULE_PREFIX,
    SPECS,
    Cell,
    IndicatorResult,
    IndicatorRow,
    Names,
    ref_of,
)
from mediation.models import IndicatorCell, IndicatorSnapshot, Region
from mediation.scoping import NOTHING, Scope, any_of, granted_ids
from mediation.visibility import visible_pks

INSERT_BATCH = 2000
# A page of rows behind a figure, and how many rows a page with "gaps only" may read to fill itself.
PAGE_SIZE = 100
MAX_SCANNED = 20 * PAGE_SIZE
_NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CELL_FIELDS = (
    "snapshot_id",
    "region_id",
    "unit_id",
    "organization_id",
    "key",
    "label",
    "detail",
    "met",
    "numerator",
    "denominator",
    "names",
    "ref",
)


# --- who sees which cells ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewpoint:
    """The anchors a viewer sees: the regions of `Region.objects.visible_to(user)`, their own units and
    organizations (a superuser: everything). A cell, or a row behind a figure, counts for the viewer when any of
    its anchors is among them."""

    user: object
    everything: bool = False
    nobody: bool = False
    scope: Scope | None = None  # the viewer's (None for everything or nobody)

    @classmethod
    def of(cls, user) -> Viewpoint:
        scope = Scope.for_user(user)
        if scope.user_id is None:
            return cls(user, nobody=True)
        if scope.everything:
            return cls(user, everything=True)
        return cls(user, scope=scope)

    @property
    def unit_ids(self) -> frozenset[int]:
        return self.scope.unit_ids if self.scope else frozenset()

    @property
    def organization_ids(self) -> frozenset[int]:
        return self.scope.organization_ids if self.scope else frozenset()

    def q(
        self,
        region: str = "region",
        unit: str | None = "unit",
        organization: str | None = "organization",
        *,
        region_path: str | None = None,
    ) -> Q:
        """Rows anchored in the viewer's regions, units or organizations. The regions are those of
        `Region.objects.visible_to` (the scope's subtrees and explicit grants), as ids resolved first — an index
        condition on the cells' (snapshot, region) — or, with `region_path` (the lookup of a copy of the region's
        path on the row, e.g. "dispute__region_path"), as path prefixes on that column, which the planner can
        drive from the path index: `region__in (SELECT …)` joined through a dispute was planned as a merge join
        over every assignment and dispute (0.4–0.7 s at 10^6)."""
        if self.everything:
            return Q()
        if self.nobody:
            return Q(pk__in=[])
        scope = self.scope
        granted = granted_ids(self.user, Region)
        q = any_of(
            scope.region_q(region_path) if region_path else scope.ids_q(region, scope.region_ids()),
            Q(**{f"{region}__in": granted}) if granted else None,
        )
        q = Q(pk__in=[]) if q is NOTHING else q
        if unit:
            q |= Q(**{f"{unit}__in": sorted(self.unit_ids)})
        if organization:
            q |= Q(**{f"{organization}__in": sorted(self.organization_ids)})
        return q

    def names(self, cells: list[Cell]) -> Names:
        """Which of the objects the cells name the viewer may open (one query per kind of object)."""
        if self.everything:
            return Names()
        wanted: dict[str, set[int]] = defaultdict(set)
        for cell in cells:
            for label, pk, _name in cell.names:
                wanted[label].add(pk)
        visible = {}
        for label, pks in wanted.items():
            model = apps.get_model(label)
            manager = model._default_manager
            if hasattr(manager.all(), "visible_to") and not self.nobody:
                visible[label] = set(
                    manager.visible_to(self.user).filter(pk__in=pks).values_list("pk", flat=True)
                )
            else:
                visible[label] = set()
        return Names(visible)


# --- keeping snapshots ----------------------------------------------------------------------------------------


def max_age(day: dt.date, today: dt.date | None = None) -> dt.timedelta:
    today = today or timezone.localdate()
    seconds = settings.INDICATOR_MAX_AGE if day >= today else settings.INDICATOR_PAST_MAX_AGE
    return dt.timedelta(seconds=seconds)


def refresh(code: str, day: dt.date, *, if_older_than: dt.datetime | None = None) -> IndicatorSnapshot:
    """Compute `code` on `day` and replace its stored cells; with `if_older_than`, keep a snapshot computed since."""
    spec = SPECS[code]
    with transaction.atomic():
        snapshot, _created = IndicatorSnapshot.objects.get_or_create(
            code=code, day=day, defaults={"computed_at": _NEVER}
        )
        snapshot = IndicatorSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        if if_older_than is not None and snapshot.computed_at >= if_older_than:
            return snapshot
        cells = spec.cells(day)
        IndicatorCell.objects.filter(snapshot=snapshot).delete()
        IndicatorCell.objects.bulk_create(
            [_stored(snapshot, position, cell) for position, cell in enumerate(cells)],
            batch_size=INSERT_BATCH,
        )
        snapshot.computed_at = timezone.now()
        snapshot.save(update_fields=["computed_at"])
    return snapshot


def _stored(snapshot, position: int, cell: Cell) -> IndicatorCell:
    return IndicatorCell(
        snapshot=snapshot,
        position=position,
        region_id=cell.region,
        unit_id=cell.unit,
        organization_id=cell.organization,
        key=cell.key,
        label=cell.label[:300],
        detail=cell.detail[:300],
        met=cell.met,
        numerator=cell.numerator,
        denominator=cell.denominator,
        names=cell.names,
        ref=cell.ref,
    )


def snapshots(codes: list[str], day: dt.date) -> dict[str, IndicatorSnapshot]:
    """The snapshots to serve for `codes` on `day`.

    A snapshot of `day` younger than max_age(day) is served. One that is older is still served while the
    scheduled work (every ten minutes) has not caught up, up to INDICATOR_PAST_MAX_AGE — and for today, while
    today has none yet (just after midnight), the previous day's if computed within that age: a page
    shows when its figures were computed, and never computes them itself while such a stand-in exists. At
    10^6 disputes computing the figures takes tens of seconds, and every request waiting on the same
    refresh lock would pile up behind it. Only without any stand-in (a new installation, a past day nobody
    keeps) is the snapshot computed on the way."""
    now = timezone.now()
    usable = now - dt.timedelta(seconds=settings.INDICATOR_PAST_MAX_AGE)
    found = {s.code: s for s in IndicatorSnapshot.objects.filter(day=day, code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing and day >= timezone.localdate():
        yesterday = day - dt.timedelta(days=1)
        for snapshot in IndicatorSnapshot.objects.filter(
            code__in=missing, day=yesterday, computed_at__gte=usable
        ):
            found[snapshot.code] = snapshot
    for code in codes:
        if code not in found or found[code].computed_at < usable:
            found[code] = refresh(code, day, if_older_than=now - max_age(day))
    return found


def maintained(today: dt.date) -> dict[dt.date, set[str]]:
    """The days (and indicators) the scheduled work keeps fresh: today for all, and what the apps ask for."""
    days: dict[dt.date, set[str]] = {today: set(REGISTRY)}
    for provider in MAINTAINED_DAYS:
        for day, codes in provider(today).items():
            days.setdefault(day, set()).update(code for code in codes if code in REGISTRY)
    return days


def refresh_maintained(today: dt.date | None = None) -> int:
    """The job: refresh today's figures, the maintained past days' when older than INDICATOR_PAST_MAX_AGE, and
    prune the other days' old snapshots. Returns how many snapshots were computed."""
    today = today or timezone.localdate()
    now = timezone.now()
    done = 0
    for day, codes in sorted(maintained(today).items()):
        oldest = now if day >= today else now - max_age(day, today)
        for code in sorted(codes):
            snapshot = refresh(code, day, if_older_than=oldest)
            done += snapshot.computed_at >= now
    prune(today)
    return done


def prune(today: dt.date) -> int:
    """Delete the snapshots of days nobody keeps fresh once they are older than a past day's max age."""
    keep = maintained(today)
    old = IndicatorSnapshot.objects.filter(
        computed_at__lt=timezone.now() - max_age(today - dt.timedelta(days=1))
    )
    stale = [s.pk for s in old.only("pk", "code", "day") if s.code not in keep.get(s.day, ())]
    IndicatorCell.objects.filter(snapshot__in=stale).delete()
    return IndicatorSnapshot.objects.filter(pk__in=stale).delete()[0]


def rebuild(days, codes=None) -> int:
    """Recompute the given indicators (all by default) on each of `days`; returns how many snapshots."""
    codes = list(codes or REGISTRY)
    done = 0
    for day in days:
        for code in codes:
            refresh(code, day)
            done += 1
    return done


def verify(days, codes=None) -> list[str]:
    """Compare the stored figures of `days` (read as a superuser would) with a recount; returns the differences."""
    from mediation.indicators import recount

    codes = list(codes or REGISTRY)
    everything = Viewpoint(None, everything=True)
    differences = []
    for day in days:
        stored = dict(zip(codes, read(codes, day, None, viewpoint=everything), strict=True))
        for code in codes:
            fresh = recount(code, day)
            got = stored[code]
            if (got.numerator, got.denominator, got.note) != (fresh.numerator, fresh.denominator, fresh.note):
                differences.append(
                    f"{code} {day}: stored {got.numerator}/{got.denominator} «{got.note}», "
                    f"recount {fresh.numerator}/{fresh.denominator} «{fresh.note}»"
                )
            elif not got.paged and _rows(got) != _rows(fresh):
                differences.append(f"{code} {day}: the stored rows differ from the recount's")
    return differences


def _rows(result: IndicatorResult) -> list[tuple]:
    return [
        (r.label, r.met, r.detail, r.ref or (ref_of(r.obj) if hasattr(r.obj, "_meta") else r.obj))
        for r in result.rows
    ]


# --- reading --------------------------------------------------------------------------------------------------


def _cell(values: tuple) -> Cell:
    _snapshot, region, unit, org, key, label, detail, met, numerator, denominator, names, ref = values
    return Cell(region, unit, org, key, label, detail, met, numerator, denominator, names or [], ref)


def read(
    codes: list[str], day: dt.date, viewer, *, viewpoint: Viewpoint | None = None
) -> list[IndicatorResult]:
    """The figures of `codes` on `day` as `viewer` may see them (a fixed number of queries for all of them).

    An indicator whose combine function needs only the per-key sums of its cells (`Spec.from_sums`) gets them
    added up in the database, one cell per key; the others read their cells one by one."""
    found = snapshots(codes, day)
    viewpoint = viewpoint or Viewpoint.of(viewer)
    summed = {found[code].pk for code in codes if SPECS[code].from_sums}
    cells = IndicatorCell.objects.all()
    if not viewpoint.everything:
        rule = Q(
            region__isnull=True, unit__isnull=True, organization__isnull=True, key__startswith=RULE_PREFIX
        )
        cells = cells.filter(viewpoint.q() | rule)
    by_snapshot: dict[int, list[Cell]] = defaultdict(list)
    one_by_one = [s.pk for s in found.values() if s.pk not in summed]
    if one_by_one:
        # Most cells name nothing: their `names` come back as NULL, not as '[]' for JSON to decode (a
        # district reads thousands of cells, and decoding them was a third of the overview's time).
        named = NullIf(F("names"), Value([], output_field=JSONField()))
        fields = [name if name != "names" else "names_or_null" for name in _CELL_FIELDS]
        rows = (
            cells.filter(snapshot__in=one_by_one)
            .annotate(names_or_null=named)
            .order_by("snapshot_id", "position")
            .values_list(*fields)
        )
        for values in rows:
            by_snapshot[values[0]].append(_cell(values))
    if summed:
        sums = (
            cells.filter(snapshot__in=sorted(summed))
            .values_list("snapshot_id", "key")
            .annotate(n=Sum("numerator"), d=Sum("denominator"))
            .order_by("snapshot_id", "key")
        )
        for snapshot_id, key, numerator, denominator in sums:
            by_snapshot[snapshot_id].append(Cell(key=key, numerator=numerator, denominator=denominator))
    names = viewpoint.names([c for cells in by_snapshot.values() for c in cells])
    results = []
    for code in codes:
        spec, snapshot = SPECS[code], found[code]
        result = spec.combine(spec, day, by_snapshot.get(snapshot.pk, []), names)
        result.computed_at = snapshot.computed_at
        results.append(result)
    return results


def resolve_objects(rows: list[IndicatorRow]) -> list[IndicatorRow]:
    """Load the objects of rows read from the store (one query per kind of object)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.obj is None and row.ref:
            label, pk = row.ref.rsplit(":", 1)
            wanted[label].add(int(pk))
    loaded = {label: apps.get_model(label)._default_manager.in_bulk(pks) for label, pks in wanted.items()}
    for row in rows:
        if row.obj is None and row.ref:
            label, pk = row.ref.rsplit(":", 1)
            row.obj = loaded[label].get(int(pk))
    return rows


@dataclass
class RowsPage:
    """A page of the rows behind a figure: `after` continues it (None: the last page)."""

    rows: list[IndicatorRow]
    after: str | None
    start: int = 0


def rows_page(
    code: str,
    day: dt.date,
    viewer,
    *,
    after: str | None = None,
    gaps_only: bool = False,
    limit: int = PAGE_SIZE,
    result: IndicatorResult | None = None,
) -> RowsPage:
    """The rows behind `code` on `day` that `viewer` may see, `limit` at a time from the cursor `after`.

    A stored indicator's rows are the viewer's rows of its cells (as many as the registry has regions or
    organizations), cut into pages; an indicator with a row per case reads its page in keyset order."""
    spec = SPECS[code]
    if spec.rows is None:
        rows = (result or read([code], day, viewer)[0]).rows
        if gaps_only:
            rows = [r for r in rows if not r.met]
        start = _int(after)
        page = rows[start : start + limit]
        more = start + limit < len(rows)
        return RowsPage(resolve_objects(page), str(start + limit) if more else None, start)
    return _case_rows(spec, day, viewer, after, gaps_only, limit)


def _int(text) -> int:
    try:
        return max(0, int(text or 0))
    except (TypeError, ValueError):
        return 0


def _case_rows(spec, day, viewer, after, gaps_only, limit) -> RowsPage:
    source = spec.rows
    queryset = source.queryset(day)
    viewpoint = Viewpoint.of(viewer)
    if not viewpoint.everything:
        anchors = source.anchors
        queryset = queryset.filter(
            viewpoint.q(
                anchors["region"],
                anchors.get("unit"),
                anchors.get("organization"),
                region_path=anchors.get("region_path"),
            )
        )
    queryset = queryset.order_by(*source.order)
    cursor = _int(after) or None
    shown: list[IndicatorRow] = []
    scanned = 0
    while len(shown) < limit and scanned < MAX_SCANNED:
        # One row more than the batch says whether any follow: a separate EXISTS after the cursor, a LIMIT 1
        # the planner answered with a merge join over every assignment and dispute (0.6 s at 10^6).
        batch = list(_after(queryset, source.order, cursor)[: limit + 1])
        more = len(batch) > limit
        batch = batch[:limit]
        if not batch:
            return RowsPage(shown, None)
        scanned += len(batch)
        cursor = batch[-1].pk
        if not viewpoint.everything:
            batch = _openable(batch, viewer, source.through)
        for row in source.make_rows(batch, day):
            if not gaps_only or not row.met:
                shown.append(row)
        if not more:
            return RowsPage(shown, None)
    return RowsPage(shown, str(cursor))


def _openable(objects: list, viewer, through: str) -> list:
    """The objects (or their parents at `through`) the viewer may open, checked for this page alone: a row
    names its dispute, so it is shown only through `visible_to` (one query over the page's primary keys)."""
    if through:
        parent = objects[0]._meta.get_field(through).related_model
        ids = visible_pks(parent, viewer, {getattr(o, f"{through}_id") for o in objects})
        return [o for o in objects if getattr(o, f"{through}_id") in ids]
    ids = visible_pks(type(objects[0]), viewer, {o.pk for o in objects})
    return [o for o in objects if o.pk in ids]


def _after(queryset, order: tuple[str, ...], pk: int | None):
    """The rows after the row `pk` in the keyset `order` (fields, "-" for descending; the primary key last)."""
    if pk is None:
        return queryset
    names = [name.lstrip("-") for name in order]
    last = queryset.model._default_manager.filter(pk=pk).values(*names).first()
    if last is None:
        return queryset.none()
    condition = Q(pk__in=[])
    for i, key in enumerate(order):
        name, lookup = key.lstrip("-"), "lt" if key.startswith("-") else "gt"
        equal = {n: last[n] for n in names[:i]}
        condition |= Q(**equal, **{f"{name}__{lookup}": last[name]})
    return queryset.filter(condition)
