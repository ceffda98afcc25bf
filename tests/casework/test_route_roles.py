"""Every registered route and method of the real app × every kind of visitor, against a table written by hand.

The table says who may use each route, from what each role is for (``reporting.access.roles``), and is
deliberately not read from the handlers' ``opt`` or computed with ``access_rule``: a rule that drifts, a
guard that lets too much through, a route added without a row, or a row whose route is gone all fail here.

Outcomes: ``ok`` the guard let the request through (anything but 401/403 and the guard's redirect, so a 404
for a made-up case id or a 400 for an empty form count); ``log`` a 303 to exactly ``/staff/login``; ``403``.
The session cookie is scoped to ``/staff``, so on other paths every visitor is anonymous.
"""

from __future__ import annotations

import re
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

from reporting.access.identity import Stage
from reporting.access.roles import ROLES, Role
from reporting.app import create_app
from reporting.auth import sessions
from reporting.auth.guards import LOGIN_PATH
from reporting.config.settings import Settings
from reporting.crypto import passwords
from reporting.db.models import StaffAccount
from reporting.offices.config import OfficeSpec
from reporting.offices.store import load_offices, office_ids_by_slug
from reporting.vault.offices import set_memberships
from tests.casework.case_helpers import seed_case
from tests.casework.conftest import CSRF_COOKIE, CSRF_FIELD, create_staff, set_staff_cookie
from tests.conftest import BASE_URL, run_db

