"""Health: the process answers and the database accepts a write.

A read proves little: a database on a full or read-only disk, or a PostgreSQL standby, answers ``SELECT 1``
and loses every report sent to it. The probe therefore commits a write that leaves nothing behind (one row
inserted and deleted in the same transaction). Only a commit tells the truth on SQLite: a pooled connection
opened before its file became read-only begins transactions and writes to its cache; the refusal comes at
commit.
"""

from __future__ import annotations

import datetime as dt
import secrets

from litestar import MediaType, Response, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import delete, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.db.models import UsedToken

PROBE_SCOPE = "healthz"
# Long expired, so housekeeping would remove a probe row even if its delete were ever lost.
PROBE_EXPIRY = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@get("/healthz", media_type=MediaType.JSON, include_in_schema=False)
async def healthz(db_engine: NamedDependency[AsyncEngine]) -> Response[dict[str, str]]:
    probe = secrets.token_hex(32)
    try:
        async with db_engine.begin() as connection:
            await connection.execute(
                insert(UsedToken).values(scope=PROBE_SCOPE, token_hash=probe, expires_at=PROBE_EXPIRY)
            )
            await connection.execute(
                delete(UsedToken).where(UsedToken.scope == PROBE_SCOPE, UsedToken.token_hash == probe)
            )
    except (SQLAlchemyError, OSError):
        return Response({"status": "unavailable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok"}, status_code=HTTP_200_OK)
