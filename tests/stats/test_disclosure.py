"""Disclosure control: unit tests, and an independent attacker against random reports.

The attacker knows what a reader of the printed report knows (every printed number,
how each table adds up, which numbers are linked, that "x" is at least 1, the listed
pairs of grounds) and tries to place each small hidden count inside 1..k-1. It shares no
code with the module's own audit: it searches for a whole alternative report that prints
exactly the same and gives that count k or more, and every such witness is checked
against the table arithmetic directly. No witness means the count is exposed.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting import taxonomy
from reporting.stats.disclosure import audit
from reporting.stats.disclosure.audit import IntegerRanges, LinearRow, audit_exposure
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
from reporting.stats.disclosure.protection import (
    UnprotectableTablesError,
    check_no_forbidden_crossing,
    percentage,
    protect,
    publishable_pairs,
)

COUNT = "count"


def one_way(key: str, counts: Mapping[str, int], dimension: str = "areas") -> Table:
    return Table(
        key, f"stats.{key}", (dimension,), list(counts), [COUNT], {(row, COUNT): n for row, n in counts.items()}
    )


def shown(table: ProtectedTable) -> dict[tuple[str, str], str]:
    return {position: cell.display for position, cell in table.cells.items()}


def hidden_positions(table: ProtectedTable) -> set[tuple[str, str]]:
    return {position for position, cell in table.cells.items() if cell.suppressed}


# --- unit tests --------------------------------------------------------------------------------------------


def test_small_counts_show_as_the_one_mark_and_zero_is_shown() -> None:
    table = protect(TableSet([one_way("areas", {"housing": 2, "employment": 10, "education": 0, "other": 7})])).tables[
        0
    ]

    assert shown(table) == {
        ("housing", COUNT): SECONDARY_DISPLAY,
        ("employment", COUNT): "10",
        ("education", COUNT): "0",
        ("other", COUNT): SECONDARY_DISPLAY,
        ("housing", TOTAL): SECONDARY_DISPLAY,
        ("employment", TOTAL): "10",
        ("education", TOTAL): "0",
        ("other", TOTAL): SECONDARY_DISPLAY,
        (TOTAL, COUNT): "19",
        (TOTAL, TOTAL): "19",
    }
    housing = table.cell("housing", COUNT)
    assert housing == Cell(None, SECONDARY_DISPLAY, suppressed_primary=True, suppressed_secondary=False)
    assert table.cell("other", COUNT).suppressed_secondary
    assert table.cell("education", COUNT).value == 0


def test_k_follows_the_setting() -> None:
    counts = {"housing": 2, "employment": 3, "other": 4, "education": 9}
    table = protect(TableSet([one_way("areas", counts)]), k=3).tables[0]

    assert table.cell("housing", COUNT).suppressed_primary
    assert table.cell("employment", COUNT).suppressed_secondary
    assert table.cell("other", COUNT).display == "4"


@pytest.mark.parametrize("k", [-1, 0, 1, 2])
def test_k_below_three_is_rejected(k: int) -> None:
    tables = TableSet([one_way("areas", {"housing": 4})])
    with pytest.raises(ValueError, match="k must be at least 3"):
        protect(tables, k=k)


def test_two_by_two_with_one_small_cell_hides_the_whole_rectangle_and_keeps_totals() -> None:
    counts = {("r1", "c1"): 2, ("r1", "c2"): 10, ("r2", "c1"): 8, ("r2", "c2"): 20}
    table = protect(TableSet([Table("t", "stats.t", ("areas", "quarter"), ["r1", "r2"], ["c1", "c2"], counts)])).tables[
        0
    ]

    assert hidden_positions(table) == {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    assert [table.cell(*position).suppressed_primary for position in sorted(counts)] == [True, False, False, False]
    assert (table.row_total("r1").value, table.row_total("r2").value) == (12, 28)
    assert (table.column_total("c1").value, table.column_total("c2").value, table.grand_total.value) == (10, 30, 40)


def test_a_complement_that_lets_the_small_count_reach_k_is_enough() -> None:
    # 1 + 5 = 6 under a printed 6: one mark for both, so housing may be anything from 1 to 5.
    table = protect(TableSet([one_way("areas", {"housing": 1, "employment": 5, "education": 0})])).tables[0]

    assert table.grand_total.display == "6"
    assert table.cell("education", COUNT).display == "0"


def test_small_complements_are_not_enough() -> None:
    # 1 + 2 = 3 under a printed total would keep both inside 1..2: a large count must be hidden too.
    counts = {"housing": 1, "employment": 2, "education": 0, "other": 10}
    table = protect(TableSet([one_way("areas", counts)])).tables[0]

    assert table.grand_total.display == "13"
    assert table.cell("other", COUNT).suppressed_secondary


def test_a_total_that_equals_the_number_of_small_cells_is_hidden() -> None:
    # Eight hidden cells (at least 1 each) under a printed total of 8 would all be 1.
    table = protect(TableSet([one_way("regions", {f"region_{n}": 1 for n in range(8)}, "regions")])).tables[0]

    assert table.grand_total.display == SECONDARY_DISPLAY


def test_hiding_follows_links_into_other_tables() -> None:
    by_quarter = Table(
        "areas_by_quarter",
        "stats.areas_by_quarter",
        ("areas", "quarter"),
        ["housing", "employment", "education"],
        ["q1", "q2"],
        {
            ("housing", "q1"): 1,
            ("housing", "q2"): 2,
            ("employment", "q1"): 6,
            ("employment", "q2"): 7,
            ("education", "q1"): 9,
        },
    )
    areas = one_way("areas", {"housing": 3, "employment": 13, "education": 9})
    links = [(areas.cell_ref(row, COUNT), by_quarter.row_total_ref(row)) for row in areas.rows]
    links.append((areas.grand_total_ref(), by_quarter.grand_total_ref()))
    protected = protect(TableSet([areas, by_quarter], links))

    housing_total = protected.table("areas_by_quarter").row_total("housing")
    housing = protected.table("areas").cell("housing", COUNT)
    assert housing_total == housing
    assert housing.suppressed_primary
    assert any(protected.table("areas").cell(row, COUNT).suppressed for row in ("employment", "education"))
    assert audit_exposure(protected) == []


def test_grounds_table_uses_that_every_case_has_a_ground() -> None:
    counts = {"racism_ethnic_origin": 6, "religion": 4, "gender": 0}

    def grounds(exhaustive: bool) -> ProtectedTable:
        table = Table(
            "grounds",
            "stats.grounds",
            ("grounds",),
            list(counts),
            [COUNT],
            {(row, COUNT): n for row, n in counts.items()},
            additive=False,
            exhaustive=exhaustive,
            given_column_totals={COUNT: 10},
            given_grand_total=10,
        )
        return protect(TableSet([table])).tables[0]

    # Ten cases: religion, hidden, is at most 10 (and, every case having a ground, at least 4).
    for exhaustive in (True, False):
        protected = grounds(exhaustive)
        assert protected.cell("religion", COUNT).suppressed_primary
        assert protected.grand_total.display == "10"
        assert protected.cell("racism_ethnic_origin", COUNT).display == "6"


def test_tiny_linked_tables_are_protected_by_hiding_their_totals() -> None:
    # Eight ones under a total of 8 linked to 4 + 4: printed, any total pins every one of them.
    pairs = one_way("pairs", {"a": 4, "b": 4, "c": 0})
    ones = one_way("ones", {f"r{n}": 1 for n in range(8)})
    protected = protect(TableSet([pairs, ones], [(pairs.grand_total_ref(), ones.grand_total_ref())]))

    assert protected.table("ones").grand_total.suppressed
    assert audit_exposure(protected) == []


def test_audit_finds_a_count_left_alone_in_its_row() -> None:
    protected = protect(TableSet([one_way("areas", {"housing": 2, "employment": 10, "other": 7})]))
    table = protected.table("areas")
    cells = dict(table.cells)
    for position in [("other", COUNT), ("other", TOTAL)]:
        cells[position] = Cell(7, "7", suppressed_primary=False, suppressed_secondary=False)
    leaky = replace(protected, tables=(replace(table, cells=cells),))

    assert audit_exposure(protected) == []
    assert audit_exposure(leaky) == [CellRef("areas", "housing", COUNT), CellRef("areas", "housing", TOTAL)]


@pytest.mark.parametrize("printed_total", [11, 20])
def test_audit_refuses_contradicting_numbers(printed_total: int) -> None:
    # 2 + 10 + 7: "x" + 10 + "x" cannot make 11 (at least 12), and 20 contradicts the printed cells when
    # nothing is hidden.
    counts = {"housing": 2, "employment": 10, "other": 7} if printed_total == 11 else {"housing": 6, "employment": 13}
    protected = protect(TableSet([one_way("areas", counts)]))
    table = protected.table("areas")
    cells = dict(table.cells)
    cells[(TOTAL, COUNT)] = cells[(TOTAL, TOTAL)] = Cell(
        printed_total, str(printed_total), suppressed_primary=False, suppressed_secondary=False
    )
    with pytest.raises(ValueError, match="contradict"):
        audit_exposure(replace(protected, tables=(replace(table, cells=cells),)))


def test_same_input_gives_same_output() -> None:
    def report() -> TableSet:
        return TableSet([one_way("areas", {"housing": 2, "employment": 3, "education": 9, "other": 9, "health": 1})])

    assert protect(report()) == protect(report())


def test_region_ground_time_crossing_is_forbidden() -> None:
    crossing = Table("t", "stats.t", ("regions", "grounds", "quarter"), ["a"], ["b"], {}, additive=True)
    region_by_ground = Table("u", "stats.u", ("regions", "grounds"), ["a"], ["b"], {})
    racism_by_month = Table("v", "stats.v", ("racism_subtypes", "regions", "month"), ["a"], ["b"], {})

    check_no_forbidden_crossing([region_by_ground])
    for table in (crossing, racism_by_month):
        with pytest.raises(ValueError, match="crosses region, ground and time"):
            check_no_forbidden_crossing([region_by_ground, table])
    with pytest.raises(ValueError, match="crosses"):
        protect(TableSet([crossing]))


@pytest.mark.parametrize(
    ("part", "base", "lang", "expected"),
    [
        (5, 40, "de", "13\N{NO-BREAK SPACE}%"),  # 12.5 rounds half up
        (5, 40, "en", "13%"),
        (0, 20, "de", "0\N{NO-BREAK SPACE}%"),
        (20, 20, "en", "100%"),
        (5, 19, "de", None),
        (None, 40, "de", None),
        (5, None, "de", None),
    ],
)
def test_percentage_only_of_printed_numbers_on_a_base_of_twenty(
    part: int | None, base: int | None, lang: str, expected: str | None
) -> None:
    assert percentage(part, base, lang=lang) == expected


def test_percentage_rejects_a_part_larger_than_its_base() -> None:
    with pytest.raises(ValueError, match="not within base"):
        percentage(21, 20)


def grounds_table(counts: Mapping[str, int], cases: int) -> Table:
    return Table(
        "grounds",
        "stats.grounds",
        ("grounds",),
        list(counts),
        [COUNT],
        {(row, COUNT): n for row, n in counts.items()},
        additive=False,
        given_column_totals={COUNT: cases},
        given_grand_total=cases,
    )


def hide(table: ProtectedTable, *positions: tuple[str, str]) -> ProtectedTable:
    """The table as if ``positions`` had been hidden as complements."""
    hidden = Cell(None, SECONDARY_DISPLAY, suppressed_primary=False, suppressed_secondary=True)
    return replace(table, cells={**table.cells, **dict.fromkeys(positions, hidden)})


def test_pairs_of_grounds_need_k_cases_and_printed_grounds() -> None:
    grounds = protect(TableSet([grounds_table({"religion": 9, "gender": 8, "age": 7, "language": 2}, 12)])).tables[0]
    pair_counts = {("religion", "gender"): 5, ("gender", "age"): 6, ("religion", "age"): 4, ("gender", "language"): 2}

    assert grounds.cell("language", COUNT).suppressed
    assert list(publishable_pairs(pair_counts, 5, grounds).items()) == [
        (("gender", "age"), 6),
        (("religion", "gender"), 5),
    ]
    assert publishable_pairs(pair_counts, 3, grounds) == {
        ("gender", "age"): 6,
        ("religion", "gender"): 5,
        ("religion", "age"): 4,
    }
    religion_hidden = hide(grounds, ("religion", COUNT), ("religion", TOTAL))
    assert publishable_pairs(pair_counts, 5, religion_hidden) == {("gender", "age"): 6}
    assert publishable_pairs(pair_counts, 5, hide(grounds, (TOTAL, COUNT), (TOTAL, TOTAL))) == {}


def test_pairs_are_validated() -> None:
    grounds = protect(TableSet([grounds_table({"religion": 9}, 9)])).tables[0]
    with pytest.raises(ValueError, match="k must be at least 3"):
        publishable_pairs({}, 2, grounds)
    with pytest.raises(ValueError, match="not a pair"):
        publishable_pairs({("religion", "religion"): 9}, 5, grounds)


def test_tables_are_validated() -> None:
    with pytest.raises(ValueError, match="needs the number of cases"):
        Table("g", "g", ("grounds",), ["a"], [COUNT], {("a", COUNT): 1}, additive=False)
    with pytest.raises(ValueError, match="must not be given"):
        Table("g", "g", ("areas",), ["a"], [COUNT], {}, given_grand_total=3)
    with pytest.raises(ValueError, match="count in no row"):
        grounds_table({"religion": 2, "gender": 1}, 4)
    with pytest.raises(ValueError, match="exceeds the cases"):
        grounds_table({"religion": 5}, 4)
    with pytest.raises(ValueError, match="unknown cell"):
        Table("a", "a", ("areas",), ["a"], [COUNT], {("b", COUNT): 1})
    with pytest.raises(ValueError, match="distinct and not"):
        Table("a", "a", ("areas",), ["a", TOTAL], [COUNT], {})
    with pytest.raises(ValueError, match="negative"):
        Table("a", "a", ("areas",), ["a"], [COUNT], {("a", COUNT): -1})
    areas, other = one_way("areas", {"a": 3}), one_way("other", {"a": 4})
    with pytest.raises(ValueError, match="linked cells differ"):
        TableSet([areas, other], [(areas.grand_total_ref(), other.grand_total_ref())])
    with pytest.raises(ValueError, match="does not exist"):
        TableSet([areas], [(areas.grand_total_ref(), CellRef("areas", "missing", COUNT))])
    with pytest.raises(ValueError, match="distinct"):
        TableSet([areas, areas])


@st.composite
def linear_systems(draw: st.DrawFn) -> tuple[list[tuple[dict[int, int], int]], list[int], list[int]]:
    """Small bounded integer systems, not necessarily totally unimodular, with a known solution."""
    size = draw(st.integers(1, 4))
    lower = draw(st.lists(st.integers(0, 2), min_size=size, max_size=size))
    upper = [low + draw(st.integers(0, 4)) for low in lower]
    solution = [draw(st.integers(low, high)) for low, high in zip(lower, upper, strict=True)]
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        coefficients = {v: draw(st.sampled_from([-2, -1, 0, 1, 2, 3])) for v in range(size)}
        coefficients = {v: c for v, c in coefficients.items() if c}
        rows.append((coefficients, sum(c * solution[v] for v, c in coefficients.items())))
    return rows, lower, upper


@settings(max_examples=200, deadline=None)
@given(linear_systems())
def test_exact_integer_ranges_agree_with_enumeration(
    system: tuple[list[tuple[dict[int, int], int]], list[int], list[int]],
) -> None:
    rows, lower, upper = system
    ranges = IntegerRanges([LinearRow(coefficients, rest) for coefficients, rest in rows], lower, upper)
    points = [
        point
        for point in itertools.product(*(range(low, high + 1) for low, high in zip(lower, upper, strict=True)))
        if all(sum(c * point[v] for v, c in coefficients.items()) == rest for coefficients, rest in rows)
    ]
    for variable in range(len(lower)):
        assert ranges.is_pinned(variable) == (len({point[variable] for point in points}) == 1)


def test_branch_and_bound_that_gives_up_counts_as_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    # y = 2x on 0..3: integer points (0, 0) and (1, 2), but the relaxation's largest x is 1.5.
    rows = [LinearRow({0: 2, 1: -1}, 0)]
    assert not IntegerRanges(rows, [0, 0], [3, 3], known_point=[0, 0]).is_pinned(0)
    # Without presolve, neither the relaxation nor branch and bound gets a single step.
    limits = {"presolve": "off", "simplex_iteration_limit": 0, "mip_max_nodes": 0}
    monkeypatch.setattr(audit, "_SOLVER_OPTIONS", {**audit._SOLVER_OPTIONS, **limits})
    assert IntegerRanges(rows, [0, 0], [3, 3], known_point=[0, 0]).is_pinned(0)


# --- the attacker ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    tables: TableSet
    pair_counts: dict[tuple[str, str], int]


@dataclass(frozen=True)
class Case:
    grounds: frozenset[str]
    area: str
    region: str
    quarter: str
    levels: frozenset[str]
    consents_to_statistics: bool


GROUND_POOL = ("racism_ethnic_origin", "religion", "gender", "residence_status", "language")
AREA_POOL = ("housing", "employment", "immigration_office", "jobcenter_social_benefits", "neighbourhood")
REGION_POOL = ("muenster", "borken", "oldenburg", "not_stated")
QUARTERS = ("q1", "q2", "q3", "q4")

cases = st.lists(
    st.builds(
        Case,
        grounds=st.frozensets(st.sampled_from(GROUND_POOL), min_size=1, max_size=3),
        area=st.sampled_from(AREA_POOL),
        region=st.sampled_from(REGION_POOL),
        quarter=st.sampled_from(QUARTERS),
        levels=st.frozensets(st.sampled_from(taxonomy.LEVELS.codes()), min_size=1, max_size=2),
        consents_to_statistics=st.sampled_from([True, True, True, False]),
    ),
    max_size=60,
)


def build_report(all_cases: Sequence[Case]) -> Report:
    """The tables an annual report would print, from the cases that allow statistical use."""
    counted = [case for case in all_cases if case.consents_to_statistics]
    total = len(counted)

    def multi_valued(key: str, dimension: taxonomy.Dimension, values: Counter[str]) -> Table:
        return Table(
            key,
            f"stats.{key}",
            (dimension.code,),
            list(dimension.for_staff().codes()),
            [COUNT],
            {(code, COUNT): n for code, n in values.items()},
            additive=False,
            given_column_totals={COUNT: total},
            given_grand_total=total,
        )

    tables = [
        Table("total", "stats.total", (), ["cases"], [COUNT], {("cases", COUNT): total}),
        multi_valued("grounds", taxonomy.GROUNDS, Counter(g for case in counted for g in case.grounds)),
        one_way("areas", {code: sum(case.area == code for case in counted) for code in taxonomy.AREAS.codes()}),
        one_way(
            "regions",
            {code: sum(case.region == code for case in counted) for code in taxonomy.REGIONS.codes()},
            "regions",
        ),
        Table(
            "areas_by_quarter",
            "stats.areas_by_quarter",
            ("areas", "quarter"),
            list(taxonomy.AREAS.codes()),
            list(QUARTERS),
            dict(Counter((case.area, case.quarter) for case in counted)),
        ),
        multi_valued("levels", taxonomy.LEVELS, Counter(level for case in counted for level in case.levels)),
    ]
    links = [(tables[0].grand_total_ref(), table.grand_total_ref()) for table in tables[1:]]
    links += [(tables[2].cell_ref(code, COUNT), tables[4].row_total_ref(code)) for code in taxonomy.AREAS.codes()]
    pair_counts = Counter(pair for case in counted for pair in itertools.combinations(sorted(case.grounds), 2))
    return Report(TableSet(tables, links), dict(pair_counts))


@dataclass(frozen=True)
class Constraint:
    """sum(coefficient * hidden value) == rest, or <= rest; printed values are folded into rest."""

    terms: tuple[tuple[CellRef, int], ...]
    rest: int
    equality: bool


Relation = tuple[dict[CellRef, int], int, bool]
"""A linear form over positions, a constant, and whether form + constant == 0 (else <= 0)."""


class Attacker:
    """What a reader can derive from the printed report alone, by their own arithmetic."""

    def __init__(self, printed: ProtectedTableSet, pairs: Mapping[tuple[str, str], int], search_cap: int) -> None:
        self.printed = printed
        self.k = printed.k
        self.hidden = printed.suppressed()
        self.domain = dict.fromkeys(self.hidden, (1, search_cap))
        self.constraints = [self._fold(relation) for relation in self._table_relations() + self._pair_relations(pairs)]

    def _table_relations(self) -> list[Relation]:
        relations: list[Relation] = []
        for table in self.printed.tables:

            def at(row: str, column: str, key: str = table.key) -> CellRef:
                return CellRef(key, row, column)

            for row in table.rows:
                relations.append(({at(row, c): 1 for c in table.columns} | {at(row, TOTAL): -1}, 0, True))
            relations.append(({at(TOTAL, c): 1 for c in table.columns} | {at(TOTAL, TOTAL): -1}, 0, True))
            columns = [(at(TOTAL, c), [at(row, c) for row in table.rows]) for c in table.columns]
            for whole, parts in [*columns, (at(TOTAL, TOTAL), [at(row, TOTAL) for row in table.rows])]:
                if table.additive:
                    relations.append((dict.fromkeys(parts, 1) | {whole: -1}, 0, True))
                    continue
                relations.extend(({part: 1, whole: -1}, 0, False) for part in parts)
                if table.exhaustive:
                    relations.append((dict.fromkeys(parts, -1) | {whole: 1}, 0, False))
        relations.extend(({first: 1, second: -1}, 0, True) for first, second in self.printed.links)
        return relations

    def _pair_relations(self, pairs: Mapping[tuple[str, str], int]) -> list[Relation]:
        """A listed pair is at most each of its grounds and at least their overlap beyond all cases;
        an unlisted pair of printed grounds is below k. Pairs are listed only under a printed
        number of cases, so without it the empty list says nothing."""
        grounds, cases = self.printed.table("grounds"), CellRef("grounds", TOTAL, TOTAL)
        if grounds.grand_total.suppressed:
            return []
        printed_grounds = [code for code in grounds.rows if not grounds.row_total(code).suppressed]
        relations: list[Relation] = []
        for first, second in itertools.combinations(printed_grounds, 2):
            a, b = CellRef("grounds", first, TOTAL), CellRef("grounds", second, TOTAL)
            listed = pairs.get((first, second), pairs.get((second, first)))
            if listed is None:
                relations.append(({a: 1, b: 1, cases: -1}, -(self.k - 1), False))
            else:
                relations += [
                    ({a: -1}, listed, False),
                    ({b: -1}, listed, False),
                    ({a: 1, b: 1, cases: -1}, -listed, False),
                ]
        return relations

    def _fold(self, relation: Relation) -> Constraint:
        form, constant, equality = relation
        rest, terms = -constant, []
        for ref, coefficient in form.items():
            value = self.printed.cell(ref).value
            if value is None:
                terms.append((ref, coefficient))
            else:
                rest -= coefficient * value
        return Constraint(tuple(terms), rest, equality)

    def witness(self, target: CellRef, truth: Mapping[CellRef, int]) -> dict[CellRef, int] | None:
        """Values for all hidden positions satisfying everything, with ``target`` at least k."""
        for value in range(self.k, self.domain[target][1] + 1):
            found = self._search({**self.domain, target: (value, value)}, truth, budget=[3000])
            if found is not None:
                return found
        return None

    def _search(
        self, domain: dict[CellRef, tuple[int, int]], truth: Mapping[CellRef, int], budget: list[int]
    ) -> dict[CellRef, int] | None:
        """Depth-first, trying values nearest the truth first, with bounds propagation at each node."""
        budget[0] -= 1
        if budget[0] < 0 or not self._propagate(domain):
            return None
        open_refs = [ref for ref in self.hidden if domain[ref][0] < domain[ref][1]]
        if not open_refs:
            return {ref: domain[ref][0] for ref in self.hidden}
        ref = min(open_refs, key=lambda r: (domain[r][1] - domain[r][0], r))
        low, high = domain[ref]
        for value in sorted(range(low, high + 1), key=lambda v: (abs(v - truth[ref]), v)):
            found = self._search({**domain, ref: (value, value)}, truth, budget)
            if found is not None:
                return found
        return None

    def _propagate(self, domain: dict[CellRef, tuple[int, int]]) -> bool:
        """Bounds consistency on every constraint until nothing changes; False on a contradiction."""
        changed = True
        while changed:
            changed = False
            for constraint in self.constraints:
                for ref, c in constraint.terms:
                    others = [(r, cc) for r, cc in constraint.terms if r != ref]
                    others_low = sum(cc * domain[r][0 if cc > 0 else 1] for r, cc in others)
                    others_high = sum(cc * domain[r][1 if cc > 0 else 0] for r, cc in others)
                    at_most = constraint.rest - others_low  # c * value <= at_most
                    at_least = constraint.rest - others_high  # c * value >= at_least, for equalities
                    low, high = domain[ref]
                    if c > 0:
                        high = min(high, at_most // c)
                        low = max(low, -(-at_least // c)) if constraint.equality else low
                    else:
                        low = max(low, -(at_most // -c))
                        high = min(high, -at_least // -c) if constraint.equality else high
                    if low > high:
                        return False
                    if (low, high) != domain[ref]:
                        domain[ref] = (low, high)
                        changed = True
                if not constraint.terms and (constraint.rest != 0 if constraint.equality else constraint.rest < 0):
                    return False
        return True


def prints_the_same(
    printed: ProtectedTableSet, world: Mapping[CellRef, int], pairs: Mapping[tuple[str, str], int]
) -> bool:
    """Whether a complete set of counts is consistent with the printed report, checked table by table."""
    k = printed.k

    def value(ref: CellRef) -> int:
        cell = printed.cell(ref)
        return world[ref] if cell.value is None else cell.value

    if any(world[ref] < 1 for ref in printed.suppressed()):
        return False
    for table in printed.tables:
        row_total = {row: value(CellRef(table.key, row, TOTAL)) for row in table.rows}
        column_total = {c: value(CellRef(table.key, TOTAL, c)) for c in table.columns}
        grand = value(CellRef(table.key, TOTAL, TOTAL))
        cells = {(row, c): value(CellRef(table.key, row, c)) for row in table.rows for c in table.columns}
        if any(sum(cells[row, c] for c in table.columns) != row_total[row] for row in table.rows):
            return False
        if sum(column_total.values()) != grand:
            return False
        column_sums = {c: sum(cells[row, c] for row in table.rows) for c in table.columns}
        if table.additive:
            if column_sums != column_total or sum(row_total.values()) != grand:
                return False
        else:
            if any(cells[row, c] > column_total[c] for row, c in cells) or max(row_total.values()) > grand:
                return False
            if table.exhaustive and (
                any(column_sums[c] < column_total[c] for c in table.columns) or sum(row_total.values()) < grand
            ):
                return False
    if any(value(first) != value(second) for first, second in printed.links):
        return False
    cases, grounds = value(CellRef("grounds", TOTAL, TOTAL)), printed.table("grounds")
    for first, second in itertools.combinations(grounds.rows, 2):
        listed = pairs.get((first, second), pairs.get((second, first)))
        a, b = value(CellRef("grounds", first, TOTAL)), value(CellRef("grounds", second, TOTAL))
        if listed is not None and (listed > min(a, b) or a + b - cases > listed):
            return False
        deciders = (grounds.row_total(first), grounds.row_total(second), grounds.grand_total)
        if listed is None and not any(cell.suppressed for cell in deciders) and a + b - cases > k - 1:
            return False
    return True


def everything_hidden(tables: TableSet, k: int) -> ProtectedTableSet:
    """The report with every non-zero count hidden: the most that hiding (without hiding zeros) can do."""

    def cell(value: int) -> Cell:
        if value == 0:
            return Cell(0, "0", suppressed_primary=False, suppressed_secondary=False)
        if value < k:
            return Cell(None, SECONDARY_DISPLAY, suppressed_primary=True, suppressed_secondary=False)
        return Cell(None, SECONDARY_DISPLAY, suppressed_primary=False, suppressed_secondary=True)

    protected = [
        ProtectedTable(
            table.key,
            table.title,
            table.dimensions,
            tuple(table.rows),
            tuple(table.columns),
            table.additive,
            table.exhaustive,
            {
                (row, column): cell(table.value(CellRef(table.key, row, column)))
                for row in [*table.rows, TOTAL]
                for column in [*table.columns, TOTAL]
            },
        )
        for table in tables.tables
    ]
    return ProtectedTableSet(k, tuple(protected), tuple(tables.links))


def first_pinned(
    printed: ProtectedTableSet, pairs: Mapping[tuple[str, str], int], truth: Mapping[CellRef, int], cap: int
) -> CellRef | None:
    """A small hidden count the attacker can place inside 1..k-1, checking every witness against the tables."""
    attacker = Attacker(printed, pairs, search_cap=cap)
    unresolved = [ref for ref in printed.suppressed() if truth[ref] < printed.k]
    while unresolved:
        target = unresolved.pop(0)
        world = attacker.witness(target, truth)
        if world is None:
            return target
        assert prints_the_same(printed, world, pairs)
        unresolved = [ref for ref in unresolved if world[ref] < printed.k]
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases, st.sampled_from([3, 5]))
def test_no_hidden_count_can_be_worked_out(all_cases: list[Case], k: int) -> None:
    report = build_report(all_cases)
    cap = len(all_cases) + 2 * k
    try:
        printed = protect(report.tables, k=k)
    except UnprotectableTablesError:
        # Refusing is right only if even hiding every non-zero count leaves something pinned.
        worst = everything_hidden(report.tables, k)
        truth = {ref: report.tables.value(ref) for ref in worst.suppressed()}
        assert first_pinned(worst, {}, truth, cap) is not None
        return
    pairs = publishable_pairs(report.pair_counts, k, printed.table("grounds"))

    for table in printed.tables:
        for (row, column), cell in table.cells.items():
            if cell.value is None:
                assert cell.display == SECONDARY_DISPLAY
            else:
                assert not 1 <= cell.value < k
                assert cell.value == report.tables.value(CellRef(table.key, row, column))
    assert all(count >= k for count in pairs.values())
    truth = {ref: report.tables.value(ref) for ref in printed.suppressed()}
    pinned = first_pinned(printed, pairs, truth, cap)
    assert pinned is None, f"{pinned} (true value {truth[pinned]}) can be worked out"


def test_attacker_pins_what_the_audit_would_flag() -> None:
    """The attacker is strong enough to find a count left alone in its row."""
    report = build_report(
        [Case(frozenset({"religion"}), "housing", "muenster", "q1", frozenset({"individual"}), True)] * 2
        + [Case(frozenset({"gender"}), "employment", "borken", "q2", frozenset({"structural"}), True)] * 9
    )
    printed = protect(report.tables)
    areas = printed.table("areas")
    cells = dict(areas.cells)
    employment = cells[("employment", COUNT)]
    assert employment.suppressed_secondary
    for position in [("employment", COUNT), ("employment", TOTAL)]:
        cells[position] = Cell(9, "9", suppressed_primary=False, suppressed_secondary=False)
    tables = tuple(replace(table, cells=cells) if table.key == "areas" else table for table in printed.tables)
    leaky = replace(printed, tables=tables)
    truth = {ref: report.tables.value(ref) for ref in leaky.suppressed()}
    attacker = Attacker(leaky, {}, search_cap=20)

    assert attacker.witness(CellRef("areas", "housing", COUNT), truth) is None
    assert CellRef("areas", "housing", COUNT) in audit_exposure(leaky)
