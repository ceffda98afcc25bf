"""Engine creation: one place that knows the differences between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from reporting.config.settings import Settings

SQLITE_PRAGMAS = (
    # Readers and the single writer do not block each other; several workers can share the file.
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    # Deleted rows are overwritten with zeros, so crypto-shredded blobs do not linger in free pages.
    "PRAGMA secure_delete=ON",
)


def create_engine(settings: Settings) -> AsyncEngine:
    """Create the async engine for the configured database; SQLite gets WAL mode and foreign keys."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(settings.database_url, connect_args={"timeout": 10})
        event.listen(engine.sync_engine, "connect", _apply_sqlite_pragmas)
        return engine
    return create_async_engine(settings.database_url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _apply_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


@asynccontextmanager
async def session_scope(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session for command-line work: commits on success, rolls back on error, disposes the engine."""
    engine = create_engine(settings)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()
