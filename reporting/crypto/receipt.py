"""Reporter receipt codes and the keys derived from them.

The reporter has no account: a 20-digit random code (about 66.4 bits) is the
only thing they keep. One Argon2id run over the code with a per-installation
salt yields master material, split by HKDF into

* a lookup id stored in the database to find the report, and
* the seed of the reporter's key pair (only its public key is stored), with
  which the reporter opens the mailbox key and so reads replies.

The salt is per installation, not per report, because the report must be found
from the code alone; Argon2id makes each offline guess against a database dump
cost about as much as a login. Digits only, so the code can be typed on any
keyboard, including Arabic-Indic and Persian digits.
"""

import secrets
import unicodedata
from dataclasses import dataclass, field

from reporting.crypto import envelope
from reporting.crypto.errors import CryptoError
from reporting.crypto.passwords import Argon2Params, argon2id

RECEIPT_CODE_DIGITS = 20
RECEIPT_GROUP_SIZE = 4
MIN_INSTALLATION_SALT_LENGTH = 16
LOOKUP_ID_LENGTH = 32
RECEIPT_ARGON2 = Argon2Params(time_cost=3, memory_kib=64 * 1024, parallelism=1)

_MAX_CODE_INPUT_LENGTH = 200
_MASTER_LENGTH = 64
_LOOKUP_ID_INFO = b"reporting/v1 receipt lookup id"
_KEYPAIR_SEED_INFO = b"reporting/v1 receipt keypair seed"
_MINUS_SIGN = "\u2212"
# Spaces, dashes and invisible format marks (e.g. RTL marks from copy-paste).
_IGNORED_CATEGORIES = frozenset({"Zs", "Pd", "Cf"})


@dataclass(frozen=True, eq=False)
class ReceiptKeys:
    """Keys derived from one receipt code. ``eq=False``: compare with hmac.compare_digest."""

    lookup_id: bytes = field(repr=False)
    keypair: envelope.KeyPair = field(repr=False)

    def __repr__(self) -> str:
        return "ReceiptKeys(<redacted>)"


def format_receipt_code(digits: str) -> str:
    """Group 20 ASCII digits as ``dddd dddd dddd dddd dddd`` for display."""
    if len(digits) != RECEIPT_CODE_DIGITS or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"a receipt code is {RECEIPT_CODE_DIGITS} ASCII digits")
    return " ".join(
        digits[start : start + RECEIPT_GROUP_SIZE] for start in range(0, RECEIPT_CODE_DIGITS, RECEIPT_GROUP_SIZE)
    )


def new_receipt_code() -> str:
    """A fresh uniformly random receipt code, formatted for display."""
    number = secrets.randbelow(10**RECEIPT_CODE_DIGITS)
    return format_receipt_code(f"{number:0{RECEIPT_CODE_DIGITS}d}")


def receipt_code_from_seed(seed: bytes) -> str:
    """A receipt code determined by 32 uniformly random bytes (the bias of the reduction is below 2**-190)."""
    if len(seed) < 32:
        raise ValueError("a receipt code seed is at least 32 bytes")
    number = int.from_bytes(seed[:32], "big") % 10**RECEIPT_CODE_DIGITS
    return format_receipt_code(f"{number:0{RECEIPT_CODE_DIGITS}d}")


def normalize_receipt_code(text: str) -> str | None:
    """The 20 ASCII digits of a typed code, or None when it is not one.

    Accepts any Unicode decimal digits and ignores whitespace, dashes and
    invisible format characters.
    """
    if len(text) > _MAX_CODE_INPUT_LENGTH:
        return None
    digits = []
    for char in text:
        if char.isspace() or char == _MINUS_SIGN:
            continue
        if unicodedata.category(char) in _IGNORED_CATEGORIES:
            continue
        value = unicodedata.decimal(char, None)
        if value is None:
            return None
        digits.append(str(value))
    if len(digits) != RECEIPT_CODE_DIGITS:
        return None
    return "".join(digits)


def derive_receipt_keys(code: str, installation_salt: bytes, *, params: Argon2Params = RECEIPT_ARGON2) -> ReceiptKeys:
    """Derive lookup id and reporter key pair from a typed receipt code."""
    if len(installation_salt) < MIN_INSTALLATION_SALT_LENGTH:
        raise ValueError(f"installation salt must be at least {MIN_INSTALLATION_SALT_LENGTH} bytes")
    digits = normalize_receipt_code(code)
    if digits is None:
        raise CryptoError("invalid receipt code")
    master = argon2id(digits.encode("ascii"), installation_salt, params, _MASTER_LENGTH)
    return ReceiptKeys(
        lookup_id=envelope.hkdf_sha256(master, _LOOKUP_ID_INFO, LOOKUP_ID_LENGTH),
        keypair=envelope.keypair_from_seed(envelope.hkdf_sha256(master, _KEYPAIR_SEED_INFO, _MASTER_LENGTH)),
    )
