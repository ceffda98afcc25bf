"""The receipt page after Post/Redirect/Get: the code travels in a sealed, short-lived session cookie.

Answering the form's POST with the receipt itself made Back/Forward and reload end in Chromium's
"Confirm Form Resubmission" page. Instead the POST answers ``303`` to ``GET /receipt`` and sets a cookie
that holds the code sealed (AES-256-GCM under a key from the workers' in-memory seed, never from anything
on disk, ``web.address_keys.process_key``) together with its expiry. The server stores nothing; the
cookie is scoped to ``/receipt``, HttpOnly, SameSite=Strict and a session cookie (no ``Max-Age``), so
the browser drops it when it closes (unless it restores sessions).
After :data:`RECEIPT_VIEW_SECONDS` the server refuses it. See SECURITY.md ("A code nobody can lose").
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass

from litestar.datastructures import Cookie

from reporting.crypto import envelope
from reporting.crypto.errors import CryptoError
from reporting.web.address_keys import process_key

RECEIPT_PATH = "/receipt"
RECEIPT_COOKIE = "receipt"
RECEIPT_VIEW_SECONDS = 30 * 60
_PURPOSE = "receipt-view-cookie/v1"
_PREFIX = b"RV1"


@dataclass(frozen=True)
class ReceiptView:
    """What the receipt page shows: the code, whether the form had been sent before, and the region
    chosen (whose offices the help block names)."""

    code: str
    shown_again: bool
    region: str = ""

    def __repr__(self) -> str:
        return "ReceiptView(<redacted>)"


def receipt_view_key() -> bytes:
    """This service's key for the cookie: gone with the processes, so a seized disk opens no cookie."""
    return process_key(_PURPOSE)


def seal_receipt_view(key: bytes, view: ReceiptView, *, now: float | None = None) -> str:
    """The cookie value: the code and its expiry, sealed so only this instance can read it until then."""
    expires = int((time.time() if now is None else now) + RECEIPT_VIEW_SECONDS)
    plaintext = json.dumps(
        {"code": view.code, "again": view.shown_again, "region": view.region, "expires": expires}
    ).encode()
    sealed = envelope.aead_seal(key, _PREFIX, plaintext, b"")
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")  # "=" would make the cookie quoted


def open_receipt_view(key: bytes, value: str, *, now: float | None = None) -> ReceiptView | None:
    """The view sealed in ``value``, or ``None`` when it is altered, from another instance, or expired."""
    try:
        sealed = base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4))
        plaintext = envelope.aead_open(key, sealed, len(_PREFIX), b"")
    except (binascii.Error, ValueError, CryptoError):
        return None
    data = json.loads(plaintext)
    if int(data["expires"]) < (time.time() if now is None else now):
        return None
    return ReceiptView(code=str(data["code"]), shown_again=bool(data["again"]), region=str(data.get("region", "")))


def receipt_cookie(view: ReceiptView, *, secure: bool) -> Cookie:
    """A session cookie (gone when the browser closes) sent to the receipt page alone."""
    return Cookie(
        key=RECEIPT_COOKIE,
        value=seal_receipt_view(receipt_view_key(), view),
        path=RECEIPT_PATH,
        secure=secure,
        httponly=True,
        samesite="strict",
    )
