"""Opening: unwrap a data key with a staff, reporter or receipt key, then decrypt what it protects."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
import weakref

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import InstanceSecrets
from reporting.crypto import report_keys
from reporting.crypto.errors import CryptoError
from reporting.crypto.receipt import ReceiptKeys, derive_receipt_keys, normalize_receipt_code
from reporting.db.models import Attachment, Message, Note, Report, WrappedKey
from reporting.vault.period_keys import PeriodKeys, unsealed
from reporting.vault.values import (
    FIELD_OVERHEAD,
    REPORTER_RECIPIENT,
    AccessDeniedError,
    OpenedAttachment,
    OpenedCase,
    OpenedMessage,
    OpenedNote,
    ReportContent,
    TamperedContentError,
    message_binding,
    staff_recipient,
)

logger = logging.getLogger("reporting.vault.opening")

# A well-formed code that no installation issues, derived when the input is malformed so that every
# wrong code costs the same Argon2id run.
_TIMING_DECOY_CODE = "0" * 20


# Each derivation holds 64 MiB and a core for about 0.2 s. Beyond the running ones, a bounded queue
# absorbs bursts; past it a request is refused at once, so a flood cannot grow the process's memory.
MAX_CONCURRENT_DERIVATIONS = max(1, min(os.cpu_count() or 1, 4))
MAX_QUEUED_DERIVATIONS = 16


class ReceiptWorkBusyError(Exception):
    """Too many receipt derivations are running or waiting in this process: answer 503, try later."""


class _DerivationGate:
    """Bounds the receipt derivations of one event loop: a few at a time, a few more waiting."""

    def __init__(self) -> None:
        self.slots = asyncio.Semaphore(MAX_CONCURRENT_DERIVATIONS)
        self.admitted = 0

    async def derive(self, code: str, salt: bytes) -> ReceiptKeys:
        if self.admitted >= MAX_CONCURRENT_DERIVATIONS + MAX_QUEUED_DERIVATIONS:
            raise ReceiptWorkBusyError
        self.admitted += 1
        try:
            async with self.slots:
                return await asyncio.to_thread(derive_receipt_keys, code, salt)
        finally:
            self.admitted -= 1


# asyncio primitives belong to one loop; a worker has one, tests start several.
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _DerivationGate] = weakref.WeakKeyDictionary()


async def receipt_keys_for(code: str, secrets: InstanceSecrets) -> ReceiptKeys:
    """Argon2id over the code in a worker thread (about 0.2 s: deliberately slow against guessing).

    Raises :class:`ReceiptWorkBusyError` when this process already has its bound of derivations.
    """
    normalized = normalize_receipt_code(code) or _TIMING_DECOY_CODE
    gate = _gates.setdefault(asyncio.get_running_loop(), _DerivationGate())
    return await gate.derive(normalized, secrets.receipt_salt)


async def find_report_by_receipt(
    session: AsyncSession, secrets: InstanceSecrets, code: str
) -> tuple[Report, ReceiptKeys] | None:
    """The report a receipt code belongs to; malformed and unknown codes cost the same work."""
    receipt = await receipt_keys_for(code, secrets)
    report = (
        await session.execute(
            select(Report).where(Report.receipt_lookup == receipt.lookup_id, Report.shredded_on.is_(None))
        )
    ).scalar_one_or_none()
    return (report, receipt) if report is not None else None


async def own_wrapped_key(
    session: AsyncSession, report_id: uuid.UUID, key_purpose: str, staff_id: uuid.UUID
) -> WrappedKey:
    """The staff member's wrapped copy of a report's data key; ``AccessDeniedError`` without one."""
    wrapped = await session.get(WrappedKey, (report_id, key_purpose, staff_recipient(staff_id)))
    if wrapped is None:
        raise AccessDeniedError
    return wrapped


def unwrap(keys: PeriodKeys, row: WrappedKey, private_key: bytes) -> bytes:
    """The data key of a stored wrapped key: its period key first, then the recipient's private key."""
    wrapped = unsealed(keys, row.wrapped_data_key, row.report_id, row.key_purpose)
    return report_keys.unwrap_data_key(wrapped, private_key, row.report_id, row.key_purpose)


async def data_key_for_staff(
    session: AsyncSession,
    keys: PeriodKeys,
    report_id: uuid.UUID,
    key_purpose: str,
    *,
    staff_id: uuid.UUID,
    private_key: bytes,
) -> bytes:
    return unwrap(keys, await own_wrapped_key(session, report_id, key_purpose, staff_id), private_key)


async def mailbox_key_for_reporter(
    session: AsyncSession, keys: PeriodKeys, report: Report, receipt: ReceiptKeys
) -> bytes:
    wrapped = await session.get(WrappedKey, (report.id, report_keys.MAILBOX_KEY, REPORTER_RECIPIENT))
    if wrapped is None:
        raise AccessDeniedError
    return unwrap(keys, wrapped, receipt.keypair.private_key)


