"""Per-report data keys, who they are wrapped for, and field encryption with them.

Each report has two random 256-bit data keys:

* the case key encrypts narrative, contact details, form answers, attachments
  and internal notes; it is wrapped for granted staff and the recovery key;
* the mailbox key encrypts messages between reporter and staff; it is also
  wrapped for the reporter's receipt-derived public key, so the reporter can
  read replies without ever being able to read internal notes.

Granting access unwraps a data key with one's own private key and wraps it for
the new recipient; no content is re-encrypted. Deleting all wrapped copies of a
data key makes every field under it unrecoverable (crypto-shredding).
"""

import uuid

from reporting.crypto import envelope
from reporting.crypto.errors import CryptoError

CASE_KEY = "case"
MAILBOX_KEY = "mailbox"
KEY_PURPOSES = frozenset({CASE_KEY, MAILBOX_KEY})

NARRATIVE = "narrative"
CONTACT = "contact"
ATTACHMENT = "attachment"
# Separate from ATTACHMENT so an attachment's name/type and its content, which
# share the same item id, cannot be swapped for each other.
ATTACHMENT_META = "attachment_meta"
NOTE = "note"
MESSAGE = "message"
FORM_ANSWERS = "form_answers"
FIELD_PURPOSES = frozenset({NARRATIVE, CONTACT, ATTACHMENT, ATTACHMENT_META, NOTE, MESSAGE, FORM_ANSWERS})

_WRAPPED_KEY_LABEL = b"reporting/v1 wrapped data key"


def _wrapping_context(report_id: uuid.UUID, key_purpose: str) -> bytes:
    if key_purpose not in KEY_PURPOSES:
        raise ValueError(f"unknown key purpose {key_purpose!r}")
    return envelope.encode_parts(_WRAPPED_KEY_LABEL, report_id.bytes, key_purpose.encode())


def _field_associated_data(report_id: uuid.UUID, purpose: str, item_id: uuid.UUID | None) -> bytes:
    if purpose not in FIELD_PURPOSES:
        raise ValueError(f"unknown field purpose {purpose!r}")
    item = b"" if item_id is None else item_id.bytes
    return envelope.field_context(report_id, purpose) + envelope.encode_parts(item)


def wrap_data_key(data_key: bytes, recipient_public_key: bytes, report_id: uuid.UUID, key_purpose: str) -> bytes:
    """Seal a data key for one recipient, bound to this report and key purpose."""
    if len(data_key) != envelope.DATA_KEY_LENGTH:
        raise ValueError(f"data key must be {envelope.DATA_KEY_LENGTH} bytes")
    context = _wrapping_context(report_id, key_purpose)
    return envelope.seal(recipient_public_key, data_key, context)


def unwrap_data_key(wrapped: bytes, recipient_private_key: bytes, report_id: uuid.UUID, key_purpose: str) -> bytes:
    """Open a wrapped data key; a key moved to another report or purpose fails."""
    context = _wrapping_context(report_id, key_purpose)
    data_key = envelope.unseal(recipient_private_key, wrapped, context)
    if len(data_key) != envelope.DATA_KEY_LENGTH:
        raise CryptoError()
    return data_key


def rewrap_data_key(
    wrapped: bytes,
    own_private_key: bytes,
    new_recipient_public_key: bytes,
    report_id: uuid.UUID,
    key_purpose: str,
) -> bytes:
    """Grant access: only someone who can already open the key can pass it on."""
    data_key = unwrap_data_key(wrapped, own_private_key, report_id, key_purpose)
    return wrap_data_key(data_key, new_recipient_public_key, report_id, key_purpose)


def seal_field(
    data_key: bytes,
    report_id: uuid.UUID,
    purpose: str,
    plaintext: bytes,
    item_id: uuid.UUID | None = None,
) -> bytes:
    """Encrypt a field bound to report, purpose and (for notes, attachments...) item id."""
    associated_data = _field_associated_data(report_id, purpose, item_id)
    return envelope.encrypt_field(data_key, plaintext, associated_data)


def open_field(
    data_key: bytes,
    report_id: uuid.UUID,
    purpose: str,
    ciphertext: bytes,
    item_id: uuid.UUID | None = None,
) -> bytes:
    """Decrypt a field; a ciphertext swapped between reports, fields or items fails."""
    associated_data = _field_associated_data(report_id, purpose, item_id)
    return envelope.decrypt_field(data_key, ciphertext, associated_data)
