"""/healthz tells the truth: 503 while the database cannot be written (within about a second, since a worker
keeps a success that long), 200 again as soon as it can, the write it probes with leaves nothing behind,
and a flood of health checks is not a flood of writes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.app import create_app
from reporting.config.settings import Settings
from reporting.db.models import UsedToken
from reporting.web.health import PROBE_FRESH_SECONDS
from tests.commit_faults import CommitBreaker, instance_on_a_small_disk
from tests.conftest import BASE_URL, run_db
from tests.faults import database_read_only

SHOWS_WITHIN_SECONDS = PROBE_FRESH_SECONDS + 1.0
"""A fault must show this soon: the kept success expires, then the next probe fails."""


async def _stored_tokens(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(UsedToken))).scalar_one())


def _assert_turns_unavailable(client: TestClient[Litestar]) -> float:
    """Seconds until /healthz says 503 (at most :data:`SHOWS_WITHIN_SECONDS`), then it stays 503."""
    started = time.monotonic()
    while client.get("/healthz").status_code == 200:
        assert time.monotonic() - started < SHOWS_WITHIN_SECONDS, "the fault did not show"
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    for _attempt in range(3):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable"}
    return elapsed


@contextmanager
def probe_writes() -> Iterator[list[str]]:
    """The probe INSERTs every engine of this process sends to the database, as the driver sees them."""
    inserts: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO USED_TOKEN"):
            inserts.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield inserts
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


def test_healthz_fails_while_the_database_cannot_be_written(app: Litestar, initialised_settings: Settings) -> None:
    with TestClient(app=app, base_url=BASE_URL) as client:
        assert client.get("/healthz").status_code == 200
        with database_read_only(initialised_settings):
            _assert_turns_unavailable(client)
        assert client.get("/healthz").status_code == 200, "a failure is not kept: recovery shows at once"
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
            _assert_turns_unavailable(client)
            _assert_turns_unavailable(other_worker)
        assert client.get("/healthz").status_code == 200
        assert other_worker.get("/healthz").status_code == 200


def test_a_flood_of_health_checks_writes_about_once_a_second(app: Litestar, initialised_settings: Settings) -> None:
    with TestClient(app=app, base_url=BASE_URL) as client, probe_writes() as inserts:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda _n: client.get("/healthz").status_code, range(200)))
        elapsed = time.monotonic() - started
        assert statuses == [200] * 200
        assert 1 <= len(inserts) <= int(elapsed / PROBE_FRESH_SECONDS) + 1, (len(inserts), elapsed)

        time.sleep(PROBE_FRESH_SECONDS)
        assert client.get("/healthz").status_code == 200
        assert len(inserts) >= 2, "a kept success expires: the next check probes again"
    assert run_db(initialised_settings, _stored_tokens) == 0


def test_a_full_disk_shows_within_about_a_second(settings: Settings) -> None:
    """The real fault of the commit tests: SQLite on a full file system, PostgreSQL refusing the COMMIT."""
    with instance_on_a_small_disk(settings) as instance, TestClient(create_app(instance), base_url=BASE_URL) as client:
        breaker = CommitBreaker(instance)
        assert client.get("/healthz").status_code == 200
        breaker.refuse(["used_token"])
        try:
            elapsed = _assert_turns_unavailable(client)
        finally:
            breaker.make_room()
        assert elapsed < SHOWS_WITHIN_SECONDS
        if instance.is_sqlite:
            assert client.get("/healthz").status_code == 200
