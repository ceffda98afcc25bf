"""From SQL to PDF: the numbers in the PDF are the protected SQL aggregation; consent is respected."""

from __future__ import annotations

import datetime as dt
import json
import random

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.stats.export import export_json
from reporting.stats.pdf import render_report_html, render_report_pdf
from reporting.stats.report import (
    ReportView,
    YearStatistics,
    build_report,
    compute_year_statistics,
    statistics_from_counts,
)
from reporting.taxonomy import STAT_DIMENSIONS
from tests.conftest import run_db
from tests.stats.conftest import (
    SyntheticCase,
    insert_cases,
    pdf_text,
    random_cases,
    reference_counts,
    small_counts_in_text,
)
from tests.stats.test_report_outputs import printed_row

YEAR = 2026
K = 5


def test_pdf_numbers_are_the_protected_sql_aggregation(initialised_settings: Settings) -> None:
    rng = random.Random(11)
    cases = random_cases(rng, 240, YEAR) + random_cases(rng, 150, YEAR - 1)

    async def work(session: AsyncSession) -> tuple[YearStatistics, ReportView]:
        return await compute_year_statistics(session, YEAR, K), await build_report(session, YEAR, K, "de")

    run_db(initialised_settings, lambda session: insert_cases(session, cases))
    from_sql, view = run_db(initialised_settings, work)
    expected = statistics_from_counts(
        reference_counts(cases, YEAR, STAT_DIMENSIONS), reference_counts(cases, YEAR - 1, STAT_DIMENSIONS), K
    )
    assert from_sql == expected
    assert from_sql.protected.suppressed(), "the data must exercise suppression"

    text = pdf_text(render_report_pdf(view))
    missing = [
        printed_row(table, index)
        for table in view.tables()
        for index in range(len(table.rows))
        if printed_row(table, index) not in text
    ]
    assert missing == []
    assert small_counts_in_text(text, K) == []


def test_cases_without_consent_are_left_out_and_the_report_says_how_many(initialised_settings: Settings) -> None:
    codes = {"grounds": ["religion", "age"], "areas": ["housing"], "regions": ["muenster"], "levels": ["individual"]}
    day = dt.date(YEAR, 6, 1)
    consenting = [SyntheticCase(day, consent=True, staff_codes=codes, source="walk_in") for _ in range(24)]
    refusing = [SyntheticCase(day, consent=False, staff_codes=codes) for _ in range(7)]
    refusing_walk_in = [SyntheticCase(day, consent=False, staff_codes=codes, source="walk_in") for _ in range(6)]

    run_db(initialised_settings, lambda session: insert_cases(session, consenting + refusing + refusing_walk_in))
    view = run_db(initialised_settings, lambda session: build_report(session, YEAR, K, "de"))
    assert view.statistics.cases.value == 24
    assert view.statistics.excluded_no_consent.value == 13
    html = render_report_html(view)
    assert "Mangels Zustimmung blieben 13 kategorisierte Fälle des Jahres unberücksichtigt" in html
    assert json.loads(export_json(view))["excluded_no_consent"] == {"count": 13, "display": "13"}


def test_a_small_number_of_refusals_is_itself_suppressed(initialised_settings: Settings) -> None:
    codes = {"grounds": ["gender"], "areas": ["employment"], "regions": ["wesel"]}
    day = dt.date(YEAR, 2, 2)
    cases = [SyntheticCase(day, staff_codes=codes) for _ in range(30)]
    cases += [SyntheticCase(day, consent=False, staff_codes=codes) for _ in range(2)]

    run_db(initialised_settings, lambda session: insert_cases(session, cases))
    view = run_db(initialised_settings, lambda session: build_report(session, YEAR, K, "en"))
    assert view.excluded_display == "x"
    assert "For lack of consent, x categorised cases of the year were left out" in " ".join(view.method_paragraphs())
