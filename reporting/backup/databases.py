"""Consistent copies of a running database, and filling an empty one from such a copy.

SQLite: the online backup API copies every page under one read transaction, so the copy holds what is still
in the WAL and nothing half-written (copying the ``.db`` file loses the WAL). PostgreSQL: ``pg_dump`` reads
one snapshot; ``pg_restore`` fills the empty database in one transaction. Both tools get their connection
settings as libpq environment variables, so a password never appears in a process list. Rate-limit counters
are left out of every copy (see :data:`TABLES_LEFT_OUT`).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from reporting.backup.archive import BackupError
from reporting.config.settings import Settings
from reporting.db.engine import session_scope
from reporting.db.identity import recorded_fingerprint
from reporting.db.migrate import (
    VERSION_TABLE,
    UnusableDatabaseError,
    database_location,
    schema_state,
    unusable_database,
)
from reporting.db.models import InstanceIdentity, ThrottleCounter

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# The TLS options an asyncpg URL may carry; libpq reads either as PGSSLMODE.
_SSL_QUERY_KEYS = ("ssl", "sslmode")
IDENTITY_TABLE = InstanceIdentity.__tablename__
# Rate-limit counters are keyed by an HMAC of the client address under the signing key the backup also holds:
# with both, trying every IPv4 address recovers recent visitors. They only count recent requests anyway.
TABLES_LEFT_OUT = (ThrottleCounter.__tablename__,)


@dataclass(frozen=True)
class DatabaseFacts:
    """What a backup records about its database, and what a restore checks before and after."""

    schema_revision: str | None
    fingerprint: str | None
    tables: frozenset[str]


def database_kind(settings: Settings) -> str:
    return SQLITE if settings.is_sqlite else POSTGRESQL


def sqlite_path(settings: Settings) -> Path:
    return Path(str(make_url(settings.database_url).database))


def _sqlite_uri(path: Path, mode: str) -> str:
    """A URI that opens an existing file only (``sqlite3.connect`` would create a missing one)."""
    return f"file:{quote(str(path))}?mode={mode}"


def snapshot_sqlite(source: Path, target: Path) -> None:
    """Copy the live database at ``source`` to the new file ``target`` with the online backup API, then empty
    the tables a backup leaves out (overwriting their rows)."""
    try:
        with (
            closing(sqlite3.connect(_sqlite_uri(source, "rw"), uri=True, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as live,
            closing(sqlite3.connect(target)) as copy,
        ):
            live.backup(copy)
            copy.execute("PRAGMA secure_delete=ON")
            for table in TABLES_LEFT_OUT:
                copy.execute(f"DELETE FROM {table}")  # noqa: S608 (a constant table name)
            copy.commit()
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy the database {source}: {error}") from None


def sqlite_facts(path: Path) -> DatabaseFacts:
    """Check a SQLite copy page by page and read its schema revision and instance fingerprint."""
    try:
        with closing(sqlite3.connect(_sqlite_uri(path, "rw"), uri=True)) as database:
            if database.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"the database copy {path.name} is damaged")
            tables = frozenset(
                name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
            revision = fingerprint = None
            if VERSION_TABLE in tables:
                revision = _first_value(database.execute(f"SELECT version_num FROM {VERSION_TABLE}"))  # noqa: S608
            if IDENTITY_TABLE in tables:
                fingerprint = _first_value(database.execute(f"SELECT fingerprint FROM {IDENTITY_TABLE}"))  # noqa: S608
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the database copy {path.name} cannot be read: {error}") from None
    return DatabaseFacts(schema_revision=revision, fingerprint=fingerprint, tables=tables)


def _first_value(cursor: sqlite3.Cursor) -> str | None:
    row = cursor.fetchone()
    return None if row is None else str(row[0])


def postgres_facts(settings: Settings) -> DatabaseFacts:
    try:
        state = schema_state(settings)
    except UnusableDatabaseError as problem:
        raise BackupError(str(problem)) from None
    fingerprint = None
    if IDENTITY_TABLE in state.tables:

        async def read() -> str | None:
            async with session_scope(settings) as session:
                return await recorded_fingerprint(session)

        try:
            fingerprint = asyncio.run(read())
        except (SQLAlchemyError, OSError) as error:
            raise BackupError(str(unusable_database(settings, error))) from None
    return DatabaseFacts(schema_revision=state.revision, fingerprint=fingerprint, tables=state.tables)


def libpq_environment(settings: Settings) -> dict[str, str]:
    """The environment for ``pg_dump``/``pg_restore``: what the URL says, as libpq variables (the password in
    ``PGPASSWORD``, readable only by this user and root, unlike argv). What it leaves out, libpq takes from
    the environment and ``~/.pgpass`` as asyncpg does."""
    url = make_url(settings.database_url)
    if not url.database:
        raise BackupError("REPORTING_DATABASE_URL names no database")
    environment = dict(os.environ)
    environment.update(PGDATABASE=url.database, PGCONNECT_TIMEOUT="10")
    for variable, part in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username)):
        if part is not None:
            environment[variable] = str(part)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    for key, value in url.query.items():
        text = value if isinstance(value, str) else value[-1]
        if key in _SSL_QUERY_KEYS:
            environment["PGSSLMODE"] = "require" if text.lower() == "true" else text
        elif key == "host":
            environment["PGHOST"] = text
        else:
            raise BackupError(f"REPORTING_DATABASE_URL option {key!r} is not understood by pg_dump and pg_restore")
    return environment


def _run_client(tool: str, arguments: list[str], settings: Settings) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (fixed tool, arguments built here, no shell)
            [tool, "--no-password", *arguments],
            env=libpq_environment(settings),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client tools (the server's version or newer)"
        ) from None
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise BackupError(f"{tool} failed for {database_location(settings)}: {lines[0] if lines else 'no message'}")


def dump_postgres(settings: Settings, target: Path) -> None:
    left_out = [f"--exclude-table-data={table}" for table in TABLES_LEFT_OUT]
    _run_client("pg_dump", ["--format=custom", *left_out, f"--file={target}"], settings)


def restore_postgres(settings: Settings, dump: Path) -> None:
    """Fill the (empty) configured database from ``dump`` in one transaction: all of it or nothing."""
    _run_client(
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            # A connection string naming only the database: the rest comes from the libpq variables.
            f"--dbname=dbname='{_conninfo_quoted(str(make_url(settings.database_url).database))}'",
            str(dump),
        ],
        settings,
    )


def _conninfo_quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
