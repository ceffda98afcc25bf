"""The Host header is never trusted; HSTS when cookies are secure; no error under /static/ is cached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from reporting.app import create_app
from reporting.cli.instance import initialise
from reporting.config.settings import Settings, SettingsError
from tests.conftest import BASE_URL, settings_for

STATIC_FILE = "css/site.css"


def _client(settings: Settings) -> TestClient[Litestar]:
    initialise(settings)
    return TestClient(app=create_app(settings), base_url=BASE_URL)


@pytest.fixture
def public_client(tmp_path: Path, database_url: str) -> Iterator[TestClient[Litestar]]:
    with _client(settings_for(tmp_path, database_url)) as client:
        yield client


@pytest.mark.parametrize("host", ["attacker.example", "testserver.local.attacker.example", "", "[::1"])
def test_a_request_for_another_host_is_refused(public_client: TestClient[Litestar], host: str) -> None:
    response = public_client.get("/?lang=en", headers={"host": host})
    assert response.status_code == 400
    assert response.headers["cache-control"] == "no-store"


def test_the_configured_host_is_served_on_any_port_and_health_is_always_reachable(
    public_client: TestClient[Litestar],
) -> None:
    assert public_client.get("/?lang=en").status_code == 200
    assert public_client.get("/?lang=en", headers={"host": "TestServer.Local:8443"}).status_code == 200
    assert public_client.get("/healthz", headers={"host": "127.0.0.1:8000"}).status_code == 200


def test_defaults_and_validation_of_public_url_and_allowed_hosts(tmp_path: Path) -> None:
    base = {"REPORTING_DATA_DIR": str(tmp_path / "var"), "REPORTING_KEYS_DIR": str(tmp_path / "keys")}
    trial = Settings.from_env(base)
    assert trial.public_url == "http://127.0.0.1:8000"
    assert set(trial.allowed_hosts) == {"127.0.0.1", "localhost", "::1"}
    live = Settings.from_env(
        {
            **base,
            "REPORTING_PUBLIC_URL": "https://melden.example.org/",
            "REPORTING_ONION_LOCATION": "http://abcdefghij.onion",
        }
    )
    assert live.public_url == "https://melden.example.org"
    assert live.allowed_hosts == ("melden.example.org", "abcdefghij.onion")
    for name, value in (
        ("PUBLIC_URL", "melden.example.org"),
        ("PUBLIC_URL", "https://melden.example.org/reporting"),
        ("ALLOWED_HOSTS", "melden.example.org:443"),
        ("ALLOWED_HOSTS", "*"),
    ):
        with pytest.raises(SettingsError, match=f"REPORTING_{name}"):
            Settings.from_env({**base, f"REPORTING_{name}": value})


def test_hsts_only_with_secure_cookies(tmp_path: Path, database_url: str) -> None:
    with _client(settings_for(tmp_path, database_url)) as secure:
        assert secure.get("/?lang=en").headers["strict-transport-security"] == "max-age=63072000"
        assert "strict-transport-security" in secure.get("/static/does-not-exist.css").headers
    with _client(settings_for(tmp_path, database_url, secure_cookies="false")) as plain:
        assert "strict-transport-security" not in plain.get("/?lang=en").headers


def test_every_error_under_static_is_never_cached(public_client: TestClient[Litestar]) -> None:
    missing = public_client.get("/static/does-not-exist.css")
    assert missing.status_code == 404
    assert missing.headers["cache-control"] == "no-store"
    refused = public_client.post(f"/static/{STATIC_FILE}")
    assert refused.status_code >= 400
    assert refused.headers["cache-control"] == "no-store"
    existing = public_client.get(f"/static/{STATIC_FILE}")
    assert existing.status_code == 200
    assert existing.headers.get("cache-control") != "no-store"
