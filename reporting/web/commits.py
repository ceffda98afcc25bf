"""Commit before you announce: a page that says something was saved goes out only after its COMMIT returned.

Handlers that write call :func:`commit` (or write inside :func:`saving`) before they render success, and
answer :class:`NotStoredError` with a page that keeps what was typed. :func:`commit_before_send_middleware`
is the net under all of them: it commits whatever a successful answer (2xx, 3xx) left open before its
first byte goes out, and when that fails the answer is replaced by the "nothing was stored" page.
Nothing here swallows a failure: each one is logged as an error, by type and code location only (never
the message, which can carry what was typed).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar import MediaType, Request
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.response import Template
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.web.language import use_request_language
from reporting.web.logging import exception_summary

logger = logging.getLogger("reporting.errors")


class NotStoredError(Exception):
    """The database refused to store what this request wrote (a full disk, a constraint checked at
    COMMIT, a lost connection): it was rolled back, so nothing of it was stored.

    ``kept`` holds what the person typed (field label → text), shown again so that nothing is lost.
    """

    def __init__(self, kept: Mapping[str, str] | None = None) -> None:
        super().__init__("nothing was stored")
        self.kept = dict(kept or {})


def log_not_stored(where: str, exc: BaseException) -> None:
    cause = f" from {exception_summary(exc.__cause__)}" if exc.__cause__ is not None else ""
    logger.error("nothing was stored in %s: %s%s", where, exception_summary(exc), cause)


async def _roll_back(session: AsyncSession, where: str) -> None:
    try:
        await session.rollback()
    except SQLAlchemyError as exc:  # the connection may be gone with the commit: say so, then go on
        log_not_stored(f"{where} (rollback)", exc)


async def commit(session: AsyncSession, *, where: str, kept: Mapping[str, str] | None = None) -> None:
    """Commit this request's writes, or roll them back, log the failure and raise :class:`NotStoredError`."""
    try:
        await session.commit()
    except SQLAlchemyError as exc:
        log_not_stored(where, exc)
        await _roll_back(session, where)
        raise NotStoredError(kept) from exc


async def discard(session: AsyncSession, exc: SQLAlchemyError, *, where: str) -> None:
    """A write failed before the commit (a full disk can refuse any statement): log it and roll back."""
    log_not_stored(where, exc)
    await _roll_back(session, where)


@asynccontextmanager
async def saving(session: AsyncSession, *, where: str, kept: Mapping[str, str] | None = None) -> AsyncIterator[None]:
    """Commit what the block wrote when it ends; a database failure inside the block (SQLite on a full disk
    already refuses the statements) or at the commit raises :class:`NotStoredError`, rolled back and logged.
    Other exceptions leave the block uncommitted, as an early refusal should."""
    try:
        yield
    except SQLAlchemyError as exc:
        await discard(session, exc, where=where)
        raise NotStoredError(kept) from exc
    await commit(session, where=where, kept=kept)


def not_stored_page(request: Request[Any, Any, State], exc: NotStoredError) -> Template:
    """The "nothing was saved" page (503), with what was typed, to be copied, and the way back."""
    use_request_language(request)
    path = request.url.path.rstrip("/")
    return Template(
        template_name="errors/not_stored.html",
        context={"kept": exc.kept, "back": path.rsplit("/", 1)[0] or "/"},
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        media_type=MediaType.HTML,
    )


def commit_before_send_middleware(config: SQLAlchemyAsyncConfig) -> Callable[[ASGIApp], ASGIApp]:
    """Middleware: a successful answer is sent only once this request's transaction is committed."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def commit_then_send(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            failed: NotStoredError | None = None

            async def send_after_commit(message: Message) -> None:
                nonlocal failed
                if message["type"] == "http.response.start" and 200 <= message["status"] < 400:
                    # The request's own session (a new, empty one costs nothing and commits nothing).
                    session = config.provide_session(scope["app"].state, scope)
                    handler = getattr(scope.get("route_handler"), "handler_name", "unknown")
                    try:
                        await commit(session, where=handler)
                    except NotStoredError as exc:
                        failed = exc
                if failed is None:
                    await send(message)

            await app(scope, receive, send_after_commit)
            if failed is not None:
                request: Request[Any, Any, State] = Request(scope, receive)
                page = not_stored_page(request, failed)
                await page.to_asgi_response(app=None, request=request)(scope, receive, send)

        return commit_then_send

    return middleware
