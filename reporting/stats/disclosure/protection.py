"""Primary and secondary suppression: what of a report is hidden, refined until the audit finds nothing pinned."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from babel.numbers import format_percent

from reporting.i18n import babel_locale
from reporting.stats.disclosure.audit import HIDDEN_BOUNDS, Layout, Structure, exposed_classes
from reporting.stats.disclosure.model import (
    SECONDARY_DISPLAY,
    TOTAL,
    Cell,
    CellRef,
    ProtectedTable,
    ProtectedTableSet,
    Table,
    TableSet,
)

MIN_K: Final = 3
REGION_DIMENSION: Final = "regions"
GROUND_DIMENSIONS: Final = frozenset({"grounds", "racism_subtypes"})
TIME_DIMENSIONS: Final = frozenset({"quarter", "month"})

_UNPIN_TRIALS: Final = 12


class UnprotectableTablesError(ValueError):
    """A small count stays pinned even with every non-zero count around it hidden: merge categories or
    leave a table out. ``ref`` is where it is printed (the first of its linked positions), ``table`` that
    table's key; callers decide from these, never from the message."""

    def __init__(self, ref: CellRef) -> None:
        super().__init__(ref)
        self.ref = ref
        self.table = ref.table

    def __str__(self) -> str:
        return f"{self.ref} stays pinned with every non-zero count around it hidden; merge categories or drop a table"


def protect(tables: TableSet, k: int = 5, also_hide: Collection[CellRef] = ()) -> ProtectedTableSet:
    """Hide what must be hidden so that no count below k can be read or worked out.

    ``also_hide``: positions to hide whatever their count (non-zero ones; the publication register
    passes those whose count changed by 1..k-1 since an earlier release), complemented like any other.
    Raises ValueError for k below 3 and for a table that crosses region, ground and time, and
    UnprotectableTablesError when a small count stays pinned whatever else is hidden.
    """
    _check_k(k)
    check_no_forbidden_crossing(tables.tables)
    structure = Structure.build([Layout.of(table) for table in tables.tables], tables.links, tables.limits)
    values = [tables.value(members[0]) for members in structure.members]
    extra = {structure.class_of[ref] for ref in also_hide if ref in structure.class_of}
    protection = _Protection(structure, values, k, {cls for cls in extra if values[cls]})
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
                    (ref.row, ref.column): protection.cell(structure.class_of[ref]) for ref in Layout.of(table).refs()
                },
            )
            for table in tables.tables
        ),
        links=tuple(tables.links),
        limits=tuple(tables.limits),
    )


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


def _hiding_cost(members: Sequence[CellRef]) -> int:
    """Rank of a position as a complement: inner cells first, then margins, the grand total last."""
    if any(ref.row == TOTAL and ref.column == TOTAL for ref in members):
        return 2
    return 1 if any(TOTAL in (ref.row, ref.column) for ref in members) else 0


class _Protection:
    """The hiding decisions for one report, refined until the audit finds nothing pinned."""

    def __init__(self, structure: Structure, values: Sequence[int], k: int, also_hide: Collection[int] = ()) -> None:
        self.structure, self.values, self.k = structure, values, k
        self.primary = frozenset(cls for cls, value in enumerate(values) if 0 < value < k)
        self.hidden = set(self.primary) | set(also_hide)
        adjacent: list[set[int]] = [set() for _ in structure.members]
        for terms in structure.sums + structure.limits:
            for cls, _ in terms:
                adjacent[cls].update(other for other, _ in terms if other != cls)
        self.neighbours = [sorted(group) for group in adjacent]
        self.hiding_cost = [_hiding_cost(members) for members in structure.members]

    def run(self) -> None:
        self._complete_sums()
        while exposed := self._exposed(self.hidden):
            self._unpin(exposed[0])
            self._complete_sums()

    def cell(self, cls: int) -> Cell:
        if cls in self.primary:
            return Cell(None, SECONDARY_DISPLAY, suppressed_primary=True, suppressed_secondary=False)
        if cls in self.hidden:
            return Cell(None, SECONDARY_DISPLAY, suppressed_primary=False, suppressed_secondary=True)
        return Cell(self.values[cls], str(self.values[cls]), suppressed_primary=False, suppressed_secondary=False)

    def _exposed(self, hidden: set[int], only: int | None = None) -> list[int]:
        return exposed_classes(
            self.structure,
            {cls: value for cls, value in enumerate(self.values) if cls not in hidden},
            dict.fromkeys(hidden, HIDDEN_BOUNDS),
            only=only,
            truth={cls: self.values[cls] for cls in hidden},
            reach=self.k,
            targets=self.primary,
        )

    def _cost(self, cls: int) -> tuple[int, int, int]:
        return self.hiding_cost[cls], self.values[cls], cls

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
            raise UnprotectableTablesError(self.structure.members[start][0])
        freeing = (cls for cls in nearest[:_UNPIN_TRIALS] if not self._exposed(self.hidden | {cls}, only=start))
        self.hidden.add(next(freeing, nearest[0]))

    def _connected_printed(self, start: int) -> set[int]:
        """Every non-zero printed class that hiding could connect to ``start``: reachable through
        hidden and non-zero printed classes (a printed zero is known, so it connects nothing)."""
        seen, stack = {start}, [start]
        while stack:
            for other in self.neighbours[stack.pop()]:
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
                for other in self.neighbours[cls]:
                    if other not in seen:
                        seen.add(other)
                        if other in self.hidden:
                            further.append(other)
                        elif self.values[other]:
                            border.append(other)
            yield border
            layer = further
