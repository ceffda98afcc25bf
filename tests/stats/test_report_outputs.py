"""The PDF and every export print exactly the protected tables, and no count below k anywhere.

The chain checked here: raw counts -> protected set (published cells equal the raw counts, hidden ones
are non-zero and have no value) -> report view -> PDF text / CSV / XLSX / JSON. The counts come from a
plain Python count here; ``test_report_from_database`` closes the chain from SQL.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from reporting.stats.aggregate import GROUNDS_DIMENSION
from reporting.stats.disclosure.audit import audit_exposure
from reporting.stats.disclosure.model import CellRef
from reporting.stats.export import CSV_HEADER, export_csv, export_json, export_records, export_xlsx
from reporting.stats.report import (
    CASES_BY_YEAR,
    PAIRS,
    ReportView,
    TableView,
    YearStatistics,
    build_table_set,
)
from tests.stats.conftest import REPORT_LANGUAGES, SAMPLE_K, SAMPLE_YEAR, sample_counts, small_counts_in_text

YEAR = SAMPLE_YEAR
K = SAMPLE_K
LANGUAGES = REPORT_LANGUAGES


def printed_row(table: TableView, row_index: int) -> str:
    row = table.rows[row_index]
    parts = [row.label, *(cell.display for cell in row.cells)]
    if table.show_share and row.kind == "data":
        parts.append(row.cells[0].share or "–")
    return re.sub(r"\s+", " ", " ".join(parts)).replace("\u00a0", " ")


def all_rows(view: ReportView) -> Iterator[tuple[TableView, int]]:
    for table in view.tables():
        for index in range(len(table.rows)):
            yield table, index


def test_published_cells_equal_the_raw_counts_and_hidden_ones_have_no_value(sample_statistics: YearStatistics) -> None:
    current, previous = sample_counts()
    raw = build_table_set(current, previous)
    hidden = 0
    for table in sample_statistics.protected.tables:
        source = raw.table(table.key)
        for (row, column), cell in table.cells.items():
            true_value = source.value(CellRef(table.key, row, column))
            if cell.value is None:
                hidden += 1
                assert true_value > 0, "zero is never hidden"
                assert cell.display == "x"
            else:
                assert cell.value == true_value
                assert not 0 < cell.value < K
    assert hidden > 0, "the test data must exercise suppression"
    assert sample_statistics.left_out == ()
    assert audit_exposure(sample_statistics.protected) == []


def test_views_print_the_protected_cells(
    sample_views: dict[str, ReportView], sample_statistics: YearStatistics
) -> None:
    for view in sample_views.values():
        for table in view.tables():
            if table.key in (PAIRS, CASES_BY_YEAR):
                continue
            protected = sample_statistics.protected.table(table.key)
            for _row, cell in table.cells():
                assert protected.cells[(cell.row, cell.column)].display == cell.mark
                assert protected.cells[(cell.row, cell.column)].value == cell.value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_text_holds_every_printed_row(
    lang: str, sample_views: dict[str, ReportView], sample_pdf_texts: dict[str, str]
) -> None:
    text = sample_pdf_texts[lang]
    view = sample_views[lang]
    missing = [printed_row(table, index) for table, index in all_rows(view) if printed_row(table, index) not in text]
    assert missing == []
    for number in view.key_numbers:
        assert re.sub(r"\s+", " ", number.display).replace("\u00a0", " ") in text
    assert view.translate("Method and anonymisation") in text
    assert " x " in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_count_below_k_in_the_pdf(lang: str, sample_pdf_texts: dict[str, str]) -> None:
    assert small_counts_in_text(sample_pdf_texts[lang], K) == []


def test_pairs_of_grounds_listed_only_from_k_and_grounds_table_says_once_per_ground(
    sample_views: dict[str, ReportView], sample_statistics: YearStatistics
) -> None:
    assert sample_statistics.pairs, "the test data must have frequent pairs"
    assert all(count >= K for _pair, count in sample_statistics.pairs)
    view = sample_views["de"]
    grounds = next(table for table in view.tables() if table.key == GROUNDS_DIMENSION)
    assert any("einmal gezählt" in note for note in grounds.notes)
    assert not any("region" in table.key and "quarter" in table.key for table in view.tables())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_csv_holds_exactly_the_printed_numbers(lang: str, sample_views: dict[str, ReportView]) -> None:
    view = sample_views[lang]
    rows = list(csv.reader(io.StringIO(export_csv(view).decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADER
    expected = [
        [
            record.table,
            record.table_title,
            record.row,
            record.row_label,
            record.row_kind,
            record.column,
            record.column_label,
            "" if record.count is None else str(record.count),
            record.display,
            record.share or "",
        ]
        for record in export_records(view)
    ]
    assert rows[1:] == expected
    table_cells = [
        (table.key, row.code, cell.column, cell.mark) for table in view.tables() for row, cell in table.cells()
    ]
    assert [(row[0], row[2], row[5], row[8]) for row in rows[1:] if row[0] != "summary"] == table_cells
    for row in rows[1:]:
        if row[7]:
            assert not 0 < int(row[7]) < K
            assert row[8] == row[7] or row[0] == "summary"
        assert not re.fullmatch(r"[1-4]", row[8])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_json_holds_exactly_the_printed_numbers(lang: str, sample_views: dict[str, ReportView]) -> None:
    view = sample_views[lang]
    document = json.loads(export_json(view))
    assert (document["year"], document["k"], document["language"]) == (YEAR, K, lang)
    exported = [
        (table["key"], row["code"], cell["column"], cell["count"], cell["display"], cell["share"])
        for table in document["tables"]
        for row in table["rows"]
        for cell in row["cells"]
    ]
    printed = [
        (table.key, row.code, cell.column, cell.value, cell.mark, cell.share)
        for table in view.tables()
        for row, cell in table.cells()
    ]
    assert exported == printed
    assert all(count is None or not 0 < count < K for *_rest, count, _display, _share in exported)
    assert document["excluded_no_consent"]["display"] == view.statistics.excluded_no_consent.display


@pytest.mark.parametrize("lang", LANGUAGES)
def test_xlsx_holds_exactly_the_printed_numbers(lang: str, sample_views: dict[str, ReportView]) -> None:
    view = sample_views[lang]
    workbook = load_workbook(io.BytesIO(export_xlsx(view)), read_only=True)
    for table in view.tables():
        sheet = workbook[table.key[:31]]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0][0] == table.title
        body = values[2 : 2 + len(table.rows)]
        for row, sheet_row in zip(table.rows, body, strict=True):
            assert sheet_row[0] == row.label
            assert sheet_row[1 : 1 + len(row.cells)] == [
                cell.value if cell.value is not None else cell.mark for cell in row.cells
            ]
        for sheet_row in values[1:]:
            for value in sheet_row:
                assert not (isinstance(value, int) and 0 < value < K)
                assert not (isinstance(value, str) and re.fullmatch(r"[1-4]", value))


def test_bars_are_sorted_by_size_and_terms_are_german(
    sample_views: dict[str, ReportView], sample_pdf_texts: dict[str, str]
) -> None:
    charted = [
        table
        for table in sample_views["de"].tables()
        if table.chart is not None and table.key not in ("months", CASES_BY_YEAR)
    ]
    assert charted
    for table in charted:
        assert table.chart is not None
        not_recorded = sample_views["de"].translate("Not recorded")
        printed = [
            row.bars[-1].bar_length
            for row in table.chart.rows
            if row.bars[-1].display != "x" and " ".join(line.text for line in row.label_lines) != not_recorded
        ]
        assert printed == sorted(printed, reverse=True), table.key
    assert "Colorism" not in sample_pdf_texts["de"]


def test_the_legend_stands_under_the_first_table_that_prints_the_mark(sample_views: dict[str, ReportView]) -> None:
    view = sample_views["de"]
    legend = view.legend
    marked = [table for table in view.tables() if any(cell.mark == "x" for _, cell in table.cells())]
    assert marked, "the sample must hide something"
    assert legend in marked[0].notes
    assert all(legend not in table.notes for table in view.tables() if table is not marked[0])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_key_findings_are_sentences_from_printed_numbers(
    lang: str, sample_views: dict[str, ReportView], sample_pdf_texts: dict[str, str]
) -> None:
    view = sample_views[lang]
    assert len(view.findings) >= 3
    assert view.findings[0] == view.translate(
        "In %(year)s the reporting office analysed %(cases)s cases.",
        year=SAMPLE_YEAR,
        cases=view.key_numbers[0].display,
    )
    for finding in view.findings:
        assert small_counts_in_text(finding, K) == []
    text = re.sub(r"\s+", " ", sample_pdf_texts[lang])
    assert view.translate("Key findings") in text
    assert all(
        re.sub(r"\s+", " ", finding).replace("\u00a0", " ") in text.replace("\u00a0", " ") for finding in view.findings
    )


def test_regions_are_named_as_readers_know_them_with_their_state(sample_views: dict[str, ReportView]) -> None:
    regions = next(table for table in sample_views["de"].tables() if table.key == "regions")
    labels = {row.code: row.label for row in regions.rows}
    assert labels["borken"] == "Kreis Borken (NRW)"
    assert labels["oldenburg"] == "Oldenburger Land (Niedersachsen)"
    assert labels["outside_diocese"] == "Außerhalb des Bistums"
