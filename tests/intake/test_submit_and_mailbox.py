"""The whole way of a report: form → sealed report → receipt → mailbox → an adviser's reply read in the
mailbox → the reporter's answer read by the adviser. Also what is stored in clear, wrong codes and the
mailbox's rate limit."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select, update

from reporting.config.settings import Settings
from reporting.crypto.receipt import ReceiptKeys, derive_receipt_keys
from reporting.crypto.report_keys import MAILBOX_KEY
from reporting.db.engine import session_scope
from reporting.db.models import Attachment, AuditEvent, CaseCode, Message, Report
from reporting.vault import opening, sealing, values
from reporting.vault.period_keys import PeriodKeys
from tests.intake.conftest import (
    Coordinator,
    form_state,
    full_report_form,
    jpeg_with_gps,
    only_report,
    pdf_bytes,
    post_form,
    receipt_code,
    report_count,
    run,
)


async def _staff_reply(settings: Settings, coordinator: Coordinator, body: str) -> None:
    """What the staff area will do: open the mailbox key with the adviser's private key and seal a reply."""
    async with session_scope(settings) as session:
        report = (await session.execute(select(Report))).scalar_one()
        mailbox_key = await opening.data_key_for_staff(
            session,
            PeriodKeys.of(settings),
            report.id,
            MAILBOX_KEY,
            staff_id=coordinator.id,
            private_key=coordinator.private_key,
        )
        await sealing.add_message(
            session, report, mailbox_key=mailbox_key, author=values.STAFF, body=body, staff_id=coordinator.id
        )
        report.status = "waiting_for_reporter"


async def _open_as_staff(settings: Settings, coordinator: Coordinator) -> tuple[values.OpenedCase, dict[str, bytes]]:
    async with session_scope(settings) as session:
        report = (await session.execute(select(Report))).scalar_one()
        case = await opening.open_case(
            session, PeriodKeys.of(settings), report, staff_id=coordinator.id, private_key=coordinator.private_key
        )
        contents = {}
        for attachment in case.attachments:
            _meta, content = await opening.open_attachment(
                session,
                PeriodKeys.of(settings),
                report.id,
                attachment.id,
                staff_id=coordinator.id,
                private_key=coordinator.private_key,
            )
            contents[attachment.filename] = content
        return case, contents


def _assert_no_metadata(image_bytes: bytes) -> None:
    with Image.open(io.BytesIO(image_bytes)) as image:
        assert not image.getexif()
        assert "exif" not in image.info
        assert "icc_profile" not in image.info
        assert "comment" not in image.info
    assert b"CanaryCam" not in image_bytes
    assert b"Exif" not in image_bytes


