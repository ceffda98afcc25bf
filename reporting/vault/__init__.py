"""Sealing and opening cases in the database: the one place where ``reporting.crypto`` meets the models.

Each report has a case key (narrative, contact, form answers, attachments, notes) wrapped for the staff
who may read it and the recovery key, and a mailbox key (messages) wrapped for the same recipients and
for the reporter's receipt key. Whoever opens something must hold a private key for which a wrapped key
row exists: there is no other path to the plaintext. See SECURITY.md for the protocol.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.crypto import envelope, passwords, report_keys
from reporting.crypto.receipt import ReceiptKeys, derive_receipt_keys, new_receipt_code, normalize_receipt_code
from reporting.crypto.recovery import load_recovery_public_key
from reporting.db.models import Attachment, CaseCode, Message, Note, Report, StaffAccount, WrappedKey

RECOVERY_RECIPIENT = "recovery"
REPORTER_RECIPIENT = "reporter"
REPORTER = "reporter"
STAFF = "staff"
# A well-formed code that no installation issues, derived when the input is malformed so that every
# wrong code costs the same Argon2id run.
_TIMING_DECOY_CODE = "0" * 20
FIELD_OVERHEAD = envelope.HEADER_LENGTH + envelope.NONCE_LENGTH + envelope.GCM_TAG_LENGTH


class NoRecoveryKeyError(RuntimeError):
    """Reports must not be accepted while no recovery public key is installed (data could be lost)."""

    def __init__(self) -> None:
        super().__init__(
            "no recovery public key in the keys directory: run `reporting init` or `reporting keys init-recovery`"
        )


class AccessDeniedError(PermissionError):
    """The staff member holds no wrapped key for this report."""


def staff_recipient(staff_id: uuid.UUID) -> str:
    return f"staff:{staff_id}"


@dataclass(frozen=True)
class ReportContent:
    """What a reporter wrote; never logged (redacted repr)."""

    narrative: str = field(repr=False)
    contact: str | None = field(default=None, repr=False)
    answers: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class FileUpload:
    filename: str = field(repr=False)
    media_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class ReportMetadata:
    """The plain, coarse metadata triage and statistics need (codes only, no free text)."""

    received_on: dt.date
    language: str
    source: str
    consent_statistics: bool
    wants_counselling: bool = False
    reporter_codes: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipient:
    recipient: str
    public_key: bytes
    staff_id: uuid.UUID | None = None

    @classmethod
    def for_staff(cls, staff_id: uuid.UUID, public_key: bytes) -> Recipient:
        return cls(staff_recipient(staff_id), public_key, staff_id)


@dataclass(frozen=True)
class OpenedAttachment:
    id: uuid.UUID
    filename: str = field(repr=False)
    media_type: str
    size: int
    added_by: str
    added_on: dt.date


@dataclass(frozen=True)
class OpenedMessage:
    id: uuid.UUID
    sequence: int
    author: str
    staff_id: uuid.UUID | None
    sent_on: dt.date
    body: str = field(repr=False)


@dataclass(frozen=True)
class OpenedNote:
    id: uuid.UUID
    staff_id: uuid.UUID | None
    created_at: dt.datetime
    body: str = field(repr=False)


@dataclass(frozen=True)
class OpenedCase:
    report: Report
    content: ReportContent
    attachments: list[OpenedAttachment]
    notes: list[OpenedNote]
    messages: list[OpenedMessage]


@dataclass(frozen=True)
class StaffKeyMaterial:
    public_key: bytes
    wrapped_private_key: bytes = field(repr=False)


def new_staff_key_material(
    password: str, params: passwords.Argon2Params = passwords.DEFAULT_ARGON2
) -> StaffKeyMaterial:
    """A fresh key pair for a staff account, its private key wrapped under the password (Argon2id)."""
    keypair = envelope.generate_keypair()
    return StaffKeyMaterial(
        keypair.public_key, passwords.wrap_private_key(keypair.private_key, password, params=params)
    )


async def new_report_recipients(session: AsyncSession, settings: Settings) -> list[Recipient]:
    """Who can open a new report: the recovery key and every active coordinator."""
    recovery_public_key = load_recovery_public_key(settings.keys_dir)
    if recovery_public_key is None:
        raise NoRecoveryKeyError
    coordinators = (
        await session.execute(
            select(StaffAccount.id, StaffAccount.public_key).where(
                StaffAccount.role == "coordinator", StaffAccount.is_active.is_(True)
            )
        )
    ).all()
    return [
        Recipient(RECOVERY_RECIPIENT, recovery_public_key),
        *(Recipient.for_staff(staff_id, public_key) for staff_id, public_key in coordinators),
    ]


def _wrapped_key(report_id: uuid.UUID, key_purpose: str, data_key: bytes, recipient: Recipient) -> WrappedKey:
    return WrappedKey(
        report_id=report_id,
        key_purpose=key_purpose,
        recipient=recipient.recipient,
        staff_id=recipient.staff_id,
        wrapped_data_key=report_keys.wrap_data_key(data_key, recipient.public_key, report_id, key_purpose),
    )


def _wrapped_keys(
    report_id: uuid.UUID, data_keys: dict[str, bytes], recipients: Iterable[Recipient]
) -> list[WrappedKey]:
    return [
        _wrapped_key(report_id, purpose, data_key, recipient)
        for recipient in recipients
        for purpose, data_key in data_keys.items()
    ]


def _seal_attachment(
    report_id: uuid.UUID, data_key: bytes, key_purpose: str, upload: FileUpload, added_by: str
) -> Attachment:
    attachment_id = uuid.uuid4()
    meta = json.dumps({"filename": upload.filename, "media_type": upload.media_type}).encode()
    return Attachment(
        id=attachment_id,
        report_id=report_id,
        added_by=added_by,
        key_purpose=key_purpose,
        added_on=dt.date.today(),
        sealed_meta=report_keys.seal_field(data_key, report_id, report_keys.ATTACHMENT_META, meta, attachment_id),
        sealed_content=report_keys.seal_field(
            data_key, report_id, report_keys.ATTACHMENT, upload.content, attachment_id
        ),
    )


async def receipt_keys_for(code: str, secrets: InstanceSecrets) -> ReceiptKeys:
    """Argon2id over the code in a worker thread (about 0.2 s: deliberately slow against guessing)."""
    normalized = normalize_receipt_code(code) or _TIMING_DECOY_CODE
    return await asyncio.to_thread(derive_receipt_keys, normalized, secrets.receipt_salt)


async def create_report(
    session: AsyncSession,
    *,
    settings: Settings,
    secrets: InstanceSecrets,
    content: ReportContent,
    metadata: ReportMetadata,
    attachments: Sequence[FileUpload] = (),
    issue_receipt: bool = True,
    extra_recipients: Sequence[Recipient] = (),
) -> tuple[Report, str | None]:
    """Seal a new report in memory and add it to the session; return it and the receipt code (shown once).

    The receipt code itself is never stored: only the Argon2id-derived lookup id and public key.
    """
    # An extra recipient may already be one by default (a coordinator recording a walk-in): wrap once.
    default_recipients = await new_report_recipients(session, settings)
    recipients = list({each.recipient: each for each in [*default_recipients, *extra_recipients]}.values())
    report_id = uuid.uuid4()
    case_key, mailbox_key = envelope.new_data_key(), envelope.new_data_key()
    receipt_code = new_receipt_code() if issue_receipt else None
    receipt = await receipt_keys_for(receipt_code, secrets) if receipt_code else None

    report = Report(
        id=report_id,
        received_on=metadata.received_on,
        language=metadata.language,
        source=metadata.source,
        status="new",
        last_activity_on=metadata.received_on,
        consent_statistics=metadata.consent_statistics,
        wants_counselling=metadata.wants_counselling,
        receipt_lookup=receipt.lookup_id if receipt else None,
        receipt_public_key=receipt.keypair.public_key if receipt else None,
        sealed_narrative=report_keys.seal_field(case_key, report_id, report_keys.NARRATIVE, content.narrative.encode()),
        sealed_contact=(
            report_keys.seal_field(case_key, report_id, report_keys.CONTACT, content.contact.encode())
            if content.contact
            else None
        ),
        sealed_answers=report_keys.seal_field(
            case_key, report_id, report_keys.FORM_ANSWERS, json.dumps(content.answers, sort_keys=True).encode()
        ),
    )
    session.add(report)
    await session.flush()  # the children below reference the row; no ORM relationship orders them
    session.add_all(
        CaseCode(report_id=report_id, origin=REPORTER, dimension=dimension, code=code)
        for dimension, codes in metadata.reporter_codes.items()
        for code in dict.fromkeys(codes)
    )
    session.add_all(
        _wrapped_keys(report_id, {report_keys.CASE_KEY: case_key, report_keys.MAILBOX_KEY: mailbox_key}, recipients)
    )
    if receipt is not None:
        session.add_all(
            _wrapped_keys(
                report_id,
                {report_keys.MAILBOX_KEY: mailbox_key},
                [Recipient(REPORTER_RECIPIENT, receipt.keypair.public_key)],
            )
        )
    session.add_all(
        _seal_attachment(report_id, case_key, report_keys.CASE_KEY, upload, REPORTER) for upload in attachments
    )
    await session.flush()
    return report, receipt_code


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


async def data_key_for_staff(
    session: AsyncSession, report_id: uuid.UUID, key_purpose: str, *, staff_id: uuid.UUID, private_key: bytes
) -> bytes:
    wrapped = await session.get(WrappedKey, (report_id, key_purpose, staff_recipient(staff_id)))
    if wrapped is None:
        raise AccessDeniedError
    return report_keys.unwrap_data_key(wrapped.wrapped_data_key, private_key, report_id, key_purpose)


async def mailbox_key_for_reporter(session: AsyncSession, report: Report, receipt: ReceiptKeys) -> bytes:
    wrapped = await session.get(WrappedKey, (report.id, report_keys.MAILBOX_KEY, REPORTER_RECIPIENT))
    if wrapped is None:
        raise AccessDeniedError
    return report_keys.unwrap_data_key(
        wrapped.wrapped_data_key, receipt.keypair.private_key, report.id, report_keys.MAILBOX_KEY
    )


async def staff_has_access(session: AsyncSession, report_id: uuid.UUID, staff_id: uuid.UUID) -> bool:
    return await session.get(WrappedKey, (report_id, report_keys.CASE_KEY, staff_recipient(staff_id))) is not None


async def open_messages(session: AsyncSession, report_id: uuid.UUID, mailbox_key: bytes) -> list[OpenedMessage]:
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
            body=report_keys.open_field(mailbox_key, report_id, report_keys.MESSAGE, row.sealed_body, row.id).decode(),
        )
        for row in rows
    ]


async def add_message(
    session: AsyncSession,
    report: Report,
    *,
    mailbox_key: bytes,
    author: str,
    body: str,
    staff_id: uuid.UUID | None = None,
) -> Message:
    """Seal a message under the mailbox key: readable by the reporter's receipt key and by staff."""
    next_sequence = (
        await session.execute(
            select(func.coalesce(func.max(Message.sequence), 0)).where(Message.report_id == report.id)
        )
    ).scalar_one() + 1
    message_id = uuid.uuid4()
    message = Message(
        id=message_id,
        report_id=report.id,
        sequence=next_sequence,
        author=author,
        staff_id=staff_id,
        sent_on=dt.date.today(),
        sealed_body=report_keys.seal_field(mailbox_key, report.id, report_keys.MESSAGE, body.encode(), message_id),
    )
    session.add(message)
    report.last_activity_on = dt.date.today()
    await session.flush()
    return message


