"""The attacker of the 2026 audit, in the suite: integer programming (HiGHS) over published numbers only.

Each release goes through the register's storage first (``dump``/``load``), so the attacker holds only
what a reader holds: printed numbers, the one mark "x", the table shapes and k. It must place no count
that is really between 1 and k-1 inside 1..k-1 (exactly or as an interval), on random case sets, on the
adversarial ones of the audit, and on pairs of releases as the register lets them out.

Short mode by default (CI); the full run is ``REPORTING_ATTACK_FULL=1 pytest tests/stats/test_attacker.py``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.stats.aggregate import GROUNDS_DIMENSION, YearCounts
from reporting.stats.disclosure.attack import Release, attack
from reporting.stats.disclosure.model import Cell, CellRef, Table, TableSet
from reporting.stats.register import PublicationRefusedError, dump, load, publish
from reporting.stats.report import GROUNDS_PER_CASE, YearStatistics, grounds_per_case_limits, statistics_from_counts
from reporting.taxonomy import STAT_DIMENSIONS
from tests.conftest import run_db
from tests.stats.conftest import SyntheticCase, random_cases, reference_counts
from tests.stats.test_disclosure import everything_hidden

YEAR = 2026
FULL = os.environ.get("REPORTING_ATTACK_FULL") == "1"
RANDOM_SETS = 2000 if FULL else 200
LARGEST_SET = 400 if FULL else 60
RANDOM_PAIRS = 200 if FULL else 12


def statistics_of(cases: Sequence[SyntheticCase], previous: Sequence[SyntheticCase], k: int) -> YearStatistics:
    return statistics_from_counts(
        reference_counts(cases, YEAR, STAT_DIMENSIONS), reference_counts(previous, YEAR - 1, STAT_DIMENSIONS), k
    )


def as_read(statistics: YearStatistics) -> Release:
    """The release as stored and read back: nothing of why a count is hidden survives."""
    return load(dump(Release(statistics.protected, statistics.facts())))


def small_hidden(statistics: YearStatistics) -> int:
    return sum(cell.suppressed_primary for table in statistics.protected.tables for cell in table.cells.values())


def assert_nothing_found(*releases: Release) -> None:
    findings = attack(releases)
    assert findings == [], findings[:5]


def test_random_case_sets() -> None:
    rng = random.Random(13)
    hidden = 0
    for _ in range(RANDOM_SETS):
        cases = random_cases(rng, rng.randrange(1, LARGEST_SET), YEAR)
        previous = random_cases(rng, rng.randrange(0, LARGEST_SET), YEAR - 1)
        statistics = statistics_of(cases, previous, rng.choice((3, 5)))
        hidden += small_hidden(statistics)
        assert_nothing_found(as_read(statistics))
    assert hidden > RANDOM_SETS, "the random sets must exercise suppression"


def with_codes(case: SyntheticCase, **codes: list[str]) -> SyntheticCase:
    return SyntheticCase(
        received_on=case.received_on,
        consent=True,
        categorised=True,
        intersectional=False,
        staff_codes={**case.staff_codes, **codes},
    )


def adversarial_sets() -> dict[str, list[SyntheticCase]]:
    rng = random.Random(2026)
    grounds = ("racism_ethnic_origin", "religion", "gender", "age")
    single = [with_codes(case, grounds=[rng.choice(grounds)]) for case in random_cases(rng, 300, YEAR)]
    rare = [with_codes(case, grounds=["gender"]) for case in random_cases(rng, 200, YEAR)]
    rare[17] = with_codes(rare[17], grounds=["language"])
    lonely = [with_codes(case, regions=["muenster"]) for case in random_cases(rng, 200, YEAR)]
    lonely[3] = with_codes(lonely[3], regions=["kleve"])
    three = [with_codes(case) for case in random_cases(rng, 3, YEAR)]
    return {"single ground everywhere": single, "one rare ground": rare, "one case in a region": lonely, "three": three}


@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("name", list(adversarial_sets()))
def test_adversarial_case_sets(name: str, k: int) -> None:
    statistics = statistics_of(adversarial_sets()[name], random_cases(random.Random(1), 40, YEAR - 1), k)

    if name == "three":  # below the minimum total: nothing but the numbers of cases, so no zero says anything
        assert {table.key for table in statistics.protected.tables} == {"cases_current", "cases_previous"}
        assert "grounds" in statistics.below_minimum
    else:
        assert small_hidden(statistics) > 0 or name == "single ground everywhere"
    assert_nothing_found(as_read(statistics))


def test_the_attacker_uses_the_grounds_per_case_identity() -> None:
    """Control: with no case of several grounds, 30 cases and every ground printed but one, the hidden one
    is 30 minus the rest (30 - 20 - 9 = 1, as in the 2026 audit). The grounds table alone does not say so
    (only "at least 30"): the attacker must find it through the grounds per case."""
    grounds = Table(
        GROUNDS_DIMENSION,
        "t",
        (GROUNDS_DIMENSION,),
        ["religion", "gender", "age"],
        ["cases"],
        {("religion", "cases"): 20, ("gender", "cases"): 9, ("age", "cases"): 1},
        additive=False,
        given_column_totals={"cases": 30},
        given_grand_total=30,
    )
    per_case = Table(
        GROUNDS_PER_CASE,
        "t",
        (GROUNDS_DIMENSION,),
        ["one_ground", "several_grounds", "no_ground"],
        ["cases"],
        {("one_ground", "cases"): 30},
    )
    tables = TableSet(
        [grounds, per_case],
        [(grounds.grand_total_ref(), per_case.grand_total_ref())],
        grounds_per_case_limits(grounds, per_case),
    )
    hidden = everything_hidden(tables, 5)

    def printed_but_age(limits: bool) -> Release:
        shown = tuple(
            replace(
                table,
                cells={
                    position: cell if position[0] == "age" else printed_cell(tables, table.key, *position)
                    for position, cell in table.cells.items()
                },
            )
            for table in hidden.tables
        )
        return Release(replace(hidden, tables=shown, limits=tuple(tables.limits) if limits else ()), {})

    assert attack([printed_but_age(limits=False)]) == [], "without the identity the hidden ground stays open"
    found = attack([printed_but_age(limits=True)])
    assert {finding.ref for finding in found} == {CellRef(GROUNDS_DIMENSION, "age", "cases")}


def printed_cell(tables: TableSet, key: str, row: str, column: str) -> Cell:
    value = tables.value(CellRef(key, row, column))
    return Cell(value, str(value), suppressed_primary=False, suppressed_secondary=False)


def test_a_rerun_after_one_more_case_would_disclose() -> None:
    rng = random.Random(7)
    cases = [with_codes(case) for case in random_cases(rng, 80, YEAR)]
    first = statistics_of(cases, [], 5)
    second = statistics_of([*cases, with_codes(random_cases(rng, 1, YEAR)[0])], [], 5)

    assert_nothing_found(as_read(first), as_read(first))
    assert attack([as_read(first), as_read(second)]) != []


def test_the_register_lets_out_only_what_the_attacker_cannot_use(initialised_settings: Settings) -> None:
    """Pairs of releases through the real register: a re-run after one more case is refused, another k
    is refused, and next year's report goes out without the previous-year numbers where late cases would
    show; every pair it lets out is attacked jointly and yields nothing."""
    rng = random.Random(11)
    earlier = [with_codes(case) for case in random_cases(rng, 120, YEAR - 1)]
    current = [with_codes(case) for case in random_cases(rng, 150, YEAR)]
    late = [with_codes(case) for case in random_cases(rng, 2, YEAR - 1)]
    settings = initialised_settings

    def publish_now(statistics: YearStatistics, kind: str = "pdf") -> YearStatistics:
        return run_db(settings, lambda session: publish(session, statistics, kind))

    last_year = statistics_from_counts(
        reference_counts(earlier, YEAR - 1, STAT_DIMENSIONS), reference_counts([], YEAR - 2, STAT_DIMENSIONS), 5
    )
    published_last_year = publish_now(last_year)
    assert publish_now(last_year, "export") == last_year  # the same numbers again: nothing new

    with pytest.raises(PublicationRefusedError, match="one k per series"):
        publish_now(
            statistics_from_counts(
                reference_counts(earlier, YEAR - 1, STAT_DIMENSIONS), reference_counts([], YEAR - 2, STAT_DIMENSIONS), 3
            )
        )
    rerun = statistics_from_counts(
        reference_counts([*earlier, *late[:1]], YEAR - 1, STAT_DIMENSIONS),
        reference_counts([], YEAR - 2, STAT_DIMENSIONS),
        5,
    )
    with pytest.raises(PublicationRefusedError, match="would disclose"):
        publish_now(rerun, "preview")

    this_year = statistics_of(current, [*earlier, *late], 5)
    published = publish_now(this_year)
    assert "cases_previous" in published.left_out
    assert_nothing_found(as_read(published_last_year), as_read(published))


def test_random_pairs_of_releases_through_the_register(initialised_settings: Settings) -> None:
    """A release, then 1 to k+2 more cases and the next release of the same year, as the register lets it
    out (protected jointly where the numbers changed by 1..k-1): the attacker over both finds nothing."""
    rng = random.Random(1313)
    published_pairs = 0
    for number in range(RANDOM_PAIRS):
        year, k = 2030 + 2 * number, rng.choice((3, 5))
        cases = [with_codes(case) for case in random_cases(rng, rng.randrange(20, max(21, LARGEST_SET)), year)]
        more = [with_codes(case) for case in random_cases(rng, rng.randrange(1, k + 3), year)]

        async def work(
            session: AsyncSession, year: int = year, k: int = k, series: tuple[list[SyntheticCase], ...] = (cases, more)
        ) -> tuple[Release, Release | None]:
            releases: list[Release] = []
            for counted in (series[0], [*series[0], *series[1]]):
                current = reference_counts(counted, year, STAT_DIMENSIONS)
                previous = reference_counts([], year - 1, STAT_DIMENSIONS)

                def reprotect(
                    hide: frozenset[CellRef], current: YearCounts = current, previous: YearCounts = previous
                ) -> YearStatistics:
                    return statistics_from_counts(current, previous, k, also_hide=hide)

                try:
                    releases.append(as_read(await publish(session, reprotect(frozenset()), "preview", reprotect)))
                except PublicationRefusedError:
                    return releases[0], None
            await session.commit()
            return releases[0], releases[1]

        first, second = run_db(initialised_settings, work)
        assert_nothing_found(first)
        if second is not None:
            published_pairs += 1
            assert_nothing_found(first, second)
    assert published_pairs >= RANDOM_PAIRS // 2, "most second releases go out, protected jointly"
