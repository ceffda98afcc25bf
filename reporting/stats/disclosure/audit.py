"""The exact audit: what a reader can work out of the hidden counts from what is printed.

A reader knows every printed number, how each table adds up, which positions are equal by
construction, and what the one mark "x" says: the count is hidden, and as zeros are never hidden,
it is at least 1. Small counts and the counts hidden to protect them look the same, so "x" says
nothing more. A hidden count that is really between 1 and k-1 is protected only if some assignment
of integers to all hidden positions that agrees with everything printed gives it a value of at
least k: then the reader's interval for it is not inside 1..k-1 (the τ-Argus "protection
interval"), and no exact value can follow either.

The integer reasoning is HiGHS's (``highspy``), which computes in floating point. The audit keeps
its verdicts exact, and where it cannot be sure, errs towards "exposed":

* Exact data: every coefficient, bound and printed number is an integer below 2**53 in magnitude,
  so HiGHS gets it without rounding (larger ones are refused).
* "Protected" needs proof: an integer point reaching k (or, for the older "pinned" question, two
  integer points with different values), each rounded from a HiGHS answer (or the true counts,
  which the protection knows) and checked against every equation, inequality and bound in integer
  arithmetic. An answer whose rounding fails the check proves nothing.
* "Exposed" is HiGHS's "infeasible" with the count's bounds narrowed (to k and above, or to one
  below and one above a checked value), or its branch and bound giving up at its node limit.

A wrong "infeasible" could only make the protection hide one number more or refuse a table set. It
can never let through a printed number from which a hidden count follows: "protected" is never
taken on the solver's word.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Final, TypeAlias

from reporting.stats.disclosure.model import TOTAL, CellRef, ProtectedTable, ProtectedTableSet, Table

if TYPE_CHECKING:
    from highspy import HighsVarType
    from highspy._core import _Highs

Terms: TypeAlias = tuple[tuple[int, int], ...]
"""A linear form over classes of printed numbers: (class, coefficient) pairs."""

_EXACT_IN_DOUBLES: Final = 2**53
_SOLVER_OPTIONS: Final[Mapping[str, bool | int | str]] = {"output_flag": False, "mip_max_nodes": 10_000}
"""Silent, and HiGHS gives up after so many branch-and-bound nodes (a variable it gave up on counts as pinned)."""


def audit_exposure(protected: ProtectedTableSet) -> list[CellRef]:
    """Hidden positions a reader can place inside 1..k-1 (exactly or as an interval).

    For every hidden count, whether any integer assignment consistent with the printed numbers, sums,
    links and bounds (a hidden count is at least 1; in a non-additive table a count is at most its
    column's cases and, if exhaustive, the counts of a column add up to at least its cases) gives it
    k or more. An empty list means no hidden count can be shown to be small.
    """
    structure = Structure.build([Layout.of(table) for table in protected.tables], protected.links, protected.limits)
    known: dict[int, int] = {}
    bounds: dict[int, tuple[int, int | None]] = {}
    for cls, members in enumerate(structure.members):
        cells = [protected.cell(ref) for ref in members]
        printed = {cell.value for cell in cells if cell.value is not None}
        if len(printed) > 1:
            raise ValueError(f"linked positions print different numbers: {members}")
        if printed:
            known[cls] = printed.pop()
        else:
            bounds[cls] = HIDDEN_BOUNDS
    return [
        ref for cls in exposed_classes(structure, known, bounds, reach=protected.k) for ref in structure.members[cls]
    ]


HIDDEN_BOUNDS: Final[tuple[int, int | None]] = (1, None)
"""What a reader knows of a hidden count on its own: zeros are never hidden, and "x" tells a small
count from a protecting one in no way, so at least 1 and no more."""


@dataclass(frozen=True)
class Layout:
    """The shape of a table, which is all the arithmetic of its printed numbers depends on."""

    key: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    additive: bool
    exhaustive: bool

    @classmethod
    def of(cls, table: Table | ProtectedTable) -> Layout:
        return cls(table.key, tuple(table.rows), tuple(table.columns), table.additive, table.exhaustive)

    def refs(self) -> list[CellRef]:
        return (
            [CellRef(self.key, row, column) for row in self.rows for column in self.columns]
            + [CellRef(self.key, row, TOTAL) for row in self.rows]
            + [CellRef(self.key, TOTAL, column) for column in self.columns]
            + [CellRef(self.key, TOTAL, TOTAL)]
        )

    def sums(self) -> list[dict[CellRef, int]]:
        """Linear forms that are zero: rows add up to their totals, and columns if additive."""
        grand = CellRef(self.key, TOTAL, TOTAL)
        forms = [
            {CellRef(self.key, row, column): 1 for column in self.columns} | {CellRef(self.key, row, TOTAL): -1}
            for row in self.rows
        ]
        forms.append({CellRef(self.key, TOTAL, column): 1 for column in self.columns} | {grand: -1})
        if self.additive:
            forms.extend(
                {CellRef(self.key, row, column): 1 for row in self.rows} | {CellRef(self.key, TOTAL, column): -1}
                for column in self.columns
            )
            forms.append({CellRef(self.key, row, TOTAL): 1 for row in self.rows} | {grand: -1})
        return forms

    def limits(self) -> list[dict[CellRef, int]]:
        """Linear forms that are at most zero, for non-additive tables: a part is at most its
        whole, and, if exhaustive, the rows of a column count at least its cases."""
        if self.additive:
            return []
        grand = CellRef(self.key, TOTAL, TOTAL)
        wholes = [
            (CellRef(self.key, TOTAL, column), [CellRef(self.key, row, column) for row in self.rows])
            for column in self.columns
        ]
        wholes.append((grand, [CellRef(self.key, row, TOTAL) for row in self.rows]))
        forms = [{part: 1, whole: -1} for whole, parts in wholes for part in parts]
        if self.exhaustive:
            forms.extend({whole: 1} | dict.fromkeys(parts, -1) for whole, parts in wholes)
        return forms


@dataclass(frozen=True)
class Structure:
    """Printed positions merged into classes of numbers equal by construction (links,
    one-column tables, one-row tables), and the sums and limits relating the classes."""

    members: tuple[tuple[CellRef, ...], ...]
    class_of: Mapping[CellRef, int]
    sums: tuple[Terms, ...]
    limits: tuple[Terms, ...]

    @classmethod
    def build(
        cls,
        layouts: Sequence[Layout],
        links: Iterable[tuple[CellRef, CellRef]],
        extra_limits: Iterable[Mapping[CellRef, int]] = (),
    ) -> Structure:
        order = [ref for layout in layouts for ref in layout.refs()]
        position = {ref: index for index, ref in enumerate(order)}
        parent = list(range(len(order)))

        def root(index: int) -> int:
            while parent[index] != index:
                parent[index] = parent[parent[index]]
                index = parent[index]
            return index

        def merge(first: int, second: int) -> bool:
            first, second = root(first), root(second)
            if first == second:
                return False
            parent[max(first, second)] = min(first, second)
            return True

        def collapse(form: Mapping[int, int]) -> dict[int, int]:
            merged: dict[int, int] = {}
            for index, coefficient in form.items():
                merged[root(index)] = merged.get(root(index), 0) + coefficient
            return {index: coefficient for index, coefficient in merged.items() if coefficient}

        for first_ref, second_ref in links:
            merge(position[first_ref], position[second_ref])
        sums = [{position[ref]: c for ref, c in form.items()} for layout in layouts for form in layout.sums()]
        forms = [form for layout in layouts for form in layout.limits()] + list(extra_limits)
        limits = [{position[ref]: c for ref, c in form.items()} for form in forms]
        merging = True
        while merging:
            merging = False
            for form in sums:
                collapsed = collapse(form)
                if len(collapsed) == 2 and sum(collapsed.values()) == 0:
                    merging |= merge(*collapsed)

        roots = sorted({root(index) for index in range(len(order))})
        class_index = {index: number for number, index in enumerate(roots)}
        class_of = {ref: class_index[root(position[ref])] for ref in order}
        members: list[list[CellRef]] = [[] for _ in roots]
        for ref in order:
            members[class_of[ref]].append(ref)

        def distinct(forms: list[dict[int, int]], normalise_sign: bool) -> tuple[Terms, ...]:
            unique: dict[Terms, None] = {}
            for form in forms:
                terms = tuple(sorted((class_index[index], c) for index, c in collapse(form).items()))
                if terms and normalise_sign and terms[0][1] < 0:
                    terms = tuple((number, -c) for number, c in terms)
                if terms:
                    unique[terms] = None
            return tuple(unique)

        return cls(
            members=tuple(tuple(group) for group in members),
            class_of=class_of,
            sums=distinct(sums, normalise_sign=True),
            limits=distinct(limits, normalise_sign=False),
        )


def exposed_classes(
    structure: Structure,
    known: Mapping[int, int],
    bounds: Mapping[int, tuple[int, int | None]],
    *,
    only: int | None = None,
    truth: Mapping[int, int] | None = None,
    reach: int | None = None,
    targets: Iterable[int] | None = None,
) -> list[int]:
    """Hidden classes (keys of ``bounds``, or of them ``targets``) that are exposed by ``known`` and
    all constraints: with ``reach``, those that cannot take a value of ``reach`` or more; without,
    those whose integer value is fixed. With ``only``, just whether that one class is. ``truth``, the
    hidden values where the caller knows them, spares the solver the search for a first point."""
    lower = {cls: low for cls, (low, _) in bounds.items()}
    upper = {cls: high for cls, (_, high) in bounds.items()}
    rows: list[LinearRow] = []
    for terms, equality in [(terms, True) for terms in structure.sums] + [(terms, False) for terms in structure.limits]:
        unknown = {cls: c for cls, c in terms if cls not in known}
        rest = -sum(c * known[cls] for cls, c in terms if cls in known)
        if not unknown:
            if rest != 0 if equality else rest < 0:
                raise ValueError("the printed numbers contradict each other")
            continue
        if not equality and len(unknown) == 1:
            ((cls, c),) = unknown.items()
            if c > 0:
                current = upper[cls]
                upper[cls] = rest // c if current is None else min(rest // c, current)
            else:
                lower[cls] = max(lower[cls], -(rest // -c))
            continue
        rows.append(LinearRow(unknown, rest, equality))
    if any(high is not None and high < lower[cls] for cls, high in upper.items()):
        raise ValueError("the printed numbers contradict each other")

    component = {cls: cls for cls in bounds}

    def find(cls: int) -> int:
        while component[cls] != cls:
            cls = component[cls]
        return cls

    for row in rows:
        first, *others = row.coefficients
        for cls in others:
            roots = find(first), find(cls)
            component[max(roots)] = min(roots)
    groups: dict[int, list[int]] = {}
    for cls in sorted(bounds):
        groups.setdefault(find(cls), []).append(cls)
    rows_of_group: dict[int, list[LinearRow]] = {}
    for row in rows:
        rows_of_group.setdefault(find(next(iter(row.coefficients))), []).append(row)
    if only is not None:
        return _exposed(
            groups[find(only)], rows_of_group.get(find(only), []), lower, upper, [only], truth=truth, reach=reach
        )
    wanted = set(bounds if targets is None else targets)
    exposed: list[int] = []
    for group_root, group in groups.items():
        in_group = [cls for cls in group if cls in wanted]
        if in_group:
            rows_here = rows_of_group.get(group_root, [])
            exposed.extend(_exposed(group, rows_here, lower, upper, in_group, truth=truth, reach=reach))
    return sorted(exposed)


def _exposed(
    group: Sequence[int],
    rows: Sequence[LinearRow],
    lower: Mapping[int, int],
    upper: Mapping[int, int | None],
    targets: Iterable[int],
    *,
    truth: Mapping[int, int] | None,
    reach: int | None,
) -> list[int]:
    """The ``targets`` in one connected group that cannot reach ``reach`` (or, without it, are pinned)."""
    index = {cls: number for number, cls in enumerate(group)}
    ranges = IntegerRanges(
        [LinearRow({index[cls]: c for cls, c in row.coefficients.items()}, row.rest, row.equality) for row in rows],
        [lower[cls] for cls in group],
        [upper[cls] for cls in group],
        None if truth is None else [truth[cls] for cls in group],
    )
    if reach is None:
        return [cls for cls in targets if ranges.is_pinned(index[cls])]
    return [cls for cls in targets if not ranges.reaches(index[cls], reach)]


@dataclass(frozen=True)
class LinearRow:
    """``sum(coefficient * x[variable]) == rest``, or ``<= rest`` where not ``equality``."""

    coefficients: Mapping[int, int]
    rest: int
    equality: bool = True

    def holds(self, point: Sequence[int]) -> bool:
        activity = sum(c * point[variable] for variable, c in self.coefficients.items())
        return activity == self.rest if self.equality else activity <= self.rest


def checked_point(
    values: Sequence[float], rows: Sequence[LinearRow], lower: Sequence[int], upper: Sequence[int | None]
) -> list[int] | None:
    """A solver's answer rounded to integers, if those satisfy every row and bound exactly; else None."""
    if not all(math.isfinite(value) for value in values):
        return None
    point = [round(value) for value in values]
    within = all(
        low <= value and (high is None or value <= high) for value, low, high in zip(point, lower, upper, strict=True)
    )
    return point if within and all(row.holds(point) for row in rows) else None


class _NoPoint(Enum):
    INFEASIBLE = "HiGHS found that no point exists"
    UNDECIDED = "HiGHS stopped without a point, or its point failed the exact check"


class IntegerRanges:
    """Exact integer ranges of the variables of {rows, lower <= x <= upper}, decided with HiGHS.

    Every checked point is remembered: a variable seen with two values is free without another solve.
    ``known_point``, a solution the caller already has, spares the search for a first one.
    """

    def __init__(
        self,
        rows: Sequence[LinearRow],
        lower: Sequence[int],
        upper: Sequence[int | None],
        known_point: Sequence[int] | None = None,
    ) -> None:
        numbers = [*lower, *(high for high in upper if high is not None)]
        numbers += [row.rest for row in rows] + [c for row in rows for c in row.coefficients.values()]
        if any(abs(number) >= _EXACT_IN_DOUBLES for number in numbers):
            raise ValueError("a number of the tables is too large to reach the solver exactly")
        self._rows, self._lower, self._upper = tuple(rows), tuple(lower), tuple(upper)
        self._model = _model(self._rows, self._lower, self._upper) if rows else None
        self._seen: list[tuple[int, int] | None] = [None] * len(lower)
        first: list[int] | _NoPoint | None
        if known_point is None:
            first = self._solve(None)
            if first is _NoPoint.INFEASIBLE:
                raise ValueError("the printed numbers contradict each other")
        else:
            first = checked_point(known_point, self._rows, self._lower, self._upper)
            if first is None:
                raise ValueError("the known point does not satisfy the rows and bounds")
        if isinstance(first, list):
            self._record(first)

    def is_pinned(self, variable: int) -> bool:
        """Whether the variable can take one value only; also when HiGHS could not decide (the safe side)."""
        seen = self._seen[variable]
        if seen is None:
            return True
        low, high = seen
        if low < high:
            return False
        for narrowed in ((self._lower[variable], low - 1), (high + 1, self._upper[variable])):
            if narrowed[1] is not None and narrowed[0] > narrowed[1]:
                continue
            point = self._solve((variable, *narrowed))
            if isinstance(point, list):
                self._record(point)
                return False
        return True

    def reaches(self, variable: int, at_least: int) -> bool:
        """Whether a checked integer point gives the variable ``at_least`` or more (False when HiGHS
        could not decide: the safe side)."""
        return self.attains(variable, at_least, None)

    def attains(self, variable: int, low: int, high: int | None) -> bool:
        """Whether a checked integer point puts the variable within ``low``..``high`` (None: no upper
        end); False when HiGHS could not decide."""
        seen = self._seen[variable]
        if seen is not None and any(low <= value and (high is None or value <= high) for value in seen):
            return True
        low, own_high = max(low, self._lower[variable]), self._upper[variable]
        high = own_high if high is None else high if own_high is None else min(high, own_high)
        if high is not None and high < low:
            return False
        point = self._solve((variable, low, high))
        if isinstance(point, list):
            self._record(point)
            return True
        return False

    def _record(self, point: Sequence[int]) -> None:
        for variable, value in enumerate(point):
            seen = self._seen[variable]
            self._seen[variable] = (value, value) if seen is None else (min(seen[0], value), max(seen[1], value))

    def _solve(self, narrowed: tuple[int, int, int | None] | None) -> list[int] | _NoPoint:
        """Any integer point, checked exactly, with one variable's bounds narrowed; or why there is none.

        The linear relaxation first: tables add up in (mostly) totally unimodular ways, so its vertices
        are usually integral, and where it has no point, no integer point exists either. HiGHS's
        branch and bound only where the relaxation's point is fractional (or fails the check).
        """
        lower, upper = list(self._lower), list(self._upper)
        if narrowed is not None:
            variable, lower[variable], upper[variable] = narrowed
        if self._model is None:
            return lower
        model = self._model
        if narrowed is not None:
            model.changeColBounds(variable, lower[variable], _double(upper[variable]))
        try:
            outcome = self._run(model, lower, upper)
            if outcome is _NoPoint.UNDECIDED:
                outcome = self._run(model, lower, upper, integral=True)
            return outcome
        finally:
            if narrowed is not None:
                model.changeColBounds(variable, self._lower[variable], _double(self._upper[variable]))

    def _run(
        self, model: _Highs, lower: Sequence[int], upper: Sequence[int | None], *, integral: bool = False
    ) -> list[int] | _NoPoint:
        import highspy

        if integral:
            _set_integrality(model, len(lower), highspy.HighsVarType.kInteger)
        try:
            model.run()
            status = model.getModelStatus()
            values = model.getSolution().col_value
        finally:
            if integral:
                _set_integrality(model, len(lower), highspy.HighsVarType.kContinuous)
        # With no objective nothing is unbounded, so "unbounded or infeasible" is infeasible.
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return _NoPoint.INFEASIBLE
        if status != highspy.HighsModelStatus.kOptimal:
            return _NoPoint.UNDECIDED
        point = checked_point(values, self._rows, lower, upper)
        return _NoPoint.UNDECIDED if point is None else point


def _model(rows: Sequence[LinearRow], lower: Sequence[int], upper: Sequence[int | None]) -> _Highs:
    """The rows and bounds as a HiGHS model with no objective; variables continuous until asked."""
    import highspy  # on first use: most processes that import the audit never run it

    # highspy's own Highs class registers a callback hook while it is constructed, at which HiGHS
    # prints its banner to stdout before any option can silence it; the core class has no hook.
    from highspy._core import _Highs

    model = _Highs()
    for name, value in _SOLVER_OPTIONS.items():
        if model.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS refuses option {name}={value!r}")
    model.addVars(len(lower), [float(low) for low in lower], [_double(high) for high in upper])
    starts: list[int] = []
    indices: list[int] = []
    values: list[float] = []
    for row in rows:
        starts.append(len(indices))
        indices.extend(row.coefficients)
        values.extend(float(c) for c in row.coefficients.values())
    model.addRows(
        len(rows),
        [float(row.rest) if row.equality else -math.inf for row in rows],
        [float(row.rest) for row in rows],
        len(indices),
        starts,
        indices,
        values,
    )
    return model


def _set_integrality(model: _Highs, size: int, kind: HighsVarType) -> None:
    for variable in range(size):
        model.changeColIntegrality(variable, kind)


def _double(bound: int | None) -> float:
    return math.inf if bound is None else float(bound)
