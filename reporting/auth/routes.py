"""The staff area's account and login routes, in one list that ``create_app`` registers."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from reporting.auth.account_routes import ACCOUNT_ROUTE_HANDLERS
from reporting.auth.login_routes import LOGIN_ROUTE_HANDLERS
from reporting.auth.staff_routes import ACCOUNT_MANAGEMENT_ROUTE_HANDLERS

STAFF_ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    *LOGIN_ROUTE_HANDLERS,
    *ACCOUNT_ROUTE_HANDLERS,
    *ACCOUNT_MANAGEMENT_ROUTE_HANDLERS,
]
