"""Sealing: new reports, messages, notes and attachments encrypted under their case or mailbox key."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.crypto import envelope, report_keys
from reporting.crypto.receipt import ReceiptKeys, new_receipt_code
from reporting.crypto.recovery import load_recovery_public_key
from reporting.db.models import Attachment, CaseCode, CaseUnread, Message, Note, Report, StaffAccount, WrappedKey
from reporting.vault import period_keys
from reporting.vault.key_trust import UncertifiedKeyError, certified_recipient
from reporting.vault.offices import route_new_report
from reporting.vault.opening import receipt_keys_for
from reporting.vault.period_keys import PeriodKeys
from reporting.vault.values import (
    RECOVERY_RECIPIENT,
    REPORTER,
    REPORTER_RECIPIENT,
    FileUpload,
    NoRecoveryKeyError,
    Recipient,
    ReportContent,
    ReportMetadata,
    message_binding,
)

SEQUENCE_ATTEMPTS = 3


async def new_report_recipients(
    session: AsyncSession, settings: Settings, *, region: str | None = None, office_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, list[Recipient]]:
    """The owning office of a new report and who can open it: the recovery key and the certified
    coordinators of that office (``vault.offices.route_new_report``).

    A coordinator row whose certificate does not verify is left out (logged; audited at the next staff
    login), so a forged row neither reads reports nor stops intake.
    """
    recovery_public_key = load_recovery_public_key(settings.keys_dir)
    if recovery_public_key is None:
        raise NoRecoveryKeyError
    owner, coordinators = await route_new_report(session, settings, region=region, office_id=office_id)
    return owner, [Recipient(RECOVERY_RECIPIENT, recovery_public_key), *coordinators]


async def verified_recipients(
    session: AsyncSession, settings: Settings, recipients: Iterable[Recipient]
) -> list[Recipient]:
    """``recipients`` with every staff key checked against its account's certificate (else refused)."""
    checked = []
    for recipient in recipients:
        if recipient.staff_id is None:
            checked.append(recipient)
            continue
        account = await session.get(StaffAccount, recipient.staff_id)
        if account is None or account.public_key != recipient.public_key:
            raise UncertifiedKeyError(recipient.staff_id)
        checked.append(certified_recipient(settings, account))
    return checked


def wrapped_key(
    keys: PeriodKeys, period: str, report_id: uuid.UUID, key_purpose: str, *, data_key: bytes, recipient: Recipient
) -> WrappedKey:
    """The data key wrapped (HPKE) for ``recipient`` and sealed under the key of the case's ``period``."""
    wrapped = report_keys.wrap_data_key(data_key, recipient.public_key, report_id, key_purpose)
    return WrappedKey(
        report_id=report_id,
        key_purpose=key_purpose,
        recipient=recipient.recipient,
        staff_id=recipient.staff_id,
        wrapped_data_key=period_keys.seal(keys, period, wrapped, report_id, key_purpose),
    )


def wrapped_keys(
    keys: PeriodKeys,
    period: str,
    report_id: uuid.UUID,
    data_keys: dict[str, bytes],
    recipients: Iterable[Recipient],
) -> list[WrappedKey]:
    return [
        wrapped_key(keys, period, report_id, purpose, data_key=data_key, recipient=recipient)
        for recipient in recipients
        for purpose, data_key in data_keys.items()
    ]


def _seal_attachment(
    report_id: uuid.UUID, data_key: bytes, key_purpose: str, upload: FileUpload, added_by: str
) -> Attachment:
    attachment_id = uuid.uuid4()
    meta = json.dumps(
        {"filename": upload.filename, "media_type": upload.media_type, "size": len(upload.content)}
    ).encode()
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


