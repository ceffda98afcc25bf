"""Engine creation: one place that knows the differences between SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from reporting.config.files import owner_only_directory, owner_only_file
from reporting.config.settings import Settings

SQLITE_PRAGMAS = (
    # Readers and the single writer do not block each other; several workers can share the file.
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    # Deleted rows are overwritten with zeros, so crypto-shredded blobs do not linger in free pages.
    "PRAGMA secure_delete=ON",
)

READ_ONLY_SQLSTATE = "25006"  # PostgreSQL's read_only_sql_transaction


def create_engine(settings: Settings) -> AsyncEngine:
    """Create the async engine for the configured database; SQLite gets WAL mode and foreign keys."""
    if settings.is_sqlite:
        owner_only_directory(settings.data_dir)
        engine = create_async_engine(settings.database_url, connect_args={"timeout": 10})
        event.listen(engine.sync_engine, "connect", _apply_sqlite_pragmas)
        event.listen(engine.sync_engine, "connect", _owner_only_sqlite_files(engine.url.database))
    else:
        engine = create_async_engine(
            settings.database_url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=5,
            # No JIT: its compilation (about 25 ms) cost more than the navigation counts every staff page
            # runs (about 17 ms over 100,000 cases), whose correlated sub-queries look expensive to the
            # planner. Short web queries never gain from it.
            connect_args={"server_settings": {"jit": "off"}},
        )
    event.listen(engine.sync_engine, "handle_error", _discard_read_only_connection)
    return engine


def _apply_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _owner_only_sqlite_files(database: str | None) -> Callable[[Any, Any], None]:
    """Tighten the database file and its WAL and shared-memory files to 0600 whenever a connection opens
    (SQLite gives the WAL and SHM files the database file's mode), whatever the umask was."""
    paths = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm")] if database else []

    def tighten(_dbapi_connection: Any, _record: Any) -> None:
        for path in paths:
            owner_only_file(path)

    return tighten


def _discard_read_only_connection(context: ExceptionContext) -> None:
    """A connection opened while the database could not be written stays read-only after the fault is fixed
    (SQLite opens such a file read-only; a PostgreSQL session keeps ``default_transaction_read_only`` or its
    standby): drop it from the pool, only it, at its first refused write, so the service recovers by itself."""
    if _is_read_only_refusal(context.original_exception):
        context.is_disconnect = True
        context.invalidate_pool_on_disconnect = False


def _is_read_only_refusal(error: BaseException) -> bool:
    sqlite_code = getattr(error, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return bool(sqlite_code & 0xFF == sqlite3.SQLITE_READONLY)
    return getattr(error, "sqlstate", None) == READ_ONLY_SQLSTATE


@asynccontextmanager
async def session_scope(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session for command-line work: commits on success, rolls back on error, disposes the engine."""
    engine = create_engine(settings)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()
