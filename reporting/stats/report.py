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
from reporting.i18n import N_, STAFF_LANGUAGES, Translator, babel_locale
from reporting.stats.aggregate import GROUNDS_DIMENSION, YearCounts, counts_from_tally, read_tally
from reporting.stats.charts import Bar, BarChart, Group, bar_chart, grouped_bar_chart
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
    (N_("Grounds"), (GROUNDS_DIMENSION, "racism_subtypes", GROUNDS_PER_CASE, INTERSECTIONAL, PAIRS)),
    (N_("Areas of life and incidents"), (AREAS_DIMENSION, "forms", "levels", "incident_types", "targets")),
    (N_("Time and region"), (MONTHS, REGIONS_DIMENSION)),
    (N_("Reporters, legal situation and interventions"), ("reporter_roles", "agg_applicable", "interventions")),
    (
        N_("Comparison with the previous year"),
        (CASES_BY_YEAR, f"{GROUNDS_DIMENSION}_by_year", f"{AREAS_DIMENSION}_by_year"),
    ),
)
"""The body of the report: each table as a chart under its section heading (the tables in the annex)."""


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

REPORT_LANGUAGES: tuple[str, ...] = tuple(STAFF_LANGUAGES)
"""The report speaks the staff languages, German (the published original) and English."""
DEFAULT_REPORT_LANGUAGE = "de"


def report_language(lang: str | None) -> str:
    """The report language for a requested one: German unless English is asked for."""
    return lang if lang is not None and lang in REPORT_LANGUAGES else DEFAULT_REPORT_LANGUAGE


TABLE_TITLES: Mapping[str, str] = {
    CASES_BY_YEAR: N_("Cases per year"),
    PREVIOUS_CASES: N_("Cases of the previous year"),
    GROUNDS_DIMENSION: N_("Cases by ground"),
    "racism_subtypes": N_("Cases of racist discrimination by form of racism"),
    AREAS_DIMENSION: N_("Cases by area of life"),
    "forms": N_("Cases by form of discrimination"),
    "levels": N_("Cases by level"),
    "incident_types": N_("Cases by type of incident"),
    "reporter_roles": N_("Cases by who reported"),
    "targets": N_("Cases by target of the incident"),
    REGIONS_DIMENSION: N_("Cases by region"),
    "agg_applicable": N_("Cases by whether the AGG applies"),
    "interventions": N_("Cases by intervention and outcome"),
    MONTHS: N_("Cases by month and quarter"),
    GROUNDS_PER_CASE: N_("Cases by number of grounds"),
    INTERSECTIONAL: N_("Intersectional discrimination"),
    year_on_year_key(GROUNDS_DIMENSION): N_("Cases by ground, year on year"),
    year_on_year_key(AREAS_DIMENSION): N_("Cases by area of life, year on year"),
    PAIRS: N_("Most frequent combinations of two grounds"),
}
"""The title of each table, by key (the data side's ``Table.title`` is not a text)."""

ROW_LABELS: Mapping[str, str] = {
    NOT_RECORDED: N_("Not recorded"),
    "one_ground": N_("One ground"),
    "several_grounds": N_("Two or more grounds"),
    "no_ground": N_("No ground recorded"),
    "intersectional": N_("Intersectional"),
    "not_intersectional": N_("Not intersectional"),
}
"""Rows that are not taxonomy codes."""

MONTH_HEADING = N_("Month")
YEAR_HEADING = N_("Year")
ROW_HEADINGS: Mapping[str, str] = {
    GROUNDS_PER_CASE: N_("Grounds per case"),
    INTERSECTIONAL: N_("How the grounds act"),
    "month": MONTH_HEADING,
    "year": YEAR_HEADING,
}

