"""Help in person on every public page, the legal notice from configuration, HEAD like GET, and
indexing as the operator chooses (the landing page findable by default; receipt and mailbox never)."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from reporting.app import create_app
from reporting.cli.instance import initialise
from tests.casework.case_helpers import use_cheap_receipts
from tests.conftest import BASE_URL, settings_for
from tests.intake.conftest import full_report_form, post_form, receipt_code

PUBLIC_PAGES = ("/", "/mailbox", "/privacy", "/impressum", "/no-such-page")
OFFICES_FILE = """
[[office]]
slug = "zentrale"
name = "Zentralstelle (Beispiel)"
central = true
address = "Beispielweg 1, 00000 Beispielstadt"
phone = "0000 000 001"

[[office]]
slug = "borken"
name = "Beispielstelle Borken"
regions = ["borken"]
address = "Musterstraße 1, 00000 Beispielstadt"
phone = "0000 000 000"
hours = "Mo–Fr 9–12"
languages = "Deutsch, العربية"
step_free = true

[[office]]
slug = "kleve"
name = "Beispielstelle Kleve"
regions = ["kleve"]
address = "Musterweg 2, 00000 Beispielstadt"
phone = "0000 000 002"
"""
OPERATOR = {
    "operator_name": "Caritasverband Musterstadt e. V.",
    "operator_address": "Domplatz 1, 48143 Münster",
    "operator_contact": "info@caritas.example",
    "operator_representative": "Erika Mustermann",
}


def _client(tmp_path: Path, database_url: str, **overrides: str) -> TestClient[Litestar]:
    offices = tmp_path / "offices.toml"
    offices.write_text(OFFICES_FILE, encoding="utf-8")
    settings = settings_for(tmp_path, database_url, offices_file=str(offices), **overrides)
    initialise(settings)
    return TestClient(app=create_app(settings), base_url=BASE_URL)


def test_help_nearby_and_the_legal_notice_come_from_configuration(tmp_path: Path, database_url: str) -> None:
    with _client(tmp_path, database_url, **OPERATOR) as client:
        for path in PUBLIC_PAGES:
            page = client.get(path, params={"lang": "ar"}).text
            assert 'href="tel:110"' in page, path
            assert 'href="tel:112"' in page, path
            for office in ("Beispielstelle Borken", "Beispielstelle Kleve", "Zentralstelle (Beispiel)"):
                assert office in page, path
            assert 'href="tel:0000000000"' in page, path
        notice = client.get("/impressum")
        assert notice.status_code == 200
        for value in ("Caritasverband Musterstadt e. V.", "Domplatz 1, 48143 Münster", "Erika Mustermann"):
            assert value in notice.text
        assert "Impressum" in notice.text


def test_the_receipt_and_the_mailbox_show_the_offices_of_the_reporters_region(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Borken's office with its hours, languages and step-free access, not Kleve's; a region no office
    serves shows the central office. Nothing about the region travels in a URL or a cookie."""
    use_cheap_receipts(monkeypatch)
    with _client(tmp_path, database_url) as client:
        receipt = post_form(client, "/report?lang=de", full_report_form(region="borken"))
        assert receipt.status_code == 200
        help_block = receipt.text.split('class="help-nearby"', 1)[1]
        assert "Beispielstelle Borken" in help_block
        for shown in ("Mo–Fr 9–12", "Deutsch, العربية", "Stufenloser Zugang"):
            assert shown in help_block
        assert "Beispielstelle Kleve" not in help_block
        assert "Zentralstelle" not in help_block
        assert not any("borken" in cookie.lower() for cookie in receipt.headers.get_list("set-cookie"))

        mailbox = post_form(client, "/mailbox?lang=de", {"code": receipt_code(receipt)})
        assert mailbox.status_code == 200
        help_block = mailbox.text.split('class="help-nearby"', 1)[1]
        assert "Beispielstelle Borken" in help_block
        assert "Beispielstelle Kleve" not in help_block

        elsewhere = post_form(client, "/report?lang=de", full_report_form(region="outside_diocese"))
        help_block = elsewhere.text.split('class="help-nearby"', 1)[1]
        assert "Zentralstelle (Beispiel)" in help_block
        assert "Beispielstelle" not in help_block


def test_without_an_office_the_emergency_numbers_remain(client: TestClient[Litestar]) -> None:
    page = client.get("/").text
    assert 'href="tel:110"' in page
    assert "Beratung vor Ort" not in page
    assert "noch nicht eingetragen" in client.get("/impressum").text


def test_head_answers_like_get_without_a_body(client: TestClient[Litestar]) -> None:
    for path in ("/", "/privacy", "/mailbox", "/impressum", "/static/css/site.css"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
    assert client.head("/no-such-page").status_code == 404


def test_the_landing_page_is_findable_and_the_receipt_and_mailbox_never(client: TestClient[Litestar]) -> None:
    for path in ("/", "/privacy", "/impressum"):
        assert "x-robots-tag" not in client.get(path).headers, path
    for path in ("/mailbox", "/staff/login", "/no-such-page"):
        assert client.get(path).headers["x-robots-tag"] == "noindex, nofollow", path
    receipt = post_form(client, "/report", full_report_form())
    assert receipt.headers["x-robots-tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in receipt.text


def test_the_operator_may_keep_every_page_out_of_search_engines(tmp_path: Path, database_url: str) -> None:
    with _client(tmp_path, database_url, index_landing_page="false") as client:
        assert client.get("/").headers["x-robots-tag"] == "noindex, nofollow"