def test_report_to_receipt_to_mailbox_and_back(
    client: TestClient[Litestar], initialised_settings: Settings, coordinator: Coordinator
) -> None:
    form = full_report_form()
    files = [
        ("attachments", ("C:\\fakepath\\IMG_2024.JPG", jpeg_with_gps(), "image/jpeg")),
        ("attachments", ("letter.pdf", pdf_bytes("letter from the landlord"), "application/pdf")),
    ]
    submitted = post_form(client, "/report?lang=en", form, files)
    assert submitted.status_code == 200
    code = receipt_code(submitted)

    # Stored in clear: the day, the language, the source and the chosen codes; everything else sealed.
    report = run(only_report(initialised_settings))
    assert report.received_on == dt.date.today()
    assert report.language == "en"
    assert report.source == "online"
    assert report.status == "new"
    assert report.consent_statistics is True
    assert report.wants_counselling is True
    assert report.sealed_narrative is not None
    assert str(form["description"]).encode() not in report.sealed_narrative

    async def reporter_codes() -> set[tuple[str, str]]:
        async with session_scope(initialised_settings) as session:
            rows = (await session.execute(select(CaseCode.dimension, CaseCode.code))).all()
            return {(dimension, value) for dimension, value in rows}

    assert run(reporter_codes()) == {
        ("grounds", "racism_ethnic_origin"),
        ("grounds", "religion"),
        ("grounds", "unknown"),
        ("incident_period", f"{dt.date.today():%Y-%m}"),
        ("areas", "housing"),
        ("regions", "borken"),
        ("affected", "me"),
        ("reporter_roles", "affected"),
        ("authority_involved", "no"),
        ("structural", "unsure"),
    }

    # The adviser reads everything, and the photo has lost its GPS position and camera data.
    case, contents = run(_open_as_staff(initialised_settings, coordinator))
    assert case.content.narrative == form["description"]
    assert case.content.contact == form["contact"]
    assert case.content.answers["area"] == "housing"
    assert case.content.answers["grounds"] == "racism_ethnic_origin,religion,unknown"
    assert sorted(contents) == ["IMG_2024.jpg", "letter.pdf"]
    _assert_no_metadata(contents["IMG_2024.jpg"])
    # The PDF was redrawn from its pages: the original (with its hidden comment) was never stored.
    assert contents["letter.pdf"].startswith(b"%PDF-")
    assert b"letter from the landlord" not in contents["letter.pdf"]
    assert len(PdfReader(io.BytesIO(contents["letter.pdf"])).pages) == 1

    # The mailbox opens with the code, typed without spaces too.
    mailbox = post_form(client, "/mailbox?lang=en", {"code": code.replace(" ", "")})
    assert mailbox.status_code == 200
    assert "Received" in mailbox.text
    assert "No messages yet." in mailbox.text

    run(_staff_reply(initialised_settings, coordinator, "Thank you. Could you tell us the month again?"))
    mailbox = post_form(client, "/mailbox?lang=en", {"code": code})
    assert "Thank you. Could you tell us the month again?" in mailbox.text
    assert "A question for you" in mailbox.text
    assert "Waiting for the reporter" not in mailbox.text  # staff wording
    assert "Caritas advisers" in mailbox.text

    reply = post_form(
        client,
        "/mailbox/reply?lang=en",
        {"code": code, "message": "It was in March.\nThe same man again."},
        [("attachments", ("second.jpg", jpeg_with_gps(), "image/jpeg"))],
    )
    assert reply.status_code == 200
    assert "What you sent has reached the advisers" in reply.text
    assert "It was in March.\nThe same man again." in reply.text
    assert reply.text.index("Could you tell us the month") < reply.text.index("It was in March.")
    # Answered: the mailbox no longer asks for a reply, though staff have not changed the status yet.
    assert "Your answer has arrived" in reply.text
    assert "Please read the messages below and reply" not in reply.text

    case, contents = run(_open_as_staff(initialised_settings, coordinator))
    assert [(message.author, message.body) for message in case.messages] == [
        ("staff", "Thank you. Could you tell us the month again?"),
        ("reporter", "It was in March.\nThe same man again."),
    ]
    assert "second.jpg" in contents
    _assert_no_metadata(contents["second.jpg"])

    async def mailbox_attachment_purposes() -> set[tuple[str, str]]:
        async with session_scope(initialised_settings) as session:
            rows = (await session.execute(select(Attachment.added_by, Attachment.key_purpose))).all()
            return {(added_by, purpose) for added_by, purpose in rows}

    assert run(mailbox_attachment_purposes()) == {("reporter", "case"), ("reporter", "mailbox")}


