"""The staff layout's counts of what needs attention (unread, new, reply received, overdue), computed in one
place for every staff page instead of by each handler.

Jinja renders synchronously, so the counts are added to a page's template context after its handler ran
(an ``after_request`` hook: the case page has then already marked the case read) and before it renders.
That hook only receives the response, so :func:`staff_page_middleware` keeps the request's connection
where the hook finds it. Only staff whose role works cases are counted for, over the cases they hold a key
for; a statistician's or an administrator's pages carry no number about cases at all.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import Any

from litestar import Response
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.response import Template
from litestar.types import ASGIApp, Receive, Scope, Send

from reporting.access.identity import CURRENT_STAFF_STATE_KEY, StaffIdentity, Stage
from reporting.access.roles import CASE_ROLES
from reporting.casework.inbox import attention_counts
from reporting.web.app_state import app_settings, request_db_session
from reporting.web.language import is_staff_path

ATTENTION_CONTEXT_KEY = "attention"
"""The template variable the staff layout draws its attention bar from."""

_connection: contextvars.ContextVar[ASGIConnection[Any, Any, Any, Any] | None] = contextvars.ContextVar(
    "staff_page_connection", default=None
)


def staff_page_middleware(app: ASGIApp) -> ASGIApp:
    """Middleware: make this request's connection known to :func:`add_attention_counts` (in this request's
    context only)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        token = _connection.set(ASGIConnection(scope))
        try:
            await app(scope, receive, send)
        finally:
            _connection.reset(token)

    return middleware


def counted_for(connection: ASGIConnection[Any, Any, Any, Any]) -> StaffIdentity | None:
    """The staff member whose attention counts a page of this request shows, if any."""
    if not is_staff_path(connection.url.path):
        return None
    staff: StaffIdentity | None = connection.state.get(CURRENT_STAFF_STATE_KEY)
    if staff is None or staff.stage is not Stage.ACTIVE or staff.role not in CASE_ROLES:
        return None
    return staff


async def add_attention_counts(response: Response[Any]) -> Response[Any]:
    """``after_request`` hook: give a staff page the counts of its member, read in the request's own
    transaction (so they include what the handler just changed, and a failure is not hidden)."""
    connection = _connection.get()
    if not isinstance(response, Template) or connection is None:
        return response
    staff = counted_for(connection)
    if staff is None:
        return response
    response.context[ATTENTION_CONTEXT_KEY] = await attention_counts(
        request_db_session(connection),
        staff_id=staff.staff_id,
        role=staff.role,
        answer_due_months=app_settings(connection).answer_due_months,
        today=dt.date.today(),
    )
    return response
