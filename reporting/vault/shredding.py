"""Crypto-shredding: every wrapped key and ciphertext of a case goes; its de-identified codes stay."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.db.engine import create_engine
from reporting.db.models import Attachment, Message, Note, Report, WrappedKey
from reporting.vault import period_keys

logger = logging.getLogger("reporting.vault.shredding")


async def shred_report(session: AsyncSession, report: Report) -> set[str]:
    """Crypto-shred: delete every wrapped key and ciphertext; the de-identified codes stay for statistics.

    Returns the periods whose keys protected the case's wraps: they must get a new generation and the
    old one must be destroyed (``period_keys``), or the rows' copies in PostgreSQL's files still open.
    """
    periods = await period_keys.periods_of_case(session, report)
    for model in (WrappedKey, Attachment, Message, Note):
        await session.execute(delete(model).where(model.report_id == report.id))
    report.sealed_narrative = None
    report.sealed_contact = None
    report.sealed_answers = None
    report.receipt_lookup = None
    report.receipt_public_key = None
    report.incident_on = None
    report.shredded_on = dt.date.today()
    await session.flush()
    return periods


async def truncate_sqlite_wal(settings: Settings) -> None:
    """After a committed shredding on SQLite: copy the WAL into the database file and truncate it.

    ``secure_delete`` zeroes freed space in the database file, but the WAL still holds the pages as they
    were (key blobs included) until a checkpoint: on a running instance, whose connections keep the WAL
    alive, that can be a long time. PostgreSQL keeps dead tuples and WAL regardless: there the period keys
    do the shredding (SECURITY.md).
    """
    if not settings.is_sqlite:
        return
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            busy, _frames, _checkpointed = (await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()
    finally:
        await engine.dispose()
    if busy:
        logger.error("the SQLite WAL could not be truncated after shredding (readers busy): run retention again")
