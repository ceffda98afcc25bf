"""Which language a request gets: ``?lang=``, then Accept-Language with regions and weights, then
German; the public side offers eight languages, the staff area German and English only."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from reporting.i18n import STAFF_LANGUAGES, SUPPORTED_LANGUAGES, resolve_language

EXPECTED_DIRECTIONS = {
    "de": "ltr",
    "de-x-ls": "ltr",
    "en": "ltr",
    "ar": "rtl",
    "fa": "rtl",
    "tr": "ltr",
    "uk": "ltr",
    "ru": "ltr",
}


def test_eight_public_languages_and_two_for_staff() -> None:
    assert {code: language.direction for code, language in SUPPORTED_LANGUAGES.items()} == EXPECTED_DIRECTIONS
    assert list(STAFF_LANGUAGES) == ["de", "en"]


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, None, "de"),
        ("ar", "en", "ar"),
        ("DE-X-LS", None, "de-x-ls"),
        ("xx", "uk", "uk"),
        (None, "uk-UA,uk;q=0.9,ru;q=0.8", "uk"),
        (None, "ru;q=0.5, tr;q=0.9", "tr"),
        (None, "prs", "fa"),
        (None, "fa-AF", "fa"),
        (None, "ps,prs;q=0.8", "fa"),
        (None, "ar-SY;q=0, en;q=0.1", "en"),
        (None, "fr-FR, ti", "de"),
        (None, "*", "de"),
        (None, "en_GB", "en"),
    ],
)
def test_public_language_resolution(query: str | None, header: str | None, expected: str) -> None:
    assert resolve_language(query, header) == expected


def test_staff_speak_german_or_english_only() -> None:
    assert resolve_language("ar", "ar", staff=True) == "de"
    assert resolve_language(None, "uk, en;q=0.5", staff=True) == "en"


def _html_tag(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
    assert match, page[:200]
    return match.group(1), match.group(2)


def test_every_public_language_sets_lang_and_dir(client: TestClient[Litestar]) -> None:
    for code, direction in EXPECTED_DIRECTIONS.items():
        for path in ("/", "/mailbox", "/privacy", "/no-such-page"):
            response = client.get(path, params={"lang": code})
            assert _html_tag(response.text) == (code, direction), (path, code)
    assert _html_tag(client.get("/", headers={"accept-language": "prs-AF, de;q=0.5"}).text) == ("fa", "rtl")


def test_the_staff_area_ignores_reporter_languages(client: TestClient[Litestar]) -> None:
    arabic = client.get("/staff/login", params={"lang": "ar"}, headers={"accept-language": "ar"})
    assert _html_tag(arabic.text) == ("de", "ltr")
    assert "العربية" not in arabic.text
    assert _html_tag(client.get("/staff/login", params={"lang": "en"}).text) == ("en", "ltr")