async def create_report(
    session: AsyncSession,
    *,
    settings: Settings,
    secrets: InstanceSecrets,
    content: ReportContent,
    metadata: ReportMetadata,
    attachments: Sequence[FileUpload] = (),
    issue_receipt: bool = True,
    receipt_code: str | None = None,
    receipt_keys: ReceiptKeys | None = None,
    extra_recipients: Sequence[Recipient] = (),
    office_id: uuid.UUID | None = None,
) -> tuple[Report, str | None]:
    """Seal a new report in memory and add it to the session; return it and the receipt code (shown once).

    The receipt code itself is never stored: only the Argon2id-derived lookup id and public key.
    ``receipt_code`` is one the caller derived (see ``reporting.intake.receipt_slip``); else a random one.
    ``receipt_keys`` are its Argon2id keys when the caller derived them before its own first statement.
    The case belongs to ``office_id`` (a walk-in's office) or else to the office serving the region the
    reporter chose.
    """
    # Argon2id first: the session's first statement below flushes what the caller added (the submission
    # id), and on SQLite that takes the database's one write lock until the request commits.
    receipt_code = (receipt_code or new_receipt_code()) if issue_receipt else None
    receipt = receipt_keys or (await receipt_keys_for(receipt_code, secrets) if receipt_code else None)
    # An extra recipient may already be one by default (a coordinator recording a walk-in): wrap once.
    region = next(iter(metadata.reporter_codes.get("regions", [])), None)
    owner, default_recipients = await new_report_recipients(session, settings, region=region, office_id=office_id)
    extra = await verified_recipients(session, settings, extra_recipients)
    recipients = list({each.recipient: each for each in [*default_recipients, *extra]}.values())
    report_id = uuid.uuid4()
    case_key, mailbox_key = envelope.new_data_key(), envelope.new_data_key()
    # The quarter it is sealed in, not its received day (a walk-in may be recorded later).
    keys, period = PeriodKeys.of(settings), period_keys.period_of(dt.date.today())

    report = Report(
        id=report_id,
        received_on=metadata.received_on,
        language=metadata.language,
        source=metadata.source,
        status="new",
        office_id=owner,
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
    await period_keys.hold_period(session, period)
    session.add_all(
        wrapped_keys(
            keys,
            period,
            report_id,
            {report_keys.CASE_KEY: case_key, report_keys.MAILBOX_KEY: mailbox_key},
            recipients,
        )
    )
    if receipt is not None:
        session.add_all(
            wrapped_keys(
                keys,
                period,
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


async def add_message(
    session: AsyncSession,
    report: Report,
    *,
    mailbox_key: bytes,
    author: str,
    body: str,
    staff_id: uuid.UUID | None = None,
) -> Message:
    """Seal a message under the mailbox key: readable by the reporter's receipt key and by staff.

    Its number is one past the case's last: the case is locked first (:func:`lock_case`), so a reply
    racing this one waits and then counts this message; the unique (report, sequence) constraint is the
    backstop, with a retry under a savepoint should a number still be taken.
    """
    await lock_case(session, report)
    message_id = uuid.uuid4()
    sent_on = dt.date.today()
    for attempt in range(1, SEQUENCE_ATTEMPTS + 1):
        next_sequence = (
            await session.execute(
                select(func.coalesce(func.max(Message.sequence), 0)).where(Message.report_id == report.id)
            )
        ).scalar_one() + 1
        message = Message(
            id=message_id,
            report_id=report.id,
            sequence=next_sequence,
            author=author,
            staff_id=staff_id,
            sent_on=sent_on,
            # Author, number, day and staff id are bound into the ciphertext: a changed row no longer opens.
            sealed_body=report_keys.seal_field(
                mailbox_key,
                report.id,
                report_keys.MESSAGE,
                body.encode(),
                message_id,
                bound=message_binding(author, next_sequence, sent_on, staff_id),
            ),
        )
        try:
            async with session.begin_nested():
                session.add(message)
        except IntegrityError:
            if attempt == SEQUENCE_ATTEMPTS:
                raise
            continue
        if author == REPORTER:
            await reporter_wrote(session, report)
        return message
    raise AssertionError("unreachable")


async def lock_case(session: AsyncSession, report: Report) -> None:
    """Mark activity on the case and hold its row until this transaction ends.

    Writes that depend on what the case already holds (the next message number, the replaced
    categorisation) then run one after the other per case: PostgreSQL locks the row, SQLite the database.
    """
    today = dt.date.today()
    await session.execute(update(Report).where(Report.id == report.id).values(last_activity_on=today))
    report.last_activity_on = today


REPLY_RECEIVED = "reply_received"
STATUSES_A_REPLY_MOVES = frozenset({"in_progress", "waiting_for_reporter"})
"""A new case stays new (nobody has answered yet) and a closed one stays closed (reopening is staff's call)."""


async def reporter_wrote(session: AsyncSession, report: Report) -> None:
    """Mark the case unread for every staff member who can open it, and move it to "reply received".

    The markers are inserted with ON CONFLICT DO NOTHING: two messages at once must not fail each other.
    """
    if report.status in STATUSES_A_REPLY_MOVES:
        report.status = REPLY_RECEIVED
    readers = (
        select(WrappedKey.report_id, WrappedKey.staff_id)
        .distinct()
        .where(WrappedKey.report_id == report.id, WrappedKey.staff_id.is_not(None))
    )
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(CaseUnread)
        .from_select(["report_id", "staff_id"], readers)
        .on_conflict_do_nothing(index_elements=["report_id", "staff_id"])
    )


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
    if added_by == REPORTER:
        await reporter_wrote(session, report)
    return attachment
