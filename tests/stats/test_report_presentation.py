"""The report as a publication: page 1 is a one-page summary (findings, key numbers, the year-on-year
chart), the body shows charts, every table stands in full in the annex, the charts read in black and
white, and each language's PDF speaks only that language."""

from __future__ import annotations

import io
import re

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader

from reporting.stats.aggregate import GROUNDS_DIMENSION
from reporting.stats.charts import HATCHED, BarChart, Group, grouped_bar_chart
from reporting.stats.pdf import render_pdf, render_report_html, render_report_pdf
from reporting.stats.report import ReportView, YearStatistics, present, year_on_year_key
from tests.stats.conftest import REPORT_LANGUAGES, SAMPLE_YEAR
from tests.stats.test_report_outputs import all_rows, printed_row


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("\u00a0", " ").strip()


def page_texts(pdf: bytes) -> list[str]:
    return [normalised(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def chart_label(row_lines: tuple[str, ...]) -> str:
    return " ".join(row_lines)


@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_page_one_is_the_summary_with_findings_and_the_year_on_year_chart(
    lang: str, sample_views: dict[str, ReportView], sample_pdfs: dict[str, bytes]
) -> None:
    view = sample_views[lang]
    pages = page_texts(sample_pdfs[lang])
    first = pages[0]
    assert view.summary_heading in first
    assert len(view.findings) >= 3
    assert all(normalised(finding) in first for finding in view.findings)
    chart = view.year_on_year.chart
    assert chart is not None
    assert chart.title in first
    assert [entry.label for entry in chart.legend] == [str(SAMPLE_YEAR - 1), str(SAMPLE_YEAR)]
    assert f"{SAMPLE_YEAR - 1} {SAMPLE_YEAR}" in first  # the chart's own legend, on the page of its bars
    assert pages[1].startswith(view.translate("Method and anonymisation")), "the summary fits on one page"
    assert view.legend in first, "the summary prints the mark, so its legend stands there"


def test_the_year_on_year_chart_shows_published_values_by_size(sample_views: dict[str, ReportView]) -> None:
    view = sample_views["de"]
    chart = view.year_on_year.chart
    assert chart is not None
    table = next(table for table in view.tables() if table.key == year_on_year_key(GROUNDS_DIMENSION))
    published = {row.label: tuple(cell.display for cell in row.cells) for row in table.rows if row.kind == "data"}
    shown = {chart_label(tuple(line.text for line in row.label_lines)): row for row in chart.rows}
    assert set(shown) == set(published)
    for label, row in shown.items():
        assert tuple(bar.display for bar in row.bars) == published[label]
        assert [bar.style for bar in row.bars] == [HATCHED, "solid"]
        assert all(bar.bar_length == 0 for bar in row.bars if bar.display == "x")
    not_recorded = view.translate("Not recorded")
    current = [
        row.bars[1].bar_length for label, row in shown.items() if row.bars[1].display != "x" and label != not_recorded
    ]
    assert current == sorted(current, reverse=True)


@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_the_chart_says_so_when_the_year_before_was_left_out(lang: str, sample_statistics: YearStatistics) -> None:
    view = present(sample_statistics.without_comparison(), lang)
    year_on_year = view.year_on_year
    assert year_on_year.chart is not None
    assert year_on_year.chart.legend == ()
    assert year_on_year.note is not None
    assert str(SAMPLE_YEAR - 1) in year_on_year.note
    assert str(SAMPLE_YEAR - 1) not in " ".join(bar.display for bar in year_on_year.chart.bars)
    first = page_texts(render_report_pdf(view))[0]
    assert normalised(year_on_year.note) in first
    assert year_on_year.chart.title in first


@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_charts_in_the_body_and_their_tables_in_the_annex(
    lang: str, sample_views: dict[str, ReportView], sample_pdfs: dict[str, bytes]
) -> None:
    """No chart is followed by its numbers as a table: a charted table stands in the annex, a table of a
    few rows without a chart in the body, each once."""
    view = sample_views[lang]
    html = render_report_html(view)
    body, _, annex = html.partition('<section class="annex" id="annex">')
    assert annex, "the report has an annex"
    charted = {table.key for table in view.tables() if table.chart is not None}
    assert {"grounds", "areas", "regions", "months", year_on_year_key(GROUNDS_DIMENSION)} <= charted
    assert set(re.findall(r'id="table-([^"]+)"', annex)) == charted
    assert set(re.findall(r'id="table-([^"]+)"', body)) == {table.key for table in view.tables()} - charted
    text = normalised(" ".join(page_texts(sample_pdfs[lang])))
    annex_heading = view.translate("Annex: all tables")
    assert text.count(annex_heading) == 1
    body_text, annex_text = text.split(annex_heading)
    rows = [(table, index) for table, index in all_rows(view)]
    assert [printed_row(t, i) for t, i in rows if t.key in charted and printed_row(t, i) not in annex_text] == []
    assert [printed_row(t, i) for t, i in rows if t.key not in charted and printed_row(t, i) not in body_text] == []


GERMAN_WORDS = re.compile(r"\b(und|der|die|das|nicht|Fälle|Fall|Merkmale?|Anhang|verdeckt|Jahr|Zahlen|mit|nach)\b")
ENGLISH_WORDS = re.compile(r"\b(the|and|of|with|cases?|Cases|grounds?|Annex|hidden|year|figures|by)\b")


def test_the_english_pdf_has_no_german_left_and_the_german_no_english(sample_pdfs: dict[str, bytes]) -> None:
    english = normalised(" ".join(page_texts(sample_pdfs["en"])))
    german = normalised(" ".join(page_texts(sample_pdfs["de"])))
    assert sorted(set(GERMAN_WORDS.findall(english))) == []
    assert sorted(set(ENGLISH_WORDS.findall(german))) == []


def chart_pdf(chart: BarChart) -> bytes:
    """The chart alone on a page of its own size, 1 CSS pixel = 1 SVG unit."""
    from reporting.stats.pdf import report_environment

    svg = report_environment().from_string('{% from "stats/_charts.html" import bar_chart %}{{ bar_chart(chart) }}')
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Chart</title>'
        f"<style>@page {{ size: {chart.width}px {chart.height}px; margin: 0 }} body {{ margin: 0 }} "
        f"svg {{ display: block }}</style></head><body>{svg.render(chart=chart)}</body></html>"
    )
    return render_pdf(html)


def luminance(gray: int) -> float:
    channel = gray / 255
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def contrast(first: int, second: int) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def gray(image: Image.Image, x: float, y: float) -> int:
    value = image.getpixel((int(x), int(y)))
    assert isinstance(value, int)
    return value


def test_charts_read_in_black_and_white() -> None:
    """Printed in grayscale, a bar stands out from the page (at least 3:1) and the year before is told
    apart from the year by its hatching, not by colour."""
    chart = grouped_bar_chart(
        "c",
        "Cases by ground",
        "Description",
        ("2025", "2026"),
        [Group("Religion", ((40, "40"), (30, "30"))), Group("Age", ((None, "x"), (10, "10")))],
    )
    document = pypdfium2.PdfDocument(chart_pdf(chart))
    image = document[0].render(scale=96 / 72, grayscale=True).to_pil().convert("L")
    background = gray(image, chart.width - 3, chart.height - 3)
    previous, current = chart.rows[0].bars
    middle = chart.bar_height / 2
    assert contrast(gray(image, chart.bar_x + current.bar_length / 2, current.bar_y + middle), background) >= 3
    stripes = [
        gray(image, x, previous.bar_y + middle)
        for x in range(int(chart.bar_x) + 3, int(chart.bar_x + previous.bar_length) - 3)
    ]
    assert contrast(min(stripes), background) >= 3, "the hatching is dark enough to see"
    assert max(stripes) > 200, "and shows as stripes, not as one more grey"


def test_every_bar_of_the_report_carries_its_value(sample_views: dict[str, ReportView]) -> None:
    view = sample_views["de"]
    html = render_report_html(view)
    charts = [
        table.chart for table in view.tables() if table.chart is not None and table.key != view.year_on_year.source
    ]
    assert view.year_on_year.chart is not None
    charts.append(view.year_on_year.chart)
    assert html.count('<text class="value"') == sum(len(chart.bars) for chart in charts)
    assert all(bar.display for chart in charts for bar in chart.bars)
    assert len(set(re.findall(r'<svg[^>]* id="([^"]+)"', html))) == len(charts), "every chart has an id of its own"
    assert 'fill="url(#chart-year-on-year-hatch)"' in html
