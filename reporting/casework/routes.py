"""The staff area's account, login and audit routes, in one list that ``create_app`` registers."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from .account_routes import ACCOUNT_ROUTE_HANDLERS
from .audit_routes import AUDIT_ROUTE_HANDLERS
from .login_routes import LOGIN_ROUTE_HANDLERS
from .staff_routes import ACCOUNT_MANAGEMENT_ROUTE_HANDLERS

STAFF_ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    *LOGIN_ROUTE_HANDLERS,
    *ACCOUNT_ROUTE_HANDLERS,
    *ACCOUNT_MANAGEMENT_ROUTE_HANDLERS,
    *AUDIT_ROUTE_HANDLERS,
]
