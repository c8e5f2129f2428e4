"""Live targets: a Target's indicator measured today, compared with the plan's number, and checked at its by-date.

A target is measured when its comparison is a number (>= or <=) and the indicator it names is registered
(mediation.indicators.REGISTRY). What is compared depends on `Target.measure`: the rate (percent), the count
(the numerator), or "all" — every row of the indicator meets its own requirement (e.g. each street held two
trainings this year). A rate with nothing to divide by measures nothing yet, and says so.

"done" and "ongoing" targets are judged by the office through accepted completion reports, not by a number:
they are shown with the status of the task's responsibilities; where an indicator is named, its figure is
shown beside them for information. A target whose indicator is not registered (or names none) is "not yet in
the system" — the page says so plainly and never shows a number for it.

An Evaluator for a `viewer` measures the stored figures as that viewer may see them (mediation.indicators): a
street's matrix and task pages compare the street's own figures with the plan's numbers, never the district's.
Without a viewer it measures the recount of the whole platform.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mediation.indicators import REGISTRY, IndicatorResult, IndicatorRow, indicator
from tasks_plan.choices import Comparison, DueKind

NUMERIC = {Comparison.AT_LEAST, Comparison.AT_MOST}


class TargetState(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NO_DATA = "no_data", _("Nothing to measure yet")
    JUDGED = "judged", _("Judged by the office from completion reports")
    NOT_IN_SYSTEM = "not_in_system", _("The data for this indicator is not yet in the platform")


@dataclass
class Measurement:
    """An indicator's value on one day, and whether it meets the target (None: it cannot say)."""

    as_of: dt.date
    result: IndicatorResult
    value: Decimal | int | None
    met: bool | None


@dataclass
class Evaluation:
    target: object
    today: dt.date
    state: str
    deadline: dt.date | None = None
    current: Measurement | None = None
    # The value on the target's by-date (or, for a yearly target, at the end of last year) once it has passed.
    at_deadline: Measurement | None = None
    rows: list[IndicatorRow] = field(default_factory=list)
    # The target's name on a page: its metric, with its scope where the task has another target of that metric.
    name: str = ""

    @property
    def measured(self) -> bool:
        return self.state in (TargetState.MET, TargetState.NOT_MET, TargetState.NO_DATA)

    @property
    def met(self) -> bool | None:
        return self.current.met if self.current and self.measured else None

    @property
    def in_system(self) -> bool:
        return self.current is not None

    @property
    def state_label(self) -> str:
        return str(TargetState(self.state).label)

    @property
    def deadline_passed(self) -> bool:
        return self.deadline is not None and self.deadline < self.today

    @property
    def gaps(self) -> list[IndicatorRow]:
        return [row for row in self.rows if not row.met]

    @property
    def shown_target(self) -> str:
        return target_text(self.target)

    def shown_value(self, measurement: Measurement | None = None) -> str:
        measurement = measurement or self.current
        return value_text(self.target, measurement) if measurement else ""


def target_text(target) -> str:
    """The plan's number as people read it: "≥ 100%", "≥ 5", "every one ≥ 2"."""
    if target.comparison not in NUMERIC or target.value is None:
        return str(Comparison(target.comparison).label)
    sign = "≥" if target.comparison == Comparison.AT_LEAST else "≤"
    number = target.value.normalize()
    number = number.quantize(Decimal(1)) if number == number.to_integral() else number
    if target.measure == "rate":
        return f"{sign} {number}%"
    if target.measure == "all":
        return gettext("every one %(sign)s %(n)s") % {"sign": sign, "n": number}
    return f"{sign} {number}"


def value_text(target, measurement: Measurement) -> str:
    """The measured figure as people read it: "87.5% (7/8)", "3", "6/8"."""
    result = measurement.result
    if target.measure == "all":
        return f"{result.numerator}/{result.denominator}"
    if target.measure == "rate":
        if result.rate is None:
            return gettext("no data")
        return f"{result.rate}% ({result.numerator}/{result.denominator})"
    return str(result.numerator)


def compared_value(target, result: IndicatorResult) -> Decimal | int | None:
    """The rate for a rate target; the count of things (or of rows met, for "all") otherwise."""
    return result.rate if target.measure == "rate" else result.numerator


def is_met(target, result: IndicatorResult) -> bool | None:
    """Whether `result` meets the target; None when it cannot say (nothing to divide by, no numeric target)."""
    if target.comparison not in NUMERIC or target.value is None:
        return None
    if target.measure == "all":
        return result.row_count > 0 and result.gap_count == 0
    value = compared_value(target, result)
    if value is None:
        return None
    if target.comparison == Comparison.AT_LEAST:
        return Decimal(value) >= target.value
    return Decimal(value) <= target.value


def target_deadline(target, today: dt.date) -> dt.date | None:
    """The date the target must be met by, as it applies on `today` (31 December for a yearly target)."""
    if target.by_kind == DueKind.DATE:
        return target.by_date or target.task.deadline_on(today)
    if target.by_kind == DueKind.YEARLY:
        starts = target.task.due_on
        if starts and today < starts:
            return None
        return dt.date(today.year, 12, 31)
    return None


