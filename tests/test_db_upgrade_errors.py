"""``reporting db upgrade`` on a database it cannot migrate: exit status 1 and one line on stderr that
says what is wrong, never a traceback, and the database left as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from tests.conftest import run_db, settings_for
from tests.live_server import free_port, server_environment


def _db_upgrade(settings: Settings) -> str:
    """Run the real command; return its one stderr line (after checking exit status and shape)."""
    result = subprocess.run(
        [sys.executable, "-m", "reporting", "db", "upgrade"],
        env=server_environment(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


async def _tables(session: AsyncSession) -> set[str]:
    connection = await session.connection()
    return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


def test_unknown_schema_revision_in_the_database(initialised_settings: Settings) -> None:
    async def set_bogus_revision(session: AsyncSession) -> None:
        await session.execute(text("UPDATE alembic_version SET version_num = 'f00dbabe9999'"))

    run_db(initialised_settings, set_bogus_revision)
    line = _db_upgrade(initialised_settings)
    assert "schema version 'f00dbabe9999'" in line
    assert "does not know" in line

    async def revision(session: AsyncSession) -> str:
        return str((await session.execute(text("SELECT version_num FROM alembic_version"))).scalar_one())

    assert run_db(initialised_settings, revision) == "f00dbabe9999"


def test_version_table_missing_on_a_database_with_tables(initialised_settings: Settings) -> None:
    async def drop_version_table(session: AsyncSession) -> None:
        await session.execute(text("DROP TABLE alembic_version"))

    run_db(initialised_settings, drop_version_table)
    tables_before = run_db(initialised_settings, _tables)
    line = _db_upgrade(initialised_settings)
    assert "has tables but no schema version" in line
    assert run_db(initialised_settings, _tables) == tables_before


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reporting.db'}")
    settings.data_dir.mkdir(mode=0o700)  # as `init` makes it: the only complaint must be the file
    garbage = b"These are the minutes of the meeting, not a database.\n" * 100
    database = settings.data_dir / "reporting.db"
    database.write_bytes(garbage)
    line = _db_upgrade(settings)
    assert f"{database} is not a SQLite database" in line
    assert database.read_bytes() == garbage


def test_unreachable_postgresql(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    settings = settings_for(tmp_path, f"postgresql+asyncpg://reporting:s3cret-pass@127.0.0.1:{port}/reporting")
    line = _db_upgrade(settings)
    assert f"cannot reach the database 127.0.0.1:{port}/reporting" in line
    assert "s3cret-pass" not in line
