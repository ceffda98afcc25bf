"""The annual report: which tables it holds, how they are linked, and what of them may be printed.

Two steps, so that one protection serves every output:

1. :func:`compute_year_statistics` counts (``aggregate``), builds every table of the report as one
   :class:`~reporting.stats.disclosure.model.TableSet` with the links a reader could difference across, and
   protects it. The result holds no raw count that may not be printed (only the protected set and
   values derived from printed cells), and no words.
2. :func:`present` puts labels on it in one language: the PDF, the preview page and every export
   are drawn from the same :class:`ReportView`, so they print exactly the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from sqlalchemy.ext.asyncio import AsyncSession

from reporting import tally
from reporting.i18n import babel_locale
from reporting.stats.aggregate import GROUNDS_DIMENSION, YearCounts, counts_from_tally, read_tally
from reporting.stats.charts import Bar, BarChart, bar_chart
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
from reporting.stats.disclosure.protection import UnprotectableTablesError, percentage, protect, publishable_pairs
from reporting.stats.texts import Texts, report_language
from reporting.taxonomy import DIMENSIONS, MULTI_VALUED_STAT_DIMENSIONS, STAT_DIMENSIONS

CASES = "cases"
"""The one column of a one-way table."""
NOT_RECORDED = "not_recorded"
"""Row of the cases without any code in a dimension, so that every table accounts for all its cases."""
RACISM_GROUND = tally.RACISM_GROUND
CONDITIONAL_DIMENSIONS = tally.CONDITIONAL_DIMENSIONS
"""Dimensions counted only among the cases carrying one code (forms of racism: cases of racism)."""
REGIONS_DIMENSION = "regions"
AREAS_DIMENSION = "areas"
YEAR_ON_YEAR_DIMENSIONS: tuple[str, ...] = (GROUNDS_DIMENSION, AREAS_DIMENSION)
QUARTERS: tuple[str, ...] = ("q1", "q2", "q3", "q4")
MONTHS_OF_QUARTER: tuple[str, ...] = ("m1", "m2", "m3")
MIN_PERCENT_BASE = 20
MAX_PAIRS = 10
CASES_BY_YEAR = "cases_by_year"
"""The view of the two year totals below, printed as one table of the comparison section."""
CURRENT_CASES = "cases_current"
PREVIOUS_CASES = "cases_previous"
"""One-cell tables of the cases of the year and of the year before. Kept apart on purpose: a table of
both would print their sum too, which pins two tiny hidden totals (1 and 1 of a hidden 2 with k=3)."""
MONTHS = "months"
GROUNDS_PER_CASE = "grounds_per_case"
INTERSECTIONAL = "intersectional"
PAIRS = "pairs"

DROP_PRIORITY: tuple[str, ...] = (
    f"{AREAS_DIMENSION}_by_year",
    f"{GROUNDS_DIMENSION}_by_year",
    INTERSECTIONAL,
    GROUNDS_PER_CASE,
    "targets",
    "levels",
    "incident_types",
    "forms",
    "reporter_roles",
    "agg_applicable",
    "interventions",
    "racism_subtypes",
    MONTHS,
    REGIONS_DIMENSION,
    AREAS_DIMENSION,
    GROUNDS_DIMENSION,
)
"""Tables that may be left out, least needed first, when a small count cannot be protected otherwise.
With one mark for every hidden count this needs HiGHS to give up (hiding every non-zero count always
suffices in exact arithmetic), so it is a safety net. The numbers of cases per year are never left out."""

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("section_grounds", (GROUNDS_DIMENSION, "racism_subtypes", GROUNDS_PER_CASE, INTERSECTIONAL, PAIRS)),
    ("section_incidents", (AREAS_DIMENSION, "forms", "levels", "incident_types", "targets")),
    ("section_time_region", (MONTHS, REGIONS_DIMENSION)),
    ("section_handling", ("reporter_roles", "agg_applicable", "interventions")),
    ("section_comparison", (CASES_BY_YEAR, f"{GROUNDS_DIMENSION}_by_year", f"{AREAS_DIMENSION}_by_year")),
)
CHARTED_TABLES: frozenset[str] = frozenset({*STAT_DIMENSIONS, MONTHS})


BY_YEAR_SUFFIX = "_by_year"


def year_on_year_key(dimension: str) -> str:
    return f"{dimension}{BY_YEAR_SUFFIX}"


COMPARISON_TABLES: frozenset[str] = frozenset(
    {PREVIOUS_CASES, *(year_on_year_key(dimension) for dimension in YEAR_ON_YEAR_DIMENSIONS)}
)
"""What states numbers of the year before: left out when they would disclose against an earlier release."""


def month_number(quarter: str, month_of_quarter: str) -> int:
    return 3 * QUARTERS.index(quarter) + MONTHS_OF_QUARTER.index(month_of_quarter) + 1


# --- step 1: counting, tables, links, protection ---------------------------------------------------


@dataclass(frozen=True)
class YearStatistics:
    """Everything the report may print for one year, protected, before any words are put on it."""

    year: int
    previous_year: int
    k: int
    protected: ProtectedTableSet
    excluded_no_consent: Cell
    """Categorised cases left out for lack of consent, itself under primary suppression."""
    pairs: tuple[tuple[tuple[str, str], int], ...]
    """Publishable pairs of grounds (each at least k), most frequent first."""
    left_out: tuple[str, ...] = ()
    """Tables left out because their tiny numbers could not be protected (see :func:`protect_report`)."""
    below_minimum: tuple[str, ...] = ()
    """Tables left out because the cases they count are below the minimum total (see :func:`pool`)."""

    @property
    def minimums(self) -> Minimums:
        return Minimums.for_k(self.k)

    @property
    def cases(self) -> Cell:
        return self.protected.cell(CellRef(CURRENT_CASES, str(self.year), CASES))

    @property
    def previous_cases(self) -> Cell | None:
        """None where the year-on-year comparison is left out (see ``reporting.stats.register``)."""
        if not self.has_table(PREVIOUS_CASES):
            return None
        return self.protected.cell(CellRef(PREVIOUS_CASES, str(self.previous_year), CASES))

    def facts(self) -> dict[CellRef, str]:
        """The statistical fact each printed position states, alike in every release that states it:
        ``"2025/grounds/religion"`` in the 2025 report's grounds table and in the 2026 report's column
        for 2025, so that the publication register can line releases up."""
        year = str(self.year)
        facts: dict[CellRef, str] = {}
        for table in self.protected.tables:
            if table.key in (CURRENT_CASES, PREVIOUS_CASES):
                facts.update({CellRef(table.key, row, CASES): f"{row}/{CASES}" for row in table.rows})
            elif table.key.endswith(BY_YEAR_SUFFIX):
                base = table.key.removesuffix(BY_YEAR_SUFFIX)
                facts.update(
                    {
                        CellRef(table.key, row, column): f"{column}/{base}/{row}"
                        for row in (*table.rows, TOTAL)
                        for column in table.columns
                    }
                )
            elif table.columns == (CASES,):
                facts.update(
                    {CellRef(table.key, row, CASES): f"{year}/{table.key}/{row}" for row in (*table.rows, TOTAL)}
                )
            else:
                facts.update(
                    {
                        CellRef(table.key, row, column): f"{year}/{table.key}/{row}/{column}"
                        for row in (*table.rows, TOTAL)
                        for column in (*table.columns, TOTAL)
                    }
                )
        return facts

    def without_comparison(self) -> YearStatistics:
        """The same release without the previous year's numbers (left out, and the report says so)."""
        dropped = tuple(table.key for table in self.protected.tables if table.key in COMPARISON_TABLES)
        protected = replace(
            self.protected,
            tables=tuple(table for table in self.protected.tables if table.key not in dropped),
            links=tuple(link for link in self.protected.links if not {link[0].table, link[1].table} & set(dropped)),
            limits=tuple(form for form in self.protected.limits if all(ref.table not in dropped for ref in form)),
        )
        return replace(self, protected=protected, left_out=(*self.left_out, *dropped))

    def has_table(self, key: str) -> bool:
        return any(table.key == key for table in self.protected.tables)