async def add_note(session: AsyncSession, report: Report, *, case_key: bytes, staff_id: uuid.UUID, body: str) -> Note:
    note_id = uuid.uuid4()
    note = Note(
        id=note_id,
        report_id=report.id,
        staff_id=staff_id,
        sealed_body=report_keys.seal_field(case_key, report.id, report_keys.NOTE, body.encode(), note_id),
    )
    session.add(note)
    await session.flush()
    return note


async def add_attachment(
    session: AsyncSession, report: Report, upload: FileUpload, *, data_key: bytes, key_purpose: str, added_by: str
) -> Attachment:
    """Seal a file: staff use the case key, a reporter in the mailbox the mailbox key."""
    attachment = _seal_attachment(report.id, data_key, key_purpose, upload, added_by)
    session.add(attachment)
    report.last_activity_on = dt.date.today()
    await session.flush()
    return attachment


def _open_attachment_meta(row: Attachment, data_key: bytes) -> OpenedAttachment:
    meta = json.loads(
        report_keys.open_field(data_key, row.report_id, report_keys.ATTACHMENT_META, row.sealed_meta, row.id)
    )
    return OpenedAttachment(
        id=row.id,
        filename=str(meta["filename"]),
        media_type=str(meta["media_type"]),
        size=len(row.sealed_content) - FIELD_OVERHEAD,
        added_by=row.added_by,
        added_on=row.added_on,
    )


