"""The public pages in a real Chromium: with JavaScript (the ALTCHA widget solves the proof of work) and
without (plain HTML form), each from the form to the receipt and into the mailbox. Every request stays
on the service's own origin, the strict CSP is never violated, and axe finds no accessibility problem."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, Request

from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from tests.browser import chromium
from tests.conftest import settings_for
from tests.intake.conftest import jpeg_with_gps
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

SEND_REPORT = "#report-form button[type=submit]"
RECEIPT_DIGITS = "#receipt-code > span[aria-hidden=true]"


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """The browser flow does not depend on the database engine: SQLite only, to keep the suite fast."""
    settings = settings_for(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reporting.db'}")
    initialise(settings)
    return settings


@pytest.fixture
def server(sqlite_settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(sqlite_settings, tmp_path / "server.log") as running:
        yield running


def _accepted_by_path(settings: Settings) -> dict[str, int]:
    """How the server counted the accepted report: with a spent proof of work or on the no-JS path.

    Plain ``sqlite3``: Playwright's sync API runs an event loop in this thread, so no asyncio here.
    """
    with closing(sqlite3.connect(settings.data_dir / "reporting.db")) as database:
        spent = database.execute("SELECT count(*) FROM used_token WHERE scope = 'altcha'").fetchone()[0]
        by_scope = dict(database.execute("SELECT scope, sum(hits) FROM throttle_counter GROUP BY scope").fetchall())
    return {
        "spent proofs": spent,
        "with pow": by_scope.get("intake:report", 0),
        "without pow": by_scope.get("intake:report-nojs", 0),
    }


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@dataclass
class Watch:
    """Requests and console problems of one page: all must stay on the service's origin."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("request", self._request)
        page.on("console", self._console)

    def _request(self, request: Request) -> None:
        if not request.url.startswith((self.origin, "data:", "blob:")):
            self.foreign_requests.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


def _assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _fill_form(page: Page, photo: Path) -> None:
    page.fill("#field-description", "At the housing office they told me to come back with a German friend.")
    page.select_option("#field-area", "authorities")
    page.select_option("#field-region", "muenster")
    page.check("input[name=grounds][value=language]")
    page.check("input[name=grounds][value=unknown]")
    page.check("input[name=affected][value=me]")
    page.check("input[name=authority_involved][value=yes]")
    page.check("input[name=consent_statistics]")
    page.set_input_files("#field-attachments-input", str(photo))


def _receipt_to_mailbox(page: Page) -> None:
    code = page.inner_text(RECEIPT_DIGITS)
    assert re.fullmatch(r"\d{4}( \d{4}){4}", code.strip())
    page.click("text=Go to the mailbox")
    page.fill("#field-code", code)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#status-heading")
    assert "Received" in page.inner_text(".status")
    page.fill("#field-message", "One more thing: it happened twice.")
    page.click(".reply-form button[type=submit]")
    page.wait_for_selector(".notice")
    assert "One more thing: it happened twice." in page.inner_text(".messages")


def test_report_with_javascript_widget_solves_the_proof_of_work(
    server: LiveServer, sqlite_settings: Settings, browser: Browser, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    watch = Watch(server.base_url)
    watch.attach(page)
    page.goto(f"{server.base_url}/?lang=en")
    page.wait_for_selector("altcha-widget")
    _assert_accessible(page)
    _fill_form(page, photo)
    page.click(SEND_REPORT)
    page.wait_for_selector("#receipt-code", timeout=90_000)
    assert _accepted_by_path(sqlite_settings) == {"spent proofs": 1, "with pow": 1, "without pow": 0}
    _assert_accessible(page)
    _receipt_to_mailbox(page)
    _assert_accessible(page)
    assert not watch.foreign_requests
    assert not watch.console_errors, watch.console_errors
    assert sorted(cookie["name"] for cookie in context.cookies()) == ["csrftoken", "receipt"]
    context.close()


def test_report_without_javascript(
    server: LiveServer, sqlite_settings: Settings, browser: Browser, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    watch = Watch(server.base_url)
    watch.attach(page)
    page.goto(f"{server.base_url}/?lang=en")
    assert page.locator("altcha-widget").count() == 0
    _fill_form(page, photo)
    page.click(SEND_REPORT)
    page.wait_for_selector("#receipt-code")
    assert _accepted_by_path(sqlite_settings) == {"spent proofs": 0, "with pow": 0, "without pow": 1}
    _receipt_to_mailbox(page)
    assert not watch.foreign_requests
    context.close()


def test_bad_input_in_the_browser_keeps_everything(server: LiveServer, browser: Browser, tmp_path: Path) -> None:
    """A file of the wrong kind comes back as a message next to the field; the text and choices stay."""
    document = tmp_path / "notes.txt"
    document.write_text("not a photo")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/?lang=en")
    page.fill("#field-description", "Kept text")
    page.check("input[name=grounds][value=age]")
    page.set_input_files("#field-attachments-input", str(document))
    page.click(SEND_REPORT)
    page.wait_for_selector(".error-summary")
    assert page.input_value("#field-description") == "Kept text"
    assert page.is_checked("input[name=grounds][value=age]")
    assert "“notes.txt” is not a photo or PDF file" in page.inner_text("#error-attachments")
    _assert_accessible(page)
    context.close()
