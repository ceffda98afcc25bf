"""Multipart forms parsed entirely in memory.

Litestar's own parser puts each uploaded file in a ``SpooledTemporaryFile`` that rolls over to the
temporary directory above 1 MiB, so an unsealed photo of a reporter's documents would touch the disk.
This middleware parses the body first, keeps every part in memory (bounded by the route's body size
limit and a per-file cap), and hands the result to Litestar's request state, so the CSRF middleware
and the handler read this copy and Litestar's parser never runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import ClientException
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from multipart import (  # type: ignore[import-untyped]
    MultipartSegment,
    ParserError,
    ParserLimitReached,
    PushMultipartParser,
)

MAX_FORM_PARTS = 200


@dataclass
class ReceivedFile:
    """One uploaded file as sent; ``too_large`` files keep no content beyond the cap."""

    filename: str = field(repr=False)
    content_type: str
    content: bytes = field(default=b"", repr=False)
    too_large: bool = False


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


async def parse_in_memory(request: Request[Any, Any, State], boundary: str, max_file_bytes: int) -> dict[str, Any]:
    """Parse a multipart body into ``{name: value or [values]}`` with :class:`ReceivedFile` for files."""
    fields: defaultdict[str, list[str | ReceivedFile]] = defaultdict(list)
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
                        fields[segment.name].append(
                            part.finish() if isinstance(part, _FilePart) else part.decode(segment.charset or "utf-8")
                        )
                        segment, part = None, bytearray()
    except (ParserError, ParserLimitReached, UnicodeDecodeError):
        raise ClientException("Invalid multipart/form-data") from None
    return {name: values if len(values) > 1 else values[0] for name, values in fields.items()}


def in_memory_form_middleware(max_file_bytes: int) -> Callable[[ASGIApp], ASGIApp]:
    """Build the middleware for routes that accept uploads; larger files are kept only as ``too_large``."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == ScopeType.HTTP and scope["method"] == "POST":
                request: Request[Any, Any, State] = Request(scope, receive)
                content_type, options = request.content_type
                if content_type == RequestEncodingType.MULTI_PART:
                    boundary = options.get("boundary")
                    if not boundary:
                        raise ClientException("multipart boundary missing")
                    ScopeState.from_scope(scope).form = await parse_in_memory(request, boundary, max_file_bytes)
            await app(scope, receive, send)

        return middleware

    return factory
