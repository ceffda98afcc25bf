"""Versioned envelope headers and the two primitives everything else uses.

Every stored blob starts with a 6-byte header (magic, format version, kind,
suite) so that algorithms can be replaced later without guessing what old
bytes are. The header is always authenticated (HPKE ``info`` or AES-GCM
associated data), so changing any header byte makes opening fail.

Asymmetric: HPKE (RFC 9180) base mode with the hybrid post-quantum KEM
ML-KEM-768 + X25519, HKDF-SHA256 and AES-256-GCM. Recorded reports must stay
confidential for decades, so "harvest now, decrypt later" matters.

Symmetric: AES-256-GCM with a random 96-bit nonce. Every data key encrypts
at most a few thousand fields, far below the 2**32 random-nonce limit.
"""

import enum
import hashlib
import os
import struct
import uuid
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from reporting.crypto.errors import CryptoError

MAGIC = b"RPv"
FORMAT_VERSION = 1
HEADER_LENGTH = 6
# Suite 1 of every kind; what "1" means per kind is listed in SECURITY.md ("Encryption protocol and threat model").
SUITE_V1 = 1


class Kind(enum.IntEnum):
    """What a blob is; part of the authenticated header so kinds cannot be confused."""

    HPKE_SEALED = 1
    AEAD_FIELD = 2
    PASSWORD_WRAPPED_KEY = 3
    SESSION_SEALED_KEY = 4
    RECOVERY_PUBLIC_KEY = 5
    RECOVERY_SECRET = 6
    PERIOD_WRAPPED = 7


HPKE_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)

MLKEM768_SEED_LENGTH = 64
MLKEM768_PUBLIC_KEY_LENGTH = 1184
X25519_KEY_LENGTH = 32
PRIVATE_KEY_LENGTH = MLKEM768_SEED_LENGTH + X25519_KEY_LENGTH
PUBLIC_KEY_LENGTH = MLKEM768_PUBLIC_KEY_LENGTH + X25519_KEY_LENGTH
KEYPAIR_SEED_MIN_LENGTH = 64
DATA_KEY_LENGTH = 32
NONCE_LENGTH = 12
GCM_TAG_LENGTH = 16

_KEYPAIR_FROM_SEED_INFO = b"reporting/v1 hybrid keypair from seed"
_FIELD_CONTEXT_LABEL = b"reporting/v1 field"


def make_header(kind: Kind) -> bytes:
    """The header written in front of every new blob of ``kind``."""
    return MAGIC + bytes((FORMAT_VERSION, kind, SUITE_V1))


def strip_header(blob: bytes, kind: Kind) -> bytes:
    """Return the body after a valid header, refusing other kinds and unknown versions."""
    if blob[:HEADER_LENGTH] != make_header(kind):
        raise CryptoError()
    return blob[HEADER_LENGTH:]


def encode_parts(*parts: bytes) -> bytes:
    """Length-prefix each part so no two different tuples encode to the same bytes."""
    encoded = bytearray()
    for part in parts:
        encoded += struct.pack(">H", len(part))
        encoded += part
    return bytes(encoded)


