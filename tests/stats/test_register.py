"""Previews and final releases of an open year: checked jointly, and neither blocks the other.

A preview is a release (a statistician who previews every day could otherwise difference them), so it is
recorded. The next release of the same year, after fewer than k new cases, used to be refused until k
more cases had come in. Now it is protected jointly: every number whose fact an earlier release printed
differently by 1..k-1 is hidden (with its complements), so it goes out, the numbers both releases print
are the same, and the attacker over both finds nothing.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.db.models import StatsPublication
from reporting.stats.disclosure.attack import Release, attack
from reporting.stats.register import PublicationRefusedError, dump, load, publish, publish_year
from reporting.stats.report import YearStatistics, compute_year_statistics
from tests.conftest import run_db
from tests.stats.conftest import SyntheticCase, insert_cases, random_cases

YEAR = 2026
K = 5


def consenting(cases: list[SyntheticCase]) -> list[SyntheticCase]:
    return [SyntheticCase(case.received_on, True, True, case.intersectional, case.staff_codes) for case in cases]


def as_read(statistics: YearStatistics) -> Release:
    return load(dump(Release(statistics.protected, statistics.facts())))


def add_cases(settings: Settings, cases: list[SyntheticCase]) -> None:
    async def work(session: AsyncSession) -> None:
        await insert_cases(session, cases)
        await session.commit()

    run_db(settings, work)


def release(settings: Settings, kind: str) -> YearStatistics:
    async def work(session: AsyncSession) -> YearStatistics:
        published = await publish_year(session, YEAR, K, kind)
        await session.commit()
        return published

    result: YearStatistics = run_db(settings, work)
    return result


def printed_facts(statistics: YearStatistics) -> dict[str, int]:
    return {
        fact: value
        for ref, fact in statistics.facts().items()
        if (value := statistics.protected.cell(ref).value) is not None
    }


@pytest.mark.parametrize(("first", "second"), [("preview", "pdf"), ("pdf", "preview"), ("preview", "preview")])
def test_one_more_case_after_a_release_does_not_block_the_next(
    initialised_settings: Settings, first: str, second: str
) -> None:
    rng = random.Random(13)
    add_cases(initialised_settings, consenting(random_cases(rng, 120, YEAR)))
    earlier = release(initialised_settings, first)
    add_cases(initialised_settings, consenting(random_cases(rng, 1, YEAR)))

    async def checked_alone(session: AsyncSession) -> None:
        """What the register did before: the new counts, protected on their own, are refused."""
        with pytest.raises(PublicationRefusedError, match="would disclose"):
            await publish(session, await compute_year_statistics(session, YEAR, K), second)
        await session.rollback()

    run_db(initialised_settings, checked_alone)
    later = release(initialised_settings, second)

    assert attack([as_read(earlier), as_read(later)]) == []
    before, after = printed_facts(earlier), printed_facts(later)
    shared = before.keys() & after.keys()
    assert shared, "the later release still prints numbers"
    assert all(before[fact] == after[fact] for fact in shared), "both print the same numbers"

    async def recorded(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(StatsPublication)) or 0)

    assert run_db(initialised_settings, recorded) == 2


def test_k_more_cases_show_again(initialised_settings: Settings) -> None:
    """Hiding is for differences of 1..k-1 only: after many more cases the totals are printed again."""
    rng = random.Random(17)
    add_cases(initialised_settings, consenting(random_cases(rng, 120, YEAR)))
    earlier = release(initialised_settings, "preview")
    add_cases(initialised_settings, consenting(random_cases(rng, 40, YEAR)))
    later = release(initialised_settings, "pdf")

    assert later.cases.value == 160
    assert earlier.cases.value == 120
    assert attack([as_read(earlier), as_read(later)]) == []