REPORT_TERMS: Mapping[tuple[str, str], str] = {
    (GROUNDS_DIMENSION, "skin_colour"): N_("Skin colour"),
    (REGIONS_DIMENSION, "muenster"): N_("City of Münster (North Rhine-Westphalia)"),
    (REGIONS_DIMENSION, "borken"): N_("District of Borken (North Rhine-Westphalia)"),
    (REGIONS_DIMENSION, "coesfeld"): N_("District of Coesfeld (North Rhine-Westphalia)"),
    (REGIONS_DIMENSION, "kleve"): N_("District of Kleve (North Rhine-Westphalia)"),
    (REGIONS_DIMENSION, "recklinghausen"): N_("District of Recklinghausen (North Rhine-Westphalia)"),
    (REGIONS_DIMENSION, "steinfurt"): N_("District of Steinfurt (North Rhine-Westphalia)"),
    (REGIONS_DIMENSION, "warendorf"): N_("District of Warendorf (North Rhine-Westphalia)"),
    (REGIONS_DIMENSION, "wesel"): N_("District of Wesel (North Rhine-Westphalia)"),
    (REGIONS_DIMENSION, "oldenburg"): N_("Oldenburg region (Lower Saxony)"),
    (REGIONS_DIMENSION, "outside_diocese"): N_("Outside the diocese"),
    (REGIONS_DIMENSION, "not_stated"): N_("Region not stated"),
}
"""Where the report words a code unlike the form: plain German for a public readership (no "Colorism"),
districts with their state, since the diocese spans North Rhine-Westphalia and Lower Saxony, and the
reporter's own answers ("somewhere else", "prefer not to say") as a statistics office states them."""


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
class YearOnYear:
    """The comparison chart of the summary page, from published values only; ``note`` says what is
    missing from it (the year before, when its numbers were left out for disclosure)."""

    chart: BarChart | None
    note: str | None = None
    source: str | None = None
    """The table whose chart this is, so that the body does not draw it a second time."""


@dataclass(frozen=True)
class ReportView:
    """The report in one language: what the PDF, the preview and the exports all print."""

    lang: str
    statistics: YearStatistics
    title: str
    key_numbers: tuple[KeyNumber, ...]
    sections: tuple[SectionView, ...]
    translate: Translator = field(repr=False)
    """gettext in the report's language: ``view.translate("Cases")``."""
    left_out: tuple[str, ...] = ()
    """Titles of tables left out because their tiny numbers could not be protected."""
    imprint: Imprint | None = None
    findings: tuple[str, ...] = ()
    """Key findings in sentences, from printed numbers only."""
    pooled_notes: tuple[str, ...] = ()
    """Plain sentences on what is left out because too few cases were counted (see :func:`pooled_notes`)."""
    year_on_year: YearOnYear = YearOnYear(None)
    legend: str = ""
    """What the marks mean; printed where they first appear."""

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

    @property
    def summary_heading(self) -> str:
        _ = self.translate
        return _("%(year)s at a glance", year=self.year)

    @property
    def summary_marked(self) -> bool:
        """Whether the summary page prints the mark, so that the legend belongs there."""
        chart = self.year_on_year.chart
        shown = [number.display for number in self.key_numbers]
        shown += [bar.display for bar in chart.bars] if chart is not None else []
        return SECONDARY_DISPLAY in shown

    def method_paragraphs(self) -> tuple[str, ...]:
        """The method in plain words: the same paragraphs in the PDF, the preview page and the exports."""
        _ = self.translate
        paragraphs = [
            _(
                "In short: the report counts reports of discrimination, not people, and no number in it lets "
                "anyone work out who made a report. Numbers smaller than %(k)s are not printed; an “x” stands "
                "in their place, and sometimes in the place of a larger number, so that the small one cannot "
                "be worked out.",
                k=self.k,
            ),
            _(
                "Only the categories an adviser assigns to a case (ground, area of life, form, region and "
                "others) are analysed, never free text, names or contact details. Only cases whose reporter "
                "consented to anonymised statistical use are counted; for reports made in person the adviser "
                "records this consent. For lack of consent, %(excluded)s categorised cases of the year were "
                "left out. A case with several grounds counts once under each of its grounds; the tables "
                "concerned say so.",
                excluded=self.excluded_display,
            ),
            _(
                "Small numbers can make people recognisable, especially within one region or for a rare "
                "ground. This report therefore gives no count below %(k)s other than zero: such values appear "
                "as “x”; zero is shown, because it concerns nobody. So that a hidden value cannot be worked "
                "out from row, column or grand totals or from another table of this report, further values "
                "are hidden, also as “x”: the mark does not tell whether a value is small. Before publication "
                "a program calculates like an attacker with all printed numbers together (and those of earlier "
                "releases for the same year) and checks for every small hidden value that it might just as "
                "well be %(k)s or more. Statistics offices work the same way with the τ-Argus software.",
                k=self.k,
            ),
            _(
                "Percentages are given only where the base is at least %(min_base)s cases and the value itself "
                "is printed. No table combines region, ground and period; monthly figures exist only for the "
                "diocese as a whole. Combinations of two grounds are listed only if they occurred at least "
                "%(k)s times. The figures describe what was reported, not how often discrimination actually "
                "happens: many people affected never report it.",
                k=self.k,
                min_base=MIN_PERCENT_BASE,
            ),
            self.legend,
        ]
        if self.left_out:
            paragraphs.append(
                _(
                    "Because the numbers of cases are very small, these tables are left out, as their values "
                    "could not be hidden safely: %(tables)s.",
                    tables=", ".join(self.left_out),
                )
            )
        return (*paragraphs, *self.pooled_notes)

    def tables(self) -> Iterator[TableView]:
        for section in self.sections:
            yield from section.tables


