"""Security and privacy headers on every response (Litestar sets none by itself)."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.status_codes import HTTP_400_BAD_REQUEST
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from reporting.config.settings import Settings

HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 3600

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
    }
    if onion_location:
        headers["onion-location"] = onion_location
    return headers


INDEXABLE_PATHS = frozenset({"/", "/privacy", "/impressum"})
"""Pages a search engine may list (so people find the service), if the operator allows it."""


def indexable_paths(settings: Settings) -> frozenset[str]:
    return INDEXABLE_PATHS if settings.index_landing_page else frozenset()


def security_headers_hook(
    onion_location: str | None, indexable: frozenset[str], *, strict_transport: bool
) -> BeforeMessageSendHookHandler:
    """A ``before_send`` hook: unlike route middleware it also runs for 404s and other early errors.

    Pages and every error default to ``Cache-Control: no-store`` so nothing a reporter saw (or asked for)
    stays in a shared browser or cache; only static files that exist may be cached. With secure cookies
    the service is reached over HTTPS only, and ``Strict-Transport-Security`` makes browsers keep to it.
    Everything is ``noindex`` except the ``indexable`` pages when fetched (never the receipt, nor
    the mailbox or the staff area).
    """
    headers = security_headers(onion_location)
    if strict_transport:
        headers["strict-transport-security"] = f"max-age={HSTS_MAX_AGE_SECONDS}"

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        response_headers = MutableScopeHeaders.from_message(message)
        for name, value in headers.items():
            response_headers[name] = value
        if "server" in response_headers:
            del response_headers["server"]
        if not scope["path"].startswith("/static/") or message["status"] >= HTTP_400_BAD_REQUEST:
            response_headers["cache-control"] = "no-store"
        fetched = scope["type"] == ScopeType.HTTP and scope["method"] in ("GET", "HEAD")
        if not (fetched and scope["path"] in indexable and message["status"] == 200):
            response_headers["x-robots-tag"] = "noindex, nofollow"

    return add_headers
