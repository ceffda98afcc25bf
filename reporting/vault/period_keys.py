"""Retention-period keys: every stored wrapped data key is sealed once more under a key kept in a file.

PostgreSQL keeps deleted rows in its table files and its WAL long after a case was shredded, so deleting
wrapped keys there does not erase them. Each wrapped key is therefore stored sealed (AES-256-GCM) under a
*period key*, a 32-byte file in ``<data dir>/period-keys/`` that never enters the database. A period is
the calendar quarter in which the wrap's case was sealed (``2026Q1``); a key id adds a generation
(``2026Q1-0001``), and new wraps use the newest generation of their case's period.

Whenever retention shreds a case, its period gets a new generation, every surviving wrap of the period is
moved to it, and the old generation's file is overwritten and deleted once no row refers to it
(:func:`retire_old_generations`). Old table pages and WAL records then hold only blobs under destroyed
keys. Writers of wraps hold their period (:func:`hold_period`), so a move never misses a wrap written
under an old generation. See SECURITY.md ("Crypto-shredding").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, false, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.files import overwrite_and_delete, owner_only_directory
from reporting.config.settings import Settings
from reporting.crypto import envelope, report_keys
from reporting.crypto.errors import CryptoError
from reporting.db.engine import session_scope
from reporting.db.models import Report, WrappedKey

logger = logging.getLogger("reporting.vault.period_keys")

_KEY_ID = re.compile(r"(?P<period>[0-9]{4}Q[1-4])-(?P<generation>[0-9]{4})")
KEY_FILE_SUFFIX = ".key"
RETIRE_UNUSED_AFTER = dt.timedelta(days=7)
"""A period whose last day is this long past has no report being sealed into it any more."""


def period_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _period_end(period: str) -> dt.date:
    year, quarter = int(period[:4]), int(period[5])
    first_of_next = dt.date(year + quarter // 4, quarter % 4 * 3 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def is_key_id(name: str) -> bool:
    return _KEY_ID.fullmatch(name) is not None


@dataclass(frozen=True)
class PeriodKeys:
    """The directory of period key files (0700, files 0600)."""

    directory: Path

    @classmethod
    def of(cls, settings: Settings) -> PeriodKeys:
        return cls(settings.period_keys_dir)

    def key_ids(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(
            path.name.removesuffix(KEY_FILE_SUFFIX)
            for path in self.directory.iterdir()
            if path.name.endswith(KEY_FILE_SUFFIX) and is_key_id(path.name.removesuffix(KEY_FILE_SUFFIX))
        )

    def _generations(self, period: str) -> list[str]:
        return [key_id for key_id in self.key_ids() if key_id.startswith(f"{period}-")]

    def current(self, period: str) -> str:
        """The newest generation of ``period``, made now if the period has none yet."""
        generations = self._generations(period)
        if generations:
            return generations[-1]
        key_id = f"{period}-0001"
        self.install(key_id, secrets.token_bytes(envelope.DATA_KEY_LENGTH))
        return key_id

    def new_generation(self, period: str) -> str:
        """A fresh key for ``period``; from now on new wraps of the period use it."""
        generations = self._generations(period)
        number = int(generations[-1][-4:]) + 1 if generations else 1
        key_id = f"{period}-{number:04d}"
        self.install(key_id, secrets.token_bytes(envelope.DATA_KEY_LENGTH))
        return key_id

    def key(self, key_id: str) -> bytes:
        """The key's 32 bytes; :class:`CryptoError` when it was destroyed (or never existed here)."""
        if not is_key_id(key_id):
            raise CryptoError()
        try:
            key = (self.directory / f"{key_id}{KEY_FILE_SUFFIX}").read_bytes()
        except FileNotFoundError:
            raise CryptoError() from None
        if len(key) != envelope.DATA_KEY_LENGTH:
            raise CryptoError()
        return key

    def install(self, key_id: str, key: bytes) -> None:
        """Write a key file whole or not at all (a reader never sees half a key); an existing id is kept."""
        owner_only_directory(self.directory)
        target = self.directory / f"{key_id}{KEY_FILE_SUFFIX}"
        staged = self.directory / f".{key_id}.{uuid.uuid4().hex}"
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(key)
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first: theirs is whole
                os.link(staged, target)
        finally:
            staged.unlink(missing_ok=True)
        self._sync_directory()

    def destroy(self, key_id: str) -> None:
        """Overwrite the key file with zeros, delete it and make the deletion durable."""
        overwrite_and_delete(self.directory / f"{key_id}{KEY_FILE_SUFFIX}")
        self._sync_directory()

    def _sync_directory(self) -> None:
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def seal(keys: PeriodKeys, period: str, wrapped: bytes, report_id: uuid.UUID, key_purpose: str) -> bytes:
    """A wrapped data key as stored: sealed under the newest key of ``period``."""
    key_id = keys.current(period)
    return report_keys.seal_under_period_key(wrapped, keys.key(key_id), key_id, report_id, key_purpose)


