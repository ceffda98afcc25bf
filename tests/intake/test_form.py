"""The reporting form: landing text, languages in the URL, and bad input that never loses work.

Each validation path posts a fully answered form with one thing wrong and checks that the page comes
back with every value filled in and a message next to the problem, and that nothing was stored.
"""

from __future__ import annotations

import io
import random
import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from reporting.config.settings import Settings
from reporting.crypto.recovery import RECOVERY_PUBLIC_KEY_FILENAME
from reporting.intake.attachments import MAX_FILE_BYTES
from reporting.intake.forms import MAX_CONTACT_LENGTH, MAX_DESCRIPTION_LENGTH
from tests.intake.conftest import (
    assert_report_values_kept,
    form_state,
    full_report_form,
    jpeg_with_gps,
    pdf_bytes,
    post_form,
    receipt_code,
    report_count,
    run,
)


def test_landing_page_explains_the_service_and_links_privacy_and_mailbox(client: TestClient[Litestar]) -> None:
    page = client.get("/?lang=en")
    assert page.status_code == 200
    text = page.text
    assert '<html lang="en" dir="ltr">' in text
    for phrase in ("Who reads your report", "What happens next", "How your anonymity is protected"):
        assert phrase in text
    assert 'href="/privacy?lang=en"' in text
    assert 'href="/mailbox?lang=en"' in text
    assert 'action="/report?lang=en"' in text
    assert 'enctype="multipart/form-data"' in text
    privacy = client.get("/privacy?lang=en").text
    assert "KDG" in privacy
    assert "Katholisches Datenschutzzentrum" in privacy


def test_language_from_url_then_accept_language_then_german(client: TestClient[Litestar]) -> None:
    assert '<html lang="de"' in client.get("/").text
    assert "Diskriminierung anonym melden" in client.get("/").text
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="en"' in english
    assert 'action="/report?lang=en"' in english
    assert '<html lang="de"' in client.get("/?lang=de", headers={"Accept-Language": "en"}).text
    assert '<html lang="de"' in client.get("/?lang=xx").text
    picker = client.get("/mailbox?lang=en").text
    assert 'formaction="/mailbox/language?lang=de"' in picker
    assert 'href="/privacy?lang=ar"' in client.get("/privacy?lang=en").text


def test_every_choice_comes_from_the_taxonomy_in_the_page_language(client: TestClient[Litestar]) -> None:
    german = client.get("/?lang=de").text
    english = client.get("/?lang=en").text
    assert "Weiß nicht" in german
    assert "Don&#39;t know" in english or "Don't know" in english
    assert "Kreis Borken" in german  # towns and districts as people know them, not church districts
    assert "Oldenburger Land" in german
    assert "dekanat" not in german
    assert "Offizialat" not in german
    assert 'value="earlier"' in german
    # Month and year only: never a day or time field.
    assert 'type="date"' not in german
    assert 'type="time"' not in german


@pytest.mark.parametrize(
    ("case", "overrides", "field", "message"),
    [
        ("missing description", {"description": ""}, "description", "Please describe what happened"),
        ("description too long", {"description": "x" * (MAX_DESCRIPTION_LENGTH + 1)}, "description", "shorten"),
        ("contact too long", {"contact": "y" * (MAX_CONTACT_LENGTH + 1)}, "contact", "shorten"),
        ("unknown area", {"area": "moon"}, "area", "choose one of the options"),
        ("unknown region", {"region": "Hauptstraße 5"}, "region", "choose one of the options"),
        ("unknown month", {"incident_period": "1999-01"}, "incident_period", "choose a month"),
        ("unknown ground", {"grounds": ["religion", "zodiac"]}, "grounds", "choose from the options"),
        ("honeypot filled", {"homepage_url": "http://spam.example"}, "form", "could not be sent"),
    ],
)
def test_bad_input_comes_back_with_every_value_and_a_message(
    client: TestClient[Litestar],
    initialised_settings: Settings,
    case: str,
    overrides: dict[str, str | list[str]],
    field: str,
    message: str,
) -> None:
    form = full_report_form(**overrides)
    response = post_form(client, "/report?lang=en", form)
    assert response.status_code == 400, case
    assert response.headers["content-type"].startswith("text/html")
    assert f'id="error-{field}"' in response.text
    assert message in response.text
    assert 'class="error-summary"' in response.text
    invalid = {"area", "region", "incident_period"} & set(overrides)
    kept = full_report_form(**{name: value for name, value in overrides.items() if name not in invalid})
    if "grounds" in overrides:
        kept["grounds"] = ["religion"]
    assert_report_values_kept(response.text, kept, except_fields=tuple(invalid))
    assert run(report_count(initialised_settings)) == 0


