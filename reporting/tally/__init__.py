"""Running counts of the statistical record, kept up to date wherever a case's record changes.

The annual report counts cases per code, month, pair of grounds and so on over every categorised case
of a year: a million code rows at 100,000 cases, seconds of SQL. Each case adds a fixed set of ones to
those counts (its *contributions*, a function of its year and month of receipt, consent, categorisation
and the adviser's codes), so ``stats_tally`` keeps their sums per year and the report reads a few
hundred rows. Every writer of those facts wraps its change in :func:`retallied`, which takes the
case's contributions out before and puts them back after, both read from the database, so the tally
always equals a recount of what is committed. ``reporting.stats.aggregate.rebuild_tally`` recounts from
the codes (the first time, and whenever a writer could have bypassed this).

These counts are raw: nothing of them may be published before disclosure control.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from contextlib import asynccontextmanager
from itertools import combinations
from typing import Final

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import CaseCode, Categorisation, Report, StatsTally

STAFF_ORIGIN: Final = "staff"
GROUNDS_DIMENSION: Final = "grounds"
RACISM_GROUND: Final = "racism_ethnic_origin"
CONDITIONAL_DIMENSIONS: Final[Mapping[str, tuple[str, str]]] = {"racism_subtypes": (GROUNDS_DIMENSION, RACISM_GROUND)}
"""Dimensions counted only among the cases carrying one code (forms of racism: cases of racism)."""

CASES: Final = "cases"
EXCLUDED: Final = "excluded"
"""Categorised cases whose reporter did not consent: counted apart, never in a table."""
INTERSECTIONAL: Final = "intersectional"
MONTH: Final = "month"
CODE: Final = "code"
ANY: Final = "any"
SEVERAL: Final = "several"
PAIR: Final = "pair"
BUILT_YEAR: Final = 0
BUILT: Final = "built"
"""Key in year 0: the tally was built from the codes, so it holds every case written before it existed."""


def contributions(
    received_on: dt.date, consent: bool, intersectional: bool, codes: Mapping[str, Collection[str]]
) -> Counter[str]:
    """The ones a categorised case adds to the tally of its year (codes: the adviser's, by dimension)."""
    if not consent:
        return Counter({EXCLUDED: 1})
    keys = Counter({CASES: 1, f"{MONTH}/{received_on.month}": 1})
    if intersectional:
        keys[INTERSECTIONAL] += 1
    for dimension, values in codes.items():
        condition = CONDITIONAL_DIMENSIONS.get(dimension)
        if condition is not None and condition[1] not in codes.get(condition[0], ()):
            continue
        distinct = sorted(set(values))
        if not distinct:
            continue
        keys.update(f"{CODE}/{dimension}/{code}" for code in distinct)
        keys[f"{ANY}/{dimension}"] += 1
        if dimension == GROUNDS_DIMENSION and len(distinct) >= 2:
            keys[f"{SEVERAL}/{dimension}"] += 1
    for first, second in combinations(sorted(set(codes.get(GROUNDS_DIMENSION, ()))), 2):
        keys[f"{PAIR}/{first}/{second}"] += 1
    return keys


async def tally_of(db: AsyncSession, report_ids: Iterable[uuid.UUID]) -> Counter[tuple[int, str]]:
    """The contributions of these cases as the database holds them now, by (year, key)."""
    ids = list(dict.fromkeys(report_ids))
    total: Counter[tuple[int, str]] = Counter()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cases = await db.execute(
            select(Report.id, Report.received_on, Report.consent_statistics, Categorisation.intersectional)
            .join(Categorisation, Categorisation.report_id == Report.id)
            .where(Report.id.in_(chunk))
        )
        codes: dict[uuid.UUID, dict[str, list[str]]] = {}
        for report_id, dimension, code in await db.execute(
            select(CaseCode.report_id, CaseCode.dimension, CaseCode.code).where(
                CaseCode.report_id.in_(chunk), CaseCode.origin == STAFF_ORIGIN
            )
        ):
            codes.setdefault(report_id, {}).setdefault(dimension, []).append(code)
        for report_id, received_on, consent, intersectional in cases:
            for key, number in contributions(received_on, consent, intersectional, codes.get(report_id, {})).items():
                total[(received_on.year, key)] += number
    return total


async def add(db: AsyncSession, delta: Mapping[tuple[int, str], int]) -> None:
    """Add ``delta`` to the tally in one statement, in key order (concurrent writers never deadlock)."""
    rows = [{"year": year, "key": key, "count": number} for (year, key), number in sorted(delta.items()) if number]
    if not rows:
        return
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(StatsTally)
    adding = {"count": StatsTally.count + statement.excluded.count}
    await db.execute(
        statement.on_conflict_do_update(index_elements=[StatsTally.year, StatsTally.key], set_=adding), rows
    )


async def count_in(db: AsyncSession, report_ids: Iterable[uuid.UUID]) -> None:
    """Add the cases as they stand (after writing them, flushed)."""
    await add(db, await tally_of(db, report_ids))


@asynccontextmanager
async def retallied(db: AsyncSession, report_ids: Iterable[uuid.UUID]) -> AsyncIterator[None]:
    """Around a change of these cases' statistical record: their old contributions out, the new in."""
    ids = list(report_ids)
    await db.flush()
    before = await tally_of(db, ids)
    yield
    await db.flush()
    after = await tally_of(db, ids)
    after.subtract(before)
    await add(db, after)