def _ordered_codes(dimension: str, *counted: Mapping[str, int]) -> list[str]:
    """Every staff code of the dimension in taxonomy order, then codes found only in the data."""
    known = list(DIMENSIONS[dimension].for_staff().codes()) if dimension in DIMENSIONS else []
    found = sorted({code for counts in counted for code in counts} - set(known))
    return known + found


def _one_way_table(key: str, dimension: str, by_code: Mapping[str, int], universe: int, recorded: int) -> Table:
    rows = _ordered_codes(dimension, by_code)
    counts = {(code, CASES): by_code.get(code, 0) for code in rows}
    if universe - recorded > 0:
        rows.append(NOT_RECORDED)
        counts[(NOT_RECORDED, CASES)] = universe - recorded
    additive = dimension not in MULTI_VALUED_STAT_DIMENSIONS and sum(counts.values()) == universe
    if additive:
        return Table(key, f"table_{key}", (dimension,), rows, [CASES], counts)
    return Table(
        key,
        f"table_{key}",
        (dimension,),
        rows,
        [CASES],
        counts,
        additive=False,
        exhaustive=True,
        given_column_totals={CASES: universe},
        given_grand_total=universe,
    )


def _year_on_year_table(dimension: str, previous: YearCounts, current: YearCounts) -> Table:
    years = (previous, current)
    columns = [str(counts.year) for counts in years]
    rows = _ordered_codes(dimension, *(counts.by_code.get(dimension, {}) for counts in years))
    counts = {(code, str(year.year)): year.by_code.get(dimension, {}).get(code, 0) for code in rows for year in years}
    if any(year.not_recorded(dimension) > 0 for year in years):
        rows.append(NOT_RECORDED)
        counts.update({(NOT_RECORDED, str(year.year)): year.not_recorded(dimension) for year in years})
    additive = dimension not in MULTI_VALUED_STAT_DIMENSIONS and all(
        sum(counts[(row, str(year.year))] for row in rows) == year.cases for year in years
    )
    key = year_on_year_key(dimension)
    if additive:
        return Table(key, f"table_{key}", (dimension, "year"), rows, columns, counts)
    return Table(
        key,
        f"table_{key}",
        (dimension, "year"),
        rows,
        columns,
        counts,
        additive=False,
        exhaustive=True,
        given_column_totals={str(year.year): year.cases for year in years},
        given_grand_total=sum(year.cases for year in years),
    )


