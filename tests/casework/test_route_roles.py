"""Every registered route and method of the real app × every kind of visitor, checked against the rule in
the handler's ``opt``: a route added without a rule fails here, because the guard denies it to everyone.

"Allowed" means the guard let the request through: not 401/403 and not the guard's redirect to the login
page (exactly ``/staff/login``; a handler's own redirects carry a query or go elsewhere). 404 for a
made-up case id or 400 for an empty form count as allowed. "Denied" means 403 or that redirect.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, MediaType, get, post
from litestar.params import JSONBody
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.roles import ROLES
from reporting.access.rules import AccessRule, access_rule
from reporting.app import create_app
from reporting.auth import sessions
from reporting.auth.guards import LOGIN_PATH
from reporting.config.settings import Settings
from reporting.crypto import passwords
from reporting.db.models import StaffAccount
from tests.casework.conftest import CSRF_COOKIE, CSRF_FIELD, create_staff, set_staff_cookie
from tests.conftest import BASE_URL, run_db

ANONYMOUS = "anonymous"
HALF_LOGGED_IN = "totp-stage"
VISITORS = (ANONYMOUS, HALF_LOGGED_IN, *ROLES)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path_template: str
    rule: AccessRule
    path_parameters: dict[str, type]


def endpoints(app: Litestar) -> list[Endpoint]:
    """Every (route, method) of the app, with the rule the guard reads from its handler."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            found.append(
                Endpoint(
                    method=method,
                    path_template=route.path,
                    rule=access_rule(handler.opt),
                    path_parameters={name: definition.type for name, definition in route.path_parameters.items()},
                )
            )
    return found


def concrete_path(endpoint: Endpoint) -> str:
    """The path with plausible parameter values: a random UUID, a number, a word, an existing file."""
    path = endpoint.path_template
    for name, kind in endpoint.path_parameters.items():
        if kind is uuid.UUID:
            value = str(uuid.uuid4())
        elif kind is int:
            value = "1"
        elif kind is Path:
            value = "css/site.css"
        else:
            value = "x" * 40
        path = path.replace(next(part for part in path.split("/") if part.startswith("{" + name + ":")), value)
    return path.replace("//", "/")


def expected_allowed(rule: AccessRule, visitor: str) -> bool:
    if rule.public:
        return True
    if visitor == ANONYMOUS:
        return False
    if visitor == HALF_LOGGED_IN:
        return rule.totp_stage_allowed
    return visitor in rule.roles


def outcome(response: httpx.Response) -> str:
    location = response.headers.get("location", "")
    if response.status_code in (401, 403) or (300 <= response.status_code < 400 and location == LOGIN_PATH):
        return "denied"
    return "allowed"


class Visitors:
    """One client per visitor on the same app; a session a request ended (logout …) is started again."""

    def __init__(self, app: Litestar, client: TestClient[Litestar], settings: Settings) -> None:
        self.app, self.client, self.settings = app, client, settings
        self.clients: dict[str, TestClient[Litestar]] = {}
        self.accounts: dict[str, tuple[StaffAccount, str]] = {}
        for visitor in VISITORS:
            visitor_client = TestClient(app=app, base_url=BASE_URL)
            visitor_client.blocking_portal = client.blocking_portal
            self.clients[visitor] = visitor_client
            visitor_client.get("/staff/login")  # the CSRF cookie
            if visitor != ANONYMOUS:
                account, password, _ = create_staff(settings, visitor if visitor in ROLES else "coordinator")
                self.accounts[visitor] = (account, password)
                self.start_session(visitor)

    def start_session(self, visitor: str) -> None:
        account, password = self.accounts[visitor]
        stage = sessions.Stage.TOTP if visitor == HALF_LOGGED_IN else sessions.Stage.ACTIVE

        async def start(db: AsyncSession) -> str:
            private_key = passwords.unwrap_private_key(account.wrapped_private_key, password)
            return await sessions.start_session(db, account, private_key, stage=stage)

        set_staff_cookie(self.clients[visitor], run_db(self.settings, start))

    def request(self, visitor: str, method: str, path: str) -> httpx.Response:
        visitor_client = self.clients[visitor]
        kwargs: dict[str, Any] = {"follow_redirects": False}
        if method not in SAFE_METHODS:
            token = visitor_client.cookies[CSRF_COOKIE]
            kwargs["headers"] = {"x-csrftoken": token}
            kwargs["data"] = {CSRF_FIELD: token}
        response = visitor_client.request(method, path, **kwargs)
        if visitor != ANONYMOUS and sessions.STAFF_SESSION_COOKIE not in visitor_client.cookies:
            self.start_session(visitor)
        return response


