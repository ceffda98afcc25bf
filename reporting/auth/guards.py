"""The app-wide access guard: it admits a request only if the route's rule (``reporting.access.rules``)
admits the staff session of the connection; a route without a rule is denied to everyone.

Litestar runs guards after routing and before the handler's parameters, body or dependencies are
resolved. Without a valid session a ``/staff`` page redirects to the login page (303); a session
of the wrong role, or a request to a route without a rule, gets 403.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from reporting.access.identity import CURRENT_STAFF_STATE_KEY, StaffIdentity, Stage
from reporting.access.rules import access_rule
from reporting.auth.sessions import (
    STAFF_SESSION_COOKIE,
    expired_session_cookie,
    session_of_connection,
)
from reporting.web.app_state import app_settings

LOGIN_PATH = "/staff/login"
STAFF_PREFIX = "/staff"


class LoginRequiredError(NotAuthorizedException):
    """No valid staff session on a staff page: answered with a redirect to the login page."""


async def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Let the request through only if the route's rule admits the connection's staff session."""
    rule = access_rule(handler.opt)
    if rule.public:
        return
    identity = await session_of_connection(connection)
    if identity is None or (identity.stage is not Stage.ACTIVE and not rule.totp_stage_allowed):
        if connection.url.path == STAFF_PREFIX or connection.url.path.startswith(STAFF_PREFIX + "/"):
            raise LoginRequiredError
        raise PermissionDeniedException
    if identity.role not in rule.roles:
        raise PermissionDeniedException


def current_staff(request: Request[Any, Any, State]) -> StaffIdentity:
    """Provider of the dependency ``staff``: the member the guard admitted (on a route with a role rule)."""
    identity: StaffIdentity | None = request.state.get(CURRENT_STAFF_STATE_KEY)
    if identity is None:
        raise LoginRequiredError
    return identity


def login_required_handler(request: Request[Any, Any, State], _exc: LoginRequiredError) -> Response[Any]:
    """Redirect to the login page (303), dropping the session cookie if it belongs to no session (a
    half-logged-in session keeps its cookie, so the login can go on)."""
    response: Response[Any] = Redirect(LOGIN_PATH, status_code=303)
    if STAFF_SESSION_COOKIE in request.cookies and request.state.get(CURRENT_STAFF_STATE_KEY) is None:
        response.set_cookie(expired_session_cookie(app_settings(request)))
    return response