def build_table_set(current: YearCounts, previous: YearCounts, dimensions: Sequence[str] = STAT_DIMENSIONS) -> TableSet:
    """All tables of the report and the links between numbers that are equal by construction.

    Every dimension of ``dimensions`` becomes a one-way table linked to the number of cases, so a new
    statistics dimension (offices, say) is protected, pooled, registered and attacked like the others."""
    year, before = str(current.year), str(previous.year)
    anchor = CellRef(CURRENT_CASES, year, CASES)
    previous_anchor = CellRef(PREVIOUS_CASES, before, CASES)
    tables: list[Table] = [
        Table(CURRENT_CASES, f"table_{CASES_BY_YEAR}", ("year",), [year], [CASES], {(year, CASES): current.cases}),
        Table(
            PREVIOUS_CASES, f"table_{CASES_BY_YEAR}", ("year",), [before], [CASES], {(before, CASES): previous.cases}
        ),
    ]
    links: list[tuple[CellRef, CellRef]] = []

    racism_cases = current.by_code.get(GROUNDS_DIMENSION, {}).get(RACISM_GROUND, 0)
    for dimension in dimensions:
        condition = CONDITIONAL_DIMENSIONS.get(dimension)
        universe = racism_cases if condition else current.cases
        table = _one_way_table(
            dimension,
            dimension,
            current.by_code.get(dimension, {}),
            universe,
            current.with_any_code.get(dimension, 0),
        )
        tables.append(table)
        whole = CellRef(GROUNDS_DIMENSION, RACISM_GROUND, CASES) if condition else anchor
        links.append((table.grand_total_ref(), whole))

    months = Table(
        MONTHS,
        f"table_{MONTHS}",
        ("month",),
        list(QUARTERS),
        list(MONTHS_OF_QUARTER),
        {
            (quarter, month): current.by_month.get(month_number(quarter, month), 0)
            for quarter in QUARTERS
            for month in MONTHS_OF_QUARTER
        },
    )
    tables.append(months)
    links.append((months.grand_total_ref(), anchor))

    # No region × time table: at the sizes of this service most of its cells are small, and even a
    # single mark leaves their ranges inside 1..k-1 (the 2026 audit found so in 23 of 24 samples).

    with_grounds = current.with_any_code.get(GROUNDS_DIMENSION, 0)
    per_case = Table(
        GROUNDS_PER_CASE,
        f"table_{GROUNDS_PER_CASE}",
        (GROUNDS_DIMENSION,),
        ["one_ground", "several_grounds", "no_ground"],
        [CASES],
        {
            ("one_ground", CASES): with_grounds - current.multiple_grounds,
            ("several_grounds", CASES): current.multiple_grounds,
            ("no_ground", CASES): current.cases - with_grounds,
        },
    )
    tables.append(per_case)
    links.append((per_case.grand_total_ref(), anchor))
    grounds = next(table for table in tables if table.key == GROUNDS_DIMENSION)
    if NOT_RECORDED in grounds.rows:
        links.append((per_case.cell_ref("no_ground", CASES), grounds.cell_ref(NOT_RECORDED, CASES)))
    limits = grounds_per_case_limits(grounds, per_case)

    intersectional = Table(
        INTERSECTIONAL,
        f"table_{INTERSECTIONAL}",
        (INTERSECTIONAL,),
        ["intersectional", "not_intersectional"],
        [CASES],
        {
            ("intersectional", CASES): current.intersectional,
            ("not_intersectional", CASES): current.cases - current.intersectional,
        },
    )
    tables.append(intersectional)
    links.append((intersectional.grand_total_ref(), anchor))

    for dimension in YEAR_ON_YEAR_DIMENSIONS:
        comparison = _year_on_year_table(dimension, previous, current)
        one_way = next(table for table in tables if table.key == dimension)
        tables.append(comparison)
        links.append((comparison.column_total_ref(year), anchor))
        links.append((comparison.column_total_ref(before), previous_anchor))
        links += [
            (comparison.cell_ref(row, year), one_way.cell_ref(row, CASES))
            for row in comparison.rows
            if row in one_way.rows
        ]
    return TableSet(tables=tables, links=links, limits=limits)


