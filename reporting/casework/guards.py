"""The app-wide access guard: every route states who may call it in its ``opt``, or nobody may.

Rules, read from a handler's (merged) ``opt``:

- ``{"public": True}`` (``PUBLIC``): anyone, no session needed (reporter pages, login, static files).
- ``{"roles": ("adviser", "coordinator")}`` (or ``allow(Role.ADVISER, Role.COORDINATOR)``): a fully
  logged-in staff member (stage ``active``) of one of these roles.
- ``{"roles": (...), "stage": "totp"}`` (``TOTP_STAGE`` for all roles): also a session whose password
  was accepted but whose TOTP code is still missing (the code and enrolment pages, logout).
- anything else, including no rule at all: denied to everyone, so a route someone forgot to mark
  cannot leak.

Litestar runs guards after routing and before the handler's parameters, body or dependencies are
resolved. Without a valid session a ``/staff`` page redirects to the login page (303); a session
of the wrong role, or a request to a route without a rule, gets 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from reporting.settings import Settings

from .roles import ROLES, Role, parse_role
from .sessions import (
    CURRENT_STAFF_STATE_KEY,
    STAFF_SESSION_COOKIE,
    StaffIdentity,
    Stage,
    expired_session_cookie,
    session_of_connection,
)

LOGIN_PATH = "/staff/login"
STAFF_PREFIX = "/staff"
PUBLIC: dict[str, Any] = {"public": True}
TOTP_STAGE: dict[str, Any] = {"roles": ROLES, "stage": Stage.TOTP.value}


def allow(*roles: Role) -> dict[str, Any]:
    """The ``opt`` of a route open to fully logged-in staff of ``roles``."""
    if not roles or not all(isinstance(role, Role) for role in roles):
        raise ValueError("allow() needs at least one Role")
    return {"roles": tuple(roles)}


@dataclass(frozen=True)
class AccessRule:
    """Who may call a route, as the guard (and the route×role test) reads it from ``opt``."""

    public: bool = False
    roles: frozenset[Role] = frozenset()
    totp_stage_allowed: bool = False


def access_rule(opt: Mapping[str, Any]) -> AccessRule:
    """Read the rule; a malformed rule (unknown role, a string instead of a tuple …) denies everyone."""
    if opt.get("public") is True:
        return AccessRule(public=True)
    raw_roles = opt.get("roles")
    stage = opt.get("stage", Stage.ACTIVE.value)
    if not isinstance(raw_roles, tuple | list) or not raw_roles or stage not in set(Stage):
        return AccessRule()
    roles = [parse_role(role) if isinstance(role, str) else None for role in raw_roles]
    if any(role is None for role in roles):
        return AccessRule()
    return AccessRule(roles=frozenset(role for role in roles if role), totp_stage_allowed=stage == Stage.TOTP)


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
        settings: Settings = request.app.state.settings
        response.set_cookie(expired_session_cookie(settings))
    return response
