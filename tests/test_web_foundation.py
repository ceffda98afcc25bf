"""Health check, error pages that reveal nothing, and headers on every response."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import TestClient


def test_healthz_answers_when_database_reachable(client: TestClient[Litestar]) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_404_is_a_friendly_html_page(client: TestClient[Litestar]) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text
    assert "no/such/page" not in response.text


def test_405_is_a_friendly_html_page(client: TestClient[Litestar]) -> None:
    response = client.put("/healthz")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")


def test_500_reveals_nothing_internal(app: Litestar) -> None:
    @get("/explode", opt={"public": True})
    async def explode() -> str:
        raise RuntimeError("secret-detail-in-exception /srv/internal/path.py")

    app.register(explode)
    with TestClient(app=app, base_url="https://testserver.local") as client:
        response = client.get("/explode")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "secret-detail" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text


def test_openapi_schema_is_not_served(client: TestClient[Litestar]) -> None:
    assert client.get("/schema").status_code == 404
    assert client.get("/schema/openapi.json").status_code == 404


def test_security_headers_on_every_response(client: TestClient[Litestar]) -> None:
    for path in ("/healthz", "/no/such/page"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert "geolocation=()" in headers["permissions-policy"]
        assert "server" not in headers


def test_error_pages_speak_the_requested_language(client: TestClient[Litestar]) -> None:
    german = client.get("/no/such/page")
    assert "Seite nicht gefunden" in german.text
    assert 'lang="de"' in german.text
    english = client.get("/no/such/page?lang=en")
    assert "Page not found" in english.text
    assert 'lang="en"' in english.text
    assert 'href="/?lang=en"' in english.text
    assert "Page not found" in client.get("/no/such/page", headers={"Accept-Language": "en-GB,en;q=0.8"}).text
