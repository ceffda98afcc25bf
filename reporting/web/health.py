"""Health: the process answers and the database accepts a write.

A read proves little: a database on a full or read-only disk, or a PostgreSQL standby, answers ``SELECT 1``
and loses every report sent to it. The probe therefore commits a write that leaves nothing behind (one row
inserted and deleted in the same transaction). Only a commit tells the truth on SQLite: a pooled connection
opened before its file became read-only begins transactions and writes to its cache; the refusal comes at
commit.

A monitor, a load balancer and a flood of requests to ``/healthz`` must not become a flood of writes: each
worker keeps a successful probe for :data:`PROBE_FRESH_SECONDS` and lets requests arriving while a probe
runs share its result. A failure is never kept, so a broken database shows within that second and a
repaired one at the next request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import time
from collections.abc import Callable
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import delete, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.db.models import UsedToken

PROBE_SCOPE = "healthz"
# Long expired, so housekeeping would remove a probe row even if its delete were ever lost.
PROBE_EXPIRY = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
PROBE_FRESH_SECONDS = 1.0
"""How long a worker answers "ok" from its last successful write probe."""
_PROBE_STATE_KEY = "health_write_probe"


async def probe_write(engine: AsyncEngine) -> bool:
    """Commit one insert and delete of a throw-away row: True when the database stored it."""
    probe = secrets.token_hex(32)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(UsedToken).values(scope=PROBE_SCOPE, token_hash=probe, expires_at=PROBE_EXPIRY)
            )
            await connection.execute(
                delete(UsedToken).where(UsedToken.scope == PROBE_SCOPE, UsedToken.token_hash == probe)
            )
    except (SQLAlchemyError, OSError):
        return False
    return True


class WriteProbe:
    """One worker's write probe: a success is kept for ``fresh_seconds``, concurrent callers share one probe."""

    def __init__(self, fresh_seconds: float = PROBE_FRESH_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._fresh_seconds = fresh_seconds
        self._clock = clock
        self._ok_until = float("-inf")
        self._running: asyncio.Future[bool] | None = None

    async def healthy(self, engine: AsyncEngine) -> bool:
        if self._clock() < self._ok_until:
            return True
        if self._running is None:
            self._running = asyncio.ensure_future(probe_write(engine))
            self._running.add_done_callback(self._settle)
        # Shielded: a caller that goes away does not cancel the probe the others wait for.
        return await asyncio.shield(self._running)

    def _settle(self, running: asyncio.Future[bool]) -> None:
        self._running = None
        if not running.cancelled() and running.exception() is None and running.result():
            self._ok_until = self._clock() + self._fresh_seconds


def _write_probe(state: State) -> WriteProbe:
    probe: WriteProbe | None = state.get(_PROBE_STATE_KEY)
    if probe is None:
        probe = state[_PROBE_STATE_KEY] = WriteProbe()
    return probe


@get("/healthz", media_type=MediaType.JSON, include_in_schema=False)
async def healthz(
    request: Request[Any, Any, State], db_engine: NamedDependency[AsyncEngine]
) -> Response[dict[str, str]]:
    if not await _write_probe(request.app.state).healthy(db_engine):
        return Response({"status": "unavailable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok"}, status_code=HTTP_200_OK)
