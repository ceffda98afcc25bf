"""Hostile requests over every route never get a server error or leak a traceback.

Hypothesis generates requests to every route of the real app (found by walking ``app.routes``), as an
anonymous visitor, as a staff member between password and code, as a logged-in coordinator and as a
logged-in administrator (the office pages are theirs), with
and without a valid CSRF token: malformed multipart bodies, odd and unknown charsets, invalid UTF-8,
files where text is expected, odd CSRF tokens, huge or odd query parameters, path junk and wrong methods.

``REPORTING_HOSTILE_EXAMPLES`` sets the number of requests per database (1,500 by default, for CI); the
full run (README) uses 10,000.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import Stage
from reporting.auth import sessions
from reporting.config.settings import Settings
from reporting.crypto import passwords
from reporting.db.models import Report, StaffAccount
from reporting.vault.offices import central_office_id
from tests.casework.case_helpers import seed_case, use_cheap_receipts
from tests.casework.conftest import create_staff, csrf_token, set_staff_cookie, start_active_session
from tests.conftest import BASE_URL, run_db

EXAMPLES = int(os.environ.get("REPORTING_HOSTILE_EXAMPLES", "1500"))
FIELD_NAMES = [
    "_csrf_token",
    "description",
    "contact",
    "code",
    "message",
    "email",
    "password",
    "new_password",
    "totp",
    "code_totp",
    "attachments",
    "kept_attachments",
    "submission_id",
    "role",
    "display_name",
    "status",
    "note",
    "body",
    "staff_id",
    "grounds",
    "website",
    "altcha",
    "office_id",
    "keep_access",
    "close_reason",
    "confirmed",
    "slug",
    "name",
    "regions",
    "address",
    "phone",
    "hours",
    "languages",
    "step_free",
]
CHARSETS = [None, "utf-8", "UTF-8", "no-such", "latin-1", "us-ascii", "utf-16", "utf-32", "base64", "idna", "rot13"]
INVALID_UTF8 = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80abc", b"a\x00b", b"\xf0\x28\x8c\x28"]
# (name, filename for a file part, charset, content)
Part = tuple[str, str | None, str | None, bytes]
TRACEBACK = re.compile(r"Traceback|File \"/|\w+Error:")


@dataclass(frozen=True)
class HostileClients:
    anonymous: TestClient[Litestar]
    two_factor: TestClient[Litestar]
    staff: TestClient[Litestar]
    admin: TestClient[Litestar]
    report_id: uuid.UUID
    staff_id: uuid.UUID
    office_id: uuid.UUID


def _start_two_factor_session(settings: Settings, account: StaffAccount, password: str) -> str:
    async def start(session: AsyncSession) -> str:
        private_key = passwords.unwrap_private_key(account.wrapped_private_key, password)
        return await sessions.start_session(session, account, private_key, stage=Stage.TOTP)

    return run_db(settings, start)


def _client_sharing_the_app(client: TestClient[Litestar]) -> TestClient[Litestar]:
    """Another browser on the running app: it shares the app's event loop (the database pool belongs to it)."""
    other: TestClient[Litestar] = TestClient(app=client.app, base_url=BASE_URL)
    other.blocking_portal = client.blocking_portal
    return other


@pytest.fixture
def hostile_clients(
    client: TestClient[Litestar], initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> HostileClients:
    use_cheap_receipts(monkeypatch)
    coordinator, password, _secret = create_staff(initialised_settings, "coordinator")
    pending, pending_password, _pending_secret = create_staff(initialised_settings, "adviser")
    case = seed_case(initialised_settings, readers=[coordinator])
    administrator, admin_password, _admin_secret = create_staff(initialised_settings, "admin")
    two_factor = _client_sharing_the_app(client)
    staff = _client_sharing_the_app(client)
    admin = _client_sharing_the_app(client)
    set_staff_cookie(staff, start_active_session(initialised_settings, coordinator, password))
    set_staff_cookie(admin, start_active_session(initialised_settings, administrator, admin_password))
    set_staff_cookie(two_factor, _start_two_factor_session(initialised_settings, pending, pending_password))
    for each in (client, two_factor, staff, admin):
        csrf_token(each)
    office_id = run_db(initialised_settings, central_office_id)
    return HostileClients(client, two_factor, staff, admin, case.id, coordinator.id, office_id)


def _route_paths(app: Litestar, clients: HostileClients) -> list[tuple[str, list[str]]]:
    """Every route's path with its parameters filled in (real ids, so handlers run past their lookups)."""
    values = {
        "report_id": str(clients.report_id),
        "attachment_id": str(uuid.uuid4()),
        "staff_id": str(clients.staff_id),
        "office_id": str(clients.office_id),
        "token": "not-a-token",
        "year": "2026",
        "file_path": "",
    }
    paths = []
    for route in app.routes:
        path = re.sub(r"\{(\w+):\w+\}", lambda match: values[match.group(1)], route.path)
        paths.append((path, sorted(str(method) for method in route.methods - {"OPTIONS"})))
    return paths


junk_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["²", "٣", "-1", "0", "99999999999999999999", "1e9", "%00", "\x00", "../../etc/passwd", "x" * 300]),
)
junk_bytes = st.one_of(st.binary(max_size=120), st.sampled_from(INVALID_UTF8), junk_text.map(str.encode))


