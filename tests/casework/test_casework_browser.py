"""The case work in a real Chromium against a real server: an adviser logs in with password and TOTP,
opens a case from the inbox, categorises it and replies; the reporter then reads the reply in the
public mailbox with the receipt code. Every page stays within the strict CSP and passes axe."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, Response

from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from reporting.db.models import StaffAccount
from tests.browser import chromium
from tests.casework.case_helpers import NARRATIVE, SeededCase, seed_case
from tests.casework.conftest import create_staff
from tests.conftest import settings_for
from tests.live_server import LiveServer, live_server

REPLY = "Thank you for your report. We have written to the housing company and will tell you their answer."

pytestmark = pytest.mark.browser


@dataclass
class Scenario:
    settings: Settings
    adviser: StaffAccount
    password: str
    totp_secret: str = field(repr=False)
    case: SeededCase


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    """An adviser with TOTP and a case sealed for them with a receipt code (SQLite: the flow does not
    depend on the database engine, and the database tests run on both)."""
    settings = settings_for(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reporting.db'}")
    initialise(settings)
    adviser, password, secret = create_staff(settings, "adviser", display_name="Amira Adviser")
    assert secret is not None
    case = seed_case(
        settings,
        readers=[adviser],
        receipt_code=True,
        reporter_codes={"grounds": ["racism_ethnic_origin"], "areas": ["housing"]},
    )
    return Scenario(settings, adviser, password, secret, case)


@pytest.fixture
def server(scenario: Scenario, tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(scenario.settings, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def browser(server: LiveServer) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def watch_console(page: Page) -> list[str]:
    """Console errors (a CSP violation is one) and failed loads of a page; the browser's own probe for
    ``/favicon.ico`` (the site has none) is no page resource and is left out."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not str(message.location.get("url", "")).endswith("/favicon.ico"):
            problems.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    return problems


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def audit_actions(settings: Settings) -> list[str]:
    """Plain ``sqlite3``: Playwright's sync API runs an event loop in this thread, so no asyncio here."""
    with closing(sqlite3.connect(settings.data_dir / "reporting.db")) as database:
        return [row[0] for row in database.execute("SELECT action FROM audit_event ORDER BY id")]


def test_adviser_categorises_and_replies_and_the_reporter_reads_it(
    scenario: Scenario, server: LiveServer, browser: Browser
) -> None:
    staff_page = browser.new_context(locale="de-DE").new_page()
    problems = watch_console(staff_page)

    staff_page.goto(f"{server.base_url}/staff/login")
    staff_page.fill("#email", scenario.adviser.email)
    staff_page.fill("#password", scenario.password)
    staff_page.click("button[type=submit]")
    staff_page.wait_for_url("**/staff/login/two-factor")
    staff_page.fill("#code", pyotp.TOTP(scenario.totp_secret).now())
    staff_page.click("form:not([action='/staff/logout']) button[type=submit]")
    staff_page.wait_for_url(f"{server.base_url}/staff/")
    assert_accessible(staff_page)

    staff_page.click(f"a[href='/staff/cases/{scenario.case.id}']")
    staff_page.wait_for_url(f"**/staff/cases/{scenario.case.id}")
    assert NARRATIVE in staff_page.inner_text(".narrative")
    assert_accessible(staff_page)

    categorisation = staff_page.locator("#categorisation form")
    categorisation.locator("input[name=grounds][value=religion]").check()  # the reporter's ground is pre-ticked
    categorisation.locator("input[name=intersectional]").check()
    categorisation.locator("select[name=incident_types]").select_option("discrimination")
    categorisation.locator("input[name=interventions][value=counselling]").check()
    categorisation.locator("button[type=submit]").click()
    staff_page.wait_for_url(f"**/staff/cases/{scenario.case.id}?saved=categorisation#categorisation")
    assert staff_page.is_visible("text=Dieser Fall: Mehrfachdiskriminierung.")
    assert staff_page.locator("#cat-areas").input_value() == "housing"

    staff_page.fill("#reply", REPLY)
    staff_page.click("#messages button[type=submit]")
    staff_page.wait_for_url(f"**/staff/cases/{scenario.case.id}?saved=messages#messages")
    assert REPLY in staff_page.inner_text("#messages")
    assert "Wartet auf Rückmeldung" in staff_page.inner_text(".case-facts")
    staff_page.goto(f"{server.base_url}/staff/intake")
    assert_accessible(staff_page)
    assert problems == []

    reporter_page = browser.new_context(locale="de-DE").new_page()
    reporter_page.goto(f"{server.base_url}/mailbox")
    assert scenario.case.receipt_code is not None
    reporter_page.fill("#field-code", scenario.case.receipt_code)
    reporter_page.click("form.mailbox-login button[type=submit]")
    reporter_page.wait_for_selector(".messages")
    assert REPLY in reporter_page.inner_text(".messages")

    case_actions = [action for action in audit_actions(scenario.settings) if action.startswith("case.")]
    assert case_actions == ["case.open", "case.categorise", "case.open", "case.message", "case.status", "case.open"]