def test_error_messages_are_translated(client: TestClient[Litestar]) -> None:
    response = post_form(client, "/report?lang=de", full_report_form(description=""))
    assert response.status_code == 400
    assert "Bitte beschreiben Sie, was passiert ist." in response.text
    assert "Nichts von Ihren Eingaben ist verloren." in response.text


def test_rejected_file_keeps_the_rest_including_good_files(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    form = full_report_form()
    files = [
        ("attachments", ("notes.docx", b"PK\x03\x04 not a photo", "application/octet-stream")),
        ("attachments", ("photo.jpg", jpeg_with_gps(), "image/jpeg")),
    ]
    response = post_form(client, "/report?lang=en", form, files)
    assert response.status_code == 400
    assert "“notes.docx” is not a photo or PDF file" in response.text
    assert_report_values_kept(response.text, form)
    state = form_state(response.text)
    kept = [value for name, value in state.checked if name == "kept_attachment"]
    assert len(kept) == 1
    assert "photo.jpg" in response.text
    assert run(report_count(initialised_settings)) == 0

    # Sending again with the kept file (the browser sends the ticked box back) stores it.
    again = post_form(client, "/report?lang=en", {**form, "kept_attachment": kept})
    assert again.status_code == 200
    receipt_code(again)


def test_tampered_kept_file_is_ignored(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    form = full_report_form(description="")
    files = [("attachments", ("photo.jpg", jpeg_with_gps(), "image/jpeg"))]
    first = post_form(client, "/report?lang=en", form, files)
    token = next(value for name, value in form_state(first.text).checked if name == "kept_attachment")
    encoded, _dot, signature = token.partition(".")
    forged = f"{encoded}.{'0' * len(signature)}"
    response = post_form(client, "/report?lang=en", {**form, "kept_attachment": forged})
    assert response.status_code == 400
    assert "kept_attachment" not in {name for name, _value in form_state(response.text).checked}


def _noise_png(seed: int, width: int = 1100, height: int = 1000) -> bytes:
    pixels = random.Random(seed).randbytes(width * height * 4)
    buffer = io.BytesIO()
    Image.frombytes("RGBA", (width, height), pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_file_limits_per_file_count_and_total(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    form = full_report_form()
    too_big = [("attachments", ("scan.pdf", pdf_bytes(size=MAX_FILE_BYTES + 1), "application/pdf"))]
    response = post_form(client, "/report?lang=en", form, too_big)
    assert response.status_code == 400
    assert "“scan.pdf” is larger than 5 MB" in response.text
    assert_report_values_kept(response.text, form)

    four = [("attachments", (f"page{index}.pdf", pdf_bytes(), "application/pdf")) for index in range(4)]
    response = post_form(client, "/report?lang=en", form, four)
    assert response.status_code == 400
    assert "“page3.pdf” was not added: at most 3 files" in response.text
    assert len([name for name, _value in form_state(response.text).checked if name == "kept_attachment"]) == 3

    # Noise does not compress: each picture stays about 4.4 MB after it is rebuilt from its pixels.
    large = [("attachments", (f"big{index}.png", _noise_png(seed=index), "image/png")) for index in range(3)]
    response = post_form(client, "/report?lang=en", form, large)
    assert response.status_code == 400
    assert "“big2.png” was not added: all files together may be at most 12 MB" in response.text
    assert run(report_count(initialised_settings)) == 0


def test_a_few_large_phone_photos_come_back_as_messages_not_an_error_page(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    form = full_report_form()
    photos = [
        ("attachments", (f"IMG_{index}.jpg", b"\xff\xd8" + b"\0" * 12_000_000, "image/jpeg")) for index in range(3)
    ]
    response = post_form(client, "/report?lang=en", form, photos)
    assert response.status_code == 400
    for index in range(3):
        assert f"“IMG_{index}.jpg” is larger than 5 MB" in response.text
    assert_report_values_kept(response.text, form)
    assert run(report_count(initialised_settings)) == 0


def test_malformed_and_oversized_requests_get_a_friendly_page(client: TestClient[Litestar]) -> None:
    token = client.get("/").cookies.get("csrftoken") or client.cookies["csrftoken"]
    malformed = client.post(
        "/report",
        content=b'--xyz\r\nContent-Disposition: form-data; name="description"\r\n\r\nhello',
        headers={"Content-Type": "multipart/form-data; boundary=xyz", "X-CSRFToken": token},
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"].startswith("text/html")
    assert "Traceback" not in malformed.text

    oversized = client.post(
        "/report",
        content=b"a" * (65 * 1024 * 1024),
        headers={"Content-Type": "multipart/form-data; boundary=xyz", "X-CSRFToken": token},
    )
    assert oversized.status_code == 413
    assert oversized.headers["content-type"].startswith("text/html")
    assert "smaller or fewer files" in oversized.text or "kleinere oder weniger Dateien" in oversized.text

    json_body = client.post("/report", json={"description": "x"}, headers={"X-CSRFToken": token})
    assert json_body.status_code == 400
    assert json_body.headers["content-type"].startswith("text/html")


def test_lost_csrf_cookie_keeps_the_form_and_issues_a_new_token(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    """A phone's browser closed in the background loses its session cookie: the text must survive."""
    client.get("/")
    client.cookies.clear()
    form = full_report_form()
    files = [("attachments", ("photo.jpg", jpeg_with_gps(), "image/jpeg"))]
    refused = client.post("/report?lang=en", data={**form, "_csrf_token": "stale"}, files=files)
    assert refused.status_code == 403
    assert "security cookie was missing or had expired" in refused.text
    assert_report_values_kept(refused.text, form)
    assert run(report_count(initialised_settings)) == 0
    new_token = form_state(refused.text).hidden["_csrf_token"][0]
    assert new_token
    assert client.cookies.get("csrftoken")

    accepted = client.post("/report?lang=en", data={**form, "_csrf_token": new_token})
    assert accepted.status_code == 200
    code = receipt_code(accepted)

    client.cookies.clear()
    mailbox = client.post("/mailbox?lang=en", data={"code": code, "_csrf_token": "stale"})
    assert mailbox.status_code == 403
    assert f'value="{code}"' in mailbox.text
    client.cookies.clear()
    reply = client.post("/mailbox/reply?lang=en", data={"code": code, "message": "Please keep this."})
    assert reply.status_code == 403
    assert ">Please keep this.</textarea>" in reply.text
    assert code not in reply.text


def test_without_recovery_key_reports_are_refused_and_nothing_is_lost(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    (initialised_settings.keys_dir / RECOVERY_PUBLIC_KEY_FILENAME).unlink()
    page = client.get("/?lang=en")
    assert "cannot accept reports at the moment" in page.text
    form = full_report_form()
    response = post_form(client, "/report?lang=en", form)
    assert response.status_code == 503
    assert "Nothing was stored" in response.text
    assert_report_values_kept(response.text, form)
    assert run(report_count(initialised_settings)) == 0


def test_receipt_shows_the_code_in_groups_and_how_to_keep_it(client: TestClient[Litestar]) -> None:
    response = post_form(client, "/report?lang=en", full_report_form())
    assert response.status_code == 200
    code = receipt_code(response)
    assert re.fullmatch(r"\d{4}( \d{4}){4}", code)
    assert "only way back" in response.text
    assert "Write the code on paper" in response.text
    assert "Do not send it by e-mail" in response.text
    # The receipt page is fetched with GET (Post/Redirect/Get), so its language menu is plain links.
    assert [step.status_code for step in response.history] == [303]
    assert 'href="/receipt?lang=ar"' in response.text
    switched = client.get("/receipt?lang=uk")
    assert receipt_code(switched) == code
    assert 'lang="uk"' in switched.text
