"""Retention: ``reporting retention apply`` crypto-shreds closed cases after the configured period, keeps
their de-identified categorisation for statistics, and audits each one."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.casework.retention import retention_cutoff
from reporting.cli import cli
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.models import Attachment, CaseCode, Categorisation, Message, Note, Report, StaffAccount, WrappedKey
from reporting.vault import opening, values
from tests.casework.case_helpers import audit_events, load_report, seed_case, staff_codes, use_cheap_receipts
from tests.casework.conftest import post_form
from tests.conftest import run_db

StaffClient = Callable[..., TestClient[Litestar]]
MakeStaff = Callable[..., tuple[StaffAccount, str, str | None]]
TODAY = dt.date.today()


def run_retention(settings: Settings, *args: str, years: int | None = None) -> Result:
    environment = {
        "REPORTING_DATA_DIR": str(settings.data_dir),
        "REPORTING_KEYS_DIR": str(settings.keys_dir),
        "REPORTING_DATABASE_URL": settings.database_url,
    }
    if years is not None:
        environment["REPORTING_RETENTION_YEARS"] = str(years)
    result = CliRunner().invoke(cli, ["retention", "apply", *args], env=environment)
    assert result.exit_code == 0, result.output
    return result


async def _categorised_on(db: AsyncSession, report_id: uuid.UUID) -> dt.date | None:
    categorisation = await db.get(Categorisation, report_id)
    return categorisation.categorised_on if categorisation else None


def rows_of(settings: Settings, report_id: uuid.UUID) -> dict[str, int]:
    async def count(db: AsyncSession) -> dict[str, int]:
        counts = {}
        for model in (WrappedKey, Attachment, Message, Note, Categorisation):
            statement = select(func.count()).select_from(model).where(model.report_id == report_id)
            counts[model.__tablename__] = int((await db.execute(statement)).scalar_one())
        reporter = select(func.count()).where(CaseCode.report_id == report_id, CaseCode.origin == "reporter")
        counts["reporter_codes"] = int((await db.execute(reporter)).scalar_one())
        return counts

    result: dict[str, int] = run_db(settings, count)
    return result


def close(settings: Settings, report_id: uuid.UUID, closed_on: dt.date) -> None:
    async def update(db: AsyncSession) -> None:
        report = await db.get(Report, report_id)
        assert report is not None
        report.status, report.closed_on, report.close_reason = "closed", closed_on, "resolved"

    run_db(settings, update)


def test_cutoff_is_the_same_day_years_ago() -> None:
    assert retention_cutoff(dt.date(2026, 5, 17), 3) == dt.date(2023, 5, 17)
    assert retention_cutoff(dt.date(2028, 2, 29), 3) == dt.date(2025, 2, 28)


def test_retention_shreds_old_closed_cases_and_keeps_their_statistical_record(
    staff_client: StaffClient, make_staff: MakeStaff, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_receipts(monkeypatch)
    adviser_account, password, _ = make_staff("adviser")
    adviser = staff_client("adviser", account=adviser_account, password=password)
    old = seed_case(
        initialised_settings,
        readers=[adviser_account],
        assignee=adviser_account,
        receipt_code=True,
        received_on=dt.date(2020, 3, 17),
        reporter_codes={"grounds": ["religion"], "incident_period": ["earlier"]},
        staff_codes={"grounds": ["religion", "gender"], "areas": ["housing"]},
        attachments=[values.FileUpload(filename="letter.pdf", media_type="application/pdf", content=b"%PDF-1.7")],
    )
    assert post_form(adviser, f"/staff/cases/{old.id}/notes", {"body": "note"}).status_code == 303
    assert post_form(adviser, f"/staff/cases/{old.id}/messages", {"body": "reply"}).status_code == 303
    three_years_and_a_day = retention_cutoff(TODAY, 3) - dt.timedelta(days=1)
    close(initialised_settings, old.id, three_years_and_a_day)
    recent = seed_case(initialised_settings, closed_on=TODAY - dt.timedelta(days=400)).id
    still_open = seed_case(initialised_settings, received_on=dt.date(2015, 1, 1)).id

    dry_run = run_retention(initialised_settings, "--dry-run")
    assert "1 cases closed on or before" in dry_run.output
    assert load_report(initialised_settings, old.id).shredded_on is None
    assert rows_of(initialised_settings, old.id)["wrapped_key"] > 0

    result = run_retention(initialised_settings)

    assert "Crypto-shredded the content of 1 cases" in result.output
    report = load_report(initialised_settings, old.id)
    assert report.shredded_on == TODAY.replace(day=1)  # a shredded case keeps months, never days
    assert (report.sealed_narrative, report.sealed_contact, report.sealed_answers) == (None, None, None)
    assert (report.receipt_lookup, report.receipt_public_key, report.assignee_id) == (None, None, None)
    assert (report.received_on, report.closed_on) == (dt.date(2020, 3, 1), three_years_and_a_day.replace(day=1))
    assert rows_of(initialised_settings, old.id) == {
        "wrapped_key": 0,
        "attachment": 0,
        "message": 0,
        "note": 0,
        "categorisation": 1,
        "reporter_codes": 0,
    }
    assert staff_codes(initialised_settings, old.id) == {"areas": ["housing"], "grounds": ["gender", "religion"]}
    categorised_on = run_db(initialised_settings, lambda db: _categorised_on(db, old.id))
    assert categorised_on is not None
    assert categorised_on.day == 1
    assert audit_events(initialised_settings, old.id)[-1] == ("cli", "retention.shred", "")

    async def by_receipt(db: AsyncSession) -> object:
        assert old.receipt_code is not None
        return await opening.find_report_by_receipt(db, load_instance_secrets(initialised_settings), old.receipt_code)

    assert run_db(initialised_settings, by_receipt) is None
    assert adviser.get(f"/staff/cases/{old.id}").status_code == 404
    assert str(old.id) not in adviser.get("/staff/").text
    for untouched in (recent, still_open):
        assert load_report(initialised_settings, untouched).shredded_on is None
    assert "Crypto-shredded the content of 0 cases" in run_retention(initialised_settings).output


def test_the_period_is_configurable(initialised_settings: Settings) -> None:
    case = seed_case(initialised_settings, closed_on=TODAY - dt.timedelta(days=400)).id
    assert "0 cases" in run_retention(initialised_settings, "--dry-run").output
    assert "1 cases" in run_retention(initialised_settings, years=1).output
    assert load_report(initialised_settings, case).shredded_on == TODAY.replace(day=1)


def test_a_case_closed_exactly_on_the_cutoff_day_is_shredded_and_one_closed_a_day_later_is_not(
    initialised_settings: Settings,
) -> None:
    cutoff = retention_cutoff(TODAY, initialised_settings.retention_years)
    on_the_cutoff = seed_case(initialised_settings, closed_on=cutoff).id
    a_day_later = seed_case(initialised_settings, closed_on=cutoff + dt.timedelta(days=1)).id

    dry_run = run_retention(initialised_settings, "--dry-run").output
    assert f"1 cases closed on or before {cutoff.isoformat()}" in dry_run
    assert "Crypto-shredded the content of 1 cases" in run_retention(initialised_settings).output
    assert load_report(initialised_settings, on_the_cutoff).shredded_on == TODAY.replace(day=1)
    assert load_report(initialised_settings, a_day_later).shredded_on is None


def _files_containing(paths: list[Path], blobs: list[bytes]) -> dict[str, int]:
    """How many of ``blobs`` (each, or any 48-byte slice of it) each file still contains."""
    found = {}
    for path in paths:
        content = path.read_bytes() if path.exists() else b""
        found[path.name] = sum(
            1 for blob in blobs if any(blob[start : start + 48] in content for start in range(0, len(blob) - 48, 48))
        )
    return found


def test_sqlite_shredding_leaves_no_key_blob_in_the_database_or_wal_files(
    initialised_settings: Settings, make_staff: MakeStaff
) -> None:
    """Finding 4: while the service runs (a connection keeps the WAL alive), ``retention apply`` must not
    leave the shredded wrapped keys in ``reporting.db`` or ``reporting.db-wal``."""
    if not initialised_settings.is_sqlite:
        pytest.skip("PostgreSQL: test_shredding_residue.py (period keys)")
    make_staff("coordinator")
    cases = [seed_case(initialised_settings, closed_on=dt.date(2000, 1, 1)).id for _ in range(5)]

    async def blobs(db: AsyncSession) -> list[bytes]:
        rows = await db.execute(select(WrappedKey.wrapped_data_key).where(WrappedKey.report_id.in_(cases)))
        return list(rows.scalars())

    shredded_keys = run_db(initialised_settings, blobs)
    database = Path(initialised_settings.database_url.split("///", 1)[1])
    files = [database, database.with_name(database.name + "-wal")]
    running_service = sqlite3.connect(database)  # holds the WAL open, as a serving instance does
    try:
        running_service.execute("SELECT count(*) FROM report").fetchall()
        assert sum(_files_containing(files, shredded_keys).values()) > 0
        run_retention(initialised_settings)
        assert _files_containing(files, shredded_keys) == {database.name: 0, database.name + "-wal": 0}
    finally:
        running_service.close()