WHO_MAY_USE_WHAT = """
#                                                                   TOTP stage only     full session
# method path                                                 anon  adv coo sta adm     adv coo sta adm
GET     /healthz                                              ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /healthz                                              ok    ok  ok  ok  ok      ok  ok  ok  ok
GET     /static/{file_path}                                   ok    ok  ok  ok  ok      ok  ok  ok  ok
HEAD    /static/{file_path}                                   ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /static/{file_path}                                   ok    ok  ok  ok  ok      ok  ok  ok  ok
GET     /                                                     ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /                                                     403   403 403 403 403     403 403 403 403
GET     /privacy                                              ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /privacy                                              403   403 403 403 403     403 403 403 403
POST    /report                                               ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /report                                               403   403 403 403 403     403 403 403 403
GET     /receipt                                              ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /receipt                                              403   403 403 403 403     403 403 403 403
GET     /mailbox                                              ok    ok  ok  ok  ok      ok  ok  ok  ok
POST    /mailbox                                              ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /mailbox                                              403   403 403 403 403     403 403 403 403
POST    /mailbox/reply                                        ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /mailbox/reply                                        403   403 403 403 403     403 403 403 403
GET     /altcha/challenge                                     ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /altcha/challenge                                     403   403 403 403 403     403 403 403 403
GET     /impressum                                            ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /impressum                                            403   403 403 403 403     403 403 403 403
POST    /language                                             ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /language                                             403   403 403 403 403     403 403 403 403
POST    /mailbox/language                                     ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /mailbox/language                                     403   403 403 403 403     403 403 403 403
#
# Logging in, accepting an invitation: anyone.
GET     /staff/login                                          ok    ok  ok  ok  ok      ok  ok  ok  ok
POST    /staff/login                                          ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /staff/login                                          log   log log log log     403 403 403 403
GET     /staff/invite/{token}                                 ok    ok  ok  ok  ok      ok  ok  ok  ok
POST    /staff/invite/{token}                                 ok    ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /staff/invite/{token}                                 log   log log log log     403 403 403 403
# The second factor and logout: any session, also one whose code is still missing.
GET     /staff/login/two-factor                               log   ok  ok  ok  ok      ok  ok  ok  ok
POST    /staff/login/two-factor                               log   ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /staff/login/two-factor                               log   log log log log     403 403 403 403
POST    /staff/logout                                         log   ok  ok  ok  ok      ok  ok  ok  ok
OPTIONS /staff/logout                                         log   log log log log     403 403 403 403
# Everyone's own account page.
GET     /staff/me                                             log   log log log log     ok  ok  ok  ok
OPTIONS /staff/me                                             log   log log log log     403 403 403 403
POST    /staff/me/password                                    log   log log log log     ok  ok  ok  ok
OPTIONS /staff/me/password                                    log   log log log log     403 403 403 403
# Staff accounts: coordinators and admins.
GET     /staff/accounts                                       log   log log log log     403 ok  403 ok
OPTIONS /staff/accounts                                       log   log log log log     403 403 403 403
POST    /staff/accounts/invite                                log   log log log log     403 ok  403 ok
OPTIONS /staff/accounts/invite                                log   log log log log     403 403 403 403
POST    /staff/accounts/invitations/withdraw                  log   log log log log     403 ok  403 ok
OPTIONS /staff/accounts/invitations/withdraw                  log   log log log log     403 403 403 403
POST    /staff/accounts/{staff_id}/disable                    log   log log log log     403 ok  403 ok
OPTIONS /staff/accounts/{staff_id}/disable                    log   log log log log     403 403 403 403
GET     /staff/accounts/{staff_id}/disable                    log   log log log log     403 ok  403 ok
POST    /staff/accounts/{staff_id}/enable                     log   log log log log     403 ok  403 ok
OPTIONS /staff/accounts/{staff_id}/enable                     log   log log log log     403 403 403 403
POST    /staff/accounts/{staff_id}/reset-two-factor           log   log log log log     403 ok  403 ok
OPTIONS /staff/accounts/{staff_id}/reset-two-factor           log   log log log log     403 403 403 403
GET     /staff/accounts/{staff_id}/reset-two-factor           log   log log log log     403 ok  403 ok
POST    /staff/accounts/{staff_id}/offices                    log   log log log log     403 ok  403 ok
OPTIONS /staff/accounts/{staff_id}/offices                    log   log log log log     403 403 403 403
# Offices (regions served, public contact): administrators only.
GET     /staff/offices                                        log   log log log log     403 403 403 ok
POST    /staff/offices                                        log   log log log log     403 403 403 ok
OPTIONS /staff/offices                                        log   log log log log     403 403 403 403
GET     /staff/offices/{office_id}                            log   log log log log     403 403 403 ok
POST    /staff/offices/{office_id}                            log   log log log log     403 403 403 ok
OPTIONS /staff/offices/{office_id}                            log   log log log log     403 403 403 403
# The audit log: coordinators only.
GET     /staff/audit                                          log   log log log log     403 ok  403 403
OPTIONS /staff/audit                                          log   log log log log     403 403 403 403
# Cases: advisers and coordinators; assigning and granting access: coordinators only.
GET     /staff                                                log   log log log log     ok  ok  403 403
OPTIONS /staff                                                log   log log log log     403 403 403 403
GET     /staff/cases/{report_id}                              log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}                              log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/categorisation               log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}/categorisation               log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/status                       log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}/status                       log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/notes                        log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}/notes                        log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/incident                     log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}/incident                     log   log log log log     403 403 403 403
GET     /staff/digest                                         log   log log log log     ok  ok  403 403
OPTIONS /staff/digest                                         log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/messages                     log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}/messages                     log   log log log log     403 403 403 403
GET     /staff/cases/{report_id}/attachments/{attachment_id}  log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}/attachments/{attachment_id}  log   log log log log     403 403 403 403
GET     /staff/cases/{report_id}/export                       log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}/export                       log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/assignment                   log   log log log log     403 ok  403 403
OPTIONS /staff/cases/{report_id}/assignment                   log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/access                       log   log log log log     403 ok  403 403
OPTIONS /staff/cases/{report_id}/access                       log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/access/{staff_id}/revoke     log   log log log log     403 ok  403 403
OPTIONS /staff/cases/{report_id}/access/{staff_id}/revoke     log   log log log log     403 403 403 403
GET     /staff/cases/{report_id}/access/{staff_id}/revoke     log   log log log log     403 ok  403 403
GET     /staff/cases/{report_id}/close                        log   log log log log     ok  ok  403 403
OPTIONS /staff/cases/{report_id}/close                        log   log log log log     403 403 403 403
POST    /staff/cases/{report_id}/transfer                     log   log log log log     403 ok  403 403
OPTIONS /staff/cases/{report_id}/transfer                     log   log log log log     403 403 403 403
GET     /staff/intake                                         log   log log log log     ok  ok  403 403
POST    /staff/intake                                         log   log log log log     ok  ok  403 403
OPTIONS /staff/intake                                         log   log log log log     403 403 403 403
# Statistics: statisticians and coordinators.
GET     /staff/stats                                          log   log log log log     403 ok  ok  403
OPTIONS /staff/stats                                          log   log log log log     403 ok  ok  403
GET     /staff/stats/{year}/report.pdf                        log   log log log log     403 ok  ok  403
OPTIONS /staff/stats/{year}/report.pdf                        log   log log log log     403 ok  ok  403
GET     /staff/stats/{year}/tables.csv                        log   log log log log     403 ok  ok  403
OPTIONS /staff/stats/{year}/tables.csv                        log   log log log log     403 ok  ok  403
GET     /staff/stats/{year}/tables.json                       log   log log log log     403 ok  ok  403
OPTIONS /staff/stats/{year}/tables.json                       log   log log log log     403 ok  ok  403
GET     /staff/stats/{year}/tables.xlsx                       log   log log log log     403 ok  ok  403
OPTIONS /staff/stats/{year}/tables.xlsx                       log   log log log log     403 ok  ok  403
"""

