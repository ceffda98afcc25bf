"""Plain counts for one year, over the statistical record only.

Only ``report`` metadata (date, consent), ``categorisation`` and the adviser's ``case_code`` rows
(``origin = 'staff'``) are read: nothing is decrypted and no free text is touched, so statistics can
run without any staff key and keep working after case content has been crypto-shredded.

A case counts when an adviser categorised it and its reporter consented to anonymised statistical
use (for walk-in cases the adviser records that consent on the same column). Every count here is a
number of cases, never of code rows: a case with three grounds counts once under each ground.

The report reads the running counts of ``reporting.tally`` (:func:`aggregate_year`): one query of a few
hundred rows for both years. :func:`recount_year` counts the same from the codes in SQL (a pass over every
code of the year); :func:`rebuild_tally` uses it to build the tally the first time and to repair it.
These counts are raw; nothing from this module may be published before ``disclosure.protection.protect``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    Integer,
    Subquery,
    and_,
    case,
    cast,
    delete,
    exists,
    extract,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from reporting import tally
from reporting.db.models import CaseCode, Categorisation, Report, StatsTally

STAFF_ORIGIN = tally.STAFF_ORIGIN
GROUNDS_DIMENSION = tally.GROUNDS_DIMENSION


@dataclass
class YearCounts:
    """Raw case counts of one year (unprotected: never publish these directly)."""

    year: int
    cases: int = 0
    excluded_no_consent: int = 0
    by_code: dict[str, dict[str, int]] = field(default_factory=dict)
    """dimension -> term code -> number of cases."""
    with_any_code: dict[str, int] = field(default_factory=dict)
    """dimension -> number of cases with at least one code in it (the rest are "not recorded")."""
    by_month: dict[int, int] = field(default_factory=dict)
    """month 1..12 -> number of cases."""
    multiple_grounds: int = 0
    intersectional: int = 0
    ground_pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    """(ground, ground) with the codes in sorted order -> cases that have both."""

    def not_recorded(self, dimension: str, universe: int | None = None) -> int:
        """Cases (of ``universe``, by default all) without a code in ``dimension``: the row that makes a
        table account for every case."""
        return (self.cases if universe is None else universe) - self.with_any_code.get(dimension, 0)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _month_of(column: ColumnElement[dt.date] | InstrumentedAttribute[dt.date]) -> ColumnElement[int]:
    # extract() renders as strftime on SQLite and EXTRACT on PostgreSQL (numeric there): cast both.
    return cast(extract("month", column), Integer)


def counted_cases(year: int, condition: tuple[str, str] | None = None) -> Subquery:
    """The counted cases of ``year`` (id and month): received that year, categorised, consent given.

    With ``condition`` (dimension, code), only those among them whose adviser recorded that code.
    Every count joins its codes to this one derived table, so that each runs as one pass driven by
    the reports of the year (index on ``received_on``, then the primary keys).
    """
    first, last = year_bounds(year)
    statement = (
        select(Report.id.label("report_id"), _month_of(Report.received_on).label("month"))
        .join(Categorisation, Categorisation.report_id == Report.id)
        .where(Report.received_on.between(first, last), Report.consent_statistics.is_(True))
    )
    if condition is not None:
        dimension, code = condition
        statement = statement.where(
            exists().where(
                CaseCode.report_id == Report.id,
                CaseCode.origin == STAFF_ORIGIN,
                CaseCode.dimension == dimension,
                CaseCode.code == code,
            )
        )
    return statement.subquery("counted")


def _codes_of(counted: Subquery, dimensions: Sequence[str]) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Join condition and filter of the adviser's codes of the counted cases in ``dimensions``."""
    return (
        CaseCode.report_id == counted.c.report_id,
        and_(CaseCode.origin == STAFF_ORIGIN, CaseCode.dimension.in_(list(dimensions))),
    )


