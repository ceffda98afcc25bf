"""The numbers of a report before and after protection: plain values, no arithmetic of disclosure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

TOTAL: Final = "total"
"""Row or column code of a total in a CellRef; both for the grand total."""

SECONDARY_DISPLAY: Final = "x"
"""How every hidden count is printed, small or hidden to protect a small one: one mark, so the mark
itself tells a reader nothing but "not zero"."""


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
    limits: list[dict[CellRef, int]] = field(default_factory=list)
    """Linear forms over printed positions that are at most zero, known to readers from what the
    tables mean (the sum of the grounds is at least the cases with one ground plus twice those with
    several): protected together with the sums, or a reader would use them alone."""

    def __post_init__(self) -> None:
        keys = [table.key for table in self.tables]
        if len(set(keys)) != len(keys):
            raise ValueError("table keys must be distinct")
        for form in self.limits:
            try:
                activity = sum(coefficient * self.value(ref) for ref, coefficient in form.items())
            except KeyError as missing:
                raise ValueError(f"limit on a cell that does not exist: {missing}") from None
            if activity > 0:
                raise ValueError(f"the counts break a stated limit: {form}")
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
    """One printed position: ``value`` is None when hidden, ``display`` "x" then; why it is hidden
    (``suppressed_primary``: it is small) is the protection's business and never printed."""

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
    limits: tuple[Mapping[CellRef, int], ...] = ()

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
