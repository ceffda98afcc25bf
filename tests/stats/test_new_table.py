"""A statistics table added later (issue #14's "by office") falls under the method without further code:
it is counted by the running tally, linked to the number of cases, protected, left out below the minimum,
recorded in the register with its facts, and attacked with the rest."""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.stats.aggregate import YearCounts, counts_from_tally, read_tally
from reporting.stats.disclosure.attack import Release, attack
from reporting.stats.disclosure.model import CellRef
from reporting.stats.register import dump, load, publish
from reporting.stats.report import CASES, YEAR_ON_YEAR_DIMENSIONS, YearStatistics, statistics_from_counts
from reporting.taxonomy import STAT_DIMENSIONS
from tests.conftest import run_db
from tests.stats.conftest import SyntheticCase, insert_cases, random_cases, reference_counts

YEAR = 2026
K = 5
OFFICES = "offices"
DIMENSIONS = (*STAT_DIMENSIONS, OFFICES)


def with_office(cases: Sequence[SyntheticCase], offices: Sequence[str]) -> list[SyntheticCase]:
    return [
        SyntheticCase(case.received_on, True, True, case.intersectional, {**case.staff_codes, OFFICES: [office]})
        for case, office in zip(cases, offices, strict=True)
    ]


def as_read(statistics: YearStatistics) -> Release:
    return load(dump(Release(statistics.protected, statistics.facts())))


def test_a_table_by_office_is_counted_protected_registered_and_attacked(initialised_settings: Settings) -> None:
    rng = random.Random(14)
    offices = ["muenster"] * 70 + ["borken"] * 48 + ["vechta"] * 2  # two cases at one office: small
    cases = with_office(random_cases(rng, len(offices), YEAR), offices)
    one_more = with_office(random_cases(rng, 1, YEAR), ["vechta"])

    async def counted(session: AsyncSession, new: list[SyntheticCase]) -> tuple[YearCounts, YearCounts]:
        await insert_cases(session, new)
        keys = await read_tally(session, (YEAR, YEAR - 1))
        return (
            counts_from_tally(YEAR, keys[YEAR], DIMENSIONS),
            counts_from_tally(YEAR - 1, keys[YEAR - 1], YEAR_ON_YEAR_DIMENSIONS, with_details=False),
        )

    def released(new: list[SyntheticCase]) -> YearStatistics:
        async def work(session: AsyncSession) -> YearStatistics:
            current, previous = await counted(session, new)

            def reprotect(hide: frozenset[CellRef]) -> YearStatistics:
                return statistics_from_counts(current, previous, K, hide, DIMENSIONS)

            published = await publish(session, reprotect(frozenset()), "pdf", reprotect)
            await session.commit()
            return published

        result: YearStatistics = run_db(initialised_settings, work)
        return result

    first = released(cases)
    table = first.protected.table(OFFICES)
    assert table.cell("muenster", CASES).value == 70
    assert table.cell("vechta", CASES).suppressed, "two cases at one office are hidden"
    assert table.cell("borken", CASES).suppressed, "and a complement, or 120 - 70 - 48 would give them away"
    assert f"{YEAR}/{OFFICES}/vechta" in first.facts().values()

    second = released(one_more)
    assert attack([as_read(first)]) == []
    assert attack([as_read(first), as_read(second)]) == []


def test_a_table_by_office_of_a_small_year_is_left_out() -> None:
    rng = random.Random(15)
    cases = with_office(random_cases(rng, 12, YEAR), ["muenster"] * 12)
    statistics = statistics_from_counts(
        reference_counts(cases, YEAR, DIMENSIONS), reference_counts([], YEAR - 1, DIMENSIONS), K, dimensions=DIMENSIONS
    )
    assert OFFICES in statistics.below_minimum
    assert not statistics.has_table(OFFICES)
