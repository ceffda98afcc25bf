"""The organisation's recovery key: armoured text, SLIP-39 shares, key file.

Every data key is also wrapped for the recovery public key, so reports survive
staff leaving or forgetting passwords. The recovery private key never touches
the server: it is printed (armoured) or split into SLIP-39 mnemonic shares held
by different people, and only ``keys/recovery-public.key`` is deployed.

SLIP-39 master secrets are at most 32 bytes, so the recovery key pair is
derived deterministically from a 32-byte recovery secret, and that secret is
what gets armoured or split.
"""

import base64
import binascii
import hashlib
import hmac
import re
from pathlib import Path

import shamir_mnemonic
from shamir_mnemonic.wordlist import WORDLIST

from reporting.crypto import envelope
from reporting.crypto.errors import CryptoError

RECOVERY_PUBLIC_KEY_FILENAME = "recovery-public.key"
RECOVERY_SECRET_LENGTH = 32
MAX_SHARES = 16

_PUBLIC_LABEL = "REPORTING RECOVERY PUBLIC KEY"
_PRIVATE_LABEL = "REPORTING RECOVERY PRIVATE KEY"
_ARMOR_LINE_LENGTH = 64
_MAX_ARMORED_LENGTH = 16 * 1024
# Catches typos and corruption (a mistyped secret or a damaged public key file
# would otherwise decode to a different, valid-looking key). Not a signature.
_CHECKSUM_LENGTH = 4
_RECOVERY_SEED_INFO = b"reporting/v1 recovery keypair seed"
_SHARES_ERROR = "could not recover the key: too few or invalid shares"
# PEM/OpenSSH/PGP/our own armour: "-----BEGIN ... PRIVATE KEY".
_PRIVATE_KEY_MARKER = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY")
# The shortest SLIP-39 share (128-bit secret) has 20 words.
_MIN_SHARE_WORDS = 20
_SLIP39_WORDS = frozenset(WORDLIST)
_WORD = re.compile(r"[a-z]+")


def new_recovery_secret() -> bytes:
    """A fresh random recovery secret (generated offline by the key ceremony)."""
    return envelope.new_data_key()


def recovery_keypair_from_secret(secret: bytes) -> envelope.KeyPair:
    """The recovery key pair determined by a 32-byte recovery secret."""
    if len(secret) != RECOVERY_SECRET_LENGTH:
        raise ValueError(f"recovery secret must be {RECOVERY_SECRET_LENGTH} bytes")
    seed = envelope.hkdf_sha256(secret, _RECOVERY_SEED_INFO, envelope.KEYPAIR_SEED_MIN_LENGTH)
    return envelope.keypair_from_seed(seed)


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(payload).digest()[:_CHECKSUM_LENGTH]