async def _count_by_code(
    session: AsyncSession, counted: Subquery, dimensions: Sequence[str], counts: YearCounts
) -> None:
    """Cases per (dimension, code), and per dimension the cases with at least one code (and, for
    grounds, with two or more): two passes over the codes of the counted cases."""
    on, where = _codes_of(counted, dimensions)
    by_code = (
        select(CaseCode.dimension, CaseCode.code, func.count())
        .join(counted, on)
        .where(where)
        .group_by(CaseCode.dimension, CaseCode.code)
    )
    for dimension, code, number in await session.execute(by_code):
        counts.by_code.setdefault(dimension, {})[code] = int(number)
    per_case = (
        select(CaseCode.dimension, func.count().label("codes"))
        .join(counted, on)
        .where(where)
        .group_by(CaseCode.report_id, CaseCode.dimension)
        .subquery("per_case")
    )
    per_dimension = select(per_case.c.dimension, func.count(), func.count(case((per_case.c.codes >= 2, 1)))).group_by(
        per_case.c.dimension
    )
    for dimension, with_code, several in await session.execute(per_dimension):
        counts.with_any_code[dimension] = int(with_code)
        if dimension == GROUNDS_DIMENSION:
            counts.multiple_grounds = int(several)


async def count_cases(session: AsyncSession, year: int) -> YearCounts:
    """Counted cases, those left out for lack of consent, cases per month and intersectional cases:
    one pass over the categorised reports of ``year``."""
    first, last = year_bounds(year)
    month = _month_of(Report.received_on)
    consented = Report.consent_statistics.is_(True)
    statement = (
        select(
            month,
            func.count(case((consented, 1))),
            func.count(case((Report.consent_statistics.is_not(True), 1))),
            func.count(case((and_(consented, Categorisation.intersectional.is_(True)), 1))),
        )
        .join(Categorisation, Categorisation.report_id == Report.id)
        .where(Report.received_on.between(first, last))
        .group_by(month)
    )
    counts = YearCounts(year=year)
    for number_of_month, counted, excluded, intersectional in await session.execute(statement):
        counts.cases += int(counted)
        counts.excluded_no_consent += int(excluded)
        counts.intersectional += int(intersectional)
        if counted:
            counts.by_month[int(number_of_month)] = int(counted)
    return counts


async def recount_year(
    session: AsyncSession,
    year: int,
    dimensions: Iterable[str],
    *,
    conditional_dimensions: Mapping[str, tuple[str, str]] | None = None,
    with_details: bool = True,
) -> YearCounts:
    """Count the cases of ``year`` by every code of ``dimensions`` (plus the details the report needs) from
    the codes themselves: several passes over every code of the year (seconds at 100,000 cases).

    ``conditional_dimensions`` maps a dimension to the (dimension, code) a case must carry for it to
    count there at all (forms of racism only among cases with the ground racism), so that such a table
    adds up to that one count. ``with_details=False`` leaves out the pairs
    of grounds, which the previous year of a year-on-year comparison does not need.
    """
    conditions = dict(conditional_dimensions or {})
    plain = [dimension for dimension in dimensions if dimension not in conditions]
    counts = await count_cases(session, year)
    if counts.cases == 0:
        return counts

    counted = counted_cases(year)
    if plain:
        await _count_by_code(session, counted, plain, counts)
    for dimension, condition in conditions.items():
        if dimension in dimensions:
            await _count_by_code(session, counted_cases(year, condition), [dimension], counts)
    if not with_details:
        return counts

    first, second = aliased(CaseCode), aliased(CaseCode)
    pairs = (
        select(first.code, second.code, func.count())
        .join(counted, first.report_id == counted.c.report_id)
        .join(
            second,
            and_(
                second.report_id == first.report_id,
                second.origin == STAFF_ORIGIN,
                second.dimension == GROUNDS_DIMENSION,
                second.code > first.code,
            ),
        )
        .where(first.origin == STAFF_ORIGIN, first.dimension == GROUNDS_DIMENSION)
        .group_by(first.code, second.code)
    )
    counts.ground_pairs = {(a, b): int(number) for a, b, number in await session.execute(pairs)}
    return counts


