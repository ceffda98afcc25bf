"""The real ``reporting serve`` process: it answers /healthz, and no client address or user agent
reaches any log or database file, whatever route is asked for."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from pathlib import Path

from reporting.config.settings import Settings
from tests.live_server import live_server


def _request(url: str, headers: dict[str, str], method: str = "GET") -> int:
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_serve_answers_healthz_and_never_logs_client_address_or_agent(settings: Settings, tmp_path: Path) -> None:
    canary_agent = f"CanaryAgent/{uuid.uuid4().hex}"
    canary_address = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    canary_forwarded = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    headers = {"User-Agent": canary_agent, "X-Forwarded-For": f"{canary_forwarded}, {canary_address}"}
    log_path = tmp_path / "server.log"
    with live_server(settings, log_path, REPORTING_LOG_LEVEL="DEBUG") as server:
        assert _request(f"{server.base_url}/healthz", headers) == 200
        assert _request(f"{server.base_url}/does-not-exist", headers) == 404
        assert _request(f"{server.base_url}/healthz", headers, method="DELETE") == 405
        assert _request(f"{server.base_url}/", headers) in (200, 404)
        assert _request(f"{server.base_url}/staff/", headers) in (200, 302, 303, 401, 403, 404)

    log_text = log_path.read_text(errors="replace")
    assert "Uvicorn running" in log_text or "Application startup complete" in log_text
    searched = [log_path, *(path for path in settings.data_dir.rglob("*") if path.is_file())]
    for path in searched:
        content = path.read_bytes()
        for canary in (canary_agent, canary_address, canary_forwarded):
            assert canary.encode() not in content, f"{canary!r} found in {path}"
    # The client here is on loopback too, so also check that no access-log line exists at all.
    assert "GET /" not in log_text
    assert "HTTP/1.1" not in log_text
