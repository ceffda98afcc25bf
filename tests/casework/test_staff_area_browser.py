"""The staff area in a real Chromium against a real server: what needs attention, deadlines, two-factor
enrolment by scanning the rendered QR code, destructive actions that ask first, and every staff page
accessible (axe) and without horizontal overflow at 1280 px, in German and English."""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page

from reporting.access.roles import Role
from reporting.app import create_app
from reporting.auth import invitations
from reporting.auth.sessions import SESSION_COOKIE_PATH, STAFF_SESSION_COOKIE
from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from reporting.db.models import StaffAccount
from tests.browser import chromium
from tests.casework.case_helpers import SeededCase, seed_case, staff_layout_routes
from tests.casework.conftest import create_staff, start_active_session
from tests.conftest import run_db, settings_for
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1280, "height": 800}
REPORTER_MESSAGE = "The housing company has not answered my letter either."


@dataclass
class StaffArea:
    settings: Settings
    adviser: StaffAccount
    colleague: StaffAccount
    coordinator: StaffAccount
    newcomer: StaffAccount
    newcomer_password: str = field(repr=False)
    sessions: dict[str, str] = field(repr=False)
    """Role name -> a logged-in session cookie (made before the browser runs: no asyncio beside Playwright)."""
    replied: SeededCase
    overdue: SeededCase
    colleagues_case: SeededCase
    invitation_token: str = field(repr=False)


