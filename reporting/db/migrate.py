"""Alembic, driven from code so ``reporting init`` and ``reporting db upgrade`` need no alembic.ini.

Whatever stands in the way of a migration (an unreachable server, a file that is not a database, a schema
version this code does not know) becomes one :class:`UnusableDatabaseError` line for the operator, not a traceback.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from reporting.config.settings import Settings
from reporting.db.engine import create_engine

MIGRATIONS_DIR = str(files("reporting.db") / "migrations")
VERSION_TABLE = "alembic_version"
_DATABASE_ERRORS = (SQLAlchemyError, OSError, CommandError, RevisionError)


class UnusableDatabaseError(RuntimeError):
    """The database cannot be used or migrated as it is. The message is one line: it names the database
    without its password and never carries SQL or its parameters."""


@dataclass(frozen=True)
class SchemaState:
    revision: str | None
    tables: frozenset[str]


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (synchronous: call it outside the event loop or in a thread)."""
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)


def head_revision(settings: Settings) -> str | None:
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def is_known_revision(settings: Settings, revision: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config(settings))
    return any(known.revision == revision for known in script.walk_revisions())


async def current_revision(connection: AsyncConnection) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


def database_location(settings: Settings) -> str:
    """The database as an operator recognises it: the SQLite file, or PostgreSQL host:port/name (no password)."""
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        return str(url.database)
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def unusable_database(settings: Settings, error: BaseException) -> UnusableDatabaseError:
    """The operator's one line for an error raised while connecting to or migrating the database."""
    where = database_location(settings)
    if isinstance(error, DBAPIError):
        # The driver's own message (asyncpg's is the cause of SQLAlchemy's adapter error), never the statement.
        cause = (error.orig.__cause__ or error.orig) if error.orig is not None else error
        reason = _first_line(str(cause)) or type(cause).__name__
        if settings.is_sqlite and "file is not a database" in reason:
            return UnusableDatabaseError(f"{where} is not a SQLite database (a damaged or foreign file?)")
        return UnusableDatabaseError(f"the database {where} refused: {reason}")
    if isinstance(error, OSError):
        # "Connection refused" rather than asyncio's "Connect call failed (...)"; resolver errors keep their text.
        reason = os.strerror(error.errno) if error.errno and error.errno > 0 else error.strerror or str(error)
        return UnusableDatabaseError(f"cannot reach the database {where}: {reason or type(error).__name__}")
    return UnusableDatabaseError(f"cannot use the database {where}: {_first_line(str(error)) or type(error).__name__}")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _read_schema_state(connection: Connection) -> SchemaState:
    revision = MigrationContext.configure(connection).get_current_revision()
    return SchemaState(revision, frozenset(inspect(connection).get_table_names()))


def schema_state(settings: Settings) -> SchemaState:
    """The database's schema revision and tables; a :class:`UnusableDatabaseError` when it cannot be read."""

    async def read() -> SchemaState:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(_read_schema_state)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(read())
    except _DATABASE_ERRORS as error:
        raise unusable_database(settings, error) from None


def upgrade_to_head(settings: Settings) -> bool:
    """Upgrade the database to the newest schema; return whether anything was applied.

    A database this code did not create, or one at a revision it does not know, is refused before Alembic
    touches it: migrating either would fail half-way or damage data that is not ours.
    """
    state = schema_state(settings)
    where = database_location(settings)
    if state.revision is None and state.tables - {VERSION_TABLE}:
        raise UnusableDatabaseError(
            f"the database {where} has tables but no schema version: it was not created by `reporting init`, "
            f"or its {VERSION_TABLE} table was lost"
        )
    if state.revision is not None and not is_known_revision(settings, state.revision):
        raise UnusableDatabaseError(
            f"the database {where} is at schema version {state.revision!r}, which this version of reporting "
            "does not know (was it migrated by a newer version?)"
        )
    if state.revision == head_revision(settings):
        return False
    try:
        upgrade(settings)
    except _DATABASE_ERRORS as error:
        raise unusable_database(settings, error) from None
    return True
