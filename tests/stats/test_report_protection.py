"""Differencing attacks on the whole annual report, on random small data (where they bite).

``test_disclosure.py`` attacks the protection algorithm on its own; here the attacker gets the report
as this service builds it (every table, total and cross-table link of ``build_table_set``) and must
not be able to pin down any hidden count, nor read one below k anywhere.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.stats.aggregate import GROUNDS_DIMENSION
from reporting.stats.disclosure.audit import audit_exposure
from reporting.stats.disclosure.model import CellRef, Table, TableSet
from reporting.stats.export import export_records
from reporting.stats.report import (
    CASES,
    RACISM_GROUND,
    present,
    protect_report,
    statistics_from_counts,
)
from reporting.taxonomy import STAT_DIMENSIONS
from tests.stats.conftest import SyntheticCase, reference_counts

YEAR = 2026
GROUND_CHOICES = (RACISM_GROUND, "religion", "gender", "age")


@st.composite
def synthetic_case(draw: st.DrawFn, year: int) -> SyntheticCase:
    grounds = draw(st.lists(st.sampled_from(GROUND_CHOICES), max_size=3, unique=True))
    codes: dict[str, list[str]] = {
        "grounds": grounds,
        "areas": [draw(st.sampled_from(("employment", "housing", "authorities")))],
        "regions": [draw(st.sampled_from(("muenster", "borken", "kleve", "not_stated")))],
        "levels": draw(st.lists(st.sampled_from(("individual", "structural")), max_size=2, unique=True)),
        "incident_types": draw(st.lists(st.sampled_from(("verbal", "threat")), max_size=1)),
    }
    if RACISM_GROUND in grounds:
        codes["racism_subtypes"] = draw(
            st.lists(st.sampled_from(("anti_muslim", "anti_black")), max_size=2, unique=True)
        )
    return SyntheticCase(
        received_on=dt.date(year, draw(st.integers(1, 12)), 1),
        consent=draw(st.booleans() | st.just(True)),
        intersectional=len(grounds) >= 2 and draw(st.booleans()),
        staff_codes=codes,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    current=st.lists(synthetic_case(YEAR), max_size=50),
    previous=st.lists(synthetic_case(YEAR - 1), max_size=30),
    k=st.sampled_from((3, 5)),
)
def test_no_hidden_count_in_the_report_can_be_worked_out(
    current: list[SyntheticCase], previous: list[SyntheticCase], k: int
) -> None:
    statistics = statistics_from_counts(
        reference_counts(current, YEAR, STAT_DIMENSIONS), reference_counts(previous, YEAR - 1, STAT_DIMENSIONS), k
    )
    protected = statistics.protected

    # Exact attack over every printed number, sum and link of the report.
    assert audit_exposure(protected) == []
    # Numbers equal by construction are printed alike in every table (or hidden alike).
    for first, second in protected.links:
        assert protected.cell(first) == protected.cell(second)
    # No count below k is printed, in the tables or among the pairs of grounds.
    for table in protected.tables:
        for cell in table.cells.values():
            assert cell.value is None or not 0 < cell.value < k
    grounds = protected.table(GROUNDS_DIMENSION) if statistics.has_table(GROUNDS_DIMENSION) else None
    assert grounds is not None or not statistics.pairs
    for (first_ground, second_ground), count in statistics.pairs:
        assert grounds is not None
        assert count >= k
        assert grounds.row_total(first_ground).value is not None
        assert grounds.row_total(second_ground).value is not None
    assert statistics.excluded_no_consent.value is None or not 0 < statistics.excluded_no_consent.value < k
    # And what the exports carry is what protection allows.
    for record in export_records(present(statistics, "de")):
        assert record.count is None or not 0 < record.count < k


def test_tiny_tables_are_protected_by_hiding_not_left_out() -> None:
    """Eight ones under a total linked to 4 + 4: with one mark, hiding the totals lets every one reach k
    (hidden counts are only bounded by printed ones), so nothing needs to be left out."""
    levels = Table("levels", "t", ("levels",), ["a", "b", "c"], [CASES], {("a", CASES): 4, ("b", CASES): 4})
    rows = [f"r{n}" for n in range(8)]
    targets = Table("targets", "t", ("targets",), rows, [CASES], {(row, CASES): 1 for row in rows})
    tables = TableSet([levels, targets], [(levels.grand_total_ref(), targets.grand_total_ref())])

    protected, left_out = protect_report(tables, 5)
    assert left_out == ()
    assert protected.cell(CellRef("levels", "total", "total")).suppressed
    assert audit_exposure(protected) == []
