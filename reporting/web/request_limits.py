"""Bounds on what a request may make the service hold before a handler runs.

The HTTP server parses request heads of any size when they arrive in one piece, so the limits on the
number and total size of header lines are checked here, before routing work, sessions or the database.

A request body is read completely, within time limits, before routing goes on: guards load staff
sessions from the database, and a connection taken there would otherwise stay checked out for as long
as a slow (or deliberately stalled) client takes to send the body, until the pool runs dry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_408_REQUEST_TIMEOUT, HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

MAX_HEADER_COUNT = 100
MAX_HEADER_BYTES = 16 * 1024
# A body may pause for at most BODY_IDLE_SECONDS, and must arrive within BODY_BASE_SECONDS plus one
# second per BODY_MIN_BYTES_PER_SECOND announced (a 30 MB upload over a slow Tor circuit still fits).
BODY_IDLE_SECONDS = 20.0
BODY_BASE_SECONDS = 30.0
BODY_MIN_BYTES_PER_SECOND = 32 * 1024


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


def request_body_middleware(max_body_bytes: int) -> Callable[[ASGIApp], ASGIApp]:
    """Read the whole request body (up to ``max_body_bytes``) under time limits, then route the request.

    A body that stalls or takes too long is answered with 408 before anything else happens. A body over
    ``max_body_bytes`` is passed on unread (or partly read, when its length was not announced), so the
    application's own size limit answers it.
    """

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            announced = _announced_length(scope)
            if scope["type"] != ScopeType.HTTP or not _has_body(scope) or announced > max_body_bytes:
                # Nothing to wait for, or too large anyway: the application answers at once.
                await app(scope, receive, send)
                return
            buffered = await _read_body(receive, announced, max_body_bytes)
            pending = iter(buffered)

            async def replay() -> ReceiveMessage:
                for message in pending:
                    return message
                return await receive()

            await app(scope, replay, send)

        return middleware

    return wrap


def _has_body(scope: Scope) -> bool:
    names = {name for name, _value in scope["headers"]}
    return b"content-length" in names or b"transfer-encoding" in names


def _announced_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length" and value.isdigit():
            return int(value)
    return 0


async def _read_body(receive: Receive, announced: int, max_body_bytes: int) -> list[ReceiveMessage]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BODY_BASE_SECONDS + min(announced, max_body_bytes) / BODY_MIN_BYTES_PER_SECOND
    messages: list[ReceiveMessage] = []
    received = 0
    while True:
        remaining = deadline - loop.time()
        try:
            message = await asyncio.wait_for(receive(), timeout=min(BODY_IDLE_SECONDS, max(remaining, 0)))
        except TimeoutError:
            raise HTTPException(status_code=HTTP_408_REQUEST_TIMEOUT) from None
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        received += len(message.get("body", b""))
        if not message.get("more_body", False) or received > max_body_bytes:
            return messages