@pytest.fixture
def visitors(app: Litestar, client: TestClient[Litestar], initialised_settings: Settings) -> Visitors:
    return Visitors(app, client, initialised_settings)


def test_every_route_admits_exactly_the_visitors_its_rule_names(app: Litestar, visitors: Visitors) -> None:
    found = endpoints(app)
    paths = {endpoint.path_template for endpoint in found}
    assert {"/healthz", "/staff/login", "/staff/me", "/staff/accounts", "/staff/audit"} <= paths
    mismatches = []
    crashes = []
    for endpoint in found:
        path = concrete_path(endpoint)
        for visitor in VISITORS:
            response = visitors.request(visitor, endpoint.method, path)
            expected = "allowed" if expected_allowed(endpoint.rule, visitor) else "denied"
            if outcome(response) != expected:
                mismatches.append(f"{endpoint.method} {path} as {visitor}: {response.status_code}, expected {expected}")
            if response.status_code >= 500:
                crashes.append(f"{endpoint.method} {path} as {visitor}: {response.status_code}")
    assert not mismatches, "\n".join(mismatches)
    assert not crashes, "\n".join(crashes)


def test_routes_without_a_valid_rule_are_denied_to_everyone_before_the_handler_runs(
    initialised_settings: Settings,
) -> None:
    ran: list[str] = []

    @get("/staff/forgotten-rule", media_type=MediaType.TEXT)
    async def forgotten_rule() -> str:
        ran.append("forgotten")
        return "secret"

    @get("/forgotten-public-rule", media_type=MediaType.TEXT)
    async def forgotten_public_rule() -> str:
        ran.append("public")
        return "secret"

    @get("/staff/role-as-string", media_type=MediaType.TEXT, opt={"roles": "coordinator"})
    async def role_as_string() -> str:
        ran.append("string")
        return "secret"

    @get("/staff/unknown-role", media_type=MediaType.TEXT, opt={"roles": ("superuser",)})
    async def unknown_role() -> str:
        ran.append("unknown")
        return "secret"

    @post("/staff/coordinators-only", media_type=MediaType.TEXT, opt={"roles": ("coordinator",)})
    async def coordinators_only(data: JSONBody[dict[str, int]]) -> str:
        ran.append("body parsed")
        return "secret"

    fresh = create_app(initialised_settings)
    for handler in (forgotten_rule, forgotten_public_rule, role_as_string, unknown_role, coordinators_only):
        fresh.register(handler)
    with TestClient(app=fresh, base_url=BASE_URL) as anonymous:
        for path in ("/staff/forgotten-rule", "/staff/role-as-string", "/staff/unknown-role"):
            response = anonymous.get(path, follow_redirects=False)
            assert (response.status_code, response.headers["location"]) == (303, "/staff/login"), path
        assert anonymous.get("/forgotten-public-rule").status_code == 403

        for role in ROLES:
            account, password, _ = create_staff(initialised_settings, role)
            logged_in = TestClient(app=fresh, base_url=BASE_URL)
            logged_in.blocking_portal = anonymous.blocking_portal

            async def start(db: AsyncSession, account: StaffAccount = account, password: str = password) -> str:
                private_key = passwords.unwrap_private_key(account.wrapped_private_key, password)
                return await sessions.start_session(db, account, private_key, stage="active")

            set_staff_cookie(logged_in, run_db(initialised_settings, start))
            for path in ("/staff/forgotten-rule", "/staff/role-as-string", "/staff/unknown-role"):
                assert logged_in.get(path).status_code == 403, (role, path)
            logged_in.get("/staff/login")
            token = logged_in.cookies[CSRF_COOKIE]
            response = logged_in.post("/staff/coordinators-only", content=b"not json", headers={"x-csrftoken": token})
            assert response.status_code == (400 if role == "coordinator" else 403), role
    assert ran == []
