"""Case work: status workflow, notes, replies to the reporter, assignment, access grants and their end."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.auth import accounts
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import report_keys
from reporting.db.models import Attachment, Message, Note, StaffAccount, WrappedKey
from reporting.vault import opening, values
from reporting.vault.period_keys import PeriodKeys
from tests.casework.case_helpers import (
    NARRATIVE,
    actions,
    actor,
    audit_events,
    load_report,
    seed_case,
    use_cheap_receipts,
)
from tests.casework.conftest import StaffClient, post_form
from tests.conftest import run_db


def test_status_workflow_with_reason_for_closing(staff_client: StaffClient, initialised_settings: Settings) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account]).id
    url = f"/staff/cases/{case}/status"

    response = post_form(adviser, url, {"status": "in_progress"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/cases/{case}?saved=status#status"
    assert post_form(adviser, url, {"status": "waiting_for_reporter"}).status_code == 303

    refused = post_form(adviser, url, {"status": "closed"})  # no reason
    assert refused.status_code == 400
    assert "Grund" in refused.text  # the German error message, beside the form
    assert NARRATIVE in refused.text  # the page is shown again with the case
    assert post_form(adviser, url, {"status": "closed", "close_reason": "nonsense"}).status_code == 400
    assert post_form(adviser, url, {"status": "new"}).status_code == 400  # no way back to "new"

    asked = post_form(adviser, url, {"status": "closed", "close_reason": "resolved"})
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/staff/cases/{case}/close?reason=resolved", "closing asks first"
    assert load_report(initialised_settings, case).status == "waiting_for_reporter"
    confirmation = adviser.get(asked.headers["location"] + "&lang=en")
    assert confirmation.status_code == 200
    assert "Close this case?" in confirmation.text
    assert "You can reopen it at any time" in confirmation.text
    assert 'name="confirmed" value="yes"' in confirmation.text
    assert 'name="close_reason" value="resolved"' in confirmation.text
    assert NARRATIVE not in confirmation.text, "the confirmation decrypts nothing"
    assert adviser.get(f"/staff/cases/{case}/close?reason=nonsense").status_code == 400
    assert load_report(initialised_settings, case).status == "waiting_for_reporter"
    closing = post_form(adviser, url, {"status": "closed", "close_reason": "resolved", "confirmed": "yes"})
    assert closing.headers["location"] == f"/staff/cases/{case}?saved=status#status"
    assert adviser.get(f"/staff/cases/{case}/close?reason=resolved").status_code == 400, "closed already"

    report = load_report(initialised_settings, case)
    assert (report.status, report.close_reason, report.closed_on) == ("closed", "resolved", dt.date.today())
    assert post_form(adviser, url, {"status": "in_progress"}).status_code == 303  # reopened
    report = load_report(initialised_settings, case)
    assert (report.status, report.close_reason, report.closed_on) == ("in_progress", None, None)
    status_events = [
        detail for _, action, detail in audit_events(initialised_settings, case) if action == "case.status"
    ]
    assert status_events == [
        "new->in_progress",
        "in_progress->waiting_for_reporter",
        "waiting_for_reporter->closed;reason=resolved",
        "closed->in_progress",
    ]
    # Every refused attempt re-rendered (decrypted) the page: each of those openings is in the log too.
    assert actions(initialised_settings, case).count("case.open") == 5


def test_notes_are_sealed_and_shown_to_staff(staff_client: StaffClient, initialised_settings: Settings) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account]).id

    note = "Called the landlord, no answer."
    assert post_form(adviser, f"/staff/cases/{case}/notes", {"body": note}).status_code == 303
    empty = post_form(adviser, f"/staff/cases/{case}/notes", {"body": "   "})
    assert empty.status_code == 400

    assert note in adviser.get(f"/staff/cases/{case}").text

    async def sealed_notes(db: AsyncSession) -> list[bytes]:
        return list((await db.execute(select(Note.sealed_body).where(Note.report_id == case))).scalars())

    [sealed] = run_db(initialised_settings, sealed_notes)
    assert b"landlord" not in sealed
    assert "case.note" in actions(initialised_settings, case)
    assert all("landlord" not in detail for _, _, detail in audit_events(initialised_settings, case))


def test_reply_is_sealed_to_the_receipt_and_readable_in_the_mailbox(
    staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_receipts(monkeypatch)
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account], receipt_code=True)
    reply = "Thank you. We have written to the landlord and will tell you the answer."

    response = post_form(adviser, f"/staff/cases/{case.id}/messages", {"body": reply, "wait_for_reporter": "yes"})

    assert response.status_code == 303
    assert actions(initialised_settings, case.id) == ["case.message", "case.status"]
    assert load_report(initialised_settings, case.id).status == "waiting_for_reporter"
    assert reply in adviser.get(f"/staff/cases/{case.id}").text

    async def read_as_reporter(db: AsyncSession) -> list[values.OpenedMessage]:
        assert case.receipt_code is not None
        found = await opening.find_report_by_receipt(db, load_instance_secrets(initialised_settings), case.receipt_code)
        assert found is not None
        report, receipt = found
        return await opening.open_messages(
            db,
            report.id,
            await opening.mailbox_key_for_reporter(db, PeriodKeys.of(initialised_settings), report, receipt),
        )

    [message] = run_db(initialised_settings, read_as_reporter)
    assert (message.author, message.body, message.staff_id) == ("staff", reply, adviser.staff_account.id)

    async def sealed_bodies(db: AsyncSession) -> list[bytes]:
        return list((await db.execute(select(Message.sealed_body))).scalars())

    assert all(b"landlord" not in body for body in run_db(initialised_settings, sealed_bodies))


def test_no_reply_form_without_a_receipt_code(staff_client: StaffClient, initialised_settings: Settings) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account]).id
    assert 'action="/staff/cases/' + str(case) + '/messages"' not in adviser.get(f"/staff/cases/{case}").text
    assert post_form(adviser, f"/staff/cases/{case}/messages", {"body": "hello"}).status_code == 400


def test_assignment_grants_access_and_lists_the_case_for_the_adviser(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings).id
    assert adviser.get(f"/staff/cases/{case}").status_code == 403

    response = post_form(coordinator, f"/staff/cases/{case}/assignment", {"assignee": str(adviser.staff_account.id)})

    assert response.status_code == 303
    assert load_report(initialised_settings, case).assignee_id == adviser.staff_account.id
    assert NARRATIVE in adviser.get(f"/staff/cases/{case}").text
    assert str(case) in adviser.get("/staff/").text
    assert ("staff:" + str(adviser.staff_account.id)) in [
        detail for _, action, detail in audit_events(initialised_settings, case) if action == "case.assign"
    ]
    # Only coordinators assign and grant.
    assert post_form(adviser, f"/staff/cases/{case}/assignment", {"assignee": "none"}).status_code == 403
    assert post_form(coordinator, f"/staff/cases/{case}/assignment", {"assignee": "none"}).status_code == 303
    assert load_report(initialised_settings, case).assignee_id is None


def test_assignment_refuses_staff_without_case_roles(staff_client: StaffClient, initialised_settings: Settings) -> None:
    coordinator = staff_client("coordinator")
    statistician = staff_client("statistician")
    case = seed_case(initialised_settings).id
    for assignee in (str(statistician.staff_account.id), "not-an-id"):
        response = post_form(coordinator, f"/staff/cases/{case}/assignment", {"assignee": assignee})
        assert response.status_code == 400
    response = post_form(coordinator, f"/staff/cases/{case}/access", {"staff_id": str(statistician.staff_account.id)})
    assert response.status_code == 400
    assert load_report(initialised_settings, case).assignee_id is None


def test_grant_and_revoke_access(staff_client: StaffClient, initialised_settings: Settings) -> None:
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings).id
    adviser_id = adviser.staff_account.id

    assert post_form(coordinator, f"/staff/cases/{case}/access", {"staff_id": str(adviser_id)}).status_code == 303
    assert adviser.get(f"/staff/cases/{case}").status_code == 200

    response = post_form(coordinator, f"/staff/cases/{case}/access/{adviser_id}/revoke")
    assert response.status_code == 303

    async def adviser_keys(db: AsyncSession) -> int:
        return len((await db.execute(select(WrappedKey).where(WrappedKey.staff_id == adviser_id))).all())

    assert run_db(initialised_settings, adviser_keys) == 0
    assert adviser.get(f"/staff/cases/{case}").status_code == 403
    assert str(case) not in adviser.get("/staff/").text
    own_id = coordinator.staff_account.id
    assert post_form(coordinator, f"/staff/cases/{case}/access/{own_id}/revoke").status_code == 400
    grant_events = [
        (action, detail) for _, action, detail in audit_events(initialised_settings, case) if action != "case.open"
    ]
    assert grant_events[:2] == [("case.grant", f"staff:{adviser_id}"), ("case.revoke", f"staff:{adviser_id}")]


def test_disabling_an_account_stops_its_access_at_once(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account]).id
    assert adviser.get(f"/staff/cases/{case}").status_code == 200

    async def disable(db: AsyncSession) -> None:
        await accounts.disable_staff(db, adviser.staff_account.id)

    run_db(initialised_settings, disable)

    for path in (f"/staff/cases/{case}", "/staff/", f"/staff/cases/{case}/export"):
        response = adviser.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/login"
    assert actions(initialised_settings, case) == ["case.open"]
    assert actor(adviser.staff_account) == audit_events(initialised_settings, case)[0][0]


def test_a_message_whose_author_was_swapped_in_the_database_is_refused_and_audited(
    staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 10: an adviser's words never appear as the reporter's (nor in another order or on another day)."""
    use_cheap_receipts(monkeypatch)
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account], receipt_code=True)
    assert post_form(adviser, f"/staff/cases/{case.id}/messages", {"body": "Adviser's words"}).status_code == 303

    async def swap_author(db: AsyncSession) -> None:
        await db.execute(update(Message).values(author="reporter", staff_id=None))

    run_db(initialised_settings, swap_author)
    page = adviser.get(f"/staff/cases/{case.id}")
    assert page.status_code == 409
    assert "Dieser Fall kann nicht angezeigt werden" in page.text
    assert "Adviser's words" not in page.text
    assert "case.tampered" in actions(initialised_settings, case.id)


