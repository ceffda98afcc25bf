"""The SQL aggregation counts exactly what a plain Python count over the same cases gives."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.stats.aggregate import YearCounts, aggregate_year, rebuild_tally, recount_year
from reporting.tally import CONDITIONAL_DIMENSIONS
from reporting.taxonomy import STAT_DIMENSIONS
from tests.conftest import run_db
from tests.stats.conftest import SyntheticCase, insert_cases, random_cases, reference_counts

YEAR = 2026


def test_sql_counts_equal_python_counts(initialised_settings: Settings, rng: random.Random) -> None:
    cases = random_cases(rng, 160, YEAR) + random_cases(rng, 40, YEAR - 1) + random_cases(rng, 10, YEAR + 1)
    # Forms of racism recorded without the ground racism must not count (the form forbids it, data may not).
    cases.append(
        SyntheticCase(
            received_on=dt.date(YEAR, 3, 3),
            staff_codes={"grounds": ["age"], "racism_subtypes": ["antisemitism"], "regions": ["kleve"]},
        )
    )

    async def work(session: AsyncSession) -> tuple[YearCounts, YearCounts, YearCounts]:
        await insert_cases(session, cases)
        tallied = await aggregate_year(session, YEAR, STAT_DIMENSIONS)
        recounted = await recount_year(session, YEAR, STAT_DIMENSIONS, conditional_dimensions=CONDITIONAL_DIMENSIONS)
        await rebuild_tally(session)
        return tallied, recounted, await aggregate_year(session, YEAR, STAT_DIMENSIONS)

    tallied, recounted, rebuilt = run_db(initialised_settings, work)
    assert tallied == recounted == rebuilt, "the running tally, the recount and the rebuilt tally agree"
    counted = tallied
    expected = reference_counts(cases, YEAR, STAT_DIMENSIONS)
    assert counted.cases == expected.cases > 100
    assert counted.excluded_no_consent == expected.excluded_no_consent > 0
    assert counted.by_code == expected.by_code
    assert counted.with_any_code == expected.with_any_code
    assert counted.by_month == expected.by_month
    assert counted.multiple_grounds == expected.multiple_grounds > 0
    assert counted.intersectional == expected.intersectional > 0
    assert counted.ground_pairs == expected.ground_pairs
    # "don't know" exists only on the reporter's side and never reaches a count.
    assert "unknown" not in counted.by_code["grounds"]


def test_only_consenting_categorised_cases_of_the_year_count(initialised_settings: Settings) -> None:
    day = dt.date(YEAR, 5, 5)
    codes = {"grounds": ["religion"], "areas": ["housing"], "regions": ["borken"]}
    cases = [
        SyntheticCase(day, consent=True, staff_codes=codes),
        SyntheticCase(day, consent=True, staff_codes=codes, source="walk_in"),
        SyntheticCase(day, consent=False, staff_codes=codes),
        SyntheticCase(day, consent=False, staff_codes=codes, source="walk_in"),
        SyntheticCase(day, consent=True, categorised=False, staff_codes=codes),
        SyntheticCase(dt.date(YEAR - 1, 12, 31), consent=True, staff_codes=codes),
        SyntheticCase(dt.date(YEAR + 1, 1, 1), consent=True, staff_codes=codes),
    ]

    async def work(session: AsyncSession) -> YearCounts:
        await insert_cases(session, cases)
        return await aggregate_year(session, YEAR, STAT_DIMENSIONS)

    counted = run_db(initialised_settings, work)
    assert counted.cases == 2
    assert counted.excluded_no_consent == 2
    assert counted.by_code["grounds"] == {"religion": 2}
    assert counted.not_recorded("levels") == 2


def test_an_empty_year_counts_nothing(initialised_settings: Settings) -> None:
    async def work(session: AsyncSession) -> YearCounts:
        return await aggregate_year(session, YEAR, STAT_DIMENSIONS)

    counted = run_db(initialised_settings, work)
    assert (counted.cases, counted.excluded_no_consent, counted.by_code) == (0, 0, {})
