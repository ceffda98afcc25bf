"""Staff private keys at rest (under a password) and in the session store.

A staff private key is stored only wrapped under a key derived from the staff
member's password with Argon2id, so a database dump alone opens nothing. The
Argon2id parameters are stored in the (authenticated) blob so they can be
raised later; parameters read from a blob are bounds-checked first, so a
tampered blob cannot make the server allocate unbounded memory.

After login the unlocked private key is kept in the server-side session store
encrypted under a random key that only the browser's cookie holds: neither
the session store nor a stolen cookie alone yields the private key.
"""

import os
import struct
import unicodedata
from dataclasses import dataclass

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw

from reporting.crypto import envelope
from reporting.crypto.errors import CryptoError

MIN_MEMORY_KIB = 8 * 1024
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_TIME_COST = 16
MAX_PARALLELISM = 16
SALT_LENGTH = 16
WRAPPING_KEY_LENGTH = 32

_PARAMS_FORMAT = ">III"
_PARAMS_LENGTH = struct.calcsize(_PARAMS_FORMAT)
_WRAPPED_PREFIX_LENGTH = envelope.HEADER_LENGTH + _PARAMS_LENGTH + SALT_LENGTH
_WRAPPED_KEY_LENGTH = (
    _WRAPPED_PREFIX_LENGTH + envelope.NONCE_LENGTH + envelope.PRIVATE_KEY_LENGTH + envelope.GCM_TAG_LENGTH
)


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost parameters; out-of-range values are refused, even from a blob."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def __post_init__(self) -> None:
        if not 1 <= self.time_cost <= MAX_TIME_COST:
            raise ValueError("Argon2 time cost out of range")
        if not MIN_MEMORY_KIB <= self.memory_kib <= MAX_MEMORY_KIB:
            raise ValueError("Argon2 memory out of range")
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            raise ValueError("Argon2 parallelism out of range")


# RFC 9106 "second recommended option" memory (64 MiB) and time cost; p=1
# because the server handles many logins in parallel anyway.
DEFAULT_ARGON2 = Argon2Params(time_cost=3, memory_kib=64 * 1024, parallelism=1)


def argon2id(secret: bytes, salt: bytes, params: Argon2Params, length: int) -> bytes:
    """Memory-hard key derivation from a low-entropy secret."""
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=length,
        type=Type.ID,
    )


def _password_bytes(password: str) -> bytes:
    # NFC so the same password typed on different systems gives the same key.
    try:
        return unicodedata.normalize("NFC", password).encode("utf-8")
    except UnicodeEncodeError:
        # The default message would quote the offending password character.
        raise ValueError("password is not valid Unicode") from None


def wrap_private_key(private_key: bytes, password: str, *, params: Argon2Params = DEFAULT_ARGON2) -> bytes:
    """Encrypt a staff private key under a password-derived key."""
    if len(private_key) != envelope.PRIVATE_KEY_LENGTH:
        raise ValueError(f"private key must be {envelope.PRIVATE_KEY_LENGTH} bytes")
    if not password:
        raise ValueError("password must not be empty")
    salt = os.urandom(SALT_LENGTH)
    prefix = (
        envelope.make_header(envelope.Kind.PASSWORD_WRAPPED_KEY)
        + struct.pack(_PARAMS_FORMAT, params.time_cost, params.memory_kib, params.parallelism)
        + salt
    )
    wrapping_key = argon2id(_password_bytes(password), salt, params, WRAPPING_KEY_LENGTH)
    return envelope.aead_seal(wrapping_key, prefix, private_key, b"")


def unwrap_private_key(blob: bytes, password: str) -> bytes:
    """Recover the private key; a wrong password or any tampering raises CryptoError."""
    body = envelope.strip_header(blob, envelope.Kind.PASSWORD_WRAPPED_KEY)
    if len(blob) != _WRAPPED_KEY_LENGTH:
        raise CryptoError()
    try:
        params = Argon2Params(*struct.unpack_from(_PARAMS_FORMAT, body))
        salt = body[_PARAMS_LENGTH : _PARAMS_LENGTH + SALT_LENGTH]
        wrapping_key = argon2id(_password_bytes(password), salt, params, WRAPPING_KEY_LENGTH)
    except (ValueError, struct.error, HashingError):
        raise CryptoError() from None
    return envelope.aead_open(wrapping_key, blob, _WRAPPED_PREFIX_LENGTH, b"")


def change_password(
    blob: bytes,
    old_password: str,
    new_password: str,
    *,
    params: Argon2Params = DEFAULT_ARGON2,
) -> bytes:
    """Re-wrap one private key under a new password (and current parameters)."""
    private_key = unwrap_private_key(blob, old_password)
    return wrap_private_key(private_key, new_password, params=params)


def session_seal(private_key: bytes) -> tuple[bytes, bytes]:
    """Return ``(blob for the server-side session store, key for the cookie only)``."""
    if len(private_key) != envelope.PRIVATE_KEY_LENGTH:
        raise ValueError(f"private key must be {envelope.PRIVATE_KEY_LENGTH} bytes")
    cookie_key = envelope.new_data_key()
    header = envelope.make_header(envelope.Kind.SESSION_SEALED_KEY)
    return envelope.aead_seal(cookie_key, header, private_key, b""), cookie_key


def session_unseal(sealed_blob: bytes, cookie_key: bytes) -> bytes:
    """Recover the unlocked private key from the session store with the cookie's key."""
    envelope.strip_header(sealed_blob, envelope.Kind.SESSION_SEALED_KEY)
    return envelope.aead_open(cookie_key, sealed_blob, envelope.HEADER_LENGTH, b"")
