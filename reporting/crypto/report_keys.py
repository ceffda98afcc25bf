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


# A wrapped data key sealed once more under a retention-period key kept outside the database
# (``reporting.vault.period_keys``). The prefix names the key: ``YYYYQn-gggg`` (period, generation).
_PERIOD_WRAP_LABEL = b"reporting/v1 period-wrapped data key"
PERIOD_KEY_ID_LENGTH = 11
_PERIOD_HEADER = envelope.make_header(envelope.Kind.PERIOD_WRAPPED)
_PERIOD_PREFIX_LENGTH = envelope.HEADER_LENGTH + PERIOD_KEY_ID_LENGTH


def period_key_prefix(key_id: str) -> bytes:
    """The first bytes of every blob sealed under the period key ``key_id`` (to find them in SQL)."""
    raw = key_id.encode("ascii")
    if len(raw) != PERIOD_KEY_ID_LENGTH:
        raise ValueError(f"period key id must be {PERIOD_KEY_ID_LENGTH} characters")
    return _PERIOD_HEADER + raw


def period_key_id(blob: bytes) -> str | None:
    """The period key a stored wrapped key is sealed under, or None for one sealed before period keys."""
    if blob[: envelope.HEADER_LENGTH] != _PERIOD_HEADER or len(blob) < _PERIOD_PREFIX_LENGTH:
        return None
    try:
        return blob[envelope.HEADER_LENGTH : _PERIOD_PREFIX_LENGTH].decode("ascii")
    except UnicodeDecodeError:
        raise CryptoError() from None


def _period_context(report_id: uuid.UUID, key_purpose: str) -> bytes:
    return envelope.encode_parts(_PERIOD_WRAP_LABEL) + _wrapping_context(report_id, key_purpose)


def seal_under_period_key(
    wrapped: bytes, period_key: bytes, key_id: str, report_id: uuid.UUID, key_purpose: str
) -> bytes:
    """AES-256-GCM over a wrapped data key; the key id and the report and purpose are authenticated."""
    return envelope.aead_seal(period_key, period_key_prefix(key_id), wrapped, _period_context(report_id, key_purpose))


def open_under_period_key(blob: bytes, period_key: bytes, report_id: uuid.UUID, key_purpose: str) -> bytes:
    """The inner wrapped data key; any other key, report, purpose or a changed byte fails."""
    if period_key_id(blob) is None:
        raise CryptoError()
    return envelope.aead_open(period_key, blob, _PERIOD_PREFIX_LENGTH, _period_context(report_id, key_purpose))


# Field format 2: the plaintext is padded (powers of two from 256 bytes, Padmé above 64 KiB) so a
# ciphertext's length tells only its size class, and ``bound`` metadata (a message's author, order and
# date) is part of the associated data. Format 1 blobs (header suite 1: exact length, nothing bound) open.
_PADDED_SUITE = 2
_PADDED_HEADER = envelope.MAGIC + bytes((envelope.FORMAT_VERSION, envelope.Kind.AEAD_FIELD, _PADDED_SUITE))
_LENGTH_PREFIX = 4
MIN_PADDED_LENGTH = 256
POWER_OF_TWO_UP_TO = 64 * 1024


def padded_length(length: int) -> int:
    """The size class of ``length``: texts (up to 64 KiB) the next power of two, at least 256 bytes;
    larger files Padmé (Nikitin et al., 2019: O(log log n) bits of the length remain, at most 12 % more)."""
    if length <= MIN_PADDED_LENGTH:
        return MIN_PADDED_LENGTH
    if length <= POWER_OF_TWO_UP_TO:
        return 1 << (length - 1).bit_length()
    exponent = length.bit_length() - 1
    significant_bits = exponent.bit_length()
    mask = (1 << (exponent - significant_bits)) - 1
    return (length + mask) & ~mask


def _pad(plaintext: bytes) -> bytes:
    framed = len(plaintext).to_bytes(_LENGTH_PREFIX, "big") + plaintext
    return framed + bytes(padded_length(len(framed)) - len(framed))


def _unpad(padded: bytes) -> bytes:
    length = int.from_bytes(padded[:_LENGTH_PREFIX], "big")
    if length > len(padded) - _LENGTH_PREFIX or any(padded[_LENGTH_PREFIX + length :]):
        raise CryptoError()
    return padded[_LENGTH_PREFIX : _LENGTH_PREFIX + length]


def seal_field(
    data_key: bytes,
    report_id: uuid.UUID,
    purpose: str,
    plaintext: bytes,
    item_id: uuid.UUID | None = None,
    *,
    bound: tuple[bytes, ...] = (),
) -> bytes:
    """Encrypt a field, padded, bound to report, purpose, (for notes, attachments...) item id and ``bound``."""
    associated_data = _field_associated_data(report_id, purpose, item_id) + envelope.encode_parts(*bound)
    return envelope.aead_seal(data_key, _PADDED_HEADER, _pad(plaintext), associated_data)


def open_field(
    data_key: bytes,
    report_id: uuid.UUID,
    purpose: str,
    ciphertext: bytes,
    item_id: uuid.UUID | None = None,
    *,
    bound: tuple[bytes, ...] = (),
) -> bytes:
    """Decrypt a field; a ciphertext swapped between reports, fields or items, or whose ``bound`` metadata
    changed, fails. Format 1 fields (sealed before padding) bind no metadata."""
    associated_data = _field_associated_data(report_id, purpose, item_id)
    if ciphertext[: envelope.HEADER_LENGTH] != _PADDED_HEADER:
        return envelope.decrypt_field(data_key, ciphertext, associated_data)
    padded = envelope.aead_open(
        data_key, ciphertext, envelope.HEADER_LENGTH, associated_data + envelope.encode_parts(*bound)
    )
    return _unpad(padded)
