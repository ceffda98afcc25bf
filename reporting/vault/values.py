"""The values the vault takes and gives: what a reporter wrote, who receives keys, opened cases."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from reporting.crypto import envelope, passwords
from reporting.crypto.errors import CryptoError
from reporting.db.models import Report

RECOVERY_RECIPIENT = "recovery"


REPORTER_RECIPIENT = "reporter"


REPORTER = "reporter"


STAFF = "staff"


FIELD_OVERHEAD = envelope.HEADER_LENGTH + envelope.NONCE_LENGTH + envelope.GCM_TAG_LENGTH


class NoRecoveryKeyError(RuntimeError):
    """Reports must not be accepted while no recovery public key is installed (data could be lost)."""

    def __init__(self) -> None:
        super().__init__(
            "no recovery public key in the keys directory: run `reporting init` or `reporting keys init-recovery`"
        )


class TamperedContentError(CryptoError):
    """A sealed field does not open with its row's metadata (an author, order or date changed in the
    database): it is refused, never shown under the wrong name."""


def message_binding(author: str, sequence: int, sent_on: dt.date, staff_id: uuid.UUID | None) -> tuple[bytes, ...]:
    """What a message's ciphertext is bound to besides report and id: who wrote it, its place and its day."""
    return (author.encode(), str(sequence).encode(), sent_on.isoformat().encode(), staff_id.bytes if staff_id else b"")


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