def grounds_per_case_limits(grounds: Table, per_case: Table) -> list[dict[CellRef, int]]:
    """What the grounds table and the grounds per case say together: the counts of all grounds add up to
    at least the cases with one ground plus twice those with several, and to at most the cases with one
    plus every ground for each of those with several. With no case of several grounds, the grounds table
    becomes a partition: a reader uses that, so the protection must too."""
    recorded = [row for row in grounds.rows if row != NOT_RECORDED]
    every_ground = dict.fromkeys((grounds.cell_ref(row, CASES) for row in recorded), 1)
    one, several = per_case.cell_ref("one_ground", CASES), per_case.cell_ref("several_grounds", CASES)
    at_least = {one: 1, several: 2} | dict.fromkeys(every_ground, -1)
    at_most = every_ground | {one: -1, several: -len(recorded)}
    return [at_least, at_most]


def protect_report(
    tables: TableSet, k: int, also_hide: Collection[CellRef] = ()
) -> tuple[ProtectedTableSet, tuple[str, ...]]:
    """Protect the whole set; where that is impossible, leave out tables until it is not.

    Happens only when the solver cannot decide. The table holding the exposed count goes (if it may go at all);
    otherwise the first table of :data:`DROP_PRIORITY` whose absence alone suffices, or failing that
    the first one, and the search goes on.
    """
    dropped: list[str] = []
    while True:
        try:
            return protect(tables, k, also_hide), tuple(dropped)
        except UnprotectableTablesError as error:
            candidates = [key for key in DROP_PRIORITY if any(table.key == key for table in tables.tables)]
            if not candidates:
                raise
            if error.table in candidates:
                key = error.table
            else:  # pinned through a total: find the one table whose absence frees it, if there is one
                for key in candidates:
                    try:
                        return protect(_without(tables, key), k, also_hide), (*dropped, key)
                    except UnprotectableTablesError:
                        continue
                key = candidates[0]
            dropped.append(key)
            tables = _without(tables, key)


def _without(tables: TableSet, key: str) -> TableSet:
    return TableSet(
        tables=[table for table in tables.tables if table.key != key],
        links=[link for link in tables.links if key not in (link[0].table, link[1].table)],
        limits=[form for form in tables.limits if all(ref.table != key for ref in form)],
    )


def primary_suppressed(value: int, k: int) -> Cell:
    """A lone count that is linked to nothing else: primary suppression is all it needs."""
    if 0 < value < k:
        return Cell(None, SECONDARY_DISPLAY, suppressed_primary=True, suppressed_secondary=False)
    return Cell(value, str(value), suppressed_primary=False, suppressed_secondary=False)


# --- minimum totals: what is too small to break down at all ----------------------------------------

MIN_TABLE_TOTAL = 20
"""A table is printed only if the cases it counts (its total) reach this, and at least twice k."""
MIN_REGION_TOTAL = 50
"""The regions need more (eleven rows; and at least ten times k): below, most rows would be "x" or 0, and
the zeros would say where nobody reported."""
KEPT_TABLES: frozenset[str] = frozenset({CURRENT_CASES, PREVIOUS_CASES})
"""Never left out for a small total: the number of cases of each year (hidden itself if small)."""


@dataclass(frozen=True)
class Minimums:
    """The smallest totals a table needs, for one k: each is at least twice k, so that a table being
    left out (its total below the minimum) never bounds a count inside 1..k-1."""

    table: int
    region: int

    @classmethod
    def for_k(cls, k: int) -> Minimums:
        return cls(max(MIN_TABLE_TOTAL, 2 * k), max(MIN_REGION_TOTAL, 10 * k))


def below_minimum(tables: TableSet, current: YearCounts, previous: YearCounts, k: int) -> tuple[str, ...]:
    """Tables whose total is below the minimum, decided on totals only (never on a single small cell).

    A year below the minimum keeps its number of cases only: with three cases, the zeros of any table
    would say what all three share. A year before below it takes the year-on-year tables with it. A
    table of a part of the cases (forms of racism: cases of racism) needs that part to reach it."""
    minimums = Minimums.for_k(k)
    keys = [table.key for table in tables.tables]
    if current.cases < minimums.table:
        return tuple(key for key in keys if key not in KEPT_TABLES)
    left: list[str] = []
    for table in tables.tables:
        if table.key in KEPT_TABLES:
            continue
        total = table.value(table.grand_total_ref())
        by_year = "year" in table.dimensions
        minimum = minimums.region if table.key == REGIONS_DIMENSION else minimums.table
        if total < minimum or (by_year and previous.cases < minimums.table):
            left.append(table.key)
    return tuple(left)