async def staff_has_access(session: AsyncSession, report_id: uuid.UUID, staff_id: uuid.UUID) -> bool:
    return await session.get(WrappedKey, (report_id, report_keys.CASE_KEY, staff_recipient(staff_id))) is not None


async def open_messages(session: AsyncSession, report_id: uuid.UUID, mailbox_key: bytes) -> list[OpenedMessage]:
    """Every message of the case; :class:`TamperedContentError` (logged) if one's metadata was changed."""
    rows = (
        await session.execute(select(Message).where(Message.report_id == report_id).order_by(Message.sequence))
    ).scalars()
    return [
        OpenedMessage(
            id=row.id,
            sequence=row.sequence,
            author=row.author,
            staff_id=row.staff_id,
            sent_on=row.sent_on,
            body=_open_message_body(row, mailbox_key),
        )
        for row in rows
    ]


def _open_message_body(row: Message, mailbox_key: bytes) -> str:
    binding = message_binding(row.author, row.sequence, row.sent_on, row.staff_id)
    try:
        return report_keys.open_field(
            mailbox_key, row.report_id, report_keys.MESSAGE, row.sealed_body, row.id, bound=binding
        ).decode()
    except CryptoError:
        logger.error("message %s of report %s does not open with its author, order and date", row.id, row.report_id)
        raise TamperedContentError from None


def _open_attachment_meta(row: Attachment, data_key: bytes) -> OpenedAttachment:
    meta = json.loads(
        report_keys.open_field(data_key, row.report_id, report_keys.ATTACHMENT_META, row.sealed_meta, row.id)
    )
    return OpenedAttachment(
        id=row.id,
        filename=str(meta["filename"]),
        media_type=str(meta["media_type"]),
        size=int(meta["size"]) if "size" in meta else len(row.sealed_content) - FIELD_OVERHEAD,
        added_by=row.added_by,
        added_on=row.added_on,
    )


async def open_case(
    session: AsyncSession, keys_of_periods: PeriodKeys, report: Report, *, staff_id: uuid.UUID, private_key: bytes
) -> OpenedCase:
    """Decrypt a whole case in memory for one request (the caller writes the audit event)."""
    if report.shredded_on is not None or report.sealed_narrative is None:
        raise AccessDeniedError
    keys = {
        purpose: await data_key_for_staff(
            session, keys_of_periods, report.id, purpose, staff_id=staff_id, private_key=private_key
        )
        for purpose in (report_keys.CASE_KEY, report_keys.MAILBOX_KEY)
    }
    case_key = keys[report_keys.CASE_KEY]
    answers = (
        json.loads(report_keys.open_field(case_key, report.id, report_keys.FORM_ANSWERS, report.sealed_answers))
        if report.sealed_answers
        else {}
    )
    content = ReportContent(
        narrative=report_keys.open_field(case_key, report.id, report_keys.NARRATIVE, report.sealed_narrative).decode(),
        contact=(
            report_keys.open_field(case_key, report.id, report_keys.CONTACT, report.sealed_contact).decode()
            if report.sealed_contact
            else None
        ),
        answers={str(key): str(value) for key, value in answers.items()},
    )
    attachment_rows = (
        await session.execute(select(Attachment).where(Attachment.report_id == report.id).order_by(Attachment.added_on))
    ).scalars()
    note_rows = (
        await session.execute(select(Note).where(Note.report_id == report.id).order_by(Note.created_at))
    ).scalars()
    return OpenedCase(
        report=report,
        content=content,
        attachments=[_open_attachment_meta(row, keys[row.key_purpose]) for row in attachment_rows],
        notes=[
            OpenedNote(
                id=row.id,
                staff_id=row.staff_id,
                created_at=row.created_at,
                body=report_keys.open_field(case_key, report.id, report_keys.NOTE, row.sealed_body, row.id).decode(),
            )
            for row in note_rows
        ],
        messages=await open_messages(session, report.id, keys[report_keys.MAILBOX_KEY]),
    )


async def open_attachment(
    session: AsyncSession,
    keys: PeriodKeys,
    report_id: uuid.UUID,
    attachment_id: uuid.UUID,
    *,
    staff_id: uuid.UUID,
    private_key: bytes,
) -> tuple[OpenedAttachment, bytes]:
    row = await session.get(Attachment, attachment_id)
    if row is None or row.report_id != report_id:
        raise AccessDeniedError
    data_key = await data_key_for_staff(
        session, keys, report_id, row.key_purpose, staff_id=staff_id, private_key=private_key
    )
    content = report_keys.open_field(data_key, report_id, report_keys.ATTACHMENT, row.sealed_content, row.id)
    return _open_attachment_meta(row, data_key), content
