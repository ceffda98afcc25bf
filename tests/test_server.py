"""The served sockets and workers: no delayed ACKs, bounded request heads, light worker imports."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from litestar.exceptions import HTTPException
from litestar.types import Receive, Scope, Send

from reporting.config.settings import Settings
from reporting.web import request_limits
from reporting.web.server import MAX_REQUEST_HEAD_BYTES, server_config
from tests.live_server import free_port, live_server


def test_every_accepted_connection_has_tcp_nodelay() -> None:
    """The option set on the listening socket reaches the connection the kernel hands to a worker."""
    config = server_config(host="127.0.0.1", port=free_port(), workers=2, log_config={"version": 1})
    listener = config.bind_socket()
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        listener.listen()  # what the worker's event loop does with the socket it is handed
        with socket.create_connection(listener.getsockname(), timeout=5):
            accepted, _address = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        listener.close()


def _status(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _raw_status(base_url: str, head: bytes) -> int | None:
    """Send a raw request head; the status code of the answer, or None when the server just closed."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head)
        answer = connection.recv(64)
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else None


def test_oversized_request_heads_are_refused_and_workers_keep_serving(settings: Settings, tmp_path: Path) -> None:
    with live_server(settings, tmp_path / "server.log", workers=2) as server:
        assert _status(f"{server.base_url}/healthz", {"X-Padding": "a" * 100_000}) in (400, 431)
        many_headers = b"".join(b"X-H%d: v\r\n" % number for number in range(3000))
        status = _raw_status(server.base_url, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many_headers + b"\r\n")
        assert status in (None, 400, 431)
        within_limit = {"X-Padding": "a" * (MAX_REQUEST_HEAD_BYTES // 2)}
        assert _status(f"{server.base_url}/healthz", within_limit) == 200
        assert all(_status(f"{server.base_url}/healthz", {}) == 200 for _ in range(10))
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log
    assert "died" not in log


def test_a_worker_does_not_load_the_pdf_or_spreadsheet_libraries_at_start_up() -> None:
    """WeasyPrint and openpyxl take about a second to import: workers load them when first used."""
    probe = (
        "import sys, reporting.app, reporting.cli, reporting.web.server;"
        "print(sorted(m for m in ('weasyprint', 'openpyxl') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert loaded.stdout.strip() == "[]"


def test_a_stalled_request_body_is_answered_408_and_a_complete_one_reaches_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(request_limits, "BODY_IDLE_SECONDS", 0.2)
    reached: list[bytes] = []

    async def application(_scope: Scope, receive: Receive, _send: Send) -> None:
        message = await receive()
        reached.append(message.get("body", b""))  # type: ignore[arg-type]

    middleware = request_limits.request_body_middleware(1024)(application)
    scope: Any = {"type": "http", "headers": [(b"content-length", b"10")]}

    async def stalled() -> Any:
        await asyncio.sleep(60)

    async def complete() -> Any:
        return {"type": "http.request", "body": b"0123456789", "more_body": False}

    async def nothing(_message: Any) -> None:
        return None

    async def serve(receive: Receive) -> None:
        await middleware(scope, receive, nothing)

    with pytest.raises(HTTPException) as refused:
        asyncio.run(serve(stalled))
    assert refused.value.status_code == 408
    assert reached == []
    asyncio.run(serve(complete))
    assert reached == [b"0123456789"]