def pool(tables: TableSet, current: YearCounts, previous: YearCounts, k: int) -> tuple[TableSet, tuple[str, ...]]:
    """The table set without the tables below the minimum, and their keys (the report says so)."""
    left = below_minimum(tables, current, previous, k)
    for key in left:
        tables = _without(tables, key)
    return tables, left


def statistics_from_counts(
    current: YearCounts,
    previous: YearCounts,
    k: int,
    also_hide: Collection[CellRef] = (),
    dimensions: Sequence[str] = STAT_DIMENSIONS,
) -> YearStatistics:
    """Tables, links and protection for counts already taken (pure: no database); ``also_hide`` as in
    :func:`~reporting.stats.disclosure.protection.protect`, ``dimensions`` as in :func:`build_table_set`."""
    tables, small = pool(build_table_set(current, previous, dimensions), current, previous, k)
    protected, left_out = protect_report(tables, k, also_hide)
    grounds_kept = any(table.key == GROUNDS_DIMENSION for table in protected.tables)
    pairs = publishable_pairs(current.ground_pairs, k, protected.table(GROUNDS_DIMENSION)) if grounds_kept else {}
    return YearStatistics(
        year=current.year,
        previous_year=previous.year,
        k=k,
        protected=protected,
        excluded_no_consent=primary_suppressed(current.excluded_no_consent, k),
        pairs=tuple(list(pairs.items())[:MAX_PAIRS]),
        left_out=left_out,
        below_minimum=small,
    )


async def count_year(session: AsyncSession, year: int) -> tuple[YearCounts, YearCounts]:
    """Raw counts of ``year`` (with every detail) and of the year before (one-way counts only), from the
    running tally in one query: one statement sees one snapshot, so linked tables always agree."""
    keys = await read_tally(session, (year, year - 1))
    current = counts_from_tally(year, keys[year], STAT_DIMENSIONS)
    previous = counts_from_tally(year - 1, keys[year - 1], YEAR_ON_YEAR_DIMENSIONS, with_details=False)
    return current, previous


async def compute_year_statistics(session: AsyncSession, year: int, k: int) -> YearStatistics:
    """Count ``year`` and protect every table of its report for minimum count ``k``."""
    current, previous = await count_year(session, year)
    return statistics_from_counts(current, previous, k)


# --- step 2: words -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellView:
    """One printed number: ``mark`` is what protection allows (``"12"``, ``"<5"``, ``"x"``),
    ``display`` the same in the report language (``"1.234"``)."""

    row: str
    column: str
    value: int | None
    mark: str
    display: str
    share: str | None = None


@dataclass(frozen=True)
class RowView:
    code: str
    label: str
    cells: tuple[CellView, ...]
    kind: str = "data"
    """``data``, ``subtotal`` or ``total``."""


@dataclass(frozen=True)
class TableView:
    key: str
    title: str
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[RowView, ...]
    notes: tuple[str, ...] = ()
    show_share: bool = False
    chart: BarChart | None = None

    def cells(self) -> Iterator[tuple[RowView, CellView]]:
        for row in self.rows:
            for cell in row.cells:
                yield row, cell


@dataclass(frozen=True)
class KeyNumber:
    code: str
    display: str
    caption: str
    value: int | None = None


@dataclass(frozen=True)
class SectionView:
    heading: str
    tables: tuple[TableView, ...]


@dataclass(frozen=True)
class Imprint:
    """Who publishes the report, when, and on which data: from configuration and the day of counting."""

    published_on: dt.date
    cut_off: dt.date
    """The day the counts were taken: cases categorised later are not in them."""
    publisher: str = ""
    contact: str = ""


@dataclass(frozen=True)
class ReportView:
    """The report in one language: what the PDF, the preview and the exports all print."""

    lang: str
    statistics: YearStatistics
    title: str
    key_numbers: tuple[KeyNumber, ...]
    sections: tuple[SectionView, ...]
    texts: Texts = field(repr=False)
    left_out: tuple[str, ...] = ()
    """Titles of tables left out because their tiny numbers could not be protected."""
    imprint: Imprint | None = None
    findings: tuple[str, ...] = ()
    """Key findings in sentences, from printed numbers only."""
    pooled_notes: tuple[str, ...] = ()
    """Plain sentences on what is left out because too few cases were counted (see :func:`pooled_notes`)."""

    @property
    def year(self) -> int:
        return self.statistics.year

    @property
    def preliminary(self) -> bool:
        """Counted before the year was over: later cases and categorisations will change the numbers."""
        return self.imprint is not None and self.imprint.cut_off <= dt.date(self.year, 12, 31)

    def date_display(self, day: dt.date) -> str:
        return format_date(day, format="long", locale=babel_locale(self.lang))

    @property
    def k(self) -> int:
        return self.statistics.k

    @property
    def excluded_display(self) -> str:
        return _display(self.statistics.excluded_no_consent, self.lang)

    def tables(self) -> Iterator[TableView]:
        for section in self.sections:
            yield from section.tables


