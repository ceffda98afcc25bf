"""Minimum totals: a year, a year before, a part of the cases or the regions with too few cases are left
out as a whole, decided on totals only, and the report, the preview and the exports say so in words."""

from __future__ import annotations

import json
import random

import pytest

from reporting.stats.disclosure.attack import Release, attack
from reporting.stats.export import export_tables
from reporting.stats.pdf import render_report_html
from reporting.stats.register import dump, load
from reporting.stats.report import (
    CURRENT_CASES,
    PREVIOUS_CASES,
    REGIONS_DIMENSION,
    Minimums,
    YearStatistics,
    present,
    statistics_from_counts,
)
from reporting.taxonomy import STAT_DIMENSIONS
from tests.stats.conftest import SyntheticCase, random_cases, reference_counts

YEAR = 2026


def consenting(cases: list[SyntheticCase]) -> list[SyntheticCase]:
    return [
        SyntheticCase(case.received_on, True, True, case.intersectional, case.staff_codes, source=case.source)
        for case in cases
    ]


def statistics_of(current: list[SyntheticCase], previous: list[SyntheticCase], k: int = 5) -> YearStatistics:
    return statistics_from_counts(
        reference_counts(current, YEAR, STAT_DIMENSIONS), reference_counts(previous, YEAR - 1, STAT_DIMENSIONS), k
    )


def keys(statistics: YearStatistics) -> set[str]:
    return {table.key for table in statistics.protected.tables}


@pytest.mark.parametrize("k", [3, 5])
def test_a_year_of_three_cases_publishes_only_its_number(k: int) -> None:
    """The 2026 audit: with three cases, the zeros of every table said what all three share and placed
    each case's region and month. Now no table of the year is printed at all, in any output."""
    rng = random.Random(3)
    statistics = statistics_of(consenting(random_cases(rng, 3, YEAR)), random_cases(rng, 200, YEAR - 1), k)

    assert keys(statistics) == {CURRENT_CASES, PREVIOUS_CASES}
    assert set(statistics.below_minimum) >= {*STAT_DIMENSIONS, "months", "grounds_by_year"}
    assert statistics.pairs == ()
    assert attack([load(dump(Release(statistics.protected, statistics.facts())))]) == []
    for lang, sentence in (("de", "weniger als 20 Fälle"), ("en", "Fewer than 20 cases")):
        view = present(statistics, lang)
        assert any(sentence in note for note in view.pooled_notes), view.pooled_notes
        assert sentence in render_report_html(view)
        document = json.loads(export_tables(view, "json"))
        assert [table["key"] for table in document["tables"] if table["rows"]] == ["cases_by_year"]
        assert any(sentence in paragraph for paragraph in document["method"])


def test_small_parts_regions_and_a_small_year_before_are_left_out_and_named() -> None:
    rng = random.Random(5)
    current = consenting(random_cases(rng, 40, YEAR))
    for case in current:  # forms of racism would count among 0 cases of racism: below the minimum
        case.staff_codes["grounds"] = ["age"]
        case.staff_codes.pop("racism_subtypes", None)
    statistics = statistics_of(current, consenting(random_cases(rng, 10, YEAR - 1)))

    assert set(statistics.below_minimum) == {"racism_subtypes", REGIONS_DIMENSION, "grounds_by_year", "areas_by_year"}
    assert {"grounds", "areas", "months", PREVIOUS_CASES} <= keys(statistics)
    notes = " ".join(present(statistics, "de").pooled_notes)
    assert "Der Vergleich mit 2025 entfällt" in notes
    assert "Formen von Rassismus" in notes or "Rassismus" in notes
    assert "mindestens 50 Fälle" in notes


def test_enough_cases_keep_every_table() -> None:
    rng = random.Random(6)
    statistics = statistics_of(consenting(random_cases(rng, 300, YEAR)), consenting(random_cases(rng, 60, YEAR - 1)))

    assert statistics.below_minimum == ()
    assert present(statistics, "de").pooled_notes == ()
    assert REGIONS_DIMENSION in keys(statistics)


@pytest.mark.parametrize("k", [3, 5, 8, 15])
def test_every_minimum_lies_well_above_k(k: int) -> None:
    """Leaving a table out tells a reader its total is below the minimum: as that is at least 2k, it never
    bounds a count inside 1..k-1."""
    minimums = Minimums.for_k(k)
    assert minimums.table >= 2 * k
    assert minimums.region >= 10 * k
