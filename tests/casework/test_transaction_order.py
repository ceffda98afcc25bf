"""What PostgreSQL's transaction order still tells about when a report arrived (finding 5: measured).

Every row carries the id of the transaction that wrote it (``xmin``), and ids grow with time. A report's
own rows say only the day, but rows written just before and after it by others carry exact times (audit
events of staff work). This reconstructs the bracket a database reader gets, asserts that the reporter's
own transactions write no time finer than the hour, and prints the bracket; and it shows that PostgreSQL's
WAL states the exact commit time anyway while its segment exists (see SECURITY.md)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import DateTime, text
from sqlalchemy.ext.asyncio import AsyncSession

import reporting.db.models  # noqa: F401  (registers every table on the metadata)
from reporting.config.settings import Settings
from reporting.db.base import Base
from tests.casework.case_helpers import seed_case
from tests.casework.conftest import StaffClient
from tests.conftest import run_db
from tests.intake.conftest import full_report_form, post_form, receipt_code

PAUSE_SECONDS = 1.5
EXPIRY_TABLES = ("throttle_counter", "used_token", "staff_invitation")

TimedRow = tuple[int, str, dt.datetime]


async def _timed_rows(db: AsyncSession) -> list[TimedRow]:
    """(transaction id, table, time) of every time-of-day column of every row."""
    rows: list[TimedRow] = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, DateTime) or "DateTime" in type(column.type).__name__:
                statement = text(
                    f'SELECT xmin::text::bigint, "{column.name}" FROM "{table.name}" WHERE "{column.name}" IS NOT NULL'
                )
                rows.extend((xid, table.name, moment) for xid, moment in await db.execute(statement))
    return rows


async def _report_transactions(db: AsyncSession) -> list[int]:
    return [int(xid) for (xid,) in await db.execute(text("SELECT xmin::text::bigint FROM report"))]


def test_the_bracket_around_a_report_is_staff_work_never_the_reporters_own_rows(
    client: TestClient[Litestar], staff_client: StaffClient, initialised_settings: Settings
) -> None:
    if initialised_settings.is_sqlite:
        pytest.skip("transaction ids are PostgreSQL's")
    adviser = staff_client("adviser")
    case: uuid.UUID = seed_case(initialised_settings, readers=[adviser.staff_account]).id
    known_reports = set(run_db(initialised_settings, _report_transactions))

    assert adviser.get(f"/staff/cases/{case}").status_code == 200  # an audit event with the exact time
    time.sleep(PAUSE_SECONDS)
    before_report = dt.datetime.now(dt.UTC)
    receipt_code(post_form(client, "/report?lang=en", full_report_form()))
    after_report = dt.datetime.now(dt.UTC)
    time.sleep(PAUSE_SECONDS)
    assert adviser.get(f"/staff/cases/{case}").status_code == 200

    (report_xid,) = set(run_db(initialised_settings, _report_transactions)) - known_reports
    rows = run_db(initialised_settings, _timed_rows)
    # Expiry times lie in the future; the times a row was written at are the rest.
    written = [(xid, moment) for xid, table, moment in rows if table not in EXPIRY_TABLES]
    earlier = max((moment for xid, moment in written if xid < report_xid), default=None)
    later = min((moment for xid, moment in written if xid > report_xid), default=None)
    assert earlier is not None
    assert later is not None
    assert earlier <= before_report
    assert later >= after_report
    bracket = (later - earlier).total_seconds()
    print(f"\nreport bracket from transaction order: {bracket:.1f} s (staff work {2 * PAUSE_SECONDS} s apart)")
    # Only the staff work around it narrows it down; audit events keep whole seconds, so the later bound
    # may lie up to a second before the staff action it records.
    assert bracket >= 2 * PAUSE_SECONDS - 1

    # The reporter's own transactions (rate-limit counters, spent tokens, the report) carry no exact time:
    # everything written after the last staff row before the report, up to the report, is a full hour.
    last_staff_xid = max(xid for xid, moment in written if xid < report_xid)
    reporters = [(table, moment) for xid, table, moment in rows if last_staff_xid < xid <= report_xid]
    assert {table for table, _moment in reporters} <= set(EXPIRY_TABLES)
    for table, moment in reporters:
        assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0), (table, moment)


PG_WALDUMP = shutil.which("pg_waldump") or next(
    iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_waldump"))), None
)
COMMIT_TIME = re.compile(r"desc: COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC")


async def _wal_position(db: AsyncSession) -> tuple[str, str]:
    lsn, directory = (
        await db.execute(text("SELECT pg_current_wal_lsn()::text, current_setting('data_directory')"))
    ).one()
    return str(lsn), str(directory)


def test_the_write_ahead_log_states_a_reports_exact_commit_time(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    """Why the transaction-order bracket is not narrowed further (SECURITY.md, finding 5): while its WAL
    segment exists, the commit record of the report's transaction names the exact time."""
    if initialised_settings.is_sqlite:
        pytest.skip("PostgreSQL's write-ahead log")
    if PG_WALDUMP is None:
        pytest.skip("pg_waldump is not installed")
    known_reports = set(run_db(initialised_settings, _report_transactions))
    start, data_directory = run_db(initialised_settings, _wal_position)
    if not os.access(Path(data_directory) / "pg_wal", os.R_OK | os.X_OK):
        pytest.skip("pg_wal is not readable by this user")
    before_report = dt.datetime.now(dt.UTC)
    receipt_code(post_form(client, "/report?lang=en", full_report_form()))
    after_report = dt.datetime.now(dt.UTC)
    end, _ = run_db(initialised_settings, _wal_position)
    (report_xid,) = set(run_db(initialised_settings, _report_transactions)) - known_reports

    dump = subprocess.run(
        [str(PG_WALDUMP), "-p", f"{data_directory}/pg_wal", "-s", start, "-e", end, "-x", str(report_xid)],
        env={**os.environ, "TZ": "UTC"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    [committed] = [
        dt.datetime.fromisoformat(match).replace(tzinfo=dt.UTC) for match in COMMIT_TIME.findall(dump.stdout)
    ]
    assert before_report <= committed <= after_report
    print(
        f"\nreport commit time in pg_wal: {committed.isoformat()} (exact; sent within {after_report - before_report})"
    )
