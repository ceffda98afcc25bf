"""HEAD answered like GET, without the body: link checkers, uptime monitors and some browsers send it,
and Litestar routes a ``@get`` handler for GET only (a HEAD got 405)."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def answer_head_like_get(app: ASGIApp) -> ASGIApp:
    """Wrap the application's ASGI handler (before routing): run HEAD as GET and drop the body."""

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app({**scope, "method": "GET"}, receive, send_without_body)

    return handler