def format_count(value: int, lang: str) -> str:
    return format_decimal(value, locale=babel_locale(lang))


def _display(cell: Cell, lang: str) -> str:
    return cell.display if cell.value is None else format_count(cell.value, lang)


def _row_label(table: ProtectedTable, code: str, _: Translator) -> str:
    if code in ROW_LABELS and (code == NOT_RECORDED or table.key in (GROUNDS_PER_CASE, INTERSECTIONAL)):
        return _(ROW_LABELS[code])
    dimension = table.dimensions[0]
    if (dimension, code) in REPORT_TERMS:
        return _(REPORT_TERMS[(dimension, code)])
    try:
        return DIMENSIONS[dimension].get(code).label(_.code)
    except KeyError:
        return code  # a code the taxonomy no longer knows: still counted, shown as stored


def _row_heading(table: ProtectedTable, _: Translator) -> str:
    dimension = table.dimensions[0]
    if table.key in ROW_HEADINGS:
        return _(ROW_HEADINGS[table.key])
    if dimension in DIMENSIONS:
        return DIMENSIONS[dimension].label(_.code)
    return _(ROW_HEADINGS[dimension])


def _cell_view(table: ProtectedTable, row: str, column: str, lang: str, base: Cell | None = None) -> CellView:
    cell = table.cells[(row, column)]
    share = None
    if base is not None:
        share = percentage(cell.value, base.value, MIN_PERCENT_BASE, lang=lang)
    return CellView(row, column, cell.value, cell.display, _display(cell, lang), share)


def _multiple_note(_: Translator) -> str:
    return _(
        "Several answers possible: a case with several of them counts once under each. The rows add up to "
        "more than the number of cases, the percentages to more than 100%."
    )


def _one_way_view(table: ProtectedTable, _: Translator) -> TableView:
    lang = _.code
    base = table.grand_total
    show_share = base.value is not None and base.value >= MIN_PERCENT_BASE
    rows = [
        RowView(
            row,
            _row_label(table, row, _),
            (_cell_view(table, row, CASES, lang, base if show_share else None),),
        )
        for row in table.rows
    ]
    rows.append(RowView(TOTAL, _("All cases"), (_cell_view(table, TOTAL, CASES, lang),), kind="total"))
    notes = []
    if table.key in CONDITIONAL_DIMENSIONS:
        notes.append(_("Only cases with the ground “racist attribution / ethnic origin”."))
    if not table.additive:
        notes.append(_multiple_note(_))
    return TableView(
        table.key,
        _(TABLE_TITLES[table.key]),
        _row_heading(table, _),
        (_("Cases"),),
        tuple(rows),
        tuple(notes),
        show_share,
    )


