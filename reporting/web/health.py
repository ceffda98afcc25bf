"""Liveness: the process answers and the database is reachable."""

from __future__ import annotations

from litestar import MediaType, Response, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine


@get("/healthz", media_type=MediaType.JSON, include_in_schema=False)
async def healthz(db_engine: NamedDependency[AsyncEngine]) -> Response[dict[str, str]]:
    try:
        async with db_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return Response({"status": "unavailable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok"}, status_code=HTTP_200_OK)
