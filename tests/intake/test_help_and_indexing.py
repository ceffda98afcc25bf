"""Help in person on every public page, the legal notice from configuration, HEAD like GET, and
indexing as the operator chooses (the landing page findable by default; receipt and mailbox never)."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from reporting.app import create_app
from reporting.cli.instance import initialise
from tests.conftest import BASE_URL, settings_for
from tests.intake.conftest import full_report_form, post_form

PUBLIC_PAGES = ("/", "/mailbox", "/privacy", "/impressum", "/no-such-page")
OFFICE = {
    "help_office_name": "Caritas Fachdienst Integration Borken",
    "help_office_address": "Musterstraße 1, 46325 Borken",
    "help_office_phone": "02861 000 000",
    "help_office_hours": "Mo–Fr 9–12",
    "operator_name": "Caritasverband Musterstadt e. V.",
    "operator_address": "Domplatz 1, 48143 Münster",
    "operator_contact": "info@caritas.example",
    "operator_representative": "Erika Mustermann",
}


def _client(tmp_path: Path, database_url: str, **overrides: str) -> TestClient[Litestar]:
    settings = settings_for(tmp_path, database_url, **overrides)
    initialise(settings)
    return TestClient(app=create_app(settings), base_url=BASE_URL)


def test_help_nearby_and_the_legal_notice_come_from_configuration(tmp_path: Path, database_url: str) -> None:
    with _client(tmp_path, database_url, **OFFICE) as client:
        for path in PUBLIC_PAGES:
            page = client.get(path, params={"lang": "ar"}).text
            assert 'href="tel:110"' in page, path
            assert 'href="tel:112"' in page, path
            assert "Caritas Fachdienst Integration Borken" in page, path
            assert 'href="tel:02861000000"' in page, path
        notice = client.get("/impressum")
        assert notice.status_code == 200
        for value in ("Caritasverband Musterstadt e. V.", "Domplatz 1, 48143 Münster", "Erika Mustermann"):
            assert value in notice.text
        assert "Impressum" in notice.text


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