def _months_view(table: ProtectedTable, _: Translator) -> TableView:
    lang = _.code
    locale = babel_locale(lang)
    rows: list[RowView] = []
    for quarter in QUARTERS:
        for month in MONTHS_OF_QUARTER:
            name = format_date(dt.date(2000, month_number(quarter, month), 1), "LLLL", locale=locale)
            rows.append(RowView(f"{quarter}-{month}", name, (_cell_view(table, quarter, month, lang),)))
        label = _("%(quarter)s together", quarter=_("Q%(number)s", number=QUARTERS.index(quarter) + 1))
        rows.append(RowView(quarter, label, (_cell_view(table, quarter, TOTAL, lang),), kind="subtotal"))
    rows.append(RowView(TOTAL, _("All cases"), (_cell_view(table, TOTAL, TOTAL, lang),), kind="total"))
    return TableView(
        table.key,
        _(TABLE_TITLES[MONTHS]),
        _(MONTH_HEADING),
        (_("Cases"),),
        tuple(rows),
        (_("Monthly figures only for the diocese as a whole."),),
    )


def _year_view(table: ProtectedTable, _: Translator) -> TableView:
    """Year on year: no row totals (two years added up mean nothing)."""
    lang = _.code
    rows = [
        RowView(
            row,
            _row_label(table, row, _),
            tuple(_cell_view(table, row, column, lang) for column in table.columns),
        )
        for row in table.rows
    ]
    rows.append(
        RowView(
            TOTAL,
            _("All cases"),
            tuple(_cell_view(table, TOTAL, column, lang) for column in table.columns),
            kind="total",
        )
    )
    notes = () if table.additive else (_multiple_note(_),)
    return TableView(
        table.key, _(TABLE_TITLES[table.key]), _row_heading(table, _), tuple(table.columns), tuple(rows), notes
    )


def _cases_by_year_view(statistics: YearStatistics, _: Translator) -> TableView:
    """The year before, then the year (as the comparison tables and the chart's legend run)."""
    rows = tuple(
        RowView(row, row, (_cell_view(table, row, CASES, _.code),))
        for key in (PREVIOUS_CASES, CURRENT_CASES)
        if statistics.has_table(key)
        for table in (statistics.protected.table(key),)
        for row in table.rows
    )
    return TableView(CASES_BY_YEAR, _(TABLE_TITLES[CASES_BY_YEAR]), _(YEAR_HEADING), (_("Cases"),), rows)


def _pairs_view(statistics: YearStatistics, _: Translator) -> TableView:
    lang = _.code
    grounds = DIMENSIONS[GROUNDS_DIMENSION]
    order = grounds.codes()
    protected_grounds = (
        statistics.protected.table(GROUNDS_DIMENSION) if statistics.has_table(GROUNDS_DIMENSION) else None
    )

    def label(pair: tuple[str, str]) -> str:
        """Both grounds in taxonomy order (racism first), as everywhere else in the report."""
        ordered = sorted(pair, key=lambda code: order.index(code) if code in order else len(order))
        if protected_grounds is not None:
            return " + ".join(_row_label(protected_grounds, code, _) for code in ordered)
        return " + ".join(grounds.get(code).label(lang) if code in grounds else code for code in ordered)

    rows = tuple(
        RowView(
            f"{first}+{second}",
            label((first, second)),
            (CellView(f"{first}+{second}", CASES, count, str(count), format_count(count, lang)),),
        )
        for (first, second), count in statistics.pairs
    )
    if rows:
        notes: tuple[str, ...] = (
            _(
                "Only combinations with at least %(k)s cases whose two grounds are both printed above. A case "
                "with three grounds counts in each of its combinations.",
                k=statistics.k,
            ),
        )
    else:
        notes = (_("No combination of two grounds occurred often enough to be listed."),)
    return TableView(PAIRS, _(TABLE_TITLES[PAIRS]), _("Combination"), (_("Cases"),), rows, notes)


