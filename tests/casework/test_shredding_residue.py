"""Finding 3 of issue 11: after ``retention apply`` nothing left on disk opens a shredded case.

PostgreSQL keeps deleted rows in its table files and WAL; SQLite's files are scrubbed. Either way a
stored wrapped key is sealed under a period key kept outside the database, and retention destroys the
key generation that sealed a shredded case. These tests read every file of the database (the whole
PostgreSQL cluster directory, ``pg_wal`` included, after VACUUM and CHECKPOINT) and try every key that
is left on disk, the recovery private key of the trial instance included.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import envelope, passwords, report_keys
from reporting.crypto.errors import CryptoError
from reporting.crypto.recovery import recovery_keypair_from_secret
from reporting.db.engine import create_engine
from reporting.db.models import Report, StaffAccount, WrappedKey
from reporting.vault import opening, values
from reporting.vault.period_keys import PeriodKeys, period_of, unsealed
from reporting.vault.recovery_key import read_recovery_secret
from tests.casework.case_helpers import seed_case
from tests.casework.test_retention import run_retention
from tests.conftest import run_db

MakeStaff = Callable[..., tuple[StaffAccount, str, str | None]]
SLICE = 48
SLICES_PER_BLOB = 4


def _wraps(settings: Settings, cases: list[uuid.UUID]) -> list[WrappedKey]:
    async def load(db: AsyncSession) -> list[WrappedKey]:
        return list((await db.execute(select(WrappedKey).where(WrappedKey.report_id.in_(cases)))).scalars())

    rows: list[WrappedKey] = run_db(settings, load)
    return rows


async def _postgres_files(settings: Settings) -> list[Path]:
    """Every file of the cluster, after VACUUM and CHECKPOINT (as a seized server would hold them)."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("COMMIT"))
            await connection.execute(text("VACUUM"))
            await connection.execute(text("CHECKPOINT"))
            data_directory = Path((await connection.execute(text("SHOW data_directory"))).scalar_one())
    finally:
        await engine.dispose()
    if not os.access(data_directory, os.R_OK | os.X_OK):
        pytest.skip(f"{data_directory} is not readable by this user (run as root or as postgres)")
    return [Path(root) / name for root, _dirs, names in os.walk(data_directory) for name in names]


def _disk(settings: Settings) -> bytes:
    """Everything the data directory (with the SQLite files) and the PostgreSQL cluster hold, in one string."""
    paths = [Path(root) / name for root, _dirs, names in os.walk(settings.data_dir) for name in names]
    if not settings.is_sqlite:
        paths += asyncio.run(_postgres_files(settings))
    contents = []
    for path in paths:
        try:
            contents.append(path.read_bytes())
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            continue
    return b"\0".join(contents)