async def open_case(session: AsyncSession, report: Report, *, staff_id: uuid.UUID, private_key: bytes) -> OpenedCase:
    """Decrypt a whole case in memory for one request (the caller writes the audit event)."""
    if report.shredded_on is not None or report.sealed_narrative is None:
        raise AccessDeniedError
    keys = {
        purpose: await data_key_for_staff(session, report.id, purpose, staff_id=staff_id, private_key=private_key)
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
    session: AsyncSession, report_id: uuid.UUID, attachment_id: uuid.UUID, *, staff_id: uuid.UUID, private_key: bytes
) -> tuple[OpenedAttachment, bytes]:
    row = await session.get(Attachment, attachment_id)
    if row is None or row.report_id != report_id:
        raise AccessDeniedError
    data_key = await data_key_for_staff(session, report_id, row.key_purpose, staff_id=staff_id, private_key=private_key)
    content = report_keys.open_field(data_key, report_id, report_keys.ATTACHMENT, row.sealed_content, row.id)
    return _open_attachment_meta(row, data_key), content


async def grant_access(
    session: AsyncSession,
    report_id: uuid.UUID,
    *,
    granter_id: uuid.UUID,
    granter_private_key: bytes,
    grantee: StaffAccount,
) -> bool:
    """Re-wrap the report's keys for a colleague; nothing is re-encrypted. Return whether anything changed."""
    changed = False
    for purpose in (report_keys.CASE_KEY, report_keys.MAILBOX_KEY):
        if await session.get(WrappedKey, (report_id, purpose, staff_recipient(grantee.id))) is not None:
            continue
        data_key = await data_key_for_staff(
            session, report_id, purpose, staff_id=granter_id, private_key=granter_private_key
        )
        session.add(_wrapped_key(report_id, purpose, data_key, Recipient.for_staff(grantee.id, grantee.public_key)))
        changed = True
    await session.flush()
    return changed


