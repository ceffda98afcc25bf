"""Switching language keeps a half-filled form and an open mailbox, through real HTTP: the language
menu's buttons post the page's own form to a "switch language" action; no cookie, no code in a URL."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from reporting.config.settings import Settings
from reporting.db.engine import create_engine, session_scope
from reporting.db.models import Attachment
from reporting.i18n import SUPPORTED_LANGUAGES
from reporting.web.address_keys import ClientAddress
from reporting.web.throttle import register_hit
from tests.intake.conftest import (
    assert_report_values_kept,
    form_state,
    full_report_form,
    jpeg_with_gps,
    post_form,
    receipt_code,
    run,
)


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


def _kept_files(page: str) -> list[str]:
    return [value for name, value in form_state(page).checked if name == "kept_attachment"]


async def _attachment_count(settings: Settings) -> int:
    async with session_scope(settings) as session:
        return len((await session.execute(select(Attachment.id))).all())


def test_files_chosen_travel_with_the_switch_and_are_sent(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    form = full_report_form()
    photo = [("attachments", ("photo.jpg", jpeg_with_gps(), "image/jpeg"))]
    switched = post_form(client, "/language?lang=tr", form, photo)
    assert switched.status_code == 200
    assert "photo.jpg" in switched.text
    (kept,) = _kept_files(switched.text)
    state = form_state(switched.text)
    sent = post_form(
        client, "/report?lang=tr", {**form, "submission_id": state.hidden["submission_id"][0], "kept_attachment": kept}
    )
    assert receipt_code(sent)
    assert run(_attachment_count(initialised_settings)) == 1


def test_a_file_that_cannot_be_sent_is_named_at_once_by_the_switch(client: TestClient[Litestar]) -> None:
    switched = post_form(
        client, "/language?lang=en", full_report_form(), [("attachments", ("virus.exe", b"MZ", "application/x-msdos"))]
    )
    assert "“virus.exe” is not a photo or PDF file" in switched.text
    assert _kept_files(switched.text) == []


def test_past_the_decoding_limit_the_switch_says_the_files_stay_behind(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    async def use_up_attempts() -> None:
        engine = create_engine(initialised_settings)
        try:
            for _hit in range(30):
                await register_hit(engine, "intake:attempt", ClientAddress("testclient"), limit=30, window_seconds=3600)
        finally:
            await engine.dispose()

    run(use_up_attempts())
    photo = [("attachments", ("photo.jpg", jpeg_with_gps(), "image/jpeg"))]
    switched = post_form(client, "/language?lang=en", full_report_form(), photo)
    assert switched.status_code == 200
    assert "could not be taken along to the other language" in switched.text
    assert 'id="error-attachments"' in switched.text


def test_files_chosen_for_a_reply_travel_with_the_mailbox_switch(client: TestClient[Litestar]) -> None:
    code = receipt_code(post_form(client, "/report", full_report_form()))
    photo = [("attachments", ("answer.jpg", jpeg_with_gps(), "image/jpeg"))]
    switched = post_form(client, "/mailbox/language?lang=ru", {"code": code, "message": ""}, photo)
    assert 'id="reply-form"' in switched.text
    assert len(_kept_files(switched.text)) == 1
    assert "answer.jpg" in switched.text
