"""A receipt is a promise: when the database refuses the commit (a deferred constraint on PostgreSQL, a
full disk on SQLite), no receipt and no "sent" is shown; the form comes back with everything typed and
the attachments, in the visitor's language, and the failure is logged without content."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from reporting.config.settings import Settings
from tests.commit_faults import CommitBreaker, assert_not_stored_logged, instance_on_a_small_disk
from tests.intake.conftest import (
    assert_report_values_kept,
    form_state,
    full_report_form,
    pdf_bytes,
    post_form,
    receipt_code,
    report_count,
    run,
)

NARRATIVE = "Der Vermieter sagte, Leute wie ich bekommen hier keine Wohnung. Kanarienvogel-7731."
REPLY = "Er hat es heute wieder gesagt. Kanarienvogel-4410."


@pytest.fixture
def initialised_settings(settings: Settings) -> Iterator[Settings]:
    with instance_on_a_small_disk(settings) as ready:
        yield ready


@pytest.fixture
def breaker(initialised_settings: Settings) -> CommitBreaker:
    return CommitBreaker(initialised_settings)


def _assert_not_stored_page(html: str) -> None:
    assert "Es wurde nichts gespeichert" in html
    assert 'class="receipt-code"' not in html


def test_a_report_that_cannot_be_stored_gets_no_receipt(
    client: TestClient[Litestar],
    initialised_settings: Settings,
    breaker: CommitBreaker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    csrf_form = client.get("/")
    assert csrf_form.status_code == 200
    breaker.refuse(["report"])
    form = full_report_form(description=NARRATIVE)
    files = [("attachments", ("brief.pdf", pdf_bytes("letter from the landlord"), "application/pdf"))]
    with caplog.at_level(logging.INFO):
        answer = post_form(client, "/report", form, files)

    assert answer.status_code == 503, answer.text
    _assert_not_stored_page(answer.text)
    assert_report_values_kept(answer.text, form)
    assert "brief.pdf" in answer.text
    assert form_state(answer.text).hidden.get("submission_id")
    breaker.make_room()
    assert run(report_count(initialised_settings)) == 0
    assert_not_stored_logged(caplog, NARRATIVE, "Phone 0176")


def test_a_reply_that_cannot_be_stored_is_not_confirmed(
    client: TestClient[Litestar],
    initialised_settings: Settings,
    breaker: CommitBreaker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    code = receipt_code(post_form(client, "/report", full_report_form()))
    breaker.refuse(["message", "attachment"])
    files = [("attachments", ("foto.pdf", pdf_bytes("photo of the notice"), "application/pdf"))]
    with caplog.at_level(logging.INFO):
        answer = post_form(client, "/mailbox/reply", {"code": code, "message": REPLY}, files)

    assert answer.status_code == 503, answer.text
    assert "Es wurde nichts gespeichert" in answer.text
    assert "ist bei der Beratung angekommen" not in answer.text
    assert f">{REPLY}</textarea>" in answer.text
    assert "foto.pdf" in answer.text
    assert f'name="code" value="{code}"' in answer.text
    assert_not_stored_logged(caplog, REPLY, code)