def format_count(value: int, lang: str) -> str:
    return format_decimal(value, locale=babel_locale(lang))


def _display(cell: Cell, lang: str) -> str:
    return cell.display if cell.value is None else format_count(cell.value, lang)


TEXT_ROW_TABLES: frozenset[str] = frozenset({GROUNDS_PER_CASE, INTERSECTIONAL})
"""Tables whose rows are not taxonomy codes but have their own words in ``texts``."""


def _row_label(table: ProtectedTable, code: str, t: Texts, lang: str) -> str:
    if code == NOT_RECORDED:
        return t("row_not_recorded")
    dimension = table.dimensions[0]
    if table.key in TEXT_ROW_TABLES or dimension not in DIMENSIONS:
        return t(f"row_{code}")
    if t.has(f"term_{dimension}_{code}"):  # the form's bilingual label, in the report's plain German
        return t(f"term_{dimension}_{code}")
    try:
        return DIMENSIONS[dimension].get(code).label(lang)
    except KeyError:
        return code  # a code the taxonomy no longer knows: still counted, shown as stored


def _row_heading(table: ProtectedTable, t: Texts, lang: str) -> str:
    dimension = table.dimensions[0]
    if table.key in TEXT_ROW_TABLES:
        return t(f"heading_{table.key}")
    if dimension in DIMENSIONS:
        return DIMENSIONS[dimension].label(lang)
    return t(f"heading_{dimension}")


def _cell_view(table: ProtectedTable, row: str, column: str, lang: str, base: Cell | None = None) -> CellView:
    cell = table.cells[(row, column)]
    share = None
    if base is not None:
        share = percentage(cell.value, base.value, MIN_PERCENT_BASE, lang=lang)
    return CellView(row, column, cell.value, cell.display, _display(cell, lang), share)


def _quarter_label(quarter: str, t: Texts) -> str:
    return t("quarter", number=QUARTERS.index(quarter) + 1)


def _one_way_view(table: ProtectedTable, t: Texts, lang: str) -> TableView:
    base = table.grand_total
    show_share = base.value is not None and base.value >= MIN_PERCENT_BASE
    rows = [
        RowView(
            row,
            _row_label(table, row, t, lang),
            (_cell_view(table, row, CASES, lang, base if show_share else None),),
        )
        for row in table.rows
    ]
    rows.append(RowView(TOTAL, t("row_total"), (_cell_view(table, TOTAL, CASES, lang),), kind="total"))
    notes = []
    if table.key in CONDITIONAL_DIMENSIONS:
        notes.append(t(f"note_{table.key}"))
    if not table.additive:
        notes.append(t("note_multiple"))
    return TableView(
        table.key,
        t(table.title),
        _row_heading(table, t, lang),
        (t("column_cases"),),
        tuple(rows),
        tuple(notes),
        show_share,
    )


def _months_view(table: ProtectedTable, t: Texts, lang: str) -> TableView:
    locale = babel_locale(lang)
    rows: list[RowView] = []
    for quarter in QUARTERS:
        for month in MONTHS_OF_QUARTER:
            name = format_date(dt.date(2000, month_number(quarter, month), 1), "LLLL", locale=locale)
            rows.append(RowView(f"{quarter}-{month}", name, (_cell_view(table, quarter, month, lang),)))
        label = t("row_quarter_total", quarter=_quarter_label(quarter, t))
        rows.append(RowView(quarter, label, (_cell_view(table, quarter, TOTAL, lang),), kind="subtotal"))
    rows.append(RowView(TOTAL, t("row_total"), (_cell_view(table, TOTAL, TOTAL, lang),), kind="total"))
    return TableView(
        table.key, t(table.title), _row_heading(table, t, lang), (t("column_cases"),), tuple(rows), (t("note_months"),)
    )


def _year_view(table: ProtectedTable, t: Texts, lang: str) -> TableView:
    """Year on year: no row totals (two years added up mean nothing)."""
    rows = [
        RowView(
            row,
            _row_label(table, row, t, lang),
            tuple(_cell_view(table, row, column, lang) for column in table.columns),
        )
        for row in table.rows
    ]
    rows.append(
        RowView(
            TOTAL,
            t("row_total"),
            tuple(_cell_view(table, TOTAL, column, lang) for column in table.columns),
            kind="total",
        )
    )
    notes = () if table.additive else (t("note_multiple"),)
    return TableView(table.key, t(table.title), _row_heading(table, t, lang), tuple(table.columns), tuple(rows), notes)


