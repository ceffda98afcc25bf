"""Isolation between offices in a real Chromium against a live server: a coordinator of the Kleve example
office logs in, sees their office's case and not Recklinghausen's, and guessing the other case's URL
(page, export, attachment) answers 404 with nothing of the case in the page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from reporting.db.models import StaffAccount
from reporting.offices.store import office_ids_by_slug
from reporting.vault.offices import set_memberships
from tests.browser import chromium
from tests.casework.case_helpers import seed_case
from tests.casework.conftest import create_staff
from tests.conftest import run_db, settings_for
from tests.live_server import LiveServer, live_server

EXAMPLE_OFFICES = Path(__file__).resolve().parents[2] / "offices.example.toml"
OWN_STORY = "Der Vermieter in Kleve lehnte mich wegen meines Namens ab."
OTHER_STORY = "In Recklinghausen wurde mir der Zutritt zum Club verweigert."

pytestmark = pytest.mark.browser


def _coordinator(settings: Settings, slug: str, name: str) -> tuple[StaffAccount, str, str]:
    account, password, secret = create_staff(settings, "coordinator", display_name=name)
    assert secret is not None

    async def join(db: AsyncSession) -> None:
        await set_memberships(db, account.id, await office_ids_by_slug(db, [slug]))

    run_db(settings, join)
    return account, password, secret


@pytest.fixture
def instance(tmp_path: Path) -> tuple[Settings, tuple[StaffAccount, str, str], uuid.UUID, uuid.UUID]:
    settings = settings_for(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reporting.db'}", offices_file=str(EXAMPLE_OFFICES)
    )
    initialise(settings)
    kleve = _coordinator(settings, "beispiel-kleve", "Karla Kleve")
    _coordinator(settings, "beispiel-recklinghausen", "Rita Recklinghausen")
    own = seed_case(settings, narrative=OWN_STORY, reporter_codes={"regions": ["kleve"]}).id
    other = seed_case(settings, narrative=OTHER_STORY, reporter_codes={"regions": ["recklinghausen"]}).id
    return settings, kleve, own, other


@pytest.fixture
def server(
    instance: tuple[Settings, tuple[StaffAccount, str, str], uuid.UUID, uuid.UUID], tmp_path: Path
) -> Iterator[LiveServer]:
    with live_server(instance[0], tmp_path / "server.log") as running:
        yield running


def test_a_coordinator_cannot_reach_another_offices_case_by_guessing_its_url(
    instance: tuple[Settings, tuple[StaffAccount, str, str], uuid.UUID, uuid.UUID], server: LiveServer
) -> None:
    _, (account, password, secret), own, other = instance
    with chromium() as browser:
        _check(browser, server, account, password, secret, own, other)


def _check(
    browser: Browser,
    server: LiveServer,
    account: StaffAccount,
    password: str,
    secret: str,
    own: uuid.UUID,
    other: uuid.UUID,
) -> None:
    page = browser.new_context(locale="de-DE").new_page()
    page.goto(f"{server.base_url}/staff/login")
    page.fill("#email", account.email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/login/two-factor")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form:not([action='/staff/logout']) button[type=submit]")
    page.wait_for_url(f"{server.base_url}/staff/")

    assert page.locator(f"a[href='/staff/cases/{own}']").count() == 1
    assert page.locator(f"a[href='/staff/cases/{other}']").count() == 0

    for guessed in (
        f"/staff/cases/{other}",
        f"/staff/cases/{other}/export",
        f"/staff/cases/{other}/attachments/{uuid.uuid4()}",
    ):
        response = page.goto(f"{server.base_url}{guessed}")
        assert response is not None
        assert response.status == 404, guessed
        assert OTHER_STORY not in page.content()
        assert str(other)[:8].upper() not in page.content()
    nonexistent = page.goto(f"{server.base_url}/staff/cases/{uuid.uuid4()}")
    assert nonexistent is not None
    assert nonexistent.status == 404

    page.goto(f"{server.base_url}/staff/cases/{own}")
    assert OWN_STORY in page.inner_text(".narrative")
    assert "Beispielstelle Kleve (Beispiel)" in page.inner_text(".case-facts")