def tally_keys(counts: YearCounts) -> dict[str, int]:
    """``counts`` as the tally holds them (see ``reporting.tally.contributions``)."""
    keys = {tally.CASES: counts.cases, tally.EXCLUDED: counts.excluded_no_consent}
    keys[tally.INTERSECTIONAL] = counts.intersectional
    keys[f"{tally.SEVERAL}/{GROUNDS_DIMENSION}"] = counts.multiple_grounds
    keys.update({f"{tally.MONTH}/{month}": number for month, number in counts.by_month.items()})
    for dimension, by_code in counts.by_code.items():
        keys.update({f"{tally.CODE}/{dimension}/{code}": number for code, number in by_code.items()})
    keys.update({f"{tally.ANY}/{dimension}": number for dimension, number in counts.with_any_code.items()})
    keys.update({f"{tally.PAIR}/{first}/{second}": number for (first, second), number in counts.ground_pairs.items()})
    return {key: number for key, number in keys.items() if number}


def counts_from_tally(
    year: int, keys: Mapping[str, int], dimensions: Iterable[str], *, with_details: bool = True
) -> YearCounts:
    """The counts of ``year`` in ``dimensions`` from its tally (``with_details=False``: without pairs)."""
    wanted = set(dimensions)
    counts = YearCounts(year=year)
    for key, number in keys.items():
        if not number:
            continue
        kind, _, rest = key.partition("/")
        if key == tally.CASES:
            counts.cases = number
        elif key == tally.EXCLUDED:
            counts.excluded_no_consent = number
        elif key == tally.INTERSECTIONAL:
            counts.intersectional = number
        elif key == f"{tally.SEVERAL}/{GROUNDS_DIMENSION}":
            counts.multiple_grounds = number
        elif kind == tally.MONTH:
            counts.by_month[int(rest)] = number
        elif kind == tally.CODE:
            dimension, code = rest.split("/", 1)
            if dimension in wanted:
                counts.by_code.setdefault(dimension, {})[code] = number
        elif kind == tally.ANY and rest in wanted:
            counts.with_any_code[rest] = number
        elif kind == tally.PAIR and with_details:
            first, second = rest.split("/", 1)
            counts.ground_pairs[(first, second)] = number
    return counts


async def read_tally(session: AsyncSession, years: Iterable[int]) -> dict[int, dict[str, int]]:
    """The tally of ``years`` (one query), building it from the codes first if it never was."""
    built = await session.scalar(
        select(StatsTally.count).where(StatsTally.year == tally.BUILT_YEAR, StatsTally.key == tally.BUILT)
    )
    if built is None:
        await rebuild_tally(session)
    keys: dict[int, dict[str, int]] = {year: {} for year in years}
    rows = await session.execute(
        select(StatsTally.year, StatsTally.key, StatsTally.count).where(StatsTally.year.in_(list(keys)))
    )
    for year, key, number in rows:
        keys[year][key] = number
    return keys


async def aggregate_year(
    session: AsyncSession,
    year: int,
    dimensions: Iterable[str],
    *,
    with_details: bool = True,
) -> YearCounts:
    """Count the cases of ``year`` by every code of ``dimensions`` from the tally (one small query)."""
    keys = await read_tally(session, [year])
    return counts_from_tally(year, keys[year], dimensions, with_details=with_details)


async def rebuild_tally(session: AsyncSession) -> None:
    """Recount the whole tally from the codes (every year, every dimension) and mark it built.

    On PostgreSQL the table is locked first: a categorisation saved meanwhile waits and then adds its
    change to the recount, which did not see it. Run by the first report after the upgrade that added
    the tally, and by ``reporting stats retally``.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("LOCK TABLE stats_tally IN EXCLUSIVE MODE"))
    received_year = cast(extract("year", Report.received_on), Integer)
    years = await session.scalars(
        select(received_year).join(Categorisation, Categorisation.report_id == Report.id).distinct()
    )
    dimensions = list(
        await session.scalars(select(CaseCode.dimension).where(CaseCode.origin == STAFF_ORIGIN).distinct())
    )
    await session.execute(delete(StatsTally))
    rows = [{"year": tally.BUILT_YEAR, "key": tally.BUILT, "count": 1}]
    for year in sorted(int(year) for year in years):
        counts = await recount_year(session, year, dimensions, conditional_dimensions=tally.CONDITIONAL_DIMENSIONS)
        rows += [{"year": year, "key": key, "count": number} for key, number in tally_keys(counts).items()]
    await session.execute(insert(StatsTally), rows)
