"""Form bodies parsed once, in memory and defensively, before anything else reads them.

Litestar's CSRF middleware parses form bodies itself and decodes text strictly: invalid UTF-8, an unknown
``charset=``, or a CSRF token sent as a file or with non-ASCII characters raise inside it, a 500 before any
handler runs. Its parser also spools uploads above 1 MiB to a temporary file, so an unsealed photo of a
reporter's documents would touch the disk. This middleware therefore parses every form body first (any
method: the CSRF check reads forms even on GET), keeps every part in memory (bounded by the route's body
size limit, a part count, and a per-file cap that is 0 on routes without uploads), drops CSRF tokens that
can never be valid, and stores the result where the CSRF middleware and ``request.form()`` read it, so
Litestar's parser never runs. Text that cannot be decoded is kept with replacement characters and the
request is refused with :class:`UnreadableFormError`, which public forms answer by showing the text back.
"""

from __future__ import annotations

import codecs
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.datastructures import State
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import ClientException
from litestar.types import ASGIApp, Empty, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from multipart import (  # type: ignore[import-untyped]
    MultipartSegment,
    ParserError,
    ParserLimitReached,
    PushMultipartParser,
)

MAX_FORM_PARTS = 200
UPLOAD_OPT_KEY = "max_upload_file_bytes"
CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "_csrf_token"
CSRF_HEADER = b"x-csrftoken"
# What browsers send (always UTF-8 for our pages) and its subsets; other codecs can yield surrogates or
# NUL characters that the database refuses, or are not text encodings at all.
TEXT_CHARSETS = frozenset({"utf-8", "ascii", "latin-1"})
REPLACEMENT = "\ufffd"


class UnreadableFormError(ClientException):
    """Some posted text could not be decoded; the form, with replacement characters, is in the scope state."""


@dataclass
class ReceivedFile:
    """One uploaded file as sent; ``too_large`` files keep no content beyond the cap."""

    filename: str = field(repr=False)
    content_type: str
    content: bytes = field(default=b"", repr=False)
    too_large: bool = False


def accepts_uploads(max_file_bytes: int) -> dict[str, int]:
    """The ``opt`` of a route whose forms carry files of up to ``max_file_bytes`` each (others keep none)."""
    return {UPLOAD_OPT_KEY: max_file_bytes}


class _FilePart:
    def __init__(self, filename: str, content_type: str, max_bytes: int) -> None:
        self.filename = filename
        self.content_type = content_type
        self.max_bytes = max_bytes
        self.buffer = bytearray()
        self.too_large = False

    def write(self, chunk: bytes | bytearray) -> None:
        if self.too_large:
            return
        if len(self.buffer) + len(chunk) > self.max_bytes:
            self.too_large = True
            self.buffer = bytearray()
            return
        self.buffer.extend(chunk)

    def finish(self) -> ReceivedFile:
        return ReceivedFile(self.filename, self.content_type, bytes(self.buffer), self.too_large)


def _readable(text: str) -> str | None:
    """``text`` unless it holds a NUL (PostgreSQL refuses it in text)."""
    return None if "\x00" in text else text


def _decode_text(data: bytes | bytearray, charset: str | None) -> str | None:
    """The text of a part in its declared charset, or ``None`` when it cannot be read as text."""
    try:
        codec = codecs.lookup(charset or "utf-8").name
    except LookupError:
        return None
    if codec not in {codecs.lookup(name).name for name in TEXT_CHARSETS}:
        return None
    try:
        return _readable(data.decode(codec))
    except UnicodeDecodeError:
        return None


def _salvaged(data: bytes | bytearray) -> str:
    return data.decode("utf-8", "replace").replace("\x00", REPLACEMENT)


