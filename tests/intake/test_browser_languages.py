"""Every public page in all eight languages in a real Chromium: axe finds nothing, ``<html lang dir>`` is
right, nothing overflows a 320 px screen; Arabic is laid out right to left with the code left to right;
switching language keeps a half-filled form and an open mailbox; reloading the receipt (which sends the
form again) shows the same code; Enter in a field sends the form (not a language button).

One browser and one server for the module. Screenshots of the form, the receipt and the mailbox at
360 px in German, Arabic and Ukrainian go to ``$REPORTING_TEST_ARTIFACTS`` (or the test's tmp dir).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize

from reporting.cli.instance import initialise
from reporting.i18n import SUPPORTED_LANGUAGES
from tests.browser import chromium
from tests.conftest import settings_for
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

PUBLIC_PATHS = ("/", "/mailbox", "/privacy", "/impressum", "/no-such-page")
SEND_REPORT = "#report-form button[type=submit]"
RECEIPT_DIGITS = "#receipt-code > span[aria-hidden=true]"
PHONE: ViewportSize = {"width": 360, "height": 740}
NARROW: ViewportSize = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp_path = tmp_path_factory.mktemp("languages")
    settings = settings_for(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reporting.db'}",
        offices_file=str(Path(__file__).resolve().parents[2] / "offices.example.toml"),
        operator_name="Caritasverband für die Diözese Münster e. V.",
        operator_address="Kardinal-von-Galen-Ring 45, 48149 Münster",
    )
    initialise(settings)
    # A live instance, not a trial: the recovery key has left the server, so no trial banner sits above
    # the first screen these tests measure.
    settings.recovery_private_key_file.unlink()
    with live_server(settings, tmp_path / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = Path(os.environ.get("REPORTING_TEST_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    directory.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {directory}")
    return directory


def _assert_accessible(page: Page, where: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{where}: {results.generate_report()}"


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _send_report(page: Page, base_url: str, lang: str) -> str:
    page.goto(f"{base_url}/?lang={lang}")
    page.fill("#field-description", "Der Vermieter sagte, für Leute wie mich gebe es keine Wohnung.")
    page.select_option("#field-region", "borken")
    page.click(SEND_REPORT)
    page.wait_for_selector(RECEIPT_DIGITS, timeout=90_000)
    return page.inner_text(RECEIPT_DIGITS).strip()


def test_every_public_page_in_every_language_at_320_px(server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    for code, language in SUPPORTED_LANGUAGES.items():
        for path in PUBLIC_PATHS:
            page.goto(f"{server.base_url}{path}?lang={code}")
            where = f"{path} in {code}"
            assert page.get_attribute("html", "lang") == code, where
            assert page.get_attribute("html", "dir") == language.direction, where
            assert _overflow(page) <= 0, where
            assert page.locator("a[href='tel:110']").count() == 1, where
            _assert_accessible(page, where)
    context.close()


def test_receipt_and_mailbox_right_to_left_with_screenshots(
    server: LiveServer, browser: Browser, artifacts: Path
) -> None:
    for code in ("de", "ar", "uk"):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(f"{server.base_url}/?lang={code}")
        page.screenshot(path=str(artifacts / f"form-{code}-360.png"), full_page=True)
        # The first question is on the first screen of a phone.
        question = page.locator("label[for=field-description]").bounding_box()
        assert question is not None
        assert question["y"] + question["height"] < PHONE["height"], question
        receipt = _send_report(page, server.base_url, code)
        _assert_accessible(page, f"receipt in {code}")
        assert _overflow(page) <= 0
        page.screenshot(path=str(artifacts / f"receipt-{code}-360.png"), full_page=True)
        digits = page.locator(RECEIPT_DIGITS)
        assert page.get_attribute("#receipt-code", "dir") == "ltr"
        assert page.evaluate("getComputedStyle(document.querySelector('#receipt-code')).direction") == "ltr"
        if code == "ar":
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            # Right to left: the heading starts at the right edge, the code still reads left to right.
            heading = page.locator("h1").bounding_box()
            assert heading is not None
            assert heading["x"] + heading["width"] > PHONE["width"] - 40
            groups = digits.locator("span")
            first, last = groups.nth(0).bounding_box(), groups.nth(4).bounding_box()
            assert first is not None
            assert last is not None
            assert first["x"] < last["x"] or first["y"] < last["y"]
        page.goto(f"{server.base_url}/mailbox?lang={code}")
        page.fill("#field-code", receipt)
        page.press("#field-code", "Enter")  # Enter sends the code, not the first language button
        page.wait_for_selector("#status-heading")
        _assert_accessible(page, f"mailbox in {code}")
        assert _overflow(page) <= 0
        page.screenshot(path=str(artifacts / f"mailbox-{code}-360.png"), full_page=True)
        context.close()


def test_reloading_the_receipt_never_loses_the_code(server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    code = _send_report(page, server.base_url, "en")
    page.reload()  # Chromium sends the form again, as a browser does once the person confirms
    assert page.inner_text(RECEIPT_DIGITS).strip() == code
    assert "Nothing was sent twice" in page.inner_text("main")
    page.reload()
    assert page.inner_text(RECEIPT_DIGITS).strip() == code
    context.close()


def test_switching_language_keeps_the_form_and_the_open_mailbox(server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    code = _send_report(page, server.base_url, "de")
    page.goto(f"{server.base_url}/?lang=de")
    page.fill("#field-description", "Halb geschrieben")
    page.check("input[name=grounds][value=language]")
    page.click("nav.languages button[lang=ar]")
    page.wait_for_selector("html[lang=ar]")
    assert page.input_value("#field-description") == "Halb geschrieben"
    assert page.is_checked("input[name=grounds][value=language]")
    page.goto(f"{server.base_url}/mailbox?lang=de")
    page.fill("#field-code", code)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#status-heading")
    page.fill("#field-message", "Noch nicht fertig")
    page.click("nav.languages button[lang=uk]")
    page.wait_for_selector("html[lang=uk]")
    assert page.is_visible("#status-heading")  # still open: no code typed again
    assert page.input_value("#field-message") == "Noch nicht fertig"
    assert "lang=uk" in page.url
    assert code.replace(" ", "")[:8] not in page.url.replace(" ", "")
    assert [cookie["name"] for cookie in context.cookies()] == ["csrftoken"]
    context.close()


def test_keyboard_only_submission(server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.base_url}/?lang=tr")
    page.focus("#field-description")
    page.keyboard.type("Klavye ile yazıldı.")
    submit = page.locator(SEND_REPORT)
    for _ in range(200):
        page.keyboard.press("Tab")
        if submit.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("the send button is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(RECEIPT_DIGITS)
    context.close()