def _found(disk: bytes, blob: bytes) -> bool:
    step = max(SLICE, len(blob) // SLICES_PER_BLOB)
    return any(blob[start : start + SLICE] in disk for start in range(0, len(blob) - SLICE, step))


def _opens_with_anything_on_disk(settings: Settings, row: WrappedKey, recovery_private_key: bytes) -> bool:
    """Whether a key file left in the data directory opens this stored blob's period layer (for the
    recovery wraps, the recovery private key in the data directory then opens the data key too)."""
    keys = PeriodKeys.of(settings)
    for key_id in keys.key_ids():
        try:
            wrapped = report_keys.open_under_period_key(
                row.wrapped_data_key, keys.key(key_id), row.report_id, row.key_purpose
            )
        except CryptoError:
            continue
        if row.recipient == values.RECOVERY_RECIPIENT:
            report_keys.unwrap_data_key(wrapped, recovery_private_key, row.report_id, row.key_purpose)
        return True
    return False


def test_nothing_left_on_disk_opens_a_shredded_case(initialised_settings: Settings, make_staff: MakeStaff) -> None:
    settings = initialised_settings
    assert settings.is_trial  # the recovery private key is in the data directory: the strongest seizure
    recovery_private_key = recovery_keypair_from_secret(
        read_recovery_secret(settings.recovery_private_key_file.read_text())
    ).private_key
    coordinator, password, _ = make_staff("coordinator")
    shredded = [
        seed_case(settings, closed_on=dt.date(2000, 1, 1), receipt_code=True, narrative=f"shredded {n}").id
        for n in range(5)
    ]
    survivor = seed_case(settings, receipt_code=True, narrative="still open")
    stored = _wraps(settings, shredded)
    keys = PeriodKeys.of(settings)
    sealing_keys = {report_keys.period_key_id(row.wrapped_data_key) for row in stored}
    assert sealing_keys == {f"{period_of(dt.date.today())}-0001"}
    inner = [unsealed(keys, row.wrapped_data_key, row.report_id, row.key_purpose) for row in stored]
    # Control: before shredding the stored blobs are on disk and open with what is on disk.
    disk = _disk(settings)
    assert all(_found(disk, row.wrapped_data_key) for row in stored)
    assert all(_opens_with_anything_on_disk(settings, row, recovery_private_key) for row in stored)

    run_retention(settings)

    disk = _disk(settings)
    # The wrapped keys as HPKE would open them never reached any file ...
    assert [blob for blob in inner if _found(disk, blob)] == []
    # ... and whatever is left of the stored blobs opens with nothing on disk.
    assert [row for row in stored if _opens_with_anything_on_disk(settings, row, recovery_private_key)] == []
    assert sealing_keys.isdisjoint(keys.key_ids())
    # The surviving case of the same quarter moved to the new key and opens for staff and reporter.
    private_key = _private_key(coordinator, password)

    async def read(db: AsyncSession) -> tuple[str, int]:
        case = await db.get(Report, survivor.id)
        assert case is not None
        assert survivor.receipt_code is not None
        opened = await opening.open_case(db, keys, case, staff_id=coordinator.id, private_key=private_key)
        found = await opening.find_report_by_receipt(db, load_instance_secrets(settings), survivor.receipt_code)
        assert found is not None
        mailbox_key = await opening.mailbox_key_for_reporter(db, keys, *found)
        return opened.content.narrative, len(mailbox_key)

    assert run_db(settings, read) == ("still open", envelope.DATA_KEY_LENGTH)
    assert {report_keys.period_key_id(row.wrapped_data_key) for row in _wraps(settings, [survivor.id])} == {
        f"{period_of(dt.date.today())}-0002"
    }


def _private_key(account: StaffAccount, password: str) -> bytes:
    return passwords.unwrap_private_key(account.wrapped_private_key, password)


def test_wraps_stored_before_period_keys_are_sealed_by_the_next_retention_run(
    initialised_settings: Settings, make_staff: MakeStaff
) -> None:
    """An upgraded instance: its wrapped keys were stored bare; retention seals them (they still open)."""
    settings = initialised_settings
    coordinator, password, _ = make_staff("coordinator")
    case = seed_case(settings)
    keys = PeriodKeys.of(settings)

    async def strip(db: AsyncSession) -> None:
        for row in (await db.execute(select(WrappedKey).where(WrappedKey.report_id == case.id))).scalars():
            bare = unsealed(keys, row.wrapped_data_key, row.report_id, row.key_purpose)
            await db.execute(
                update(WrappedKey)
                .where(
                    WrappedKey.report_id == row.report_id,
                    WrappedKey.key_purpose == row.key_purpose,
                    WrappedKey.recipient == row.recipient,
                )
                .values(wrapped_data_key=bare)
            )

    run_db(settings, strip)
    assert {report_keys.period_key_id(row.wrapped_data_key) for row in _wraps(settings, [case.id])} == {None}
    run_retention(settings)
    received_quarter = period_of(dt.date.today())
    assert {report_keys.period_key_id(row.wrapped_data_key) for row in _wraps(settings, [case.id])} == {
        f"{received_quarter}-0001"
    }

    async def read(db: AsyncSession) -> bytes:
        return await opening.data_key_for_staff(
            db,
            keys,
            case.id,
            report_keys.CASE_KEY,
            staff_id=coordinator.id,
            private_key=_private_key(coordinator, password),
        )

    assert len(run_db(settings, read)) == envelope.DATA_KEY_LENGTH


def test_period_keys_are_owner_only_files_in_an_owner_only_directory(initialised_settings: Settings) -> None:
    seed_case(initialised_settings)
    directory = initialised_settings.period_keys_dir
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    files = list(directory.iterdir())
    assert files
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)
    assert all(path.stat().st_size == envelope.DATA_KEY_LENGTH for path in files)


def test_retention_destroys_the_keys_of_a_quarter_once_no_case_needs_them(initialised_settings: Settings) -> None:
    settings = initialised_settings
    live = seed_case(settings, narrative="a live case")
    keys = PeriodKeys.of(settings)
    this_quarter = keys.current(period_of(dt.date.today()))
    keys.install("2020Q1-0001", bytes(range(envelope.DATA_KEY_LENGTH)))  # every case of that quarter shredded

    run_retention(settings)

    assert keys.key_ids() == [this_quarter]
    assert {report_keys.period_key_id(row.wrapped_data_key) for row in _wraps(settings, [live.id])} == {this_quarter}
