"""Fixtures for staff-area tests: real accounts (cheap Argon2 costs), real sessions.

Typical use::

    def test_something(make_staff, staff_client):
        adviser, password, totp_secret = make_staff("adviser")     # an account, not logged in
        coordinator_client = staff_client("coordinator")           # a TestClient with an active session
        adviser_client = staff_client("adviser", account=adviser)  # logged in as that account
        response = post_form(coordinator_client, "/staff/...", {"field": "value"})  # adds the CSRF token
        coordinator_client.staff_account                           # the StaffAccount behind a client

``staff_client`` starts the session directly (``sessions.start_session``); ``login`` goes through the
real password and TOTP forms. Every client of a test shares the app and its event loop.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import httpx
import pyotp
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import Stage
from reporting.access.roles import home_path
from reporting.auth import accounts, sessions, totp
from reporting.config.settings import Settings
from reporting.crypto import passwords
from reporting.db.models import StaffAccount
from tests.conftest import BASE_URL, run_db

CHEAP_ARGON2 = passwords.Argon2Params(time_cost=1, memory_kib=passwords.MIN_MEMORY_KIB, parallelism=1)
DEFAULT_PASSWORD = "correct horse battery staple"
CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "_csrf_token"
STAFF_COOKIE_DOMAIN = "testserver.local"

T = TypeVar("T")


class StaffTestClient(TestClient[Litestar]):
    """A TestClient with an active staff session; ``staff_account`` is the account behind it."""

    def __init__(self, app: Litestar, account: StaffAccount) -> None:
        super().__init__(app=app, base_url=BASE_URL)
        self.staff_account = account


class MakeStaff(Protocol):
    """The ``make_staff`` fixture: ``create_staff`` with the test's settings."""

    def __call__(
        self,
        role: str,
        *,
        email: str | None = None,
        display_name: str | None = None,
        password: str = DEFAULT_PASSWORD,
        enrolled: bool = True,
    ) -> tuple[StaffAccount, str, str | None]: ...


class StaffClient(Protocol):
    """The ``staff_client`` fixture."""

    def __call__(
        self, role: str, *, account: StaffAccount | None = None, password: str = DEFAULT_PASSWORD
    ) -> StaffTestClient: ...


class DbRun(Protocol):
    """The ``db_run`` fixture."""

    def __call__(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T: ...


def create_staff(
    settings: Settings,
    role: str,
    *,
    email: str | None = None,
    display_name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    enrolled: bool = True,
) -> tuple[StaffAccount, str, str | None]:
    """An active account and its password and TOTP secret (``None`` with ``enrolled=False``: the first
    login then enrols one)."""
    secret = totp.new_secret() if enrolled else None

    async def create(session: AsyncSession) -> StaffAccount:
        account = await accounts.add_staff(
            session,
            settings=settings,
            email=email or f"{role}-{uuid.uuid4().hex[:8]}@caritas.example",
            display_name=display_name or f"Test {role}",
            role=role,
            password=password,
            argon2=CHEAP_ARGON2,
        )
        if secret is not None:
            private_key = passwords.unwrap_private_key(account.wrapped_private_key, password)
            account.sealed_totp_secret = totp.seal_secret(secret, private_key=private_key, staff_id=account.id)
        return account

    return run_db(settings, create), password, secret


def start_active_session(settings: Settings, account: StaffAccount, password: str = DEFAULT_PASSWORD) -> str:
    """A logged-in session for ``account`` as after password and code; returns the cookie value."""

    async def start(session: AsyncSession) -> str:
        private_key = passwords.unwrap_private_key(account.wrapped_private_key, password)
        return await sessions.start_session(session, account, private_key, stage=Stage.ACTIVE)

    return run_db(settings, start)


def set_staff_cookie(client: TestClient[Litestar], cookie_value: str) -> None:
    client.cookies.set(
        sessions.STAFF_SESSION_COOKIE, cookie_value, domain=STAFF_COOKIE_DOMAIN, path=sessions.SESSION_COOKIE_PATH
    )


def totp_code(secret: str, *, step_offset: int = 0) -> str:
    """The code of the current time step (``step_offset`` ±1 is still accepted, for a second login)."""
    generator = pyotp.TOTP(secret)
    return str(generator.generate_otp(generator.timecode(time.time()) + step_offset))


def csrf_token(client: TestClient[Litestar]) -> str:
    """The CSRF token of the client's cookie (a GET of the login page issues one when missing)."""
    if CSRF_COOKIE not in client.cookies:
        client.get("/staff/login")
    return str(client.cookies[CSRF_COOKIE])


def post_form(
    client: TestClient[Litestar], url: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> httpx.Response:
    """POST an HTML form with the CSRF token, without following redirects (assert on them instead)."""
    return client.post(url, data={**(data or {}), CSRF_FIELD: csrf_token(client)}, follow_redirects=False, **kwargs)


def login(
    client: TestClient[Litestar], email: str, password: str, secret: str, *, step_offset: int = 0, role: str = ""
) -> None:
    """Password and TOTP code through the real forms; afterwards ``client`` is logged in."""
    response = post_form(client, "/staff/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/staff/login/two-factor"
    response = post_form(client, "/staff/login/two-factor", {"code": totp_code(secret, step_offset=step_offset)})
    assert response.status_code == 303, response.text
    if role:
        assert response.headers["location"] == home_path(role)


def hidden_value(html: str, name: str) -> str:
    """The value of a (hidden) input in a page."""
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    assert match is not None, f"no input {name!r} in page"
    return match.group(1)


@pytest.fixture
def make_staff(initialised_settings: Settings) -> MakeStaff:
    """``make_staff("adviser", email=..., password=..., enrolled=...)`` -> ``(StaffAccount, password, totp_secret)``."""

    def make(
        role: str,
        *,
        email: str | None = None,
        display_name: str | None = None,
        password: str = DEFAULT_PASSWORD,
        enrolled: bool = True,
    ) -> tuple[StaffAccount, str, str | None]:
        return create_staff(
            initialised_settings, role, email=email, display_name=display_name, password=password, enrolled=enrolled
        )

    return make


@pytest.fixture
def staff_client(
    app: Litestar, client: TestClient[Litestar], initialised_settings: Settings, make_staff: MakeStaff
) -> StaffClient:
    """``staff_client("coordinator")`` (a new account) or ``staff_client("adviser", account=a, password=p)``:
    a new TestClient with an active session; its account is ``.staff_account``."""

    def make(role: str, *, account: StaffAccount | None = None, password: str = DEFAULT_PASSWORD) -> StaffTestClient:
        if account is None:
            account, password, _ = make_staff(role, password=password)
        staff = StaffTestClient(app, account)
        # Share the running app's event loop (the database pool belongs to it) instead of starting another.
        staff.blocking_portal = client.blocking_portal
        set_staff_cookie(staff, start_active_session(initialised_settings, account, password))
        return staff

    return make


@pytest.fixture
def db_run(initialised_settings: Settings) -> DbRun:
    """``db_run(async_fn)``: run ``async_fn(session)`` in a committed transaction against the test database."""

    def run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        return run_db(initialised_settings, work)

    return run
