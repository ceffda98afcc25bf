"""Security and privacy headers on every response (Litestar sets none by itself)."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb", "interest-cohort", "browsing-topics",
    )
)  # fmt: skip


def security_headers(onion_location: str | None) -> dict[str, str]:
    headers = {
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "permissions-policy": PERMISSIONS_POLICY,
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "x-robots-tag": "noindex, nofollow",
    }
    if onion_location:
        headers["onion-location"] = onion_location
    return headers


def security_headers_hook(onion_location: str | None) -> BeforeMessageSendHookHandler:
    """A ``before_send`` hook: unlike route middleware it also runs for 404s and other early errors.

    Pages default to ``Cache-Control: no-store`` so nothing a reporter saw stays in a shared browser.
    """
    headers = security_headers(onion_location)

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        response_headers = MutableScopeHeaders.from_message(message)
        for name, value in headers.items():
            response_headers[name] = value
        if "server" in response_headers:
            del response_headers["server"]
        if not scope["path"].startswith("/static/"):
            response_headers["cache-control"] = "no-store"

    return add_headers