def _by_size(rows: Sequence[RowView], column: int = 0) -> list[RowView]:
    """Largest first; hidden counts after the printed ones, "not recorded" last."""
    return sorted(
        rows,
        key=lambda row: (
            row.code == NOT_RECORDED,
            row.cells[column].value is None,
            -(row.cells[column].value or 0),
        ),
    )


def _chart_description(title: str, _: Translator) -> str:
    return _(
        "Bar chart of the table “%(title)s”. Hidden values have no bar; the value of each bar is written "
        "next to it and all numbers are in the table in the annex.",
        title=title,
    )


def _chart(view: TableView, _: Translator) -> BarChart | None:
    """The body's picture of a table: bars by size (months keep their order), each with its value; two
    columns of years as pairs of bars, the year before hatched."""
    rows = [row for row in view.rows if row.kind == "data"]
    if not rows:
        return None
    description = _chart_description(view.title, _)
    if len(view.columns) == 2:
        groups = [
            Group(row.label, tuple((cell.value, cell.display) for cell in row.cells)) for row in _by_size(rows, 1)
        ]
        return grouped_bar_chart(f"chart-{view.key}", view.title, description, view.columns, groups)
    if view.key not in (MONTHS, CASES_BY_YEAR):
        rows = _by_size(rows)
    bars = [Bar(row.label, row.cells[0].value, row.cells[0].display) for row in rows]
    return bar_chart(f"chart-{view.key}", view.title, description, bars)


def _table_view(table: ProtectedTable, _: Translator) -> TableView:
    if table.key == MONTHS:
        return _months_view(table, _)
    if "year" in table.dimensions:
        return _year_view(table, _)
    return _one_way_view(table, _)


UNCHARTED_TABLES: frozenset[str] = frozenset(
    {CASES_BY_YEAR, GROUNDS_PER_CASE, INTERSECTIONAL, PAIRS, year_on_year_key(AREAS_DIMENSION)}
)
"""Tables of two or three rows, of long labels or of two columns already charted on page 1, that read
better as a table than as bars: they stand in the body as tables, once, and the annex holds the tables
of the charts. Also what keeps the report as cheap for WeasyPrint as before the summary and the annex
(it lays out SVG text letter by letter; ``benchmarks/bench_stats_pdf.py``)."""


def _with_chart(view: TableView, _: Translator) -> TableView:
    return view if view.key in UNCHARTED_TABLES else replace(view, chart=_chart(view, _))


def _year_on_year(statistics: YearStatistics, sections: Sequence[SectionView], _: Translator) -> YearOnYear:
    """Cases by ground in the year before and the year, from the published comparison table; where that
    was left out, the year alone, and the chart says why the year before is missing."""
    views = {table.key: table for section in sections for table in section.tables}
    comparison = views.get(year_on_year_key(GROUNDS_DIMENSION))
    if comparison is not None and comparison.chart is not None:
        return YearOnYear(replace(comparison.chart, chart_id="chart-year-on-year"), source=comparison.key)
    note = _(
        "The figures of %(previous_year)s are left out of this comparison: together with earlier "
        "publications they could let small numbers be worked out.",
        previous_year=statistics.previous_year,
    )
    current = views.get(GROUNDS_DIMENSION)
    if current is None or current.chart is None:
        return YearOnYear(None, note)
    title = _("Cases by ground in %(year)s", year=statistics.year)
    chart = replace(current.chart, chart_id="chart-year-on-year", title=title, description=f"{title}. {note}")
    return YearOnYear(chart, note)


