"""Walk-in intake: an adviser records a case taken in person or by phone into the same encrypted store."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.models import Report
from reporting.vault import opening
from tests.casework.case_helpers import actions, load_report, staff_codes, use_cheap_receipts
from tests.casework.conftest import StaffClient, hidden_value, post_form
from tests.conftest import run_db

STORY = "Told at the office: the job centre clerk said people like him never get the job."


def intake_form(client: TestClient[Litestar], **fields: object) -> dict[str, object]:
    token = hidden_value(client.get("/staff/intake").text, "form_token")
    return {
        "form_token": token,
        "source": "walk_in",
        "received_on": dt.date.today().isoformat(),
        "language": "ar",
        "narrative": STORY,
        "contact": "",
        "grounds": ["racism_ethnic_origin"],
        "areas": ["jobcenter_social_benefits"],
        "consent_statistics": "yes",
        "issue_receipt": "yes",
        **fields,
    }


def report_count(settings: Settings) -> int:
    async def count(db: AsyncSession) -> int:
        return int((await db.execute(select(func.count()).select_from(Report))).scalar_one())

    result: int = run_db(settings, count)
    return result


def case_id_of(page: str) -> str:
    match = re.search(r'href="/staff/cases/([0-9a-f-]{36})"', page)
    assert match is not None
    return match.group(1)


def test_a_walk_in_case_is_sealed_assigned_categorised_and_gets_a_receipt(
    staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_receipts(monkeypatch)
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")

    response = post_form(adviser, "/staff/intake", intake_form(adviser))

    assert response.status_code == 201, response.text
    receipt_code = re.search(r'id="receipt-code">([^<]+)<', response.text)
    assert receipt_code is not None
    case_id = case_id_of(response.text)
    report = load_report(initialised_settings, uuid.UUID(case_id))
    assert (report.source, report.language, report.status) == ("walk_in", "ar", "new")
    assert report.assignee_id == adviser.staff_account.id
    assert report.consent_statistics is True
    assert STORY.encode() not in (report.sealed_narrative or b"")
    assert staff_codes(initialised_settings, report.id) == {
        "areas": ["jobcenter_social_benefits"],
        "grounds": ["racism_ethnic_origin"],
    }
    assert actions(initialised_settings, report.id) == ["case.intake", "case.categorise"]
    assert STORY in adviser.get(f"/staff/cases/{case_id}").text
    assert STORY in coordinator.get(f"/staff/cases/{case_id}").text

    async def find(db: AsyncSession) -> Report | None:
        found = await opening.find_report_by_receipt(db, load_instance_secrets(initialised_settings), receipt_code[1])
        return found[0] if found else None

    found = run_db(initialised_settings, find)
    assert found is not None
    assert found.id == report.id


def test_reloading_the_receipt_page_does_not_record_the_case_twice(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    form = intake_form(adviser, issue_receipt="")
    first = post_form(adviser, "/staff/intake", form)
    assert first.status_code == 201
    assert "Es wurde kein Code ausgegeben" in first.text
    again = post_form(adviser, "/staff/intake", form)
    assert again.status_code == 409
    assert report_count(initialised_settings) == 1
    report = load_report(initialised_settings, uuid.UUID(case_id_of(first.text)))
    assert report.receipt_lookup is None


def test_an_incomplete_form_comes_back_with_what_was_typed(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = post_form(
        adviser,
        "/staff/intake",
        intake_form(adviser, received_on=tomorrow, source="carrier pigeon", grounds=["religion", "unknown"]),
    )
    assert response.status_code == 400
    assert STORY in response.text
    assert "Das Datum darf nicht in der Zukunft liegen." in response.text
    assert "Bitte wählen Sie den Eingangsweg." in response.text
    assert report_count(initialised_settings) == 0
    empty = post_form(adviser, "/staff/intake", intake_form(adviser, narrative="  "))
    assert empty.status_code == 400
    assert report_count(initialised_settings) == 0


def test_a_coordinator_can_record_a_walk_in_case(staff_client: StaffClient, initialised_settings: Settings) -> None:
    coordinator = staff_client("coordinator")
    response = post_form(coordinator, "/staff/intake", intake_form(coordinator, issue_receipt="", source="phone"))
    assert response.status_code == 201, response.text
    assert STORY in coordinator.get(f"/staff/cases/{case_id_of(response.text)}").text