def test_a_wrapped_key_swapped_in_the_database_gives_a_409_page_and_is_audited(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    """Any crypto refusal on a case page (here a key copied from another case) is a plain 409, never a 500."""
    coordinator = staff_client("coordinator")
    case, other = seed_case(initialised_settings).id, seed_case(initialised_settings).id

    async def swap_keys(db: AsyncSession) -> None:
        own = select(WrappedKey.wrapped_data_key).where(
            WrappedKey.report_id == other, WrappedKey.staff_id == coordinator.staff_account.id
        )
        for purpose in (report_keys.CASE_KEY, report_keys.MAILBOX_KEY):
            blob = (await db.execute(own.where(WrappedKey.key_purpose == purpose))).scalar_one()
            await db.execute(
                update(WrappedKey)
                .where(
                    WrappedKey.report_id == case,
                    WrappedKey.key_purpose == purpose,
                    WrappedKey.staff_id == coordinator.staff_account.id,
                )
                .values(wrapped_data_key=blob)
            )

    run_db(initialised_settings, swap_keys)
    adviser = staff_client("adviser")
    for response in (
        coordinator.get(f"/staff/cases/{case}"),
        coordinator.get(f"/staff/cases/{case}/export"),
        post_form(coordinator, f"/staff/cases/{case}/access", {"staff_id": str(adviser.staff_account.id)}),
    ):
        assert response.status_code == 409
        assert "Dieser Fall kann nicht angezeigt werden" in response.text
    assert actions(initialised_settings, case).count("case.tampered") == 3
    assert coordinator.get(f"/staff/cases/{other}").status_code == 200


def test_an_attachment_swapped_in_the_database_gives_a_409_page_and_is_audited(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    upload = values.FileUpload("a.txt", "text/plain", b"first")
    case = seed_case(initialised_settings, attachments=[upload]).id
    other = seed_case(initialised_settings, attachments=[values.FileUpload("b.txt", "text/plain", b"second")]).id

    async def swap_content(db: AsyncSession) -> uuid.UUID:
        other_content = (
            await db.execute(select(Attachment.sealed_content).where(Attachment.report_id == other))
        ).scalar_one()
        attachment = (await db.execute(select(Attachment).where(Attachment.report_id == case))).scalar_one()
        attachment.sealed_content = other_content
        return attachment.id

    attachment_id = run_db(initialised_settings, swap_content)
    response = coordinator.get(f"/staff/cases/{case}/attachments/{attachment_id}")
    assert response.status_code == 409
    assert "Dieser Fall kann nicht angezeigt werden" in response.text
    assert "case.tampered" in actions(initialised_settings, case)


def test_granting_a_colleague_whose_key_is_not_certified_is_refused_on_the_form(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings).id

    async def void_certificate(db: AsyncSession) -> None:
        await db.execute(
            update(StaffAccount).where(StaffAccount.id == adviser.staff_account.id).values(key_certificate=b"\x01")
        )

    run_db(initialised_settings, void_certificate)
    for path, field in ((f"/staff/cases/{case}/access", "staff_id"), (f"/staff/cases/{case}/assignment", "assignee")):
        response = post_form(coordinator, path, {field: str(adviser.staff_account.id)})
        assert response.status_code == 400
        assert "ist nicht zertifiziert" in response.text
    assert load_report(initialised_settings, case).assignee_id is None
    assert "case.grant" not in actions(initialised_settings, case)
    alarms = [
        detail for _actor, action, detail in audit_events(initialised_settings) if action == "keys.certificate_refused"
    ]
    assert alarms == [f"staff:{adviser.staff_account.id}"] * 2