def unsealed(keys: PeriodKeys, stored: bytes, report_id: uuid.UUID, key_purpose: str) -> bytes:
    """The HPKE-wrapped data key inside a stored blob (blobs stored before period keys are returned as they are)."""
    key_id = report_keys.period_key_id(stored)
    if key_id is None:
        return stored
    return report_keys.open_under_period_key(stored, keys.key(key_id), report_id, key_purpose)


def period_of_blob(stored: bytes) -> str | None:
    key_id = report_keys.period_key_id(stored)
    return key_id[:6] if key_id is not None and is_key_id(key_id) else None


async def hold_period(session: AsyncSession, period: str, *, exclusive: bool = False) -> None:
    """Wait for, and until this transaction ends block, a move of ``period``'s wraps to a new key.

    Every writer of a wrap calls this (shared) before it picks the period's newest key, and a move takes
    it exclusively before it reads the wraps to move: so the move either sees the new wrap or the writer
    sees the new generation, never neither. PostgreSQL: an advisory lock per period. SQLite: the
    database's write lock, which any write takes (here one that changes no row).
    """
    if session.get_bind().dialect.name == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        await session.execute(
            text(f"SELECT {function}(hashtextextended(:name, 0))"), {"name": f"reporting period key {period}"}
        )
        return
    await session.execute(
        update(Report)
        .where(false())
        .values(received_on=Report.received_on)
        .execution_options(synchronize_session=False)
    )


async def period_for_rewrap(session: AsyncSession, source: WrappedKey) -> str:
    """The period of a new wrap made from ``source`` (the same case, so the same period), held."""
    period = period_of_blob(source.wrapped_data_key)
    if period is None:
        report = await session.get(Report, source.report_id)
        period = period_of(report.received_on if report else dt.date.today())
    await hold_period(session, period)
    return period


def _under(key_id: str) -> ColumnElement[bool]:
    prefix = report_keys.period_key_prefix(key_id)
    return func.substr(WrappedKey.wrapped_data_key, 1, len(prefix)) == prefix


async def seal_legacy_wraps(session: AsyncSession, keys: PeriodKeys) -> int:
    """Seal every wrap stored before period keys existed under the key of its case's received quarter."""
    legacy_header = envelope.make_header(envelope.Kind.HPKE_SEALED)
    rows = (
        await session.execute(
            select(WrappedKey, Report.received_on)
            .join(Report, Report.id == WrappedKey.report_id)
            .where(func.substr(WrappedKey.wrapped_data_key, 1, len(legacy_header)) == legacy_header)
        )
    ).all()
    for row, received_on in rows:
        row.wrapped_data_key = seal(keys, period_of(received_on), row.wrapped_data_key, row.report_id, row.key_purpose)
    await session.flush()
    return len(rows)


async def periods_of_case(session: AsyncSession, report: Report) -> set[str]:
    """The periods whose keys hold any wrap of this case (before it is shredded)."""
    blobs = (
        await session.execute(select(WrappedKey.wrapped_data_key).where(WrappedKey.report_id == report.id))
    ).scalars()
    return {period_of_blob(blob) or period_of(report.received_on) for blob in blobs}


async def move_to_current(session: AsyncSession, keys: PeriodKeys, key_id: str) -> int:
    """Re-seal every wrap under ``key_id`` with the newest key of its period; return how many moved."""
    period = key_id[:6]
    await hold_period(session, period, exclusive=True)
    current = keys.current(period)
    old_key, new_key = keys.key(key_id), keys.key(current)
    rows = (await session.execute(select(WrappedKey).where(_under(key_id)))).scalars().all()
    for row in rows:
        wrapped = report_keys.open_under_period_key(row.wrapped_data_key, old_key, row.report_id, row.key_purpose)
        row.wrapped_data_key = report_keys.seal_under_period_key(
            wrapped, new_key, current, row.report_id, row.key_purpose
        )
    await session.flush()
    return len(rows)


async def count_under(session: AsyncSession, key_id: str) -> int:
    return (await session.execute(select(func.count()).select_from(WrappedKey).where(_under(key_id)))).scalar_one()


async def retire_old_generations(settings: Settings, today: dt.date) -> list[str]:
    """Destroy every period key no wrap needs any more; return the ids destroyed.

    An old generation's wraps are moved to the newest one first (committed), then the file goes. The
    newest generation of a period goes once no wrap refers to it and the period is long over (every case
    sealed in it shredded). Run after a shredding has been committed.
    """
    keys = PeriodKeys.of(settings)
    destroyed = []
    for key_id in keys.key_ids():
        period = key_id[:6]
        if keys.current(period) == key_id:
            if period == period_of(today) or _period_end(period) + RETIRE_UNUSED_AFTER > today:
                continue
        else:
            async with session_scope(settings) as db:
                await move_to_current(db, keys, key_id)
        async with session_scope(settings) as db:
            left = await count_under(db, key_id)
        if left:
            if keys.current(period) != key_id:
                logger.error("period key %s still protects %d wrapped keys: run retention again", key_id, left)
            continue
        keys.destroy(key_id)
        destroyed.append(key_id)
    return destroyed
