"""Measure what ``reporting retention apply`` leaves on disk, and whether it still opens anything.

For the shredded cases' wrapped keys it counts: the stored blobs (sealed under a period key) still found in
the database files (SQLite: ``.db`` and ``-wal``; PostgreSQL: the database's table files and ``pg_wal``,
after VACUUM and CHECKPOINT); the bare HPKE wraps inside them (what the recovery key, a password or a
receipt code opens) found anywhere there or in the data directory; and the stored blobs that a key file
left in the data directory still opens. Numbers go into SECURITY.md ("Crypto-shredding").

Run (as a user who can read the PostgreSQL data directory for the second):
    python benchmarks/shredding_residue.py
    python benchmarks/shredding_residue.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/reporting_residue
    python benchmarks/shredding_residue.py --survivors 500   (the cost of moving a quarter's open cases)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sqlite3
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, text, update

from reporting.auth.accounts import add_staff
from reporting.cli import cli
from reporting.cli.instance import initialise
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import passwords, report_keys
from reporting.crypto.errors import CryptoError
from reporting.db.engine import create_engine, session_scope
from reporting.db.models import Report, WrappedKey
from reporting.vault import sealing, values
from reporting.vault.period_keys import PeriodKeys, unsealed

CASES = 7
CHEAP = passwords.Argon2Params(time_cost=1, memory_kib=passwords.MIN_MEMORY_KIB, parallelism=1)


def found_in(paths: list[Path], blobs: list[bytes]) -> int:
    contents = [path.read_bytes() for path in paths if path.is_file()]
    return sum(
        1
        for blob in blobs
        if any(blob[start : start + 48] in content for content in contents for start in range(0, len(blob) - 48, 48))
    )


async def seed(settings: Settings, survivors: int) -> list[WrappedKey]:
    """The cases to shred (closed long ago) and ``survivors`` open cases sealed in the same quarter, whose
    wraps retention must move to the quarter's new key."""
    async with session_scope(settings) as db:
        await add_staff(
            db,
            settings=settings,
            email="c@example.org",
            display_name="C",
            role="coordinator",
            password="a long enough password",
            argon2=CHEAP,
        )
        for number in range(CASES):
            await sealing.create_report(
                db,
                settings=settings,
                secrets=load_instance_secrets(settings),
                content=values.ReportContent(f"case {number}"),
                metadata=values.ReportMetadata(
                    received_on=dt.date(2000, 1, 1), language="de", source="online", consent_statistics=True
                ),
            )
        await db.execute(update(Report).values(status="closed", closed_on=dt.date(2000, 1, 1)))
        shredded = list((await db.execute(select(WrappedKey))).scalars())
        for number in range(survivors):
            await sealing.create_report(
                db,
                settings=settings,
                secrets=load_instance_secrets(settings),
                content=values.ReportContent(f"open case {number}"),
                metadata=values.ReportMetadata(
                    received_on=dt.date.today(), language="de", source="online", consent_statistics=True
                ),
            )
        return shredded


def still_opening(settings: Settings, rows: list[WrappedKey]) -> int:
    """How many stored blobs a period key file left in the data directory opens."""
    keys = PeriodKeys.of(settings)
    opened = 0
    for row in rows:
        for key_id in keys.key_ids():
            try:
                report_keys.open_under_period_key(
                    row.wrapped_data_key, keys.key(key_id), row.report_id, row.key_purpose
                )
            except CryptoError:
                continue
            opened += 1
            break
    return opened


async def postgres_files(settings: Settings) -> list[Path]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("COMMIT"))
            await connection.execute(text("VACUUM"))
            await connection.execute(text("CHECKPOINT"))
            data_directory = Path((await connection.execute(text("SHOW data_directory"))).scalar_one())
            oid = (
                await connection.execute(text("SELECT oid FROM pg_database WHERE datname = current_database()"))
            ).scalar_one()
    finally:
        await engine.dispose()
    return [*(data_directory / "base" / str(oid)).iterdir(), *(data_directory / "pg_wal").iterdir()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--survivors", type=int, default=0, help="open cases of the same quarter to move")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        url = arguments.database_url or f"sqlite+aiosqlite:///{root / 'var' / 'reporting.db'}"
        settings = Settings(data_dir=root / "var", keys_dir=root / "keys", database_url=url)
        initialise(settings)
        rows = asyncio.run(seed(settings, arguments.survivors))
        keys = PeriodKeys.of(settings)
        blobs = [row.wrapped_data_key for row in rows]
        bare = [unsealed(keys, row.wrapped_data_key, row.report_id, row.key_purpose) for row in rows]
        data_files = [path for path in settings.data_dir.rglob("*") if path.is_file()]
        env = {
            "REPORTING_DATA_DIR": str(settings.data_dir),
            "REPORTING_KEYS_DIR": str(settings.keys_dir),
            "REPORTING_DATABASE_URL": url,
        }
        if settings.is_sqlite:
            database = root / "var" / "reporting.db"
            files = [database, database.with_name("reporting.db-wal")]
            service = sqlite3.connect(database)  # a running instance keeps the WAL
            service.execute("SELECT 1").fetchall()
            before = found_in(files, blobs)
            started = time.perf_counter()
            result = CliRunner().invoke(cli, ["retention", "apply"], env=env)
            seconds = time.perf_counter() - started
            after = found_in(files, blobs)
            bare_after = found_in([*files, *data_files], bare)
            service.close()
        else:
            before = found_in(asyncio.run(postgres_files(settings)), blobs)
            started = time.perf_counter()
            result = CliRunner().invoke(cli, ["retention", "apply"], env=env)
            seconds = time.perf_counter() - started
            files = asyncio.run(postgres_files(settings))
            after = found_in(files, blobs)
            bare_after = found_in([*files, *data_files], bare)
        print(result.output.strip())
        print(
            f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'}: {len(blobs)} wrapped-key blobs; stored blobs "
            f"found before shredding: {before}, after: {after}; bare HPKE wraps found after: {bare_after}; "
            f"stored blobs a key left on disk opens after: {still_opening(settings, rows)}; "
            f"retention apply took {seconds:.2f} s (moving the wraps of {arguments.survivors} open cases)"
        )


if __name__ == "__main__":
    main()
