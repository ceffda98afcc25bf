"""The language of a request: ``?lang=`` or Accept-Language, never a cookie."""

from __future__ import annotations

import contextvars
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from reporting.i18n import reset_language, resolve_language, set_language

STAFF_PREFIX = "/staff"


def use_request_language(connection: ASGIConnection[Any, Any, Any, Any]) -> contextvars.Token[str]:
    """Set the language the request asks for (in this request's context only).

    Exception handlers run outside :func:`language_middleware` (a 404 has no route), so a page they
    render calls this again.
    """
    return set_language(
        resolve_language(
            connection.query_params.get("lang"),
            connection.headers.get("accept-language"),
            staff=is_staff_path(connection.url.path),
        )
    )


def is_staff_path(path: str) -> bool:
    """Staff pages speak German or English only; every other page offers all public languages."""
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


def language_middleware(app: ASGIApp) -> ASGIApp:
    """Render every HTTP request in the language it asks for."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        token = use_request_language(ASGIConnection(scope))
        try:
            await app(scope, receive, send)
        finally:
            reset_language(token)

    return middleware
