"""/healthz tells the truth: 503 while the database cannot be written, 200 again as soon as it can, and
the write it probes with leaves nothing behind."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.app import create_app
from reporting.config.settings import Settings
from reporting.db.models import UsedToken
from tests.conftest import BASE_URL, run_db
from tests.faults import database_read_only


async def _stored_tokens(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(UsedToken))).scalar_one())


def _assert_unavailable(client: TestClient[Litestar]) -> None:
    for _attempt in range(3):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable"}


def test_healthz_fails_while_the_database_cannot_be_written(app: Litestar, initialised_settings: Settings) -> None:
    with TestClient(app=app, base_url=BASE_URL) as client:
        assert client.get("/healthz").status_code == 200
        with database_read_only(initialised_settings):
            _assert_unavailable(client)
        assert client.get("/healthz").status_code == 200
    assert run_db(initialised_settings, _stored_tokens) == 0


def test_healthz_recovers_when_a_worker_connected_during_the_fault(
    app: Litestar, initialised_settings: Settings
) -> None:
    """Another worker keeps the database (and its WAL) open, so this one's first connection, opened during the
    fault, is a read-only one (SQLite) or a read-only session (PostgreSQL). The pool must not keep it."""
    with (
        TestClient(app=create_app(initialised_settings), base_url=BASE_URL) as other_worker,
        TestClient(app=app, base_url=BASE_URL) as client,
    ):
        assert other_worker.get("/healthz").status_code == 200
        with database_read_only(initialised_settings):
            _assert_unavailable(client)
            _assert_unavailable(other_worker)
        assert client.get("/healthz").status_code == 200
        assert other_worker.get("/healthz").status_code == 200
