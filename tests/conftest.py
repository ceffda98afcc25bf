"""Shared fixtures: every database test runs on a real SQLite file, and also on a real PostgreSQL
database when ``REPORTING_TEST_POSTGRES_URL`` is set (CI sets it; then a PostgreSQL run that did not
happen is a failure, not a skip)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.app import create_app
from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from reporting.db.engine import session_scope

POSTGRES_URL_VARIABLE = "REPORTING_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"] if os.environ.get(POSTGRES_URL_VARIABLE) else ["sqlite"]
BASE_URL = "https://testserver.local"
T = TypeVar("T")
_postgres_tests_passed = 0


def _plain_postgres_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def postgres_admin(statement: str) -> None:
    """Run one statement on the test server's maintenance database (create, drop, alter databases)."""

    async def run() -> None:
        connection = await asyncpg.connect(_plain_postgres_url(os.environ[POSTGRES_URL_VARIABLE]))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server (its URL), dropped afterwards."""
    name = f"reporting_test_{uuid.uuid4().hex[:16]}"
    postgres_admin(f'CREATE DATABASE "{name}"')
    base = os.environ[POSTGRES_URL_VARIABLE].rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file in the test's data directory, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reporting.db'}"
        return
    with new_postgres_database() as url:
        yield url


def run_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one committed transaction on its own engine (outside the app)."""

    async def run() -> T:
        async with session_scope(settings) as session:
            return await work(session)

    return asyncio.run(run())


def settings_for(tmp_path: Path, database_url: str, **overrides: str) -> Settings:
    environ = {
        "REPORTING_DATA_DIR": str(tmp_path / "var"),
        "REPORTING_KEYS_DIR": str(tmp_path / "keys"),
        "REPORTING_DATABASE_URL": database_url,
        "REPORTING_PUBLIC_URL": BASE_URL,
        **{f"REPORTING_{name.upper()}": value for name, value in overrides.items()},
    }
    return Settings.from_env(environ)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return settings_for(tmp_path, database_url)


@pytest.fixture
def initialised_settings(settings: Settings) -> Settings:
    initialise(settings)
    return settings


@pytest.fixture
def app(initialised_settings: Settings) -> Litestar:
    return create_app(initialised_settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=app, base_url=BASE_URL) as test_client:
        yield test_client


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    global _postgres_tests_passed  # noqa: PLW0603  (a session-wide count, read once at the end)
    if report.when == "call" and report.passed and "[postgresql" in report.nodeid:
        _postgres_tests_passed += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get(POSTGRES_URL_VARIABLE) and _postgres_tests_passed == 0 and session.testscollected:
        selected_all = not session.config.getoption("keyword") and not session.config.getoption("markexpr")
        if selected_all:
            print(f"\n{POSTGRES_URL_VARIABLE} is set but no PostgreSQL test passed: failing the run")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