def hkdf_sha256(key_material: bytes, info: bytes, length: int) -> bytes:
    """Expand uniformly random key material into independent keys via distinct labels."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key_material)


def new_data_key() -> bytes:
    """A fresh random AES-256 key."""
    return os.urandom(DATA_KEY_LENGTH)


def field_context(report_id: uuid.UUID, purpose: str) -> bytes:
    """Associated data binding a ciphertext to one report and one field purpose."""
    return encode_parts(_FIELD_CONTEXT_LABEL, report_id.bytes, purpose.encode("utf-8"))


@dataclass(frozen=True, eq=False)
class KeyPair:
    """A hybrid ML-KEM-768 + X25519 key pair as raw bytes.

    ``eq=False``: comparing private keys must go through ``hmac.compare_digest``,
    never ``==``. The repr shows only a public-key fingerprint.
    """

    private_key: bytes = field(repr=False)
    public_key: bytes

    def __repr__(self) -> str:
        fingerprint = hashlib.sha256(self.public_key).hexdigest()[:16]
        return f"KeyPair(public_key=<sha256:{fingerprint}>, private_key=<redacted>)"


def _private_key_parts(
    private_key: bytes,
) -> tuple[mlkem.MLKEM768PrivateKey, x25519.X25519PrivateKey]:
    if len(private_key) != PRIVATE_KEY_LENGTH:
        raise CryptoError()
    try:
        return (
            mlkem.MLKEM768PrivateKey.from_seed_bytes(private_key[:MLKEM768_SEED_LENGTH]),
            x25519.X25519PrivateKey.from_private_bytes(private_key[MLKEM768_SEED_LENGTH:]),
        )
    except ValueError:
        raise CryptoError() from None


def _public_key_object(public_key: bytes) -> hpke.MLKEM768X25519PublicKey:
    if len(public_key) != PUBLIC_KEY_LENGTH:
        raise CryptoError()
    try:
        return hpke.MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(public_key[:MLKEM768_PUBLIC_KEY_LENGTH]),
            x25519.X25519PublicKey.from_public_bytes(public_key[MLKEM768_PUBLIC_KEY_LENGTH:]),
        )
    except ValueError:
        raise CryptoError() from None


def _encode_public_key(mlkem_key: mlkem.MLKEM768PrivateKey, x25519_key: x25519.X25519PrivateKey) -> bytes:
    return mlkem_key.public_key().public_bytes_raw() + x25519_key.public_key().public_bytes_raw()


def _keypair_from_parts(mlkem_seed: bytes, x25519_private: bytes) -> KeyPair:
    mlkem_key = mlkem.MLKEM768PrivateKey.from_seed_bytes(mlkem_seed)
    x25519_key = x25519.X25519PrivateKey.from_private_bytes(x25519_private)
    return KeyPair(
        private_key=mlkem_key.private_bytes_raw() + x25519_key.private_bytes_raw(),
        public_key=_encode_public_key(mlkem_key, x25519_key),
    )


def generate_keypair() -> KeyPair:
    """A fresh random hybrid key pair (staff members, test fixtures)."""
    return _keypair_from_parts(os.urandom(MLKEM768_SEED_LENGTH), os.urandom(X25519_KEY_LENGTH))


def keypair_from_seed(seed: bytes) -> KeyPair:
    """Deterministic key pair from secret seed material (receipt and recovery keys)."""
    if len(seed) < KEYPAIR_SEED_MIN_LENGTH:
        raise ValueError(f"seed material must be at least {KEYPAIR_SEED_MIN_LENGTH} bytes")
    expanded = hkdf_sha256(seed, _KEYPAIR_FROM_SEED_INFO, PRIVATE_KEY_LENGTH)
    return _keypair_from_parts(expanded[:MLKEM768_SEED_LENGTH], expanded[MLKEM768_SEED_LENGTH:])


def validate_public_key(public_key: bytes) -> None:
    """Raise CryptoError unless one can actually encrypt to ``public_key``.

    A trial seal also catches keys that decode but are unusable (e.g. a
    low-order X25519 point), before reports are wrapped for them.
    """
    seal(public_key, b"", b"reporting/v1 public key check")


def public_key_of(private_key: bytes) -> bytes:
    """The public key belonging to an encoded private key."""
    return _encode_public_key(*_private_key_parts(private_key))


def seal(public_key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """HPKE-encrypt to ``public_key``; header and ``context`` are bound as HPKE info."""
    header = make_header(Kind.HPKE_SEALED)
    recipient = _public_key_object(public_key)
    try:
        return header + HPKE_SUITE.encrypt(plaintext, recipient, info=header + context)
    except ValueError:
        raise CryptoError() from None


def unseal(private_key: bytes, sealed: bytes, context: bytes) -> bytes:
    """Open a blob made by :func:`seal`; any mismatch raises :class:`CryptoError`."""
    body = strip_header(sealed, Kind.HPKE_SEALED)
    recipient = hpke.MLKEM768X25519PrivateKey(*_private_key_parts(private_key))
    try:
        return HPKE_SUITE.decrypt(body, recipient, info=make_header(Kind.HPKE_SEALED) + context)
    except (InvalidTag, ValueError):
        raise CryptoError() from None


def aead_seal(key: bytes, authenticated_prefix: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """AES-256-GCM: ``prefix || nonce || ciphertext``, prefix and associated data authenticated.

    The prefix (header plus any fixed-length parameters) has a fixed length per
    kind, so ``prefix || associated_data`` is unambiguous.
    """
    if len(key) != DATA_KEY_LENGTH:
        raise ValueError(f"key must be {DATA_KEY_LENGTH} bytes")
    nonce = os.urandom(NONCE_LENGTH)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, authenticated_prefix + associated_data)
    return authenticated_prefix + nonce + ciphertext


def aead_open(key: bytes, blob: bytes, prefix_length: int, associated_data: bytes) -> bytes:
    """Open a blob made by :func:`aead_seal`; the caller has checked the prefix format."""
    if len(key) != DATA_KEY_LENGTH or len(blob) < prefix_length + NONCE_LENGTH + GCM_TAG_LENGTH:
        raise CryptoError()
    prefix = blob[:prefix_length]
    nonce = blob[prefix_length : prefix_length + NONCE_LENGTH]
    ciphertext = blob[prefix_length + NONCE_LENGTH :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, prefix + associated_data)
    except InvalidTag:
        raise CryptoError() from None


def encrypt_field(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """Encrypt one database field under a 32-byte data key."""
    return aead_seal(key, make_header(Kind.AEAD_FIELD), plaintext, associated_data)


def decrypt_field(key: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
    """Decrypt one database field; wrong key, context or any tampering raises CryptoError."""
    strip_header(ciphertext, Kind.AEAD_FIELD)
    return aead_open(key, ciphertext, HEADER_LENGTH, associated_data)
