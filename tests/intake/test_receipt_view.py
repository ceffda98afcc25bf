"""Post/Redirect/Get for the receipt: the form's POST answers 303, and ``GET /receipt`` shows the code from
a sealed session cookie for a short time. Reload, Back and Forward re-fetch a GET and never meet a
"Confirm Form Resubmission"; the server stores nothing to do it."""

from __future__ import annotations

import base64
import time

from litestar import Litestar
from litestar.testing import TestClient

from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.intake.receipt_view import (
    RECEIPT_COOKIE,
    RECEIPT_VIEW_SECONDS,
    ReceiptView,
    open_receipt_view,
    receipt_view_key,
    seal_receipt_view,
)
from tests.intake.conftest import full_report_form, post_form, receipt_code

CODE = "1234 5678 9012 3456 7890"


def _secrets(byte: int) -> bytes:
    return bytes([byte]) * 32


def test_the_sealed_view_opens_only_unaltered_on_its_instance_and_in_time() -> None:
    now = time.time()
    sealed = seal_receipt_view(_secrets(1), ReceiptView(CODE, shown_again=False), now=now)
    assert "1234" not in base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4)).decode("latin-1")
    assert open_receipt_view(_secrets(1), sealed, now=now + RECEIPT_VIEW_SECONDS - 1) == ReceiptView(CODE, False)
    assert open_receipt_view(_secrets(1), sealed, now=now + RECEIPT_VIEW_SECONDS + 1) is None
    assert open_receipt_view(_secrets(2), sealed, now=now) is None
    altered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    assert open_receipt_view(_secrets(1), altered, now=now) is None
    assert open_receipt_view(_secrets(1), "not base64 at all!", now=now) is None
    assert open_receipt_view(_secrets(1), "", now=now) is None


def test_the_form_redirects_to_a_receipt_page_that_shows_the_code_again(client: TestClient[Litestar]) -> None:
    sent = post_form(client, "/report?lang=ar", full_report_form())
    assert [(step.status_code, step.headers["location"]) for step in sent.history] == [(303, "/receipt?lang=ar")]
    code = receipt_code(sent)
    assert code.replace(" ", "") not in client.cookies[RECEIPT_COOKIE]
    again = client.get("/receipt?lang=ar")  # a reload, Back then Forward: a GET, never a re-post
    assert receipt_code(again) == code
    assert 'lang="ar"' in again.text
    assert "sent before" not in again.text


def test_sending_the_same_form_again_leads_to_the_same_code_with_a_note(client: TestClient[Litestar]) -> None:
    form = {**full_report_form(), "submission_id": "one-form-in-one-tab"}
    first = receipt_code(post_form(client, "/report?lang=en", form))
    client.cookies.delete(RECEIPT_COOKIE)
    repeat = post_form(client, "/report?lang=en", form)
    assert receipt_code(repeat) == first
    assert "This form was sent before" in repeat.text


def test_without_a_valid_cookie_the_receipt_page_explains_and_shows_no_code(client: TestClient[Litestar]) -> None:
    for cookie in (None, "forged", seal_receipt_view(_secrets(9), ReceiptView(CODE, shown_again=False))):
        client.cookies.clear()
        if cookie is not None:
            client.cookies.set(RECEIPT_COOKIE, cookie, domain="testserver.local", path="/receipt")
        page = client.get("/receipt?lang=en")
        assert page.status_code == 200
        assert "The receipt code is no longer shown" in page.text
        assert 'class="receipt-code"' not in page.text
        assert 'href="/mailbox?lang=en"' in page.text


def test_nothing_on_disk_opens_the_receipt_cookie(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    """The cookie's key comes from the workers' in-memory seed: a seized server's instance secret (or any
    key derived from it, as the first design did) opens no copied cookie, while the running service does."""
    sent = post_form(client, "/report?lang=en", full_report_form())
    sealed = client.cookies[RECEIPT_COOKIE]
    opened = open_receipt_view(receipt_view_key(), sealed)
    assert opened is not None
    assert opened.code == receipt_code(sent)
    on_disk = load_instance_secrets(initialised_settings)
    for purpose in ("receipt-view-cookie/v1", "receipt", "cookie", "session"):
        assert open_receipt_view(on_disk.derive(purpose), sealed) is None
    assert open_receipt_view(on_disk.signing_key, sealed) is None