def _cases_by_year_view(statistics: YearStatistics, t: Texts, lang: str) -> TableView:
    rows = tuple(
        RowView(row, row, (_cell_view(table, row, CASES, lang),))
        for table in statistics.protected.tables
        if table.key in (PREVIOUS_CASES, CURRENT_CASES)
        for row in table.rows
    )
    return TableView(CASES_BY_YEAR, t(f"table_{CASES_BY_YEAR}"), t("heading_year"), (t("column_cases"),), rows)


def _pairs_view(statistics: YearStatistics, t: Texts, lang: str) -> TableView:
    grounds = DIMENSIONS[GROUNDS_DIMENSION]
    order = grounds.codes()

    def label(pair: tuple[str, str]) -> str:
        """Both grounds in taxonomy order (racism first), as everywhere else in the report."""
        ordered = sorted(pair, key=lambda code: order.index(code) if code in order else len(order))
        return " + ".join(grounds.get(code).label(lang) if code in grounds else code for code in ordered)

    rows = tuple(
        RowView(
            f"{first}+{second}",
            label((first, second)),
            (CellView(f"{first}+{second}", CASES, count, str(count), format_count(count, lang)),),
        )
        for (first, second), count in statistics.pairs
    )
    notes = (t("note_pairs", k=statistics.k),) if rows else (t("pairs_none"),)
    return TableView(PAIRS, t("table_pairs"), t("column_pair"), (t("column_cases"),), rows, notes)


def _chart(view: TableView, t: Texts) -> BarChart:
    """Bars by size, largest first; hidden counts after the printed ones, "not recorded" last. Months
    keep their order."""
    rows = [row for row in view.rows if row.kind == "data"]
    if view.key != MONTHS:
        rows.sort(key=lambda row: (row.code == NOT_RECORDED, row.cells[0].value is None, -(row.cells[0].value or 0)))
    bars = [Bar(row.label, row.cells[0].value, row.cells[0].display) for row in rows]
    return bar_chart(f"chart-{view.key}", view.title, t("chart_description", title=view.title), bars)


def _table_view(table: ProtectedTable, t: Texts, lang: str) -> TableView:
    if table.key == MONTHS:
        view = _months_view(table, t, lang)
    elif "year" in table.dimensions:
        view = _year_view(table, t, lang)
    else:
        view = _one_way_view(table, t, lang)
    if table.key in CHARTED_TABLES:
        view = replace(view, chart=_chart(view, t))
    return view


def _signed(value: int, lang: str) -> str:
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "−") + format_count(abs(value), lang)


def _signed_percent(change: int, base: int, lang: str) -> str:
    ratio = (Decimal(100 * change) / Decimal(base)).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100
    text = format_percent(abs(ratio), locale=babel_locale(lang))
    return ("+" if ratio > 0 else "−" if ratio < 0 else "±") + text


def _top_label(table: ProtectedTable, t: Texts, lang: str) -> str | None:
    """The label of the largest printed count (never a hidden one, never "not recorded")."""
    top = _top(table)
    return None if top is None else _row_label(table, top[1], t, lang)


def _findings(statistics: YearStatistics, t: Texts, lang: str) -> tuple[str, ...]:
    """Key findings in sentences, each built from printed numbers only (and left out where one is hidden)."""
    findings: list[str] = []
    cases, previous = statistics.cases, statistics.previous_cases
    if cases.value is not None:
        findings.append(t("finding_cases", year=statistics.year, cases=format_count(cases.value, lang)))
        if previous is not None and previous.value is not None:
            key = "finding_more" if cases.value > previous.value else "finding_fewer"
            if cases.value == previous.value:
                key = "finding_same"
            findings.append(
                t(
                    key,
                    previous_year=statistics.previous_year,
                    previous=format_count(previous.value, lang),
                    difference=format_count(abs(cases.value - previous.value), lang),
                )
            )
    for dimension, key in ((GROUNDS_DIMENSION, "finding_top_ground"), (AREAS_DIMENSION, "finding_top_area")):
        if statistics.has_table(dimension) and (top := _top(statistics.protected.table(dimension))) is not None:
            count, row = top
            table = statistics.protected.table(dimension)
            findings.append(t(key, label=_row_label(table, row, t, lang), count=format_count(count, lang)))
    return tuple(findings)


def _top(table: ProtectedTable) -> tuple[int, str] | None:
    """The largest printed count and its row (never a hidden one, never "not recorded")."""
    printed = [
        (cell.value, row)
        for row in table.rows
        if row != NOT_RECORDED and (cell := table.cells[(row, CASES)]).value is not None and cell.value > 0
    ]
    return max(printed, key=lambda item: (item[0], -table.rows.index(item[1])), default=None)


