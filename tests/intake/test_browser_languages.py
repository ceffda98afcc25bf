"""Every public page in all eight languages in a real Chromium: axe finds nothing, ``<html lang dir>`` is
right, nothing overflows a 320 px screen; Arabic is laid out right to left with the code left to right;
switching language keeps a half-filled form and an open mailbox; reload, Back and Forward from the
receipt show the same code; Enter in a field sends the form (not a language button).

One browser and one server for the module. Screenshots of the form, the receipt and the mailbox at
360 px in German, Arabic and Ukrainian go to ``$REPORTING_TEST_ARTIFACTS`` (or the test's tmp dir).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Response, ViewportSize

from reporting.cli.instance import initialise
from reporting.i18n import SUPPORTED_LANGUAGES
from reporting.intake.mailbox_routes import MAILBOX_ATTEMPT_LIMIT
from tests.browser import chromium
from tests.conftest import settings_for
from tests.intake.conftest import jpeg_with_gps
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser

PUBLIC_PATHS = ("/", "/mailbox", "/privacy", "/impressum", "/receipt", "/no-such-page")
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
    # Tests that must not share the per-client limits with the others name their own address.
    with live_server(settings, tmp_path / "server.log", REPORTING_TRUSTED_PROXIES="127.0.0.1/32") as running:
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


def test_reload_back_and_forward_never_lose_the_code(server: LiveServer, browser: Browser) -> None:
    """The receipt is a GET (Post/Redirect/Get): no "Confirm Form Resubmission" on the way back to it."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    code = _send_report(page, server.base_url, "en")
    assert page.url == f"{server.base_url}/receipt?lang=en"
    page.reload()
    assert page.inner_text(RECEIPT_DIGITS).strip() == code
    page.go_back()
    page.wait_for_selector("#report-form")
    page.go_forward()
    page.wait_for_selector(RECEIPT_DIGITS)
    assert page.inner_text(RECEIPT_DIGITS).strip() == code
    page.reload()
    assert page.inner_text(RECEIPT_DIGITS).strip() == code
    page.click("nav.languages a[lang=fa]")  # the receipt's language menu: plain links, the code stays
    page.wait_for_selector("html[lang=fa]")
    assert page.inner_text(RECEIPT_DIGITS).strip() == code
    (receipt_cookie,) = [cookie for cookie in context.cookies() if cookie["name"] == "receipt"]
    assert receipt_cookie["expires"] == -1  # a session cookie: gone when the browser closes
    assert receipt_cookie["path"] == "/receipt"
    assert receipt_cookie["httpOnly"]
    assert receipt_cookie["sameSite"] == "Strict"
    assert code.replace(" ", "") not in receipt_cookie["value"]
    context.close()
    other = browser.new_context(viewport=PHONE)
    page = other.new_page()
    page.goto(f"{server.base_url}/receipt?lang=en")  # another browser (or this one restarted): no code
    assert page.locator(RECEIPT_DIGITS).count() == 0
    _assert_accessible(page, "receipt page without a code")
    other.close()


