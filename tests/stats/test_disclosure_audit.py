"""The exact audit on HiGHS: integer reasoning beyond the linear relaxation, and no float taken on trust.

Every test here runs the real solver (or the exact check of its answers) on systems whose integer
points are known by hand or by enumeration, so that a relaxed, rounded or unchecked answer fails.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.stats.disclosure.audit import IntegerRanges, LinearRow, audit_exposure, checked_point
from reporting.stats.disclosure.model import TOTAL, Cell, CellRef, ProtectedTableSet, TableSet
from reporting.stats.disclosure.protection import protect
from tests.stats.test_disclosure import COUNT, everything_hidden, one_way


def twice_printed(k: int, total_printed: bool) -> tuple[TableSet, ProtectedTableSet]:
    """Housing and employment equal by construction (one count printed twice), so the column reads
    2 * a + b = 5, with every count hidden and the total printed or not."""
    table = one_way("areas", {"housing": 2, "employment": 2, "other": 1})
    tables = TableSet([table], [(table.cell_ref("housing", COUNT), table.cell_ref("employment", COUNT))])
    printed = everything_hidden(tables, k)
    if total_printed:
        areas = printed.table("areas")
        total = Cell(5, "5", suppressed_primary=False, suppressed_secondary=False)
        cells = {**areas.cells, (TOTAL, COUNT): total, (TOTAL, TOTAL): total}
        printed = replace(printed, tables=(replace(areas, cells=cells),))
    return tables, printed


def test_audit_exposes_what_cannot_reach_k() -> None:
    # Every count hidden and at least 1, k = 3: 2a + b = 5 has the integer points (1, 3) and (2, 1), so a
    # (housing, printed twice) stays inside 1..2 and b (other) may be 3.
    _, leaky = twice_printed(k=3, total_printed=True)

    assert sorted(audit_exposure(leaky)) == sorted(
        CellRef("areas", row, column) for row in ("housing", "employment") for column in (COUNT, TOTAL)
    )


def test_audit_finds_nothing_where_the_total_is_hidden_too() -> None:
    _, printed = twice_printed(k=5, total_printed=False)

    assert audit_exposure(printed) == []


def test_reaching_k_needs_an_integer_point() -> None:
    # x + 2y = 7 with x in 1..4, y in 1..3: the relaxation has x = 4 (y = 1.5), the integers only x = 1 or 3.
    ranges = IntegerRanges([LinearRow({0: 1, 1: 2}, 7)], [1, 1], [4, 3])

    assert ranges.reaches(0, 3)
    assert not ranges.reaches(0, 4)
    assert ranges.reaches(1, 3)


def test_protection_hides_the_total_that_pins_in_integers_only() -> None:
    tables, _ = twice_printed(k=3, total_printed=False)
    areas = protect(tables, k=3).table("areas")

    assert areas.grand_total.suppressed_secondary
    assert audit_exposure(protect(tables, k=3)) == []


def test_branch_and_bound_finds_the_point_the_relaxation_misses() -> None:
    # x + 2y = 4 on 0..3: integer points (0, 2) and (2, 1). With x >= 1 the relaxation's vertices are
    # (1, 1.5) and (3, 0.5), so only branch and bound shows that x is not 0 for certain.
    rows = [LinearRow({0: 1, 1: 2}, 4)]

    assert not IntegerRanges(rows, [0, 0], [3, 3], known_point=[0, 2]).is_pinned(0)


def test_fractional_vertices_are_never_rounded_into_evidence() -> None:
    # x + 2y = 3 with x in 0..2: the relaxation's vertices (2, 0.5) and (0, 1.5) round to (2, 0) and
    # (0, 2), which would make x look free; the one integer point is (1, 1).
    ranges = IntegerRanges([LinearRow({0: 1, 1: 2}, 3)], [0, 0], [2, 3])

    assert ranges.is_pinned(0)
    assert ranges.is_pinned(1)


def test_a_solver_answer_counts_only_after_the_exact_check() -> None:
    # x + y = 6, x <= y, x at most 3.
    rows = [LinearRow({0: 1, 1: 1}, 6), LinearRow({0: 1, 1: -1}, 0, equality=False)]
    lower, upper = [0, 0], [3, None]

    point = checked_point([2.9999999, 3.0000001], rows, lower, upper)
    assert point == [3, 3]
    assert point is not None
    assert all(type(value) is int for value in point)
    assert checked_point([2.4, 3.4], rows, lower, upper) is None  # rounds to 2 + 3 != 6
    assert checked_point([3.5000001, 2.4999999], rows, lower, upper) is None  # 4 is above x's bound
    assert checked_point([2.0, 4.0], rows, lower, upper) == [2, 4]
    assert checked_point([4.0, 2.0], [rows[0]], [0, 0], [None, None]) == [4, 2]
    assert checked_point([4.0, 2.0], rows, [0, 0], [None, None]) is None  # x <= y
    assert checked_point([float("nan"), 6.0], rows, lower, upper) is None


def test_numbers_beyond_exact_doubles_are_refused() -> None:
    with pytest.raises(ValueError, match="too large"):
        IntegerRanges([LinearRow({0: 1, 1: 1}, 2**53 + 1)], [0, 0], [None, None])


def test_protection_prints_nothing() -> None:
    """HiGHS announces itself on stdout unless silenced before anything else: the CLI's output stays clean."""
    script = (
        "from tests.stats.test_disclosure import one_way\n"
        "from reporting.stats.disclosure.model import TableSet\n"
        "from reporting.stats.disclosure.audit import audit_exposure\n"
        "from reporting.stats.disclosure.protection import protect\n"
        "audit_exposure(protect(TableSet([one_way('areas', {'a': 2, 'b': 7, 'c': 9})])))\n"
    )
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root)

    assert run.stdout == ""


@st.composite
def mixed_systems(draw: st.DrawFn) -> tuple[list[LinearRow], list[int], list[int]]:
    """Small bounded integer systems of equations and inequalities, with a known solution."""
    size = draw(st.integers(1, 4))
    lower = draw(st.lists(st.integers(0, 2), min_size=size, max_size=size))
    upper = [low + draw(st.integers(0, 4)) for low in lower]
    solution = [draw(st.integers(low, high)) for low, high in zip(lower, upper, strict=True)]
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        coefficients = {v: draw(st.sampled_from([-2, -1, 0, 1, 2, 3])) for v in range(size)}
        coefficients = {v: c for v, c in coefficients.items() if c}
        activity = sum(c * solution[v] for v, c in coefficients.items())
        if draw(st.booleans()):
            rows.append(LinearRow(coefficients, activity))
        else:
            rows.append(LinearRow(coefficients, activity + draw(st.integers(0, 2)), equality=False))
    return rows, lower, upper


@settings(max_examples=200, deadline=None)
@given(mixed_systems())
def test_ranges_with_inequalities_agree_with_enumeration(system: tuple[list[LinearRow], list[int], list[int]]) -> None:
    rows, lower, upper = system
    ranges = IntegerRanges(rows, lower, upper)
    points = [
        point
        for point in itertools.product(*(range(low, high + 1) for low, high in zip(lower, upper, strict=True)))
        if all(
            (activity == row.rest) if row.equality else (activity <= row.rest)
            for row in rows
            for activity in [sum(c * point[v] for v, c in row.coefficients.items())]
        )
    ]
    for variable in range(len(lower)):
        assert ranges.is_pinned(variable) == (len({point[variable] for point in points}) == 1)
