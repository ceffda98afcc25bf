"""Statistical disclosure control: which counts of one annual report may be printed.

With tens to a few hundred reports a year, a count of one or two can point at a
person, and a hidden count can often be worked out again by subtracting printed
numbers: row and column totals, or the same total printed in another table of the
report. So all tables of a report are protected together:

* primary suppression: counts from 1 to k-1 are printed as "<k"; zero is printed;
* secondary suppression: further non-zero counts, printed as "x", are hidden so that
  every sum with a hidden count hides at least two (the usual row/column rule, applied
  across linked tables);
* an exact audit then bounds every hidden count by integer linear reasoning over all
  that is printed: every table, total and link, plus what the marks say. "<k" means 1
  to k-1; and as every small count shows "<k" and zeros are never hidden, "x" means at
  least k. While a hidden count is pinned to one value, the printed number whose hiding
  frees it is hidden too and the audit runs again.

Pure Python and deterministic: the same tables always give the same result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final, TypeAlias

from babel.numbers import format_percent

from reporting.i18n import babel_locale

TOTAL: Final = "total"
"""Row or column code of a total in a CellRef; both for the grand total."""

MIN_K: Final = 3
SECONDARY_DISPLAY: Final = "x"
REGION_DIMENSION: Final = "regions"
GROUND_DIMENSIONS: Final = frozenset({"grounds", "racism_subtypes"})
TIME_DIMENSIONS: Final = frozenset({"quarter", "month"})

_DEGENERATE_RUN_LIMIT: Final = 20
_BRANCH_AND_BOUND_NODE_LIMIT: Final = 500
_UNPIN_TRIALS: Final = 12

_Number: TypeAlias = int | Fraction
_Terms: TypeAlias = tuple[tuple[int, int], ...]
"""A linear form over classes of published numbers: (class, coefficient) pairs."""


class UnprotectableTablesError(ValueError):
    """A small count stays pinned even with every non-zero count around it hidden; the message
    names it as a CellRef. Merge categories or leave a table out."""


@dataclass(frozen=True, order=True)
class CellRef:
    """Where a number is printed; ``row`` or ``column`` is TOTAL for a margin, both for the grand total."""

    table: str
    row: str
    column: str


@dataclass(frozen=True)
class Table:
    """The counts of one table to be printed; ``title`` is a message key, labels come later.

    Columns always partition the cases of a row (put a multi-valued dimension in the rows),
    so row totals are sums. If ``additive``, the rows partition the cases too and column
    totals and grand total are sums. Otherwise a case counts in several rows (once per
    ground, say), the number of cases per column and in all must be given, and, if
    ``exhaustive``, every case counts in at least one row (add a "not recorded" row to make
    that true): readers know this too, so the audit uses it.
    """

    key: str
    title: str
    dimensions: tuple[str, ...]
    rows: list[str]
    columns: list[str]
    counts: dict[tuple[str, str], int]
    additive: bool = True
    exhaustive: bool = True
    given_column_totals: dict[str, int] | None = None
    given_grand_total: int | None = None

    def __post_init__(self) -> None:
        for axis, codes in (("row", self.rows), ("column", self.columns)):
            if not codes or len(set(codes)) != len(codes) or TOTAL in codes:
                raise ValueError(f"table {self.key!r}: {axis} codes must be present, distinct and not {TOTAL!r}")
        for (row, column), count in self.counts.items():
            if row not in self.rows or column not in self.columns:
                raise ValueError(f"table {self.key!r}: count for unknown cell ({row!r}, {column!r})")
            if count < 0:
                raise ValueError(f"table {self.key!r}: negative count for ({row!r}, {column!r})")
        if self.additive:
            if self.given_column_totals is not None or self.given_grand_total is not None:
                raise ValueError(f"table {self.key!r} is additive: its totals are sums and must not be given")
        else:
            self._check_given_totals()

    def _check_given_totals(self) -> None:
        if self.given_column_totals is None or self.given_grand_total is None:
            raise ValueError(f"non-additive table {self.key!r} needs the number of cases per column and in all")
        if set(self.given_column_totals) != set(self.columns):
            raise ValueError(f"table {self.key!r}: column totals must be given for exactly its columns")
        if sum(self.given_column_totals.values()) != self.given_grand_total:
            raise ValueError(f"table {self.key!r}: columns must partition the cases, their totals add up to the total")
        for column in self.columns:
            in_rows = [self.count(row, column) for row in self.rows]
            if max(in_rows) > self.given_column_totals[column]:
                raise ValueError(f"table {self.key!r}: a count exceeds the cases of column {column!r}")
            if self.exhaustive and sum(in_rows) < self.given_column_totals[column]:
                raise ValueError(
                    f"table {self.key!r}: some cases of column {column!r} count in no row; "
                    "add a 'not recorded' row or set exhaustive=False"
                )
        if max(self.row_totals.values()) > self.given_grand_total:
            raise ValueError(f"table {self.key!r}: a row total exceeds the number of cases")

    def count(self, row: str, column: str) -> int:
        return self.counts.get((row, column), 0)

    @property
    def row_totals(self) -> dict[str, int]:
        return {row: sum(self.count(row, column) for column in self.columns) for row in self.rows}

    @property
    def column_totals(self) -> dict[str, int]:
        if self.given_column_totals is not None:
            return dict(self.given_column_totals)
        return {column: sum(self.count(row, column) for row in self.rows) for column in self.columns}

    @property
    def grand_total(self) -> int:
        if self.given_grand_total is not None:
            return self.given_grand_total
        return sum(self.counts.values())

    def value(self, ref: CellRef) -> int:
        """The count at ``ref``; KeyError if the table has no such position."""
        if ref.table != self.key:
            raise KeyError(ref)
        if ref.row == TOTAL:
            return self.grand_total if ref.column == TOTAL else self.column_totals[ref.column]
        if ref.column == TOTAL:
            return self.row_totals[ref.row]
        if ref.row not in self.rows or ref.column not in self.columns:
            raise KeyError(ref)
        return self.count(ref.row, ref.column)

    def cell_ref(self, row: str, column: str) -> CellRef:
        return CellRef(self.key, row, column)

    def row_total_ref(self, row: str) -> CellRef:
        return CellRef(self.key, row, TOTAL)

    def column_total_ref(self, column: str) -> CellRef:
        return CellRef(self.key, TOTAL, column)

    def grand_total_ref(self) -> CellRef:
        return CellRef(self.key, TOTAL, TOTAL)


@dataclass(frozen=True)
class TableSet:
    """All tables of one report, with the printed numbers that are equal by construction
    (the total of cases in every table, a one-way table and the margin of a two-way table):
    a reader can difference across them, so they are protected together."""

    tables: list[Table]
    links: list[tuple[CellRef, CellRef]] = field(default_factory=list)

    def __post_init__(self) -> None:
        keys = [table.key for table in self.tables]
        if len(set(keys)) != len(keys):
            raise ValueError("table keys must be distinct")
        for first, second in self.links:
            try:
                equal = self.value(first) == self.value(second)
            except KeyError as missing:
                raise ValueError(f"link to a cell that does not exist: {missing}") from None
            if not equal:
                raise ValueError(f"linked cells differ: {first} and {second}")

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def value(self, ref: CellRef) -> int:
        return self.table(ref.table).value(ref)


@dataclass(frozen=True)
class Cell:
    """One printed position: ``value`` is None when hidden, ``display`` "<k" or "x" then."""

    value: int | None
    display: str
    suppressed_primary: bool
    suppressed_secondary: bool

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class ProtectedTable:
    """A table as it may be printed; ``cells`` is keyed by (row, column) with TOTAL for margins."""

    key: str
    title: str
    dimensions: tuple[str, ...]
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    additive: bool
    exhaustive: bool
    cells: Mapping[tuple[str, str], Cell]

    def cell(self, row: str, column: str) -> Cell:
        return self.cells[(row, column)]

    def row_total(self, row: str) -> Cell:
        return self.cells[(row, TOTAL)]

    def column_total(self, column: str) -> Cell:
        return self.cells[(TOTAL, column)]

    @property
    def grand_total(self) -> Cell:
        return self.cells[(TOTAL, TOTAL)]


@dataclass(frozen=True)
class ProtectedTableSet:
    """The protected report: what may be printed, with the k it was protected for."""

    k: int
    tables: tuple[ProtectedTable, ...]
    links: tuple[tuple[CellRef, CellRef], ...]

    def table(self, key: str) -> ProtectedTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def cell(self, ref: CellRef) -> Cell:
        return self.table(ref.table).cells[(ref.row, ref.column)]

    def suppressed(self) -> list[CellRef]:
        return [
            CellRef(table.key, row, column)
            for table in self.tables
            for (row, column), cell in table.cells.items()
            if cell.suppressed
        ]


def protect(tables: TableSet, k: int = 5) -> ProtectedTableSet:
    """Hide what must be hidden so that no count below k can be read or worked out.

    Raises ValueError for k below 3 and for a table that crosses region, ground and time, and
    UnprotectableTablesError when a small count stays pinned whatever else is hidden.
    """
    _check_k(k)
    check_no_forbidden_crossing(tables.tables)
    structure = _Structure.build([_Layout.of(table) for table in tables.tables], tables.links)
    protection = _Protection(structure, [tables.value(members[0]) for members in structure.members], k)
    protection.run()
    return ProtectedTableSet(
        k=k,
        tables=tuple(
            ProtectedTable(
                key=table.key,
                title=table.title,
                dimensions=table.dimensions,
                rows=tuple(table.rows),
                columns=tuple(table.columns),
                additive=table.additive,
                exhaustive=table.exhaustive,
                cells={
                    (ref.row, ref.column): protection.cell(structure.class_of[ref]) for ref in _Layout.of(table).refs()
                },
            )
            for table in tables.tables
        ),
        links=tuple(tables.links),
    )


def audit_exposure(protected: ProtectedTableSet) -> list[CellRef]:
    """Hidden positions whose exact value follows from what is printed.

    For every hidden count the smallest and largest integer value consistent with all
    printed numbers, sums, links and bounds ("<k": 1 to k-1; "x": at least k; in a
    non-additive table a count is at most its column's cases and, if exhaustive, the counts
    of a column add up to at least its cases) is computed exactly; positions where both
    agree are returned. An empty list means nothing hidden can be worked out.
    """
    structure = _Structure.build([_Layout.of(table) for table in protected.tables], protected.links)
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
            bounds[cls] = _reader_bounds(any(cell.display == below_k for cell in cells), protected.k)
    return [ref for cls in _exposed_classes(structure, known, bounds) for ref in structure.members[cls]]


def percentage(part: int | None, base: int | None, min_base: int = 20, *, lang: str = "de") -> str | None:
    """``part`` as a whole percentage of ``base``, formatted for ``lang``.

    None when either number is hidden or the base is below ``min_base``: a percentage of
    a small base is a small count in disguise and claims a precision that isn't there.
    """
    if part is None or base is None or base < min_base:
        return None
    if not 0 <= part <= base:
        raise ValueError(f"part {part} is not within base {base}")
    whole = (Decimal(100 * part) / Decimal(base)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return format_percent(whole / 100, locale=babel_locale(lang))


def publishable_pairs(
    pair_counts: Mapping[tuple[str, str], int], k: int, grounds: ProtectedTable
) -> dict[tuple[str, str], int]:
    """Combinations of two grounds that may be listed, most frequent first.

    Only pairs with at least k cases, and only when both grounds and the number of cases
    are printed in the protected ``grounds`` table: a listed pair bounds its grounds from
    below, an unlisted one bounds their sum from above, and neither may say anything
    about a hidden count.
    """
    _check_k(k)
    for (first, second), count in pair_counts.items():
        if first == second or count < 0:
            raise ValueError(f"not a pair of two grounds with a count: ({first!r}, {second!r}): {count}")
    if grounds.grand_total.suppressed:
        return {}
    listed = [
        (pair, count)
        for pair, count in pair_counts.items()
        if count >= k and not any(grounds.row_total(code).suppressed for code in pair)
    ]
    return dict(sorted(listed, key=lambda item: (-item[1], item[0])))


def check_no_forbidden_crossing(tables: Iterable[Table]) -> None:
    """Refuse any table that crosses region, ground and time: such cells describe single people."""
    for table in tables:
        dimensions = set(table.dimensions)
        if REGION_DIMENSION in dimensions and dimensions & GROUND_DIMENSIONS and dimensions & TIME_DIMENSIONS:
            raise ValueError(
                f"table {table.key!r} crosses region, ground and time {table.dimensions}: never publish it"
            )


def _check_k(k: int) -> None:
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}, got {k}")


def _reader_bounds(shown_below_k: bool, k: int) -> tuple[int, int | None]:
    """What a reader knows of a hidden count: "<k" is 1..k-1; "x" is neither small (those show "<k")
    nor zero (never hidden), so at least k."""
    return (1, k - 1) if shown_below_k else (k, None)


@dataclass(frozen=True)
class _Layout:
    """The shape of a table, which is all the arithmetic of its printed numbers depends on."""

    key: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    additive: bool
    exhaustive: bool

    @classmethod
    def of(cls, table: Table | ProtectedTable) -> _Layout:
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
class _Structure:
    """Printed positions merged into classes of numbers equal by construction (links,
    one-column tables, one-row tables), and the sums and limits relating the classes."""

    members: tuple[tuple[CellRef, ...], ...]
    class_of: Mapping[CellRef, int]
    sums: tuple[_Terms, ...]
    limits: tuple[_Terms, ...]
    neighbours: tuple[tuple[int, ...], ...]
    hiding_cost: tuple[int, ...]

    @classmethod
    def build(cls, layouts: Sequence[_Layout], links: Iterable[tuple[CellRef, CellRef]]) -> _Structure:
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

        def distinct(forms: list[dict[int, int]], normalise_sign: bool) -> tuple[_Terms, ...]:
            unique: dict[_Terms, None] = {}
            for form in forms:
                terms = tuple(sorted((class_index[index], c) for index, c in collapse(form).items()))
                if terms and normalise_sign and terms[0][1] < 0:
                    terms = tuple((number, -c) for number, c in terms)
                if terms:
                    unique[terms] = None
            return tuple(unique)

        sum_terms, limit_terms = distinct(sums, normalise_sign=True), distinct(limits, normalise_sign=False)
        adjacent: list[set[int]] = [set() for _ in roots]
        for terms in sum_terms + limit_terms:
            for number, _ in terms:
                adjacent[number].update(other for other, _ in terms if other != number)
        return cls(
            members=tuple(tuple(group) for group in members),
            class_of=class_of,
            sums=sum_terms,
            limits=limit_terms,
            neighbours=tuple(tuple(sorted(group)) for group in adjacent),
            hiding_cost=tuple(_hiding_cost(group) for group in members),
        )


def _hiding_cost(members: Sequence[CellRef]) -> int:
    """Rank of a position as a complement: inner cells first, then margins, the grand total last."""
    if any(ref.row == TOTAL and ref.column == TOTAL for ref in members):
        return 2
    return 1 if any(TOTAL in (ref.row, ref.column) for ref in members) else 0


class _Protection:
    """The hiding decisions for one report, refined until the audit finds nothing pinned."""

    def __init__(self, structure: _Structure, values: Sequence[int], k: int) -> None:
        self.structure, self.values, self.k = structure, values, k
        self.primary = frozenset(cls for cls, value in enumerate(values) if 0 < value < k)
        self.hidden = set(self.primary)

    def run(self) -> None:
        self._complete_sums()
        while exposed := self._exposed(self.hidden):
            self._unpin(exposed[0])
            self._complete_sums()

    def cell(self, cls: int) -> Cell:
        if cls in self.primary:
            return Cell(None, f"<{self.k}", suppressed_primary=True, suppressed_secondary=False)
        if cls in self.hidden:
            return Cell(None, SECONDARY_DISPLAY, suppressed_primary=False, suppressed_secondary=True)
        return Cell(self.values[cls], str(self.values[cls]), suppressed_primary=False, suppressed_secondary=False)

    def _exposed(self, hidden: set[int], only: int | None = None) -> list[int]:
        return _exposed_classes(
            self.structure,
            {cls: value for cls, value in enumerate(self.values) if cls not in hidden},
            {cls: _reader_bounds(cls in self.primary, self.k) for cls in hidden},
            only,
        )

    def _cost(self, cls: int) -> tuple[int, int, int]:
        return self.structure.hiding_cost[cls], self.values[cls], cls

    def _complete_sums(self) -> None:
        """Hide complements until no sum hides exactly one number (which would be its difference)."""
        changed = True
        while changed:
            changed = False
            for terms in self.structure.sums:
                if sum(cls in self.hidden for cls, _ in terms) == 1:
                    # The hidden number is non-zero, so the printed rest of its sum is not all zero.
                    visible = [cls for cls, _ in terms if cls not in self.hidden and self.values[cls]]
                    self.hidden.add(min(visible, key=self._cost))
                    changed = True

    def _unpin(self, start: int) -> None:
        """Hide one more printed number for a pinned class: the cheapest of the nearest that frees it
        on its own, else the cheapest of the nearest (the audit then looks again). Hiding only ever
        widens what a reader must allow for, so if hiding every printed number it is connected to
        would not free it, nothing will."""
        nearest = sorted(next((border for border in self._borders(start) if border), []), key=self._cost)
        if not nearest or self._exposed(self.hidden | self._connected_printed(start), only=start):
            raise UnprotectableTablesError(
                f"{self.structure.members[start][0]} stays pinned with every non-zero count around it hidden; "
                "merge categories or drop a table"
            )
        freeing = (cls for cls in nearest[:_UNPIN_TRIALS] if not self._exposed(self.hidden | {cls}, only=start))
        self.hidden.add(next(freeing, nearest[0]))

    def _connected_printed(self, start: int) -> set[int]:
        """Every non-zero printed class that hiding could connect to ``start``: reachable through
        hidden and non-zero printed classes (a printed zero is known, so it connects nothing)."""
        seen, stack = {start}, [start]
        while stack:
            for other in self.structure.neighbours[stack.pop()]:
                if other not in seen and (other in self.hidden or self.values[other]):
                    seen.add(other)
                    stack.append(other)
        return seen - self.hidden

    def _borders(self, start: int) -> Iterator[list[int]]:
        """Breadth first from ``start`` through hidden classes: the non-zero printed classes met at each step."""
        seen, layer = {start}, [start]
        while layer:
            border: list[int] = []
            further: list[int] = []
            for cls in layer:
                for other in self.structure.neighbours[cls]:
                    if other not in seen:
                        seen.add(other)
                        if other in self.hidden:
                            further.append(other)
                        elif self.values[other]:
                            border.append(other)
            yield border
            layer = further


def _exposed_classes(
    structure: _Structure,
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