def _signed(value: int, lang: str) -> str:
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "−") + format_count(abs(value), lang)


def _signed_percent(change: int, base: int, lang: str) -> str:
    ratio = (Decimal(100 * change) / Decimal(base)).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100
    text = format_percent(abs(ratio), locale=babel_locale(lang))
    return ("+" if ratio > 0 else "−" if ratio < 0 else "±") + text


def _findings(statistics: YearStatistics, _: Translator) -> tuple[str, ...]:
    """Key findings in sentences, each built from printed numbers only (and left out where one is hidden)."""
    lang = _.code
    findings: list[str] = []
    cases, previous = statistics.cases, statistics.previous_cases
    if cases.value is not None:
        findings.append(
            _(
                "In %(year)s the reporting office analysed %(cases)s cases.",
                year=statistics.year,
                cases=format_count(cases.value, lang),
            )
        )
        if previous is not None and previous.value is not None:
            values = {
                "previous_year": statistics.previous_year,
                "previous": format_count(previous.value, lang),
                "difference": format_count(abs(cases.value - previous.value), lang),
            }
            if cases.value > previous.value:
                findings.append(
                    _("That is %(difference)s more than in %(previous_year)s (%(previous)s cases).", **values)
                )
            elif cases.value < previous.value:
                findings.append(
                    _("That is %(difference)s fewer than in %(previous_year)s (%(previous)s cases).", **values)
                )
            else:
                findings.append(_("That is as many as in %(previous_year)s.", previous_year=statistics.previous_year))
    if statistics.has_table(GROUNDS_DIMENSION) and (top := _top(statistics.protected.table(GROUNDS_DIMENSION))):
        count, row = top
        label = _row_label(statistics.protected.table(GROUNDS_DIMENSION), row, _)
        findings.append(
            _(
                "The most frequent ground was “%(label)s” (%(count)s cases).",
                label=label,
                count=format_count(count, lang),
            )
        )
    if statistics.has_table(AREAS_DIMENSION) and (top := _top(statistics.protected.table(AREAS_DIMENSION))):
        count, row = top
        label = _row_label(statistics.protected.table(AREAS_DIMENSION), row, _)
        findings.append(
            _(
                "The most affected area of life was “%(label)s” (%(count)s cases).",
                label=label,
                count=format_count(count, lang),
            )
        )
    return tuple(findings)


def _top(table: ProtectedTable) -> tuple[int, str] | None:
    """The largest printed count and its row (never a hidden one, never "not recorded")."""
    printed = [
        (cell.value, row)
        for row in table.rows
        if row != NOT_RECORDED and (cell := table.cells[(row, CASES)]).value is not None and cell.value > 0
    ]
    return max(printed, key=lambda item: (item[0], -table.rows.index(item[1])), default=None)


def _key_numbers(statistics: YearStatistics, _: Translator) -> tuple[KeyNumber, ...]:
    lang = _.code
    year, before = statistics.year, statistics.previous_year
    cases, previous = statistics.cases, statistics.previous_cases
    numbers = [KeyNumber("cases", _display(cases, lang), _("cases analysed in %(year)s", year=year), cases.value)]
    if previous is not None:
        change = _("not given")
        if cases.value is not None and previous.value is not None:
            difference = cases.value - previous.value
            change = _signed(difference, lang)
            if previous.value >= MIN_PERCENT_BASE:
                change += f" ({_signed_percent(difference, previous.value, lang)})"
        caption = _(
            "compared with %(previous_year)s (%(previous)s cases)",
            previous_year=before,
            previous=_display(previous, lang),
        )
        numbers.append(KeyNumber("change", change, caption))
    excluded = statistics.excluded_no_consent
    numbers.append(
        KeyNumber(
            "excluded_no_consent",
            _display(excluded, lang),
            _("categorised cases without consent to statistics, not counted"),
            excluded.value,
        )
    )
    for code, table_key, row, caption in (
        ("multiple", GROUNDS_PER_CASE, "several_grounds", _("multiple discrimination: two or more grounds")),
        ("intersectional", INTERSECTIONAL, "intersectional", _("intersectional discrimination")),
    ):
        if not statistics.has_table(table_key):
            continue
        cell = statistics.protected.table(table_key).cells[(row, CASES)]
        share = percentage(cell.value, cases.value, MIN_PERCENT_BASE, lang=lang)
        numbers.append(KeyNumber(code, share or _display(cell, lang), caption, cell.value))
    for code, dimension, caption in (
        ("top_ground", GROUNDS_DIMENSION, _("most frequent ground")),
        ("top_area", AREAS_DIMENSION, _("most frequent area of life")),
    ):
        if statistics.has_table(dimension) and (top := _top(statistics.protected.table(dimension))) is not None:
            numbers.append(KeyNumber(code, _row_label(statistics.protected.table(dimension), top[1], _), caption))
    return tuple(numbers)