def _armor(label: str, payload: bytes) -> str:
    encoded = base64.b64encode(payload + _checksum(payload)).decode("ascii")
    lines = [encoded[start : start + _ARMOR_LINE_LENGTH] for start in range(0, len(encoded), _ARMOR_LINE_LENGTH)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


def _dearmor(label: str, text: str) -> bytes:
    if len(text) > _MAX_ARMORED_LENGTH:
        raise CryptoError()
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 2 or lines[0] != f"-----BEGIN {label}-----":
        raise CryptoError()
    if lines[-1] != f"-----END {label}-----":
        raise CryptoError()
    try:
        decoded = base64.b64decode("".join(lines[1:-1]), validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError() from None
    payload, checksum = decoded[:-_CHECKSUM_LENGTH], decoded[-_CHECKSUM_LENGTH:]
    if len(decoded) <= _CHECKSUM_LENGTH or not hmac.compare_digest(checksum, _checksum(payload)):
        raise CryptoError()
    return payload


def armor_public_key(public_key: bytes) -> str:
    """Text form of the recovery public key, as stored in ``keys/``."""
    if len(public_key) != envelope.PUBLIC_KEY_LENGTH:
        raise ValueError(f"public key must be {envelope.PUBLIC_KEY_LENGTH} bytes")
    header = envelope.make_header(envelope.Kind.RECOVERY_PUBLIC_KEY)
    return _armor(_PUBLIC_LABEL, header + public_key)


def parse_public_key(text: str) -> bytes:
    """Raw recovery public key from its armoured text; CryptoError when malformed."""
    payload = _dearmor(_PUBLIC_LABEL, text)
    public_key = envelope.strip_header(payload, envelope.Kind.RECOVERY_PUBLIC_KEY)
    if len(public_key) != envelope.PUBLIC_KEY_LENGTH:
        raise CryptoError()
    envelope.validate_public_key(public_key)
    return public_key


def armor_private_key(secret: bytes) -> str:
    """Printable text form of the 32-byte recovery secret (offline storage only)."""
    if len(secret) != RECOVERY_SECRET_LENGTH:
        raise ValueError(f"recovery secret must be {RECOVERY_SECRET_LENGTH} bytes")
    header = envelope.make_header(envelope.Kind.RECOVERY_SECRET)
    return _armor(_PRIVATE_LABEL, header + secret)


def parse_private_key(text: str) -> bytes:
    """The 32-byte recovery secret from its armoured text; CryptoError when malformed."""
    payload = _dearmor(_PRIVATE_LABEL, text)
    secret = envelope.strip_header(payload, envelope.Kind.RECOVERY_SECRET)
    if len(secret) != RECOVERY_SECRET_LENGTH:
        raise CryptoError()
    return secret


def _has_slip39_words(text: str) -> bool:
    run = 0
    for word in _WORD.findall(text.lower()):
        run = run + 1 if word in _SLIP39_WORDS else 0
        if run >= _MIN_SHARE_WORDS:
            return True
    return False


def contains_private_key(text_or_bytes: str | bytes) -> bool:
    """Whether content looks like private key material (armour, PEM, SLIP-39 share).

    Deliberately over-cautious: any run of 20 SLIP-39 words counts, whatever
    prefix, numbering or line wrapping surrounds it.
    """
    data = text_or_bytes.encode("utf-8", errors="replace") if isinstance(text_or_bytes, str) else text_or_bytes
    if _PRIVATE_KEY_MARKER.search(data):
        return True
    if envelope.make_header(envelope.Kind.RECOVERY_SECRET) in data:
        return True
    return _has_slip39_words(data.decode("utf-8", errors="replace"))


def _check_share_counts(threshold: int, shares: int) -> None:
    if not 1 <= threshold <= shares <= MAX_SHARES:
        raise ValueError(f"need 1 <= threshold <= shares <= {MAX_SHARES}")
    if shares > 1 and threshold < 2:
        raise ValueError("a threshold of 1 with several shares would make each share the key")


def split_recovery_secret(secret: bytes, threshold: int, shares: int) -> list[str]:
    """Split the recovery secret into SLIP-39 mnemonics, any ``threshold`` of which recover it."""
    if len(secret) != RECOVERY_SECRET_LENGTH:
        raise ValueError(f"recovery secret must be {RECOVERY_SECRET_LENGTH} bytes")
    _check_share_counts(threshold, shares)
    groups = shamir_mnemonic.generate_mnemonics(
        group_threshold=1, groups=[(threshold, shares)], master_secret=secret, passphrase=b""
    )
    return [str(mnemonic) for mnemonic in groups[0]]


def combine_recovery_shares(mnemonics: list[str]) -> bytes:
    """Recover the recovery secret from at least ``threshold`` distinct shares."""
    cleaned = {" ".join(mnemonic.lower().split()) for mnemonic in mnemonics}
    cleaned.discard("")
    try:
        groups = shamir_mnemonic.decode_mnemonics(cleaned)
        # SLIP-39 wants exactly ``threshold`` shares; extra valid ones are fine for us.
        minimal = {index: group.get_minimal_group() for index, group in groups.items()}
        secret = bytes(shamir_mnemonic.recover_ems(minimal).decrypt(b""))
    except (shamir_mnemonic.MnemonicError, ValueError, KeyError):
        raise CryptoError(_SHARES_ERROR) from None
    if len(secret) != RECOVERY_SECRET_LENGTH:
        raise CryptoError(_SHARES_ERROR)
    return secret


_FileVersion = tuple[int, int, int, int]
"""What tells a changed file apart: device, inode, size and modification time in nanoseconds."""
_loaded_public_keys: dict[Path, tuple[_FileVersion, bytes]] = {}


def load_recovery_public_key(keys_dir: Path) -> bytes | None:
    """The deployed recovery public key, or None when none is configured yet.

    Every submission and every form view asks: the file is read and checked once, then again only when
    it changed (a new inode, size or modification time).
    """
    path = keys_dir / RECOVERY_PUBLIC_KEY_FILENAME
    try:
        status = path.stat()
    except FileNotFoundError:
        _loaded_public_keys.pop(path, None)
        return None
    version = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
    cached = _loaded_public_keys.get(path)
    if cached is not None and cached[0] == version:
        return cached[1]
    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError:
        raise CryptoError() from None
    public_key = parse_public_key(text)
    _loaded_public_keys[path] = (version, public_key)
    return public_key


def write_recovery_public_key(keys_dir: Path, public_key: bytes) -> None:
    """Install the recovery public key; refuses to replace a different existing one.

    Replacing it silently would make every later report unrecoverable with the
    shares the organisation holds, so that must be a deliberate manual step.
    """
    text = armor_public_key(public_key)
    path = keys_dir / RECOVERY_PUBLIC_KEY_FILENAME
    if path.exists():
        try:
            existing = load_recovery_public_key(keys_dir)
        except CryptoError:
            existing = None
        if existing != public_key:
            raise FileExistsError(f"a different recovery public key already exists at {path}")
        return
    keys_dir.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as key_file:
        key_file.write(text)