@st.composite
def multipart_parts(draw: st.DrawFn, csrf: str | None) -> list[Part]:
    """(name, filename or None, charset or None, content) for each part."""
    parts: list[Part] = []
    if csrf is not None:
        parts.append(("_csrf_token", None, None, csrf.encode()))
    for _index in range(draw(st.integers(0, 6))):
        name = draw(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=20)))
        filename = draw(st.one_of(st.none(), st.sampled_from(["a.jpg", "x.pdf", "", "../../é\x01.png"])))
        charset = draw(st.one_of(st.sampled_from(CHARSETS), st.text(max_size=12)))
        parts.append((name, filename, charset, draw(junk_bytes)))
    return parts


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")


def _multipart_body(parts: Sequence[Part], boundary: str) -> bytes:
    chunks = []
    for name, filename, charset, content in parts:
        disposition = f'form-data; name="{_quoted(name)}"'
        if filename is not None:
            disposition += f'; filename="{_quoted(filename)}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if charset is not None:
            head += f"Content-Type: text/plain; charset={_quoted(charset)}\r\n"
        chunks.append(head.encode() + b"\r\n" + content + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode()


@st.composite
def hostile_requests(draw: st.DrawFn, paths: list[tuple[str, list[str]]], tokens: dict[str, str]) -> dict[str, Any]:
    """Keyword arguments for ``client.request`` plus ``who`` (which client sends it)."""
    who = draw(st.sampled_from(sorted(tokens)))
    path, methods = draw(st.sampled_from(paths))
    method = draw(st.one_of(st.sampled_from(methods), st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"])))
    path += draw(
        st.one_of(
            st.just(""),
            st.sampled_from(["/", "%00", "/%00", "/" + "a" * 300, "/%ff%fe", "/..%2f..%2f", "/%C2%B2"]),
            junk_text.map(lambda text: "/" + quote(text, safe="/%")),
        )
    )
    query = draw(
        st.dictionaries(st.sampled_from(["page", "case", "staff", "year", "lang", "q"]), junk_text, max_size=3)
    )
    csrf = draw(
        st.one_of(
            st.just(tokens[who]),
            st.none(),
            st.just(tokens[who] + "é"),
            st.text(min_size=65, max_size=140),
        )
    )
    headers: dict[str, str | bytes] = {}
    body_kind = draw(st.sampled_from(["multipart", "multipart", "urlencoded", "json", "none", "bare-multipart"]))
    content = b""
    if body_kind == "multipart":
        boundary = draw(st.sampled_from(["boundary123", "x" * 69, "weird=bound"]))
        content = _multipart_body(draw(multipart_parts(csrf)), boundary)
        if draw(st.booleans()):
            content = content[: draw(st.integers(0, len(content)))]
        headers["content-type"] = f'multipart/form-data; boundary="{boundary}"'
    elif body_kind == "bare-multipart":
        headers["content-type"] = draw(st.sampled_from(["multipart/form-data", "multipart/form-data; boundary="]))
        content = draw(junk_bytes)
    elif body_kind == "urlencoded":
        headers["content-type"] = "application/x-www-form-urlencoded"
        content = (f"_csrf_token={csrf}&".encode() if csrf else b"") + draw(junk_bytes)
    elif body_kind == "json":
        headers["content-type"] = "application/json"
        content = draw(junk_bytes)
    if draw(st.booleans()) and csrf is not None:
        headers["x-csrftoken"] = csrf.encode("utf-8", "replace")
    return {"who": who, "method": method, "url": path, "params": query, "content": content, "headers": headers}


def test_hostile_requests_never_get_a_server_error(
    app: Litestar, hostile_clients: HostileClients, caplog: pytest.LogCaptureFixture
) -> None:
    clients = {
        "anonymous": hostile_clients.anonymous,
        "two_factor": hostile_clients.two_factor,
        "staff": hostile_clients.staff,
        "admin": hostile_clients.admin,
    }
    tokens = {who: str(client.cookies["csrftoken"]) for who, client in clients.items()}
    paths = _route_paths(app, hostile_clients)
    statuses: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=hostile_requests(paths, tokens))
    def send(request: dict[str, Any]) -> None:
        client = clients[request.pop("who")]
        response = client.request(**request, follow_redirects=False)
        statuses.append(response.status_code)
        assert response.status_code < 500, (request, response.status_code)
        assert not TRACEBACK.search(response.text), request

    with caplog.at_level(logging.WARNING):
        send()
    assert len(statuses) >= EXAMPLES
    logged_errors = [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert not logged_errors, [record.getMessage() for record in logged_errors]


# The classes of server errors found by hand, each answered with a 4xx page.


def _post_multipart(client: TestClient[Litestar], url: str, parts: Sequence[Part]) -> httpx.Response:
    body = _multipart_body(parts, "boundary123")
    headers = {"content-type": 'multipart/form-data; boundary="boundary123"'}
    return client.post(url, content=body, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("charset", ["no-such", None])
def test_unreadable_report_text_comes_back_with_what_could_be_read(
    client: TestClient[Litestar], initialised_settings: Settings, charset: str | None
) -> None:
    token = csrf_token(client)
    description = "The landlord refused the flat. \xff"
    response = _post_multipart(
        client,
        "/report?lang=en",
        [
            ("_csrf_token", None, None, token.encode()),
            ("description", None, charset, description.encode("utf-8").replace(b"\xc3\xbf", b"\xff")),
            ("contact", None, None, b"Phone 0176 555 0100"),
        ],
    )
    assert response.status_code == 400
    assert "could not be read" in response.text
    assert "The landlord refused the flat." in response.text
    assert "Phone 0176 555 0100" in response.text
    assert run_db(initialised_settings, _report_count) == 0


async def _report_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Report)) or 0)


@pytest.mark.parametrize("url", ["/mailbox", "/staff/login", "/staff/invite/not-a-token", "/mailbox/reply"])
def test_invalid_utf8_in_a_text_field_is_a_400(client: TestClient[Litestar], url: str) -> None:
    token = csrf_token(client)
    parts = [
        ("_csrf_token", None, None, token.encode()),
        ("code", None, None, b"\xc3\x28"),
        ("message", None, None, b"x"),
    ]
    response = _post_multipart(client, url + "?lang=en", parts)
    assert response.status_code == 400
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "token_part",
    [("_csrf_token", "token.txt", None, b"0" * 128), ("_csrf_token", None, None, ("a" * 64 + "é").encode())],
    ids=["file", "non-ascii"],
)
def test_csrf_tokens_that_cannot_be_valid_are_refused_with_403(client: TestClient[Litestar], token_part: Part) -> None:
    csrf_token(client)
    response = _post_multipart(client, "/staff/login?lang=en", [token_part, ("email", None, None, b"a@b.example")])
    assert response.status_code == 403
    header_token = client.post(
        "/staff/login", content=b"", headers={b"x-csrftoken": ("a" * 64 + "é").encode()}, follow_redirects=False
    )
    assert header_token.status_code == 403


@pytest.mark.parametrize("path", ["/static/%00", "/static/" + "a" * 300, "/static/css/" + "b" * 300 + "/x"])
def test_impossible_static_paths_are_not_found(client: TestClient[Litestar], path: str) -> None:
    assert client.get(path).status_code == 404


def test_audit_page_number_with_a_non_ascii_digit_shows_the_first_page(hostile_clients: HostileClients) -> None:
    assert hostile_clients.staff.get("/staff/audit", params={"page": "²"}).status_code == 200