def present(statistics: YearStatistics, lang: str | None = None, imprint: Imprint | None = None) -> ReportView:
    """Put words on the protected statistics, in German unless English is asked for."""
    _ = Translator(report_language(lang))
    sections = []
    for heading, keys in SECTIONS:
        views = [
            _pairs_view(statistics, _)
            if key == PAIRS
            else _cases_by_year_view(statistics, _)
            if key == CASES_BY_YEAR
            else _table_view(statistics.protected.table(key), _)
            for key in keys
            if key in (PAIRS, CASES_BY_YEAR) or statistics.has_table(key)
        ]
        if views:
            sections.append(SectionView(_(heading), tuple(_with_chart(view, _) for view in views)))
    legend = _(
        "“x”: hidden – fewer than %(k)s cases, or hidden so that no small value can be worked out; at least "
        "one case. “–”: no percentage given.",
        k=statistics.k,
    )
    return ReportView(
        lang=_.code,
        statistics=statistics,
        title=_("Reporting discrimination – annual statistics %(year)s", year=statistics.year),
        key_numbers=_key_numbers(statistics, _),
        sections=_with_legend_at_first_mark(sections, legend),
        translate=_,
        left_out=tuple(_(TABLE_TITLES[key]) for key in statistics.left_out),
        imprint=imprint,
        findings=_findings(statistics, _),
        pooled_notes=pooled_notes(statistics, _),
        year_on_year=_year_on_year(statistics, sections, _),
        legend=legend,
    )


def pooled_notes(statistics: YearStatistics, _: Translator) -> tuple[str, ...]:
    """What the minimum totals left out, in plain sentences (data side: see :func:`below_minimum`)."""
    small = statistics.below_minimum
    if not small:
        return ()
    minimums = statistics.minimums
    if MONTHS in small:  # the months count every case of the year: the year itself is below the minimum
        return (
            _(
                "Fewer than %(minimum)s cases were counted for %(year)s. So that nobody can be recognised, this "
                "year shows only the number of cases, no breakdown.",
                year=statistics.year,
                minimum=minimums.table,
            ),
        )
    notes = []
    comparison = [key for key in small if key.endswith(BY_YEAR_SUFFIX)]
    if comparison:
        notes.append(
            _(
                "The comparison with %(previous_year)s is left out: fewer than %(minimum)s cases were counted "
                "that year.",
                previous_year=statistics.previous_year,
                minimum=minimums.table,
            )
        )
    tables = [_(TABLE_TITLES[key]) for key in small if key not in comparison and key != REGIONS_DIMENSION]
    if tables:
        notes.append(
            _(
                "These tables are left out because they would count fewer than %(minimum)s cases: %(tables)s.",
                minimum=minimums.table,
                tables=", ".join(tables),
            )
        )
    if REGIONS_DIMENSION in small:
        notes.append(
            _(
                "The table by region is left out: it needs at least %(minimum)s cases in the year, or its many "
                "empty and hidden cells would show where someone reported.",
                minimum=minimums.region,
            )
        )
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
