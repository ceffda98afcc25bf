"""The exact audit: which hidden counts a reader can work out from what is printed.

A reader knows every printed number, how each table adds up, which positions are equal by
construction, and what the marks say: "<k" is 1 to k-1, and "x" is at least k (small counts all
show "<k", zeros are never hidden). A hidden count is pinned when every assignment of integers to
the hidden positions that agrees with all of this gives it the same value.

Pure Python and exact: a rational simplex, with branch and bound where linked tables make a
vertex fractional.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, TypeAlias

from reporting.stats.disclosure.model import TOTAL, CellRef, ProtectedTable, ProtectedTableSet, Table

Terms: TypeAlias = tuple[tuple[int, int], ...]
"""A linear form over classes of printed numbers: (class, coefficient) pairs."""

_DEGENERATE_RUN_LIMIT: Final = 20
_BRANCH_AND_BOUND_NODE_LIMIT: Final = 500

_Number: TypeAlias = int | Fraction


def audit_exposure(protected: ProtectedTableSet) -> list[CellRef]:
    """Hidden positions whose exact value follows from what is printed.

    For every hidden count, whether all integer values consistent with the printed numbers, sums,
    links and bounds ("<k": 1 to k-1; "x": at least k; in a non-additive table a count is at most its
    column's cases and, if exhaustive, the counts of a column add up to at least its cases) agree.
    An empty list means nothing hidden can be worked out.
    """
    structure = Structure.build([Layout.of(table) for table in protected.tables], protected.links)
    below_k = f"<{protected.k}"
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
            bounds[cls] = reader_bounds(any(cell.display == below_k for cell in cells), protected.k)
    return [ref for cls in exposed_classes(structure, known, bounds) for ref in structure.members[cls]]


def reader_bounds(shown_below_k: bool, k: int) -> tuple[int, int | None]:
    """What a reader knows of a hidden count: "<k" is 1..k-1; "x" is neither small (those show "<k")
    nor zero (never hidden), so at least k."""
    return (1, k - 1) if shown_below_k else (k, None)


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
    def build(cls, layouts: Sequence[Layout], links: Iterable[tuple[CellRef, CellRef]]) -> Structure:
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
        limits = [{position[ref]: c for ref, c in form.items()} for layout in layouts for form in layout.limits()]
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
    only: int | None = None,
) -> list[int]:
    """Hidden classes (keys of ``bounds``) whose integer value is fixed by ``known`` and all
    constraints; with ``only``, just whether that one class is."""
    lower = {cls: low for cls, (low, _) in bounds.items()}
    upper = {cls: high for cls, (_, high) in bounds.items()}
    rows: list[tuple[dict[int, int], int]] = []
    for terms, is_limit in [(terms, False) for terms in structure.sums] + [(terms, True) for terms in structure.limits]:
        unknown = {cls: c for cls, c in terms if cls not in known}
        rest = -sum(c * known[cls] for cls, c in terms if cls in known)
        if not unknown:
            if rest < 0 if is_limit else rest != 0:
                raise ValueError("the printed numbers contradict each other")
            continue
        if is_limit and len(unknown) == 1:
            ((cls, c),) = unknown.items()
            if c > 0:
                current = upper[cls]
                upper[cls] = rest // c if current is None else min(rest // c, current)
            else:
                lower[cls] = max(lower[cls], -(rest // -c))
            continue
        rows.append((unknown | ({-1 - len(rows): 1} if is_limit else {}), rest))
    if any(high is not None and high < lower[cls] for cls, high in upper.items()):
        raise ValueError("the printed numbers contradict each other")

    component = {cls: cls for cls in bounds}

    def find(cls: int) -> int:
        while component[cls] != cls:
            cls = component[cls]
        return cls

    for form, _ in rows:
        hidden_in_form = [cls for cls in form if cls >= 0]
        for cls in hidden_in_form[1:]:
            first, second = find(hidden_in_form[0]), find(cls)
            component[max(first, second)] = min(first, second)
    groups: dict[int, list[int]] = {}
    for cls in sorted(bounds):
        groups.setdefault(find(cls), []).append(cls)
    rows_of_group: dict[int, list[tuple[dict[int, int], int]]] = {}
    for form, rest in rows:
        rows_of_group.setdefault(find(next(cls for cls in form if cls >= 0)), []).append((form, rest))
    if only is not None:
        return _pinned(groups[find(only)], rows_of_group.get(find(only), []), lower, upper, [only])
    exposed: list[int] = []
    for group_root, group in groups.items():
        exposed.extend(_pinned(group, rows_of_group.get(group_root, []), lower, upper, group))
    return sorted(exposed)


def _pinned(
    group: Sequence[int],
    rows: Sequence[tuple[dict[int, int], int]],
    lower: Mapping[int, int],
    upper: Mapping[int, int | None],
    targets: Iterable[int],
) -> list[int]:
    """The ``targets`` in one connected group whose integer range is a single value.

    Hidden classes become variables 0..n-1; each limit row brings its own slack variable
    (negative keys in ``rows``), so that every row is an equation.
    """
    index = {cls: number for number, cls in enumerate(group)}
    slack_index: dict[int, int] = {}
    equations: list[tuple[dict[int, int], int]] = []
    for form, rest in rows:
        equation: dict[int, int] = {}
        for key, c in form.items():
            equation[index[key] if key >= 0 else slack_index.setdefault(key, len(group) + len(slack_index))] = c
        equations.append((equation, rest))
    ranges = _IntegerRanges(
        equations,
        [lower[cls] for cls in group] + [0] * len(slack_index),
        [upper[cls] for cls in group] + [None] * len(slack_index),
    )
    return [cls for cls in targets if ranges.is_pinned(index[cls])]


class _SearchLimitReachedError(Exception):
    """Branch and bound gave up; the variable is then treated as pinned, which is safe."""


class _IntegerRanges:
    """Exact integer ranges of the variables of {A x = b, lower <= x <= upper}.

    Each extreme comes from the rational simplex; a fractional optimum (possible only where
    linked tables make the system non-unimodular) is resolved by branch and bound. Every
    integer optimum seen is a feasible point, and a variable seen with two values cannot be
    pinned, which spares most of the optimisations.
    """

    def __init__(
        self, rows: Sequence[tuple[Mapping[int, int], int]], lower: Sequence[int], upper: Sequence[int | None]
    ) -> None:
        self._rows, self._lower, self._upper = rows, list(lower), list(upper)
        self._relaxation = _LinearProgram(rows, lower, upper)
        if not self._relaxation.feasible:
            raise ValueError("the printed numbers contradict each other")
        self._seen: list[tuple[int, int] | None] = [None] * len(lower)

    def is_pinned(self, variable: int) -> bool:
        try:
            if self._varies(variable):
                return False
            lowest = self._optimum(variable, 1)
            if self._varies(variable):
                return False
            highest = self._optimum(variable, -1)
        except _SearchLimitReachedError:
            return True
        return highest is not None and lowest == highest

    def _varies(self, variable: int) -> bool:
        seen = self._seen[variable]
        return seen is not None and seen[0] < seen[1]

    def _record(self, point: Sequence[int]) -> None:
        for variable, value in enumerate(point):
            seen = self._seen[variable]
            self._seen[variable] = (value, value) if seen is None else (min(seen[0], value), max(seen[1], value))

    def _optimum(self, variable: int, sign: int) -> int | None:
        """The integer minimum (sign 1) or maximum (sign -1) of a variable; None if unbounded."""
        point = self._relaxation.minimise({variable: sign})
        if point is None:
            return None
        if all(value.denominator == 1 for value in point):
            integral = [int(value) for value in point]
        else:
            integral = self._branch_and_bound({variable: sign})
        self._record(integral)
        return integral[variable]

    def _branch_and_bound(self, cost: Mapping[int, int]) -> list[int]:
        best: list[int] | None = None
        best_cost = 0
        stack = [(self._lower, self._upper)]
        for _ in range(_BRANCH_AND_BOUND_NODE_LIMIT):
            if not stack:
                break
            lower, upper = stack.pop()
            node = _LinearProgram(self._rows, lower, upper)
            point = node.minimise(cost) if node.feasible else None
            if point is None:
                continue
            node_cost = sum(c * point[variable] for variable, c in cost.items())
            if best is not None and math.ceil(node_cost) >= best_cost:
                continue
            fractional = next((variable for variable, value in enumerate(point) if value.denominator != 1), None)
            if fractional is None:
                best, best_cost = [int(value) for value in point], int(node_cost)
                continue
            cut = math.floor(point[fractional])
            high = upper[fractional]
            if high is None or cut + 1 <= high:
                stack.append(([*lower[:fractional], cut + 1, *lower[fractional + 1 :]], upper))
            if cut >= lower[fractional]:
                stack.append((lower, [*upper[:fractional], cut, *upper[fractional + 1 :]]))
        if stack:
            raise _SearchLimitReachedError
        if best is None:
            raise ValueError("the printed numbers contradict each other")
        return best


def _normal(value: _Number) -> _Number:
    return value.numerator if value.denominator == 1 else value


def _divide(dividend: _Number, divisor: _Number) -> _Number:
    if isinstance(dividend, int) and isinstance(divisor, int) and dividend % divisor == 0:
        return dividend // divisor
    return _normal(Fraction(dividend) / divisor)


def _subtract_multiple(target: dict[int, _Number], source: Mapping[int, _Number], factor: _Number) -> None:
    for column, entry in source.items():
        updated = _normal(target.get(column, 0) - factor * entry)
        if updated:
            target[column] = updated
        else:
            target.pop(column, None)


class _LinearProgram:
    """Exact two-phase primal simplex for {A x = b, lower <= x <= upper} over the rationals.

    Sparse tableau rows; a non-basic variable sits at one of its bounds. Dantzig's rule,
    switching to Bland's rule during long degenerate runs so that it cannot cycle. After
    phase one the basis stays feasible, so successive objectives start where the last ended.
    """

    def __init__(
        self, rows: Sequence[tuple[Mapping[int, int], int]], lower: Sequence[int], upper: Sequence[int | None]
    ) -> None:
        self._size = len(lower)
        self._lower = list(lower)
        self._room: list[_Number | None] = [
            None if high is None else high - low for low, high in zip(lower, upper, strict=True)
        ]
        self._value: list[_Number] = [0] * self._size
        self._basis: list[int] = []
        self._rows: list[dict[int, _Number]] = []
        self._reduced: dict[int, _Number] = {}
        for coefficients, rest in rows:
            residual = rest - sum(c * self._lower[variable] for variable, c in coefficients.items())
            sign = -1 if residual < 0 else 1
            artificial = len(self._value)
            row: dict[int, _Number] = {variable: sign * c for variable, c in coefficients.items() if c}
            row[artificial] = 1
            self._rows.append(row)
            self._basis.append(artificial)
            self._value.append(sign * residual)
            self._room.append(None)
        self.feasible = all(room is None or room >= 0 for room in self._room) and self._phase_one()

    def minimise(self, cost: Mapping[int, int]) -> list[_Number] | None:
        """An optimal vertex for ``cost``, or None if the objective is unbounded below."""
        self._set_objective(cost)
        if not self._optimise():
            return None
        return [_normal(self._value[variable] + self._lower[variable]) for variable in range(self._size)]

    def _phase_one(self) -> bool:
        artificials = range(self._size, len(self._value))
        self._set_objective(dict.fromkeys(artificials, 1))
        self._optimise()
        if any(self._value[artificial] for artificial in artificials):
            return False
        redundant: set[int] = set()
        for row_number, basic in enumerate(self._basis):
            if basic >= self._size:
                entering = min((column for column in self._rows[row_number] if column < self._size), default=None)
                if entering is None:
                    redundant.add(row_number)
                else:
                    self._pivot(row_number, entering)
        kept = [number for number in range(len(self._rows)) if number not in redundant]
        self._rows = [{c: entry for c, entry in self._rows[number].items() if c < self._size} for number in kept]
        self._basis = [self._basis[number] for number in kept]
        del self._value[self._size :], self._room[self._size :]
        return True

    def _set_objective(self, cost: Mapping[int, int]) -> None:
        reduced: dict[int, _Number] = dict(cost)
        for row, basic in zip(self._rows, self._basis, strict=True):
            weight = cost.get(basic, 0)
            if weight:
                for column, entry in row.items():
                    reduced[column] = reduced.get(column, 0) - weight * entry
        self._reduced = {column: entry for column, entry in reduced.items() if entry}

    def _optimise(self) -> bool:
        degenerate_run = 0
        while (choice := self._entering(bland=degenerate_run >= _DEGENERATE_RUN_LIMIT)) is not None:
            column, direction = choice
            step, leaving = self._ratio_test(column, direction)
            if step is None:
                return False
            degenerate_run = degenerate_run + 1 if step == 0 else 0
            if step:
                self._move(column, direction * step)
            if leaving is not None:
                self._pivot(leaving, column)
        return True

    def _entering(self, bland: bool) -> tuple[int, int] | None:
        best: tuple[int, int] | None = None
        best_gain: _Number = 0
        for column, reduced in self._reduced.items():
            room = self._room[column]
            if reduced < 0 and (room is None or self._value[column] < room):
                direction = 1
            elif reduced > 0 and self._value[column] > 0:
                direction = -1
            else:
                continue
            gain = reduced * -direction
            if best is None or (column < best[0] if bland else (gain, -column) > (best_gain, -best[0])):
                best, best_gain = (column, direction), gain
        return best

    def _ratio_test(self, column: int, direction: int) -> tuple[_Number | None, int | None]:
        """How far the entering column can move, and which row's basic variable then leaves
        (None: the column reaches its own bound first)."""
        step: _Number | None = self._room[column]
        leaving: int | None = None
        for row_number, row in enumerate(self._rows):
            entry = row.get(column)
            if not entry:
                continue
            rate = -entry * direction
            basic = self._basis[row_number]
            if rate < 0:
                limit = _divide(self._value[basic], -rate)
            else:
                room = self._room[basic]
                if room is None:
                    continue
                limit = _divide(room - self._value[basic], rate)
            if step is None or limit < step or (limit == step and leaving is not None and basic < self._basis[leaving]):
                step, leaving = limit, row_number
        return step, leaving

    def _move(self, column: int, delta: _Number) -> None:
        self._value[column] = _normal(self._value[column] + delta)
        for row, basic in zip(self._rows, self._basis, strict=True):
            entry = row.get(column)
            if entry:
                self._value[basic] = _normal(self._value[basic] - entry * delta)

    def _pivot(self, row_number: int, column: int) -> None:
        pivot_row = self._rows[row_number]
        pivot = pivot_row[column]
        if pivot != 1:
            pivot_row = {c: _divide(entry, pivot) for c, entry in pivot_row.items()}
            self._rows[row_number] = pivot_row
        for other_number, row in enumerate(self._rows):
            factor = row.get(column)
            if other_number != row_number and factor:
                _subtract_multiple(row, pivot_row, factor)
        factor = self._reduced.get(column)
        if factor:
            _subtract_multiple(self._reduced, pivot_row, factor)
        self._basis[row_number] = column
