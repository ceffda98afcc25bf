"""Requests must name one of the configured hosts: the ``Host`` header is never trusted.

Links the service hands out are built from ``REPORTING_PUBLIC_URL``, never from the request, and a request
for any other host (DNS rebinding, a poisoned cache or proxy) is refused before it reaches a handler.
Litestar's ``AllowedHostsConfig`` compares the header with its port; this compares the host name alone,
so the same list serves every port the service is reached on. ``/healthz`` stays reachable for local probes.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_400_BAD_REQUEST
from litestar.types import ASGIApp, Receive, Scope, Send

UNCHECKED_PATHS = ("/healthz",)


def host_name(header: str) -> str | None:
    """The host name of a ``Host`` header (lower case, without port or IPv6 brackets), or ``None``."""
    try:
        name = urlsplit(f"//{header}").hostname
    except ValueError:
        return None
    return name or None


def allowed_hosts_middleware(allowed: tuple[str, ...]) -> Callable[[ASGIApp], ASGIApp]:
    """A middleware that answers 400 to a request whose ``Host`` names no host in ``allowed``."""
    allowed_names = frozenset(name.lower() for name in allowed)

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == ScopeType.HTTP and scope["path"] not in UNCHECKED_PATHS:
                host = next((value for name, value in scope["headers"] if name == b"host"), b"")
                if host_name(host.decode("latin-1")) not in allowed_names:
                    refusal = ASGIResponse(
                        body=b"Unknown host.", status_code=HTTP_400_BAD_REQUEST, media_type="text/plain"
                    )
                    await refusal(scope, receive, send)
                    return
            await app(scope, receive, send)

        return middleware

    return wrap
