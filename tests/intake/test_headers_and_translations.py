"""Privacy headers and cookies on every public response, nothing from another origin, uploads never
written to the temporary directory, and a German translation for every text of the public pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient

from reporting.app import MAX_REQUEST_BODY_BYTES, create_app
from reporting.i18n import SUPPORTED_LANGUAGES
from reporting.intake.mailbox_routes import MAILBOX_ATTEMPT_LIMIT
from reporting.web.templating import STATIC_DIR
from tests.conftest import BASE_URL, settings_for
from tests.intake.conftest import full_report_form, jpeg_with_gps, post_form, receipt_code

ONION = "http://exampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"


def _public_responses(client: TestClient[Litestar]) -> dict[str, Response]:
    """One response of each kind a member of the public can get."""
    responses = {
        "form": client.get("/"),
        "form en": client.get("/?lang=en"),
        "privacy": client.get("/privacy"),
        "mailbox": client.get("/mailbox"),
        "challenge": client.get("/altcha/challenge"),
        "stylesheet": client.get("/static/css/intake.css"),
        "script": client.get("/static/js/intake.js"),
        "widget": client.get("/static/vendor/altcha/altcha.min.js"),
        "not found": client.get("/no-such-page"),
    }
    responses["form error"] = post_form(client, "/report", full_report_form(description=""))
    receipt = post_form(client, "/report", full_report_form())
    responses["receipt"] = receipt
    code = receipt_code(receipt)
    responses["wrong code"] = post_form(client, "/mailbox", {"code": "1"})
    responses["mailbox open"] = post_form(client, "/mailbox", {"code": code})
    responses["mailbox reply"] = post_form(client, "/mailbox/reply", {"code": code, "message": "hello"})
    responses["csrf failure"] = client.post("/report", data={"description": "x"})
    return responses


def _assert_privacy_headers(name: str, response: Response, onion: str | None = None) -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy, name
    assert "unsafe-inline" not in policy, name
    assert "unsafe-eval" not in policy, name
    assert "frame-ancestors 'none'" in policy, name
    assert headers["referrer-policy"] == "no-referrer", name
    for feature in ("camera=()", "microphone=()", "geolocation=()", "interest-cohort=()"):
        assert feature in headers["permissions-policy"], name
    assert "server" not in headers, name
    assert "x-powered-by" not in headers, name
    if onion:
        assert headers["onion-location"] == onion, name
    else:
        assert "onion-location" not in headers, name
    for cookie in headers.get_list("set-cookie"):
        cookie_name = cookie.split("=", 1)[0]
        assert cookie_name in ("csrftoken", "receipt"), f"{name} sets cookie {cookie_name}"
        lowered = cookie.lower()
        assert "expires=" not in lowered, f"{name}: every cookie must end with the browser session"
        assert "max-age=" not in lowered, f"{name}: every cookie must end with the browser session"
        assert "httponly" in lowered, name
        assert "samesite=strict" in lowered, name
        assert "secure" in lowered, name
        if cookie_name == "receipt":
            assert "path=/receipt" in lowered, f"{name}: the sealed code goes to the receipt page only"


def test_privacy_headers_and_only_session_cookies_on_every_public_response(client: TestClient[Litestar]) -> None:
    responses = _public_responses(client)
    for name, response in responses.items():
        for step in [*response.history, response]:
            _assert_privacy_headers(name, step)
        if response.headers["content-type"].startswith("text/html"):
            assert response.headers["cache-control"] == "no-store", name
    assert set(client.cookies.keys()) == {"csrftoken", "receipt"}


def test_onion_location_when_configured(tmp_path: Path, database_url: str) -> None:
    from reporting.cli.instance import initialise

    settings = settings_for(tmp_path, database_url, onion_location=ONION)
    initialise(settings)
    with TestClient(app=create_app(settings), base_url=BASE_URL) as client:
        for name, response in _public_responses(client).items():
            _assert_privacy_headers(name, response, onion=ONION)


_FOREIGN_REFERENCE = re.compile(r"""(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def test_pages_reference_no_other_origin(client: TestClient[Litestar]) -> None:
    for name, response in _public_responses(client).items():
        if response.headers["content-type"].startswith(("text/html", "text/css")):
            assert not _FOREIGN_REFERENCE.search(response.text), name
            assert "@import" not in response.text, name
    for static in ("css/intake.css", "css/site.css", "vendor/altcha/altcha.css", "js/intake.js"):
        text = (STATIC_DIR / static).read_text()
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), static
        assert not re.search(r"""(?:import|fetch|Worker)\s*\(?\s*["'](?:https?:)?//""", text), static


def test_uploads_are_never_spooled_to_disk(client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch) -> None:
    """Litestar's own parser would roll files over 1 MiB into the temporary directory unencrypted."""
    import litestar.datastructures.upload_file as upload_file

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an upload went through a temporary file")

    monkeypatch.setattr(upload_file, "SpooledTemporaryFile", refuse)
    big_photo = jpeg_with_gps(size=(1800, 1600)) + b"\0" * (2 * 1024 * 1024)
    response = post_form(
        client, "/report?lang=en", full_report_form(), [("attachments", ("big.jpg", big_photo, "image/jpeg"))]
    )
    assert response.status_code == 200, response.text[:500]
    receipt_code(response)


@pytest.mark.parametrize("path", ["/", "/privacy", "/mailbox"])
def test_pages_render_in_both_languages(client: TestClient[Litestar], path: str) -> None:
    german = client.get(f"{path}?lang=de").text
    english = client.get(f"{path}?lang=en").text
    assert '<html lang="de" dir="ltr">' in german
    assert '<html lang="en" dir="ltr">' in english
    assert german != english


def test_placeholders_are_filled_in_every_language(client: TestClient[Litestar]) -> None:
    placeholder = re.compile(r"\{(files|file_mb|total_mb|years|date|name|limit|count|length|minutes)\}")
    post_form(client, "/report", full_report_form())  # the receipt page, with its cookie
    for lang in SUPPORTED_LANGUAGES:
        for path in ("/", "/privacy", "/receipt"):
            assert not placeholder.search(client.get(f"{path}?lang={lang}").text), (lang, path)


def test_error_pages_speak_every_public_language(client: TestClient[Litestar]) -> None:
    """413 and 429 (not reachable by a link) in each locale: ``<html lang dir>`` and a translated title."""
    oversized = b"a" * (MAX_REQUEST_BODY_BYTES + 1)
    titles: dict[tuple[int, str], str] = {}
    answers: dict[int, Callable[[str], Response]] = {
        413: lambda lang: client.post(
            f"/mailbox?lang={lang}", content=oversized, headers={"Content-Type": "application/x-www-form-urlencoded"}
        ),
        429: lambda lang: post_form(client, f"/mailbox?lang={lang}", {"code": "1"}),
    }
    for _attempt in range(MAILBOX_ATTEMPT_LIMIT):
        post_form(client, "/mailbox", {"code": "1"})
    for lang, language in SUPPORTED_LANGUAGES.items():
        for status, answer in answers.items():
            response = answer(lang)
            assert response.status_code == status, (lang, status)
            assert f'<html lang="{lang}" dir="{language.direction}">' in response.text, (lang, status)
            title = re.search(r"<title>(.*?)</title>", response.text, re.S)
            assert title is not None
            titles[status, lang] = title.group(1)
    untranslated = [key for key, title in titles.items() if key[1] != "en" and title == titles[key[0], "en"]]
    assert untranslated == []
