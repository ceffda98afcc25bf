"""Helpers for the public form and mailbox tests: posting with CSRF, reading receipt codes and form state
back out of the HTML, test images with GPS data, and a coordinator who can open what was sealed."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import uuid
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, TypeVar

import altcha
import pytest
from httpx import Client, Response
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import select

from reporting.config.settings import Settings
from reporting.crypto import passwords
from reporting.db.engine import session_scope
from reporting.db.models import Report, StaffAccount
from reporting.vault.key_trust import certify_account
from reporting.vault.values import new_staff_key_material
from tests.offices_helpers import add_to_central_office

CHEAP_ARGON2 = passwords.Argon2Params(time_cost=1, memory_kib=passwords.MIN_MEMORY_KIB, parallelism=1)
GPS_IFD = 0x8825
EXIF_MAKE = 0x010F
EXIF_ORIENTATION = 0x0112
T = TypeVar("T")

FileField = tuple[str, tuple[str, bytes, str]]


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run database work from a synchronous test (TestClient tests have no event loop of their own)."""
    return asyncio.run(coroutine)


def csrf_token(client: Client) -> str:
    """The CSRF cookie is only set on a GET: fetch the form once if the client has none yet."""
    if "csrftoken" not in client.cookies:
        assert client.get("/").status_code == 200
    return str(client.cookies["csrftoken"])


def post_form(
    client: Client,
    path: str,
    data: Mapping[str, str | Sequence[str]],
    files: list[FileField] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """POST like a browser does: multipart (the form's enctype) with the CSRF field."""
    body = {**data, "_csrf_token": csrf_token(client)}
    # An empty file part, as a browser sends for a file input left empty, keeps the request multipart.
    return client.post(
        path, data=body, files=files or [("attachments", ("", b"", "application/octet-stream"))], headers=headers
    )


def solved_pow(client: Client) -> str:
    """What the ALTCHA widget does in the browser: fetch a challenge, find the counter, send both back."""
    response = client.get("/altcha/challenge")
    assert response.status_code == 200
    challenge = altcha.Challenge.from_dict(response.json())
    solution = altcha.solve_challenge(challenge, timeout=30)
    assert solution is not None
    return str(altcha.Payload(challenge, solution).to_base64())


def receipt_code(response: Response) -> str:
    match = re.search(r'<p class="receipt-code"[^>]*>(.*?)</p>', response.text, re.S)
    assert match, "no receipt code on the page"
    groups = re.findall(r"<span>(\d{4})</span>", match.group(1))
    assert len(groups) == 5
    return " ".join(groups)


def full_report_form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    """A form with every question answered (and the honeypot left empty)."""
    form: dict[str, str | list[str]] = {
        "description": "The landlord said flats are not for people like me.\nHe laughed.",
        "incident_period": f"{dt.date.today():%Y-%m}",
        "area": "housing",
        "region": "borken",
        "grounds": ["racism_ethnic_origin", "religion", "unknown"],
        "affected": "me",
        "reporter_role": "affected",
        "authority_involved": "no",
        "structural": "unsure",
        "wants_counselling": "yes",
        "consent_statistics": "yes",
        "contact": "Phone 0176 555 0100, evenings",
        "homepage_url": "",
    }
    form.update(overrides)
    return form


class FormState(HTMLParser):
    """What a browser would send back from the forms of a page: text, chosen options and checked boxes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}
        self.checked: set[tuple[str, str]] = set()
        self.selected: dict[str, str] = {}
        self.hidden: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name", "")
        if tag == "textarea":
            self._textarea = name
            self.texts[name] = ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.selected[self._select] = attributes.get("value", "")
        elif tag == "input":
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" in attributes:
                self.checked.add((name, attributes.get("value", "")))
            elif kind == "hidden":
                self.hidden.setdefault(name, []).append(attributes.get("value", ""))
            elif kind == "text":
                self.texts[name] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.texts[self._textarea] += data


def form_state(html: str) -> FormState:
    state = FormState()
    state.feed(html)
    return state


def assert_report_values_kept(
    html: str, form: Mapping[str, str | list[str]], *, except_fields: Sequence[str] = ()
) -> None:
    """Every value of ``form`` is filled in again on the re-rendered page."""
    state = form_state(html)
    for name in ("description", "contact"):
        if name not in except_fields:
            assert state.texts[name] == form[name], name
    for name in ("incident_period", "area", "region"):
        if name not in except_fields:
            assert state.selected.get(name) == form[name], name
    for name in ("affected", "reporter_role", "authority_involved", "structural"):
        if name not in except_fields:
            assert (name, form[name]) in state.checked, name
    for ground in form["grounds"]:
        assert ("grounds", ground) in state.checked
    for name in ("wants_counselling", "consent_statistics"):
        assert ((name, "yes") in state.checked) == (form.get(name) == "yes"), name


def jpeg_with_gps(camera_maker: str = "CanaryCam", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small photo with GPS position, camera maker, orientation and a comment in its metadata."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[EXIF_MAKE] = camera_maker
    exif[EXIF_ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (51.0, 57.0, 30.5), 3: "E", 4: (7.0, 37.0, 40.25)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=camera_maker.encode())
    data = buffer.getvalue()
    assert camera_maker.encode() in data
    return data


def pdf_bytes(text: str = "hello", size: int = 0) -> bytes:
    """A real one-page PDF that carries ``text`` in a comment, padded after its end to ``size`` bytes."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    body = buffer.getvalue() + f"% {text}\n".encode()
    return body + b"%" * max(0, size - len(body))


@dataclass
class Coordinator:
    id: uuid.UUID
    private_key: bytes = field(repr=False)


async def _add_coordinator(settings: Settings) -> Coordinator:
    password = "correct horse battery staple"
    material = new_staff_key_material(password, params=CHEAP_ARGON2)
    staff = StaffAccount(
        id=uuid.uuid4(),
        email=f"{uuid.uuid4().hex[:8]}@caritas.example",
        display_name="Coordinator",
        role="coordinator",
        password_hash="not used here",
        public_key=material.public_key,
        wrapped_private_key=material.wrapped_private_key,
    )
    certify_account(settings, staff)
    async with session_scope(settings) as session:
        await add_to_central_office(session, staff)
    return Coordinator(staff.id, passwords.unwrap_private_key(material.wrapped_private_key, password))


@pytest.fixture
def coordinator(initialised_settings: Settings) -> Coordinator:
    """A coordinator who exists before any report, so every report is wrapped for them too."""
    return run(_add_coordinator(initialised_settings))


async def only_report(settings: Settings) -> Report:
    async with session_scope(settings) as session:
        reports = (await session.execute(select(Report))).scalars().all()
    assert len(reports) == 1
    return reports[0]


async def report_count(settings: Settings) -> int:
    async with session_scope(settings) as session:
        return len((await session.execute(select(Report.id))).all())
