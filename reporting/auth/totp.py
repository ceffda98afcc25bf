"""Second factor: TOTP (RFC 6238) codes, each usable once, with the secret sealed at rest.

The secret is encrypted under a key derived from the staff member's private key, which is only ever
unlocked by their password: a database dump does not reveal it, and it can be opened only during a
login that got the password right.
"""

from __future__ import annotations

import time
import uuid

import pyotp
import segno
from markupsafe import Markup, escape
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.crypto import envelope
from reporting.db.models import StaffAccount

ISSUER = "Caritas Meldestelle"
CODE_DIGITS = 6
# One time step (30 s) either side, for clocks that are slightly off.
VALID_WINDOW = 1
_SEALING_KEY_INFO = b"reporting/v1 totp secret"


def new_secret() -> str:
    """A random 160-bit secret in base32, as authenticator apps expect it."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` URI an authenticator app can import."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_svg(uri: str, label: str) -> Markup:
    """The URI as a QR code in inline SVG (rendered here: the secret never goes to a third-party service).

    Black modules on a white quiet zone of four, scalable by CSS (``viewBox``), named for screen readers.
    """
    svg = segno.make(uri, error="m").svg_inline(scale=1, border=4, omitsize=True, svgclass=None, lineclass=None)
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(named)  # noqa: S704 - segno's own markup; the label is escaped above


def _sealing_key(private_key: bytes) -> bytes:
    return envelope.hkdf_sha256(private_key, _SEALING_KEY_INFO, envelope.DATA_KEY_LENGTH)


def _context(staff_id: uuid.UUID) -> bytes:
    return envelope.encode_parts(_SEALING_KEY_INFO, staff_id.bytes)


def seal_secret(secret: str, *, private_key: bytes, staff_id: uuid.UUID) -> bytes:
    return envelope.encrypt_field(_sealing_key(private_key), secret.encode("ascii"), _context(staff_id))


def open_secret(sealed: bytes, *, private_key: bytes, staff_id: uuid.UUID) -> str:
    """Raise :class:`~reporting.crypto.errors.CryptoError` when it does not belong to this key and account."""
    return envelope.decrypt_field(_sealing_key(private_key), sealed, _context(staff_id)).decode("ascii")


def normalise_code(raw: str) -> str | None:
    """The six digits of a typed code (spaces allowed), or ``None``."""
    code = "".join(raw.split())
    return code if len(code) == CODE_DIGITS and code.isascii() and code.isdigit() else None


def matching_step(secret: str, raw_code: str, *, after_step: int | None, now: float | None = None) -> int | None:
    """The time step the code belongs to, if it is valid now and later than ``after_step`` (no replay)."""
    code = normalise_code(raw_code)
    if code is None:
        return None
    try:
        step: int = pyotp.TOTP(secret).verify_and_get_timecode(
            code, for_time=time.time() if now is None else now, valid_window=VALID_WINDOW
        )
    except pyotp.exceptions.OTPVerificationError:
        return None
    return step if after_step is None or step > after_step else None


async def claim_step(db: AsyncSession, staff_id: uuid.UUID, step: int) -> bool:
    """Record ``step`` as used, unless the same or a later one was already used (concurrent logins too)."""
    result = await db.execute(
        update(StaffAccount)
        .where(
            StaffAccount.id == staff_id,
            or_(StaffAccount.totp_last_step.is_(None), StaffAccount.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