async def _parse_multipart(
    request: Request[Any, Any, State], boundary: str, max_file_bytes: int
) -> tuple[dict[str, list[str | ReceivedFile]], bool]:
    """``{name: [values]}`` with :class:`ReceivedFile` for files, and whether all text could be read."""
    fields: defaultdict[str, list[str | ReceivedFile]] = defaultdict(list)
    readable = True
    try:
        with PushMultipartParser(boundary.encode(), max_segment_count=MAX_FORM_PARTS) as parser:
            segment: MultipartSegment | None = None
            part: _FilePart | bytearray = bytearray()
            async for chunk in request.stream():
                if parser.closed:
                    break
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        segment = event
                        part = (
                            _FilePart(event.filename, event.content_type or "application/octet-stream", max_file_bytes)
                            if event.filename
                            else bytearray()
                        )
                    elif event:
                        if isinstance(part, bytearray):
                            part.extend(event)
                        else:
                            part.write(event)
                    else:
                        if segment is None:
                            raise ClientException("Invalid multipart/form-data")
                        if isinstance(part, _FilePart):
                            fields[segment.name].append(part.finish())
                        else:
                            text = _decode_text(part, segment.charset)
                            readable = readable and text is not None
                            fields[segment.name].append(_salvaged(part) if text is None else text)
                        segment, part = None, bytearray()
    except (ParserError, ParserLimitReached, ValueError):
        raise ClientException("Invalid multipart/form-data") from None
    return fields, readable


def _parse_urlencoded(body: bytes) -> tuple[dict[str, list[str | ReceivedFile]], bool]:
    fields: defaultdict[str, list[str | ReceivedFile]] = defaultdict(list)
    readable = True
    try:
        try:
            pairs = parse_qsl(body.decode(), keep_blank_values=True, errors="strict", max_num_fields=MAX_FORM_PARTS)
        except UnicodeDecodeError:
            readable = False
            text = body.decode(errors="replace")
            pairs = parse_qsl(text, keep_blank_values=True, errors="replace", max_num_fields=MAX_FORM_PARTS)
    except ValueError:
        raise ClientException("Too many form fields") from None
    for name, value in pairs:
        readable = readable and _readable(value) is not None
        fields[name].append(value.replace("\x00", REPLACEMENT))
    return fields, readable


def _without_unusable_tokens(fields: dict[str, list[str | ReceivedFile]]) -> None:
    """Drop CSRF tokens that can never match (files, non-ASCII), which would break the comparison."""
    tokens: list[str | ReceivedFile] = [
        value for value in fields.pop(CSRF_FIELD, []) if isinstance(value, str) and value.isascii()
    ]
    if tokens:
        fields[CSRF_FIELD] = tokens


def _cookie_without_unusable_token(value: bytes) -> bytes:
    crumbs = value.split(b";")
    return b";".join(
        crumb for crumb in crumbs if crumb.isascii() or not crumb.strip().startswith(CSRF_COOKIE.encode() + b"=")
    )


def _usable_csrf_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers without a non-ASCII CSRF header or cookie (every valid token is hexadecimal)."""
    cleaned: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name.lower() == CSRF_HEADER and not value.isascii():
            continue
        cleaned.append((name, _cookie_without_unusable_token(value) if name.lower() == b"cookie" else value))
    return cleaned


def form_body_middleware(app: ASGIApp) -> ASGIApp:
    """Parse form bodies in memory before the CSRF check; see the module docstring."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        scope["headers"] = _usable_csrf_headers(list(scope["headers"]))
        # Earlier middleware may have read the headers already; Litestar caches them in the scope state.
        state = ScopeState.from_scope(scope)
        state.headers = state.cookies = Empty
        request: Request[Any, Any, State] = Request(scope, receive)
        content_type, options = request.content_type
        if scope["method"] in ("GET", "HEAD"):
            # No form, whatever the Content-Type says (HTTP clients keep a POST's Content-Type when they
            # follow its 303): an empty one, so that nothing parses a body here.
            state.form = {}
            await app(scope, receive, send)
            return
        if content_type == RequestEncodingType.MULTI_PART:
            boundary = options.get("boundary")
            if not boundary:
                raise ClientException("multipart boundary missing")
            max_file_bytes = int(scope["route_handler"].opt.get(UPLOAD_OPT_KEY, 0))
            fields, readable = await _parse_multipart(request, boundary, max_file_bytes)
        elif content_type == RequestEncodingType.URL_ENCODED:
            fields, readable = _parse_urlencoded(await request.body())
        else:
            await app(scope, receive, send)
            return
        _without_unusable_tokens(fields)
        # The shape Litestar's parsers give: one value, or a list when a name was sent several times.
        form: dict[str, Any] = {name: values if len(values) > 1 else values[0] for name, values in fields.items()}
        state.form = form
        if not readable:
            raise UnreadableFormError("Some form text could not be decoded")
        await app(scope, receive, send)

    return middleware