def _key_numbers(statistics: YearStatistics, t: Texts, lang: str) -> tuple[KeyNumber, ...]:
    year, before = statistics.year, statistics.previous_year
    cases, previous = statistics.cases, statistics.previous_cases
    numbers = [KeyNumber("cases", _display(cases, lang), t("key_cases", year=year), cases.value)]
    if previous is not None:
        change = t("key_change_unavailable")
        if cases.value is not None and previous.value is not None:
            difference = cases.value - previous.value
            change = _signed(difference, lang)
            if previous.value >= MIN_PERCENT_BASE:
                change += f" ({_signed_percent(difference, previous.value, lang)})"
        numbers.append(
            KeyNumber("change", change, t("key_change", previous_year=before, previous=_display(previous, lang)))
        )
    excluded = statistics.excluded_no_consent
    numbers.append(KeyNumber("excluded_no_consent", _display(excluded, lang), t("key_excluded"), excluded.value))
    for code, table_key, row in (
        ("multiple", GROUNDS_PER_CASE, "several_grounds"),
        ("intersectional", INTERSECTIONAL, "intersectional"),
    ):
        if not statistics.has_table(table_key):
            continue
        cell = statistics.protected.table(table_key).cells[(row, CASES)]
        share = percentage(cell.value, cases.value, MIN_PERCENT_BASE, lang=lang)
        numbers.append(KeyNumber(code, share or _display(cell, lang), t(f"key_{code}"), cell.value))
    for code, dimension in (("top_ground", GROUNDS_DIMENSION), ("top_area", AREAS_DIMENSION)):
        if not statistics.has_table(dimension):
            continue
        label = _top_label(statistics.protected.table(dimension), t, lang)
        if label is not None:
            numbers.append(KeyNumber(code, label, t(f"key_{code}")))
    return tuple(numbers)


def present(statistics: YearStatistics, lang: str | None = None, imprint: Imprint | None = None) -> ReportView:
    """Put words on the protected statistics, in German unless English is asked for."""
    lang = report_language(lang)
    t = Texts(lang)
    sections = []
    for heading, keys in SECTIONS:
        views = [
            _pairs_view(statistics, t, lang)
            if key == PAIRS
            else _cases_by_year_view(statistics, t, lang)
            if key == CASES_BY_YEAR
            else _table_view(statistics.protected.table(key), t, lang)
            for key in keys
            if key in (PAIRS, CASES_BY_YEAR) or statistics.has_table(key)
        ]
        if views:
            sections.append(SectionView(t(heading), tuple(views)))
    return ReportView(
        lang=lang,
        statistics=statistics,
        title=t("document_title", year=statistics.year),
        key_numbers=_key_numbers(statistics, t, lang),
        sections=_with_legend_at_first_mark(sections, t("legend", k=statistics.k)),
        texts=t,
        left_out=tuple(t(f"table_{key}") for key in statistics.left_out),
        imprint=imprint,
        findings=_findings(statistics, t, lang),
        pooled_notes=pooled_notes(statistics, t),
    )


def pooled_notes(statistics: YearStatistics, t: Texts) -> tuple[str, ...]:
    """What the minimum totals left out, in plain sentences (data side: see :func:`below_minimum`)."""
    small = statistics.below_minimum
    if not small:
        return ()
    minimums = statistics.minimums
    if MONTHS in small:  # the months count every case of the year: the year itself is below the minimum
        return (t("pooled_year", year=statistics.year, minimum=minimums.table),)
    notes = []
    comparison = [key for key in small if key.endswith(BY_YEAR_SUFFIX)]
    if comparison:
        notes.append(t("pooled_comparison", previous_year=statistics.previous_year, minimum=minimums.table))
    tables = [t(f"table_{key}") for key in small if key not in comparison and key != REGIONS_DIMENSION]
    if tables:
        notes.append(t("pooled_tables", minimum=minimums.table, tables=", ".join(tables)))
    if REGIONS_DIMENSION in small:
        notes.append(t("pooled_regions", minimum=minimums.region))
    return tuple(notes)


def _with_legend_at_first_mark(sections: Sequence[SectionView], legend: str) -> tuple[SectionView, ...]:
    """The legend of "x" as a note of the first table that prints it, where a reader meets the mark."""
    result: list[SectionView] = []
    placed = False
    for section in sections:
        tables: list[TableView] = []
        for table in section.tables:
            marked = not placed and any(cell.mark == SECONDARY_DISPLAY for _, cell in table.cells())
            tables.append(replace(table, notes=(*table.notes, legend)) if marked else table)
            placed = placed or marked
        result.append(replace(section, tables=tuple(tables)))
    return tuple(result)


async def build_report(session: AsyncSession, year: int, k: int, lang: str | None = None) -> ReportView:
    """Count, protect and label the report of ``year``."""
    return present(await compute_year_statistics(session, year, k), lang)
