"""Crypto-shredding: every wrapped key and ciphertext of a case goes; its de-identified codes stay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import Attachment, Message, Note, Report, WrappedKey


async def shred_report(session: AsyncSession, report: Report) -> None:
    """Crypto-shred: delete every wrapped key and ciphertext; the de-identified codes stay for statistics."""
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
