"""The PDF is tagged (PDF/UA-1) with title and language, embeds our own font and fetches nothing else."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject, StreamObject, TextStringObject
from weasyprint.urls import FatalURLFetchingError

from reporting.stats.charts import Bar, bar_chart
from reporting.stats.pdf import StaticFilesOnlyFetcher, render_pdf, render_report_html
from reporting.stats.report import ReportView
from reporting.web.templating import STATIC_DIR
from tests.stats.conftest import REPORT_LANGUAGES, SAMPLE_YEAR, pdf_dictionary


@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_pdf_is_tagged_with_title_and_language(lang: str, sample_pdfs: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(sample_pdfs[lang]))
    catalog = pdf_dictionary(reader.trailer["/Root"])
    assert catalog["/Lang"] == TextStringObject(lang)
    assert pdf_dictionary(catalog["/MarkInfo"])["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog
    assert pdf_dictionary(catalog["/ViewerPreferences"])["/DisplayDocTitle"] == BooleanObject(True)
    expected_title = {
        "de": f"Diskriminierung melden – Jahresstatistik {SAMPLE_YEAR}",
        "en": f"Reporting discrimination – annual statistics {SAMPLE_YEAR}",
    }[lang]
    assert reader.metadata is not None
    assert reader.metadata.title == expected_title
    metadata = catalog["/Metadata"]
    assert isinstance(metadata, StreamObject)
    metadata_xml = metadata.get_data().decode()
    assert "pdfuaid:part" in metadata_xml or "pdfuaid" in metadata_xml
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in pdf_dictionary(pdf_dictionary(page["/Resources"])["/Font"]).values()
    }
    assert fonts <= {"Report-Sans", "Report-Sans-Bold"}


def test_charts_are_tagged_figures_with_alternative_text(sample_pdfs: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(sample_pdfs["de"]))
    figures: list[str] = []

    def walk(element: object) -> None:
        element = element.get_object() if hasattr(element, "get_object") else element
        if isinstance(element, dict):
            if element.get("/S") == "/Figure":
                figures.append(str(element.get("/Alt", "")))
            kids = element.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(element, list):
            for kid in element:
                walk(kid)

    walk(pdf_dictionary(reader.trailer["/Root"])["/StructTreeRoot"])
    assert "Fälle nach Merkmal" in figures
    assert all(figures)


@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_report_html_sets_language_title_and_inline_svg(lang: str, sample_views: dict[str, ReportView]) -> None:
    html = render_report_html(sample_views[lang])
    assert f'<html lang="{lang}">' in html
    assert f"<title>{sample_views[lang].title}</title>" in html
    assert "<svg" in html
    assert "<desc" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_suppressed_bars_have_no_length() -> None:
    chart = bar_chart("c", "Title", "Description", [Bar("a", 40, "40"), Bar("b", None, "<5"), Bar("c", None, "x")])
    assert [bar.bar_length for bar in chart.bars] == [pytest.approx(chart.bars[0].bar_length), 0.0, 0.0]
    assert chart.bars[0].bar_length > 0
    assert [bar.display for bar in chart.bars] == ["40", "<5", "x"]


def test_fetcher_serves_our_static_files_only(tmp_path: Path) -> None:
    fetcher = StaticFilesOnlyFetcher()
    response = fetcher.fetch((STATIC_DIR / "fonts" / "DejaVuSans.ttf").as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"
    outside = tmp_path / "secret.txt"
    outside.write_text("no")
    for url in (
        "https://example.org/font.ttf",
        "http://127.0.0.1:8000/static/css/site.css",
        "ftp://example.org/x",
        "data:text/css,body{}",
        outside.as_uri(),
        (STATIC_DIR / ".." / ".." / "pyproject.toml").as_uri(),
        STATIC_DIR.as_uri() + "/../../pyproject.toml",
        "file://remote-host/etc/passwd",
        (STATIC_DIR / "fonts").as_uri(),
    ):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)


def test_rendering_stops_on_a_foreign_resource() -> None:
    html = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="https://example.org/evil.css"></head><body><p>x</p></body></html>'
    )
    with pytest.raises(FatalURLFetchingError):
        render_pdf(html)