@pytest.fixture
def area(tmp_path: Path) -> StaffArea:
    settings = settings_for(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reporting.db'}")
    initialise(settings)
    coordinator, _, _ = create_staff(settings, "coordinator", display_name="Cora Coordinator")
    adviser, _, _ = create_staff(settings, "adviser", display_name="Amira Adviser")
    colleague, _, _ = create_staff(settings, "adviser", display_name="Bruno Adviser")
    newcomer, newcomer_password, _ = create_staff(settings, "adviser", display_name="Nina Newcomer", enrolled=False)
    statistician, _, _ = create_staff(settings, "statistician", display_name="Stella Statistician")
    admin, _, _ = create_staff(settings, "admin", display_name="Adam Admin")
    replied = seed_case(settings, readers=[adviser], assignee=adviser, receipt_code=True, status="waiting_for_reporter")
    overdue = seed_case(
        settings,
        readers=[adviser],
        received_on=dt.date.today() - dt.timedelta(days=20),
        language="ar",
        reporter_codes={
            "incident_period": [(dt.date.today().replace(day=1) - dt.timedelta(days=70)).strftime("%Y-%m")]
        },
        staff_codes={"agg_applicable": ["yes"]},
    )
    colleagues_case = seed_case(settings, readers=[colleague])
    sessions = {
        "adviser": start_active_session(settings, adviser),
        "colleague": start_active_session(settings, colleague),
        "coordinator": start_active_session(settings, coordinator),
        "statistician": start_active_session(settings, statistician),
        "admin": start_active_session(settings, admin),
    }
    invitation_token = run_db(
        settings,
        lambda db: invitations.create_invitation(
            db, email="new.colleague@example.org", role=Role.ADVISER, invited_by=coordinator.id
        ),
    )
    return StaffArea(
        settings,
        adviser,
        colleague,
        coordinator,
        newcomer,
        newcomer_password,
        sessions,
        replied,
        overdue,
        colleagues_case,
        invitation_token,
    )


@pytest.fixture
def server(area: StaffArea, tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(area.settings, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def browser(server: LiveServer) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def logged_in(browser: Browser, server: LiveServer, cookie: str, locale: str = "de-DE") -> BrowserContext:
    context = browser.new_context(locale=locale, viewport=VIEWPORT)  # type: ignore[arg-type]
    context.add_cookies([{"name": STAFF_SESSION_COOKIE, "value": cookie, "url": server.base_url + SESSION_COOKIE_PATH}])
    return context


def assert_fits_and_accessible(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the 1280px window"
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def route_of(path: str) -> str:
    """The route template of a concrete staff path (ids become their parameter names)."""
    path = urlsplit(path).path.rstrip("/") or "/"
    path = re.sub(r"/cases/[0-9a-f-]{36}", "/cases/{report_id}", path)
    path = re.sub(r"/(accounts|access)/[0-9a-f-]{36}", r"/\1/{staff_id}", path)
    path = re.sub(r"/offices/[0-9a-f-]{36}", "/offices/{office_id}", path)
    return re.sub(r"/invite/[^/]+", "/invite/{token}", path)


def attention_count(page: Page, attention: str) -> int:
    return int(page.inner_text(f".attention-bar a[href='/staff/?attention={attention}'] .count"))


def central_office(settings: Settings) -> uuid.UUID:
    with closing(database(settings)) as db:
        [(office_id,)] = db.execute("SELECT id FROM office WHERE is_central")
    return uuid.UUID(str(office_id))


def database(settings: Settings) -> sqlite3.Connection:
    return sqlite3.connect(settings.data_dir / "reporting.db")


def case_status(settings: Settings, case: SeededCase) -> str:
    with closing(database(settings)) as db:
        [(status,)] = db.execute("SELECT status FROM report WHERE id = ?", (case.id.hex,))
    return str(status)


def test_a_reporters_reply_shows_as_unread_for_its_adviser_only(
    area: StaffArea, server: LiveServer, browser: Browser
) -> None:
    reporter = browser.new_context(locale="de-DE").new_page()
    reporter.goto(f"{server.base_url}/mailbox")
    assert area.replied.receipt_code is not None
    reporter.fill("#field-code", area.replied.receipt_code)
    reporter.click("form.mailbox-login button[type=submit]")
    reporter.wait_for_selector(".reply-form")
    reporter.fill("#field-message", REPORTER_MESSAGE)
    reporter.click(".reply-form button[type=submit]")
    reporter.wait_for_selector("text=ist bei der Beratung angekommen")

    adviser = logged_in(browser, server, area.sessions["adviser"]).new_page()
    adviser.goto(f"{server.base_url}/staff/")
    row = adviser.locator(f"tr:has(a[href='/staff/cases/{area.replied.id}'])")
    assert "unread" in (row.get_attribute("class") or "")
    assert "ungelesen" in row.inner_text()
    assert "Antwort eingegangen" in row.inner_text()
    assert attention_count(adviser, "unread") == 1
    assert attention_count(adviser, "reply_received") == 1
    adviser.goto(f"{server.base_url}/staff/me")
    assert attention_count(adviser, "unread") == 1, "every staff page counts, not only the case lists"
    adviser.goto(f"{server.base_url}/staff/")

    statistician = logged_in(browser, server, area.sessions["statistician"]).new_page()
    for path in ("/staff/stats", "/staff/me"):
        statistician.goto(server.base_url + path)
        assert statistician.locator(".attention-bar").count() == 0, "no count about cases for the statistician"

    colleague = logged_in(browser, server, area.sessions["colleague"]).new_page()
    colleague.goto(f"{server.base_url}/staff/")
    assert attention_count(colleague, "unread") == 0
    assert colleague.locator(f"a[href='/staff/cases/{area.replied.id}']").count() == 0

    adviser.click(f"a[href='/staff/cases/{area.replied.id}']")
    adviser.wait_for_url(f"**/staff/cases/{area.replied.id}")
    assert REPORTER_MESSAGE in adviser.inner_text("#messages")
    assert attention_count(adviser, "unread") == 0, "opening the case reads it"

    adviser.goto(f"{server.base_url}/staff/?attention=unread")
    assert adviser.locator("table.inbox").count() == 0


def test_an_overdue_case_is_highlighted_with_its_deadlines(
    area: StaffArea, server: LiveServer, browser: Browser
) -> None:
    page = logged_in(browser, server, area.sessions["adviser"]).new_page()
    page.goto(f"{server.base_url}/staff/")
    row = page.locator(f"tr:has(a[href='/staff/cases/{area.overdue.id}'])")
    assert "overdue" in (row.get_attribute("class") or "")
    assert "überfällig seit" in row.inner_text()
    assert "Arabisch" in row.inner_text(), "language names, not codes"
    assert row.evaluate("row => getComputedStyle(row).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert attention_count(page, "overdue") == 1

    page.goto(f"{server.base_url}/staff/cases/{area.overdue.id}")
    deadlines = page.inner_text("#deadlines")
    assert "Eingangsbestätigung" in deadlines
    assert "überfällig seit" in deadlines
    assert "AGG-Frist" in deadlines

    page.fill("#incident-on", "2000-01-01")
    page.click("#deadlines button[type=submit]")
    page.wait_for_url(f"**/staff/cases/{area.overdue.id}?saved=deadlines#deadlines")
    assert page.is_visible(".confirmation")
    assert "abgelaufen am" in page.inner_text("#deadlines")

    page.goto(f"{server.base_url}/staff/digest")
    assert page.locator(f"#digest-overdue ~ ul a[href='/staff/cases/{area.overdue.id}']").count() == 1


def test_two_factor_enrolment_by_scanning_the_qr_code(area: StaffArea, server: LiveServer, browser: Browser) -> None:
    page = browser.new_context(locale="en-GB", viewport=VIEWPORT).new_page()  # type: ignore[arg-type]
    page.goto(f"{server.base_url}/staff/login")
    page.fill("#email", area.newcomer.email)
    page.fill("#password", area.newcomer_password)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/login/two-factor")
    assert_fits_and_accessible(page)

    png = page.locator(".qr-code svg").screenshot()
    [scanned] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    uri = urlsplit(scanned.text)
    assert uri.scheme == "otpauth"
    secret = parse_qs(uri.query)["secret"][0]
    assert secret in page.inner_text(".secret").replace(" ", ""), "the key is still shown as text"

    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form[action='/staff/login/two-factor'] button[type=submit]")
    page.wait_for_url(f"{server.base_url}/staff/")
    with closing(database(area.settings)) as db:
        [(sealed,)] = db.execute("SELECT sealed_totp_secret FROM staff_account WHERE email = ?", (area.newcomer.email,))
    assert sealed is not None


def test_destructive_actions_ask_first(area: StaffArea, server: LiveServer, browser: Browser) -> None:
    page = logged_in(browser, server, area.sessions["coordinator"]).new_page()
    page.goto(f"{server.base_url}/staff/accounts")
    disable = page.locator(f"a[href='/staff/accounts/{area.colleague.id}/disable']")
    assert disable.evaluate("link => getComputedStyle(link).color") != page.locator(
        "button[type=submit]"
    ).last.evaluate("button => getComputedStyle(button).color"), "destructive actions look different"
    disable.click()
    page.wait_for_url(f"**/staff/accounts/{area.colleague.id}/disable")
    assert page.inner_text("h1") == "Dieses Konto sperren?"
    assert_fits_and_accessible(page)
    with closing(database(area.settings)) as db:
        [(active,)] = db.execute("SELECT is_active FROM staff_account WHERE email = ?", (area.colleague.email,))
    assert active, "nothing happens before the confirmation"

    page.click("button.danger")
    page.wait_for_url("**/staff/accounts?saved=disabled")
    assert "gesperrt" in page.inner_text(".confirmation")
    with closing(database(area.settings)) as db:
        [(active,)] = db.execute("SELECT is_active FROM staff_account WHERE email = ?", (area.colleague.email,))
    assert not active

    page.goto(f"{server.base_url}/staff/cases/{area.overdue.id}")
    page.click(f"a[href='/staff/cases/{area.overdue.id}/access/{area.adviser.id}/revoke']")
    assert page.inner_text("h1") == "Zugriff entziehen?"
    page.click("a:text('Abbrechen')")
    page.wait_for_url(f"**/staff/cases/{area.overdue.id}#access")
    assert "Amira Adviser" in page.inner_text(".key-holders")

    # Closing asks first, and says the case can be reopened.
    page.select_option("#new-status", "closed")
    page.select_option("#close-reason", "resolved")
    page.click("#status button[type=submit]")
    page.wait_for_url(f"**/staff/cases/{area.overdue.id}/close?reason=resolved")
    assert page.inner_text("h1") == "Diesen Fall abschließen?"
    assert "wieder öffnen" in page.inner_text(".confirm-box")
    assert_fits_and_accessible(page)
    assert case_status(area.settings, area.overdue) == "new", "nothing happens before the confirmation"
    page.click("a:text('Abbrechen')")
    page.wait_for_url(f"**/staff/cases/{area.overdue.id}#status")
    assert case_status(area.settings, area.overdue) == "new"

    page.select_option("#new-status", "closed")
    page.select_option("#close-reason", "resolved")
    page.click("#status button[type=submit]")
    page.wait_for_url("**/close?reason=resolved")
    page.click("button.danger")
    page.wait_for_url(f"**/staff/cases/{area.overdue.id}?saved=status#status")
    assert case_status(area.settings, area.overdue) == "closed"


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_every_staff_page_is_accessible_and_fits_1280px(
    area: StaffArea, server: LiveServer, browser: Browser, locale: str
) -> None:
    pages = {
        "adviser": [
            "/staff/",
            "/staff/?attention=overdue",
            f"/staff/cases/{area.overdue.id}",
            f"/staff/cases/{area.overdue.id}?saved=status",
            f"/staff/cases/{area.overdue.id}/close?reason=resolved",
            "/staff/digest",
            "/staff/intake",
            "/staff/me",
        ],
        "coordinator": [
            "/staff/",
            f"/staff/cases/{area.replied.id}",
            f"/staff/cases/{area.replied.id}/access/{area.adviser.id}/revoke",
            "/staff/audit",
            "/staff/audit?what=cases",
            "/staff/accounts",
            f"/staff/accounts/{area.colleague.id}/disable",
            f"/staff/accounts/{area.adviser.id}/reset-two-factor",
            "/staff/stats",
            "/staff/digest",
        ],
        "statistician": ["/staff/stats", "/staff/me"],
        "admin": [
            "/staff/accounts",
            f"/staff/accounts/{area.colleague.id}/disable",
            "/staff/me",
            "/staff/offices",
            f"/staff/offices/{central_office(area.settings)}",
        ],
        "anonymous": ["/staff/login", f"/staff/invite/{area.invitation_token}"],
    }
    # The two-factor page is checked where it is reached, in the enrolment test.
    covered = {"/staff/login/two-factor"} | {route_of(path) for paths in pages.values() for path in paths}
    assert covered == staff_layout_routes(create_app(area.settings)) | {
        "/staff/login",
        "/staff/login/two-factor",
        "/staff/invite/{token}",
    }, "every staff page is checked"
    for role, paths in pages.items():
        if role == "anonymous":
            context = browser.new_context(locale=locale, viewport=VIEWPORT)  # type: ignore[arg-type]
        else:
            context = logged_in(browser, server, area.sessions[role], locale=locale)
        page = context.new_page()
        for path in paths:
            response = page.goto(server.base_url + path)
            assert response is not None
            assert response.status == 200, path
            assert page.get_attribute("html", "lang") == locale[:2]
            assert_fits_and_accessible(page)
        page.context.close()

    # An error with its summary, and the walk-in receipt with its slip.
    page = logged_in(browser, server, area.sessions["adviser"], locale=locale).new_page()
    page.goto(f"{server.base_url}/staff/cases/{area.overdue.id}")
    page.fill("#note", " ")
    page.click("#notes button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.locator(".error-summary a[href='#note']").count() == 1
    assert_fits_and_accessible(page)