def check_date(target, today: dt.date) -> dt.date | None:
    """The past day the target is checked at: its by-date once passed; a yearly target's last year-end."""
    if target.by_kind == DueKind.DATE:
        deadline = target_deadline(target, today)
        return deadline if deadline and deadline < today else None
    if target.by_kind == DueKind.YEARLY:
        last = dt.date(today.year - 1, 12, 31)
        starts = target.task.due_on
        return last if not starts or last >= starts else None
    return None


def is_registered(code: str) -> bool:
    return bool(code) and code in REGISTRY


class Evaluator:
    """Evaluates targets on one day, computing each (indicator, date) once however many targets share it."""

    def __init__(
        self,
        today: dt.date | None = None,
        *,
        history: bool = True,
        informative: bool = True,
        viewer=None,
    ):
        """`history`: also measure at the by-date once passed; `informative`: show a judged target's figure;
        `viewer`: measure the stored figures as this user may see them (the recount of everything without)."""
        self.today = today or timezone.localdate()
        self.history = history
        self.informative = informative
        self.viewer = viewer
        self._results: dict[tuple[str, dt.date], IndicatorResult] = {}

    def result(self, code: str, as_of: dt.date) -> IndicatorResult:
        key = (code, as_of)
        if key not in self._results:
            self._results[key] = indicator(code, as_of, viewer=self.viewer)
        return self._results[key]

    def prefetch(self, targets) -> None:
        """Read today's figures of all the targets' indicators at once (a viewer's stored figures)."""
        if self.viewer is None:
            return
        from mediation.services import indicator_store

        codes = sorted(
            {t.indicator for t in targets if is_registered(t.indicator)} - {c for c, _d in self._results}
        )
        for code, result in zip(codes, indicator_store.read(codes, self.today, self.viewer), strict=True):
            self._results[(code, self.today)] = result

    def measure(self, target, as_of: dt.date) -> Measurement:
        result = self.result(target.indicator, as_of)
        return Measurement(as_of, result, compared_value(target, result), is_met(target, result))

    def evaluate(self, target) -> Evaluation:
        today = self.today
        deadline = target_deadline(target, today)
        registered = is_registered(target.indicator)
        if target.comparison not in NUMERIC or target.value is None:
            # Judged by the office; a named indicator's figure is shown for information only.
            evaluation = Evaluation(target, today, TargetState.JUDGED, deadline)
            if registered and self.informative:
                evaluation.current = self.measure(target, today)
                evaluation.current.met = None
                evaluation.rows = _gaps_first(evaluation.current.result.rows)
            return evaluation
        if not registered:
            return Evaluation(target, today, TargetState.NOT_IN_SYSTEM, deadline)
        current = self.measure(target, today)
        if current.met is None:
            state = TargetState.NO_DATA
        else:
            state = TargetState.MET if current.met else TargetState.NOT_MET
        checked_on = check_date(target, today) if self.history else None
        at_deadline = self.measure(target, checked_on) if checked_on else None
        return Evaluation(
            target, today, state, deadline, current, at_deadline, _gaps_first(current.result.rows)
        )

    def evaluate_all(self, targets) -> list[Evaluation]:
        targets = list(targets)
        self.prefetch(targets)
        evaluations = [self.evaluate(t) for t in targets]
        name_targets(evaluations)
        return evaluations


def name_targets(evaluations: list[Evaluation]) -> None:
    """Name each target by its metric, adding what tells it apart where one task measures the metric over
    different scopes: the level for task 1 (区级, 乡镇(街道)级 …), the kind of committee for task 8. Targets of one
    metric and scope at different by-dates (task 7) keep the bare metric: their by-dates tell them apart."""
    scopes: dict[tuple, list[str]] = {}
    for e in evaluations:
        scopes.setdefault((e.target.task_id, e.target.metric), []).append(e.target.scope)
    for e in evaluations:
        group = scopes[(e.target.task_id, e.target.metric)]
        if len(set(group)) == 1:
            e.name = e.target.metric
            continue
        # Scopes that differ only in a final "（…）" (the loader's per-level split) are told apart by it.
        common = os.path.commonprefix(group)
        cut = common.rfind("（")
        part = e.target.scope[cut + 1 :].removesuffix("）") if cut > 0 else e.target.scope
        e.name = f"{e.target.metric}（{part}）"


def _gaps_first(rows: list[IndicatorRow]) -> list[IndicatorRow]:
    return sorted(rows, key=lambda row: row.met)


def evaluate(target, today: dt.date | None = None, *, viewer=None) -> Evaluation:
    """One target evaluated on `today` (see the module docstring)."""
    evaluation = Evaluator(today, viewer=viewer).evaluate(target)
    evaluation.name = target.metric
    return evaluation