ANONYMOUS = "anonymous"
VISITOR_ROLES = (Role.ADVISER, Role.COORDINATOR, Role.STATISTICIAN, Role.ADMIN)
VISITORS: tuple[tuple[str, Stage | None, Role | None], ...] = (
    (ANONYMOUS, None, None),
    *((f"{role} at the TOTP stage", Stage.TOTP, role) for role in VISITOR_ROLES),
    *((f"{role}", Stage.ACTIVE, role) for role in VISITOR_ROLES),
)
"""The table's columns, in order: (name, session stage, role)."""
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def expected_outcomes() -> dict[tuple[str, str], dict[str, str]]:
    """``(method, path template) -> {visitor: outcome}`` from the table."""
    table: dict[tuple[str, str], dict[str, str]] = {}
    for line in WHO_MAY_USE_WHAT.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        method, path, *cells = line.split()
        assert len(cells) == len(VISITORS), line
        assert set(cells) <= {"ok", "log", "403"}, line
        assert (method, path) not in table, f"two rows for {method} {path}"
        table[method, path] = {name: cell for (name, _, _), cell in zip(VISITORS, cells, strict=True)}
    return table


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str
    """The route's path with the parameter types left out, as the table writes it."""
    concrete_path: str


def plausible_value(kind: object) -> str:
    """A value the router accepts for a path parameter: a random UUID, a number, an existing static file, a word."""
    if kind is uuid.UUID:
        return str(uuid.uuid4())
    if kind is int:
        return "1"
    if kind is Path:
        return "css/site.css"
    return "x" * 40


def concrete_path(route: HTTPRoute) -> str:
    values = {name: plausible_value(definition.type) for name, definition in route.path_parameters.items()}
    return PARAMETER.sub(lambda match: values[match.group(1)], route.path)


def registered_endpoints(app: Litestar) -> list[Endpoint]:
    """Every (route, method) the app answers."""
    found: list[Endpoint] = []
    for route in app.routes:
        assert isinstance(route, HTTPRoute), f"{route.path}: only HTTP routes are expected"
        template, path = PARAMETER.sub(r"{\1}", route.path), concrete_path(route)
        found.extend(Endpoint(method, template, path) for method in route.route_handler_map)
    return found


def outcome(response: httpx.Response) -> str:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code == 303 and response.headers.get("location") == LOGIN_PATH:
        return "log"
    return "ok"


def start_session(settings: Settings, account: StaffAccount, password: str, stage: Stage) -> str:
    """A session as the login starts it after the password (``TOTP``) or after the code (``ACTIVE``)."""

    async def start(db: AsyncSession) -> str:
        private_key = passwords.unwrap_private_key(account.wrapped_private_key, password)
        return await sessions.start_session(db, account, private_key, stage=stage)

    return run_db(settings, start)


class Visitors:
    """One client per visitor on the same app; a session a request ended (logout) is started again."""

    def __init__(self, app: Litestar, client: TestClient[Litestar], settings: Settings) -> None:
        self.settings = settings
        self.clients: dict[str, TestClient[Litestar]] = {}
        self.accounts: dict[str, tuple[StaffAccount, str, Stage]] = {}
        for name, stage, role in VISITORS:
            visitor_client = TestClient(app=app, base_url=BASE_URL)
            visitor_client.blocking_portal = client.blocking_portal
            self.clients[name] = visitor_client
            visitor_client.get("/staff/login")  # the CSRF cookie
            if stage is not None and role is not None:
                account, password, _ = create_staff(settings, role)
                self.accounts[name] = (account, password, stage)
                self.start_session(name)

    def start_session(self, name: str) -> None:
        set_staff_cookie(self.clients[name], start_session(self.settings, *self.accounts[name]))

    def request(self, name: str, method: str, path: str) -> httpx.Response:
        visitor_client = self.clients[name]
        kwargs: dict[str, Any] = {"follow_redirects": False}
        if method not in SAFE_METHODS:
            token = visitor_client.cookies[CSRF_COOKIE]
            kwargs["headers"] = {"x-csrftoken": token}
            kwargs["data"] = {CSRF_FIELD: token}
        response = visitor_client.request(method, path, **kwargs)
        if name in self.accounts and sessions.STAFF_SESSION_COOKIE not in visitor_client.cookies:
            self.start_session(name)
        return response


@pytest.fixture
def visitors(app: Litestar, client: TestClient[Litestar], initialised_settings: Settings) -> Visitors:
    return Visitors(app, client, initialised_settings)


