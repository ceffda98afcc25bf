"""Bounds on what a request may make the service hold before a handler runs.

The HTTP server parses request heads of any size when they arrive in one piece, so the limits on the
number and total size of header lines are checked here, before routing work, sessions or the database.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE
from litestar.types import ASGIApp, Receive, Scope, Send

MAX_HEADER_COUNT = 100
MAX_HEADER_BYTES = 16 * 1024


def request_head_limit_middleware(app: ASGIApp) -> ASGIApp:
    """Answer 431 to a request with more than ``MAX_HEADER_COUNT`` headers or ``MAX_HEADER_BYTES`` of them."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            headers = list(scope["headers"])
            if len(headers) > MAX_HEADER_COUNT or sum(len(name) + len(value) for name, value in headers) > (
                MAX_HEADER_BYTES
            ):
                raise HTTPException(status_code=HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE)
        await app(scope, receive, send)

    return middleware