def test_status_is_translated(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    code = receipt_code(post_form(client, "/report?lang=de", full_report_form()))
    mailbox = post_form(client, "/mailbox?lang=de", {"code": code})
    assert "Eingegangen" in mailbox.text
    assert "Ihre Meldung ist angekommen." in mailbox.text


def test_mailbox_reply_errors_keep_the_text(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    code = receipt_code(post_form(client, "/report?lang=en", full_report_form()))
    empty = post_form(client, "/mailbox/reply?lang=en", {"code": code, "message": "  "})
    assert empty.status_code == 400
    assert "Please write a message or add a file." in empty.text

    long_text = "z" * 10_001
    too_long = post_form(client, "/mailbox/reply?lang=en", {"code": code, "message": long_text})
    assert too_long.status_code == 400
    assert f">{long_text}</textarea>" in too_long.text

    bad_file = post_form(
        client,
        "/mailbox/reply?lang=en",
        {"code": code, "message": "see the file"},
        [("attachments", ("virus.exe", b"MZ\x90\x00", "application/octet-stream"))],
    )
    assert bad_file.status_code == 400
    assert "“virus.exe” is not a photo or PDF file" in bad_file.text
    assert ">see the file</textarea>" in bad_file.text
    # The code stays in the page (hidden field), so the reporter can correct and send without retyping it.
    assert f'name="code" value="{code}"' in bad_file.text


def test_every_wrong_code_gets_the_same_answer_and_the_same_work(
    client: TestClient[Litestar], initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt_code(post_form(client, "/report?lang=en", full_report_form()))
    derivations: list[str] = []

    def counting(code: str, salt: bytes) -> ReceiptKeys:
        derivations.append(code)
        return derive_receipt_keys(code, salt)

    monkeypatch.setattr(opening, "derive_receipt_keys", counting)
    wrong_codes = ["", "123", "abcd efgh", "1234 5678 9012 3456 7890", "١٢٣٤ ٥٦٧٨ ٩٠١٢ ٣٤٥٦ ٧٨٩٠", "9" * 500]
    answers, durations = set(), []
    for wrong in wrong_codes:
        started = time.perf_counter()
        response = post_form(client, "/mailbox?lang=en", {"code": wrong})
        durations.append(time.perf_counter() - started)
        assert response.status_code == 400
        answers.add(response.text.replace(f'value="{wrong}"', 'value=""'))
    assert len(answers) == 1
    assert "No mailbox could be opened with this code." in answers.pop()
    assert len(derivations) == len(wrong_codes)
    # And none is answered before that run ends: 64 MiB Argon2id with three passes cannot finish in 30 ms
    # on any machine, while an answer that skipped it would take a few milliseconds.
    assert min(durations) > 0.03


def test_mailbox_attempts_are_rate_limited(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    for _attempt in range(10):
        assert post_form(client, "/mailbox?lang=en", {"code": "1111 2222 3333 4444 5555"}).status_code == 400
    blocked = post_form(client, "/mailbox?lang=en", {"code": "1111 2222 3333 4444 5555"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text
    assert blocked.headers["content-type"].startswith("text/html")
    # A reply that hits the limit is not lost: its text is shown to copy.
    reply = post_form(client, "/mailbox/reply?lang=en", {"code": "1111 2222 3333 4444 5555", "message": "Keep me"})
    assert reply.status_code == 429
    assert ">Keep me</textarea>" in reply.text


def test_reloading_the_receipt_or_a_double_click_stores_nothing_twice_and_shows_the_same_code(
    client: TestClient[Litestar], initialised_settings: Settings, coordinator: Coordinator
) -> None:
    form_page = client.get("/?lang=en")
    submission_id = form_state(form_page.text).hidden["submission_id"][0]
    form = full_report_form(submission_id=submission_id)
    first = post_form(client, "/report?lang=en", form)
    code = receipt_code(first)
    again = post_form(client, "/report?lang=en", form)
    assert again.status_code == 200
    assert receipt_code(again) == code
    assert "Nothing was sent twice" in again.text
    assert run(report_count(initialised_settings)) == 1

    mailbox = post_form(client, "/mailbox?lang=en", {"code": code})
    reply_id = form_state(mailbox.text).hidden["submission_id"][0]
    reply = {"code": code, "message": "Only once, please.", "submission_id": reply_id}
    assert post_form(client, "/mailbox/reply?lang=en", reply).status_code == 200
    repeated = post_form(client, "/mailbox/reply?lang=en", reply)
    assert repeated.status_code == 409
    assert "This was already sent" in repeated.text
    case, _contents = run(_open_as_staff(initialised_settings, coordinator))
    assert [message.body for message in case.messages] == ["Only once, please."]


def test_a_mailbox_changed_in_the_database_is_refused_plainly_and_raises_an_alarm(
    client: TestClient[Litestar], initialised_settings: Settings, coordinator: Coordinator
) -> None:
    """An adviser's reply relabelled as the reporter's (or any stored part that no longer opens) is never
    shown under the wrong name: the reporter gets a 409 page in their language, the staff an audit alarm."""
    code = receipt_code(post_form(client, "/report?lang=en", full_report_form()))
    run(_staff_reply(initialised_settings, coordinator, "An adviser's answer"))

    async def relabel() -> None:
        async with session_scope(initialised_settings) as session:
            await session.execute(update(Message).values(author=values.REPORTER, staff_id=None))

    run(relabel())
    for lang, title in (("en", "Your mailbox cannot be shown right now"), ("de", "Ihr Postfach")):
        refused = post_form(client, f"/mailbox?lang={lang}", {"code": code})
        assert refused.status_code == 409
        assert title in refused.text
        assert "An adviser's answer" not in refused.text
    reply = post_form(client, "/mailbox/reply?lang=en", {"code": code, "message": "Still there?"})
    assert reply.status_code == 409

    async def alarms() -> list[str]:
        async with session_scope(initialised_settings) as session:
            return list((await session.execute(select(AuditEvent.action))).scalars())

    assert run(alarms()).count("mailbox.tampered") == 3