def test_the_table_names_every_role() -> None:
    assert set(VISITOR_ROLES) == set(ROLES), "a new role needs its own columns in the table"


def test_every_route_admits_exactly_the_visitors_the_table_names(app: Litestar, visitors: Visitors) -> None:
    table = expected_outcomes()
    endpoints = registered_endpoints(app)
    registered = {(endpoint.method, endpoint.template) for endpoint in endpoints}
    assert not registered - table.keys(), f"routes without a row in the table: {sorted(registered - table.keys())}"
    assert not table.keys() - registered, f"rows without a route: {sorted(table.keys() - registered)}"
    mismatches = []
    crashes = []
    for endpoint in endpoints:
        for name, _, _ in VISITORS:
            response = visitors.request(name, endpoint.method, endpoint.concrete_path)
            expected = table[endpoint.method, endpoint.template][name]
            if outcome(response) != expected:
                mismatches.append(
                    f"{endpoint.method} {endpoint.concrete_path} as {name}: {response.status_code}, expected {expected}"
                )
            if response.status_code >= 500:
                crashes.append(f"{endpoint.method} {endpoint.concrete_path} as {name}: {response.status_code}")
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
            set_staff_cookie(logged_in, start_session(initialised_settings, account, password, Stage.ACTIVE))
            for path in ("/staff/forgotten-rule", "/staff/role-as-string", "/staff/unknown-role"):
                assert logged_in.get(path).status_code == 403, (role, path)
            logged_in.get("/staff/login")
            token = logged_in.cookies[CSRF_COOKIE]
            response = logged_in.post("/staff/coordinators-only", content=b"not json", headers={"x-csrftoken": token})
            assert response.status_code == (400 if role == "coordinator" else 403), role
    assert ran == []


def test_every_case_route_answers_404_to_a_member_of_another_office(
    app: Litestar, client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    """The office dimension of the table: a real case of office A; advisers and coordinators of office B get
    404 (as for no case at all) on every case route and method, so they cannot learn it exists."""

    async def add_offices(db: AsyncSession) -> None:
        await load_offices(
            db,
            [
                OfficeSpec(slug="zentrale", name="Zentrale", central=True),
                OfficeSpec(slug="a", name="Stelle A", regions=("kleve",)),
                OfficeSpec(slug="b", name="Stelle B", regions=("borken",)),
            ],
        )

    run_db(initialised_settings, add_offices)

    def member_of(slug: str, role: Role) -> TestClient[Litestar]:
        account, password, _ = create_staff(initialised_settings, role)

        async def join(db: AsyncSession) -> None:
            await set_memberships(db, account.id, await office_ids_by_slug(db, [slug]))

        run_db(initialised_settings, join)
        visitor = TestClient(app=app, base_url=BASE_URL)
        visitor.blocking_portal = client.blocking_portal
        visitor.get("/staff/login")
        set_staff_cookie(visitor, start_session(initialised_settings, account, password, Stage.ACTIVE))
        return visitor

    owner = member_of("a", Role.COORDINATOR)
    outsiders = {f"{role} of office B": member_of("b", role) for role in (Role.ADVISER, Role.COORDINATOR)}
    case = seed_case(initialised_settings, reporter_codes={"regions": ["kleve"]}).id
    assert owner.get(f"/staff/cases/{case}").status_code == 200

    case_endpoints = [endpoint for endpoint in registered_endpoints(app) if "{report_id}" in endpoint.template]
    assert len(case_endpoints) > 20
    wrong = []
    for endpoint in case_endpoints:
        path = re.sub(r"/staff/cases/[0-9a-f-]{36}", f"/staff/cases/{case}", endpoint.concrete_path)
        for name, visitor in outsiders.items():
            kwargs: dict[str, Any] = {"follow_redirects": False}
            if endpoint.method not in SAFE_METHODS:
                token = visitor.cookies[CSRF_COOKIE]
                kwargs["headers"] = {"x-csrftoken": token}
                kwargs["data"] = {CSRF_FIELD: token}
            response = visitor.request(endpoint.method, path, **kwargs)
            allowed_elsewhere = table_allows(endpoint, name)
            if allowed_elsewhere and response.status_code != 404:
                wrong.append(f"{endpoint.method} {endpoint.template} as {name}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def table_allows(endpoint: Endpoint, visitor_name: str) -> bool:
    """Whether the table lets this role (with a full session) through the guard on this route: only then
    does the office decide, and the answer must be 404 (a role refused by the guard gets its 403)."""
    role = visitor_name.split(maxsplit=1)[0]
    return expected_outcomes()[endpoint.method, endpoint.template][role] == "ok"
