"""Real storage faults for the commit tests: nothing of our code is replaced.

PostgreSQL: a ``DEFERRABLE INITIALLY DEFERRED`` constraint trigger raises at COMMIT, after every
statement of the transaction went through. SQLite: the data directory is a small tmpfs, filled to the
last byte, so SQLite's writes fail with ``SQLITE_FULL`` as on a full disk.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import asyncpg
import pytest

from reporting.cli.instance import initialise
from reporting.config.settings import Settings

DATA_DIR_SIZE = "24m"
REFUSAL_MESSAGE = "commit refused by the test trigger"


def _plain_postgres_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _refuse_commits_postgres(url: str, tables: Sequence[str]) -> None:
    async def install() -> None:
        connection = await asyncpg.connect(_plain_postgres_url(url))
        try:
            await connection.execute(
                "CREATE OR REPLACE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{REFUSAL_MESSAGE}'; END $$"
            )
            for table in tables:
                await connection.execute(
                    f"CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT OR UPDATE OR DELETE ON {table} "
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()"
                )
        finally:
            await connection.close()

    asyncio.run(install())


def _write_until_full(file: BinaryIO, chunk: bytes) -> None:
    while True:
        file.write(chunk)


def _fill_disk(data_dir: Path) -> None:
    """Empty the WAL into the database file (a non-empty WAL would be reused), then fill the file system."""
    database = data_dir / "reporting.db"
    with sqlite3.connect(database) as connection:
        busy, _log, _checkpointed = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    connection.close()
    assert busy == 0
    with (data_dir / "filler").open("wb", buffering=0) as filler:
        for size in (64 * 1024, 1):
            with pytest.raises(OSError, match="No space left"):
                _write_until_full(filler, b"\0" * size)


@contextmanager
def small_data_dir(data_dir: Path) -> Iterator[None]:
    """Mount a small tmpfs as the data directory (needs root), unmounted afterwards whatever happens."""
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DATA_DIR_SIZE}", "tmpfs", str(data_dir)], check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", "--lazy", str(data_dir)], check=True)


@contextmanager
def instance_on_a_small_disk(settings: Settings) -> Iterator[Settings]:
    """The initialised instance; on SQLite in a data directory that is its own small file system."""
    if settings.is_sqlite:
        with small_data_dir(settings.data_dir):
            initialise(settings)
            yield settings
    else:
        initialise(settings)
        yield settings


class CommitBreaker:
    """Makes the next commits fail for real: a deferred trigger on PostgreSQL, a full disk on SQLite."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def is_sqlite(self) -> bool:
        return self.settings.database_url.startswith("sqlite")

    def refuse(self, tables: Sequence[str]) -> None:
        """From now on a transaction writing to ``tables`` (SQLite: anything) fails at COMMIT."""
        if self.is_sqlite:
            _fill_disk(self.settings.data_dir)
        else:
            _refuse_commits_postgres(self.settings.database_url, tables)

    def make_room(self) -> None:
        """Free the full disk again (the deferred triggers stay: they do not hinder reading)."""
        if self.is_sqlite:
            (self.settings.data_dir / "filler").unlink()


def assert_not_stored_logged(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    """One ERROR line at least, and no line (nor its exception text) carrying what was typed."""
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors, "the failed commit was not logged as an error"
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        for secret in secrets:
            assert secret not in text
        assert REFUSAL_MESSAGE not in text  # an exception message can carry input: never logged