def test_switching_language_keeps_the_form_files_and_the_open_mailbox(
    server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(jpeg_with_gps())
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    code = _send_report(page, server.base_url, "de")
    page.goto(f"{server.base_url}/?lang=de")
    page.fill("#field-description", "Halb geschrieben")
    page.check("input[name=grounds][value=language]")
    page.set_input_files("#field-attachments-input", str(photo))
    page.click("nav.languages button[lang=ar]")
    page.wait_for_selector("html[lang=ar]")
    assert page.input_value("#field-description") == "Halb geschrieben"
    assert page.is_checked("input[name=grounds][value=language]")
    # The chosen photo came along: listed by name, ticked, sent with the form.
    assert page.is_checked(".kept-files input[name=kept_attachment]")
    assert "foto.jpg" in page.inner_text(".kept-files")
    _assert_accessible(page, "form in ar with a kept file")
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
    assert sorted(cookie["name"] for cookie in context.cookies()) == ["csrftoken", "receipt"]
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


CHECKBOX_AND_LABEL_TEXT = """() => {
    const widget = document.querySelector("altcha-widget");
    const box = widget.querySelector("input[type=checkbox]").getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(widget.querySelector("label"));
    const lines = Array.from(range.getClientRects()).map((r) => [r.left, r.top, r.right, r.bottom]);
    return {box: [box.left, box.top, box.right, box.bottom], lines: lines};
}"""


@pytest.mark.parametrize("viewport", [NARROW, PHONE], ids=["320px", "360px"])
def test_the_proof_of_work_checkbox_does_not_cover_its_label(
    server: LiveServer, browser: Browser, viewport: ViewportSize
) -> None:
    """Every line box of the label's text is clear of the checkbox, left to right and right to left."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    for lang in SUPPORTED_LANGUAGES:
        page.goto(f"{server.base_url}/?lang={lang}")
        page.wait_for_selector("altcha-widget input[type=checkbox]")
        measured = page.evaluate(CHECKBOX_AND_LABEL_TEXT)
        left, top, right, bottom = measured["box"]
        assert right - left >= 20, (lang, measured)
        assert bottom - top >= 20, (lang, measured)
        assert measured["lines"], lang
        for line_left, line_top, line_right, line_bottom in measured["lines"]:
            overlaps = left < line_right and line_left < right and top < line_bottom and line_top < bottom
            assert not overlaps, (lang, measured)
    context.close()


def _assert_page_fits(page: Page, lang: str, where: str) -> None:
    assert page.get_attribute("html", "lang") == lang, where
    assert page.get_attribute("html", "dir") == SUPPORTED_LANGUAGES[lang].direction, where
    assert _overflow(page) <= 0, where
    _assert_accessible(page, where)


def _posted_to(path: str) -> Callable[[Response], bool]:
    return lambda response: response.request.method == "POST" and urlsplit(response.url).path == path


def _as_client(browser: Browser, address: str) -> BrowserContext:
    """A context the server counts as the client ``address`` (axe needs JavaScript, so it is on)."""
    return browser.new_context(viewport=NARROW, extra_http_headers={"X-Forwarded-For": address})


def test_error_pages_and_a_mailbox_with_messages_in_every_language_at_320_px(
    server: LiveServer, browser: Browser
) -> None:
    """What the walk over ``PUBLIC_PATHS`` cannot reach by a link: the form with its error summary, a
    mailbox with messages, and 429 (too many attempts). 413 renders the error template the 404 of the walk
    checks; its texts in every language: ``test_headers_and_translations.py``."""
    sender = _as_client(browser, "10.12.0.1")
    page = sender.new_page()
    code = _send_report(page, server.base_url, "de")
    page.goto(f"{server.base_url}/mailbox?lang=de")
    page.fill("#field-code", code)
    page.click("#code-form button[type=submit]")
    page.fill("#field-message", "Noch etwas: Es ist zweimal passiert.")
    page.click(".reply-form button[type=submit]")
    page.wait_for_selector(".messages")
    sender.close()

    blocked_address = "10.12.0.2"  # one client that has used up its mailbox attempts
    blocked = _as_client(browser, blocked_address)
    page = blocked.new_page()
    for _attempt in range(MAILBOX_ATTEMPT_LIMIT):
        page.goto(f"{server.base_url}/mailbox?lang=de")
        page.fill("#field-code", "0000 0000 0000 0000 0001")
        page.click("#code-form button[type=submit]")
        page.wait_for_selector("h1")
    blocked.close()

    for number, lang in enumerate(SUPPORTED_LANGUAGES):
        context = _as_client(browser, f"10.12.1.{number}")
        page = context.new_page()
        page.goto(f"{server.base_url}/?lang={lang}")
        page.wait_for_selector("altcha-widget")
        page.evaluate("document.querySelector('altcha-widget').remove()")  # no proof of work to wait for
        page.fill("#field-description", "   ")  # passes the browser's "required", not the server's check
        page.click(SEND_REPORT)
        page.wait_for_selector(".error-summary")
        _assert_page_fits(page, lang, f"form with errors in {lang}")

        page.goto(f"{server.base_url}/mailbox?lang={lang}")
        page.fill("#field-code", code)
        page.click("#code-form button[type=submit]")
        page.wait_for_selector(".messages .message")
        _assert_page_fits(page, lang, f"mailbox with messages in {lang}")

        context.close()

        context = _as_client(browser, blocked_address)
        page = context.new_page()
        page.goto(f"{server.base_url}/mailbox?lang={lang}")
        page.fill("#field-code", code)
        with page.expect_response(_posted_to("/mailbox")) as too_many:
            page.click("#code-form button[type=submit]")
        assert too_many.value.status == 429, lang
        page.wait_for_selector("h1")
        _assert_page_fits(page, lang, f"429 in {lang}")
        context.close()
