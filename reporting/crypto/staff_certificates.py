"""Certificates for staff public keys: which keys may receive report keys is decided by a signature.

The instance's staff-signing key (Ed25519) signs ``(staff id, role, public key)`` when an account is
approved. Its public half is pinned outside the database (keys directory), so a row written into the
database by someone who cannot read the signing key never verifies and never receives a data key.
"""

import base64
import binascii
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from reporting.crypto import envelope
from reporting.crypto.errors import CryptoError

SIGNING_KEY_LENGTH = 32
_CERTIFICATE_LABEL = b"reporting/v1 staff key certificate"
_CERTIFICATE_VERSION = b"\x01"


def new_signing_key() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes_raw()


def signing_public_key(signing_key: bytes) -> bytes:
    return ed25519.Ed25519PrivateKey.from_private_bytes(signing_key).public_key().public_bytes_raw()


def encode_key(key: bytes) -> str:
    """One line of base64 for a key file."""
    return base64.b64encode(key).decode("ascii") + "\n"


def decode_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError() from None
    if len(key) != SIGNING_KEY_LENGTH:
        raise CryptoError()
    return key


def _signed_statement(staff_id: uuid.UUID, role: str, public_key: bytes) -> bytes:
    return envelope.encode_parts(_CERTIFICATE_LABEL, staff_id.bytes, role.encode(), public_key)


def certify(signing_key: bytes, staff_id: uuid.UUID, role: str, public_key: bytes) -> bytes:
    """A certificate (version byte and signature) saying this key belongs to this member in this role."""
    signer = ed25519.Ed25519PrivateKey.from_private_bytes(signing_key)
    return _CERTIFICATE_VERSION + signer.sign(_signed_statement(staff_id, role, public_key))


def verify(
    trusted_public_key: bytes, certificate: bytes | None, staff_id: uuid.UUID, role: str, public_key: bytes
) -> None:
    """Raise :class:`CryptoError` unless ``certificate`` was made by the trusted key for exactly these values."""
    if certificate is None or certificate[:1] != _CERTIFICATE_VERSION:
        raise CryptoError()
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(trusted_public_key).verify(
            certificate[1:], _signed_statement(staff_id, role, public_key)
        )
    except (InvalidSignature, ValueError):
        raise CryptoError() from None
