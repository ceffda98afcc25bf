"""Switching language keeps a half-filled form and an open mailbox, through real HTTP: the language
menu's buttons post the page's own form to a "switch language" action; no cookie, no code in a URL."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from reporting.i18n import SUPPORTED_LANGUAGES
from tests.intake.conftest import assert_report_values_kept, form_state, full_report_form, post_form, receipt_code


def _html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', page)
    assert match
    return match.group(1)


def test_the_menu_submits_the_form_of_the_page(client: TestClient[Litestar]) -> None:
    page = client.get("/").text
    buttons = re.findall(r'<button type="submit" class="link-button" form="report-form" formaction="([^"]+)"', page)
    assert buttons == [f"/language?lang={code}" for code in SUPPORTED_LANGUAGES]
    for name in ("العربية", "Українська", "Leichte Sprache"):
        assert name in page


def test_switching_keeps_a_half_filled_form(client: TestClient[Litestar]) -> None:
    form = full_report_form()
    switched = post_form(client, "/language?lang=ar", form)
    assert switched.status_code == 200
    assert _html_lang(switched.text) == "ar"
    assert_report_values_kept(switched.text, form)
    back = post_form(client, "/language?lang=de", form)
    assert _html_lang(back.text) == "de"
    assert_report_values_kept(back.text, form)
    assert set(client.cookies.keys()) == {"csrftoken"}


def test_switching_keeps_an_open_mailbox_and_the_reply_typed(client: TestClient[Litestar]) -> None:
    code = receipt_code(post_form(client, "/report", full_report_form()))
    switched = post_form(client, "/mailbox/language?lang=uk", {"code": code, "message": "Half a reply"})
    assert switched.status_code == 200
    assert _html_lang(switched.text) == "uk"
    state = form_state(switched.text)
    assert state.hidden["code"] == [code]
    assert state.texts["message"] == "Half a reply"
    assert 'id="reply-form"' in switched.text
    digits = code.replace(" ", "")
    urls = re.findall(r'(?:href|action|formaction)="([^"]*)"', switched.text)
    assert not [url for url in urls if digits[:8] in url.replace(" ", "").replace("+", "")]


def test_switching_keeps_the_digits_typed_on_the_code_page(client: TestClient[Litestar]) -> None:
    switched = post_form(client, "/mailbox/language?lang=fa", {"code": "1234 5678"})
    assert _html_lang(switched.text) == "fa"
    assert form_state(switched.text).texts["code"] == "1234 5678"
    assert "No mailbox could be opened" not in switched.text


def test_a_wrong_code_is_not_opened_by_switching(client: TestClient[Litestar]) -> None:
    response = post_form(client, "/mailbox/language?lang=en", {"code": "1111 2222 3333 4444 5555", "message": ""})
    assert response.status_code == 400
    assert 'id="reply-form"' not in response.text