async def revoke_access(session: AsyncSession, report_id: uuid.UUID, staff_id: uuid.UUID) -> None:
    await session.execute(delete(WrappedKey).where(WrappedKey.report_id == report_id, WrappedKey.staff_id == staff_id))


async def share_with_coordinators(session: AsyncSession, *, staff_id: uuid.UUID, private_key: bytes) -> int:
    """Wrap every report this staff member can open for each active coordinator who cannot yet.

    Run when a coordinator logs in: a coordinator added after reports arrived then gains access to them
    without anyone handling the recovery key. Return the number of keys wrapped.
    """
    coordinators = (
        (
            await session.execute(
                select(StaffAccount).where(StaffAccount.role == "coordinator", StaffAccount.is_active.is_(True))
            )
        )
        .scalars()
        .all()
    )
    own_keys = (await session.execute(select(WrappedKey).where(WrappedKey.staff_id == staff_id))).scalars().all()
    holders = select(WrappedKey.report_id, WrappedKey.key_purpose, WrappedKey.staff_id).where(
        WrappedKey.staff_id.is_not(None)
    )
    existing = {(report_id, purpose, holder) for report_id, purpose, holder in await session.execute(holders)}
    added = 0
    for own in own_keys:
        missing = [c for c in coordinators if (own.report_id, own.key_purpose, c.id) not in existing]
        if not missing:
            continue
        data_key = report_keys.unwrap_data_key(own.wrapped_data_key, private_key, own.report_id, own.key_purpose)
        for coordinator in missing:
            recipient = Recipient.for_staff(coordinator.id, coordinator.public_key)
            session.add(_wrapped_key(own.report_id, own.key_purpose, data_key, recipient))
            added += 1
    await session.flush()
    return added


async def recover_access_with_recovery_key(
    session: AsyncSession, *, recovery_private_key: bytes, grantee: StaffAccount
) -> int:
    """Offline recovery: wrap every open report's keys for ``grantee`` with the organisation's recovery key."""
    rows = (await session.execute(select(WrappedKey).where(WrappedKey.recipient == RECOVERY_RECIPIENT))).scalars().all()
    added = 0
    for row in rows:
        if await session.get(WrappedKey, (row.report_id, row.key_purpose, staff_recipient(grantee.id))) is not None:
            continue
        data_key = report_keys.unwrap_data_key(
            row.wrapped_data_key, recovery_private_key, row.report_id, row.key_purpose
        )
        session.add(
            _wrapped_key(row.report_id, row.key_purpose, data_key, Recipient.for_staff(grantee.id, grantee.public_key))
        )
        added += 1
    await session.flush()
    return added


async def shred_report(session: AsyncSession, report: Report) -> None:
    """Crypto-shred: delete every wrapped key and ciphertext; the de-identified codes stay for statistics."""
    for model in (WrappedKey, Attachment, Message, Note):
        await session.execute(delete(model).where(model.report_id == report.id))
    report.sealed_narrative = None
    report.sealed_contact = None
    report.sealed_answers = None
    report.receipt_lookup = None
    report.receipt_public_key = None
    report.shredded_on = dt.date.today()
    await session.flush()
