"""What needs attention, on SQLite and PostgreSQL: a reporter's message marks the case unread for exactly the
staff who hold its key and moves it to "reply received"; overdue cases are found by the same rule the
deadlines follow; saves are confirmed."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from litestar import Litestar
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.models import CaseUnread, Report
from reporting.vault import opening, sealing, values
from reporting.vault.offices import central_office_id
from reporting.vault.period_keys import PeriodKeys
from tests.casework.case_helpers import load_report, seed_case, staff_layout_routes, use_cheap_receipts
from tests.casework.conftest import StaffClient, StaffTestClient, post_form
from tests.conftest import run_db

CASE_LINK = re.compile(r'href="/staff/cases/([0-9a-f-]{36})"')


def counts(client: StaffTestClient) -> dict[str, int]:
    page = client.get("/staff/?lang=en").text
    found = re.findall(r'href="/staff/\?attention=([a-z_]+)">[^<]*<span class="count[^"]*">(\d+)</span>', page)
    return {attention: int(count) for attention, count in found}


def reporter_writes(settings: Settings, report_id: uuid.UUID, receipt_code: str, body: str) -> None:
    """The reporter's side of the mailbox: open the mailbox key with the receipt code and add a message."""

    async def write(db: AsyncSession) -> None:
        report = await db.get(Report, report_id)
        assert report is not None
        receipt = await opening.receipt_keys_for(receipt_code, load_instance_secrets(settings))
        mailbox_key = await opening.mailbox_key_for_reporter(db, PeriodKeys.of(settings), report, receipt)
        await sealing.add_message(db, report, mailbox_key=mailbox_key, author=values.REPORTER, body=body)

    run_db(settings, write)


def unread_by(settings: Settings, report_id: uuid.UUID) -> set[uuid.UUID]:
    async def load(db: AsyncSession) -> set[uuid.UUID]:
        rows = await db.execute(select(CaseUnread.staff_id).where(CaseUnread.report_id == report_id))
        return set(rows.scalars())

    result: set[uuid.UUID] = run_db(settings, load)
    return result


def test_a_reporters_message_is_unread_for_the_key_holders_only(
    staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_receipts(monkeypatch)
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    colleague = staff_client("adviser")
    case = seed_case(
        initialised_settings, readers=[adviser.staff_account], receipt_code=True, status="waiting_for_reporter"
    )
    assert case.receipt_code is not None
    before = counts(adviser)

    reporter_writes(initialised_settings, case.id, case.receipt_code, "Any news?")
    reporter_writes(initialised_settings, case.id, case.receipt_code, "And one more thing.")  # no conflict

    assert load_report(initialised_settings, case.id).status == "reply_received"
    assert unread_by(initialised_settings, case.id) == {adviser.staff_account.id, coordinator.staff_account.id}
    assert counts(adviser)["unread"] == before["unread"] + 1
    assert counts(adviser)["reply_received"] == 1
    assert counts(colleague) == {"unread": 0, "new": 0, "reply_received": 0, "overdue": 0}
    unread_rows = CASE_LINK.findall(adviser.get("/staff/?attention=unread").text)
    assert unread_rows == [str(case.id)]

    assert adviser.get(f"/staff/cases/{case.id}").status_code == 200
    assert unread_by(initialised_settings, case.id) == {coordinator.staff_account.id}
    assert counts(adviser)["unread"] == 0

    response = post_form(adviser, f"/staff/cases/{case.id}/status", {"status": "in_progress"})
    assert response.headers["location"] == f"/staff/cases/{case.id}?saved=status#status"
    assert "The status was saved." in adviser.get(f"/staff/cases/{case.id}?saved=status&lang=en").text
    assert "saved=" not in adviser.get(f"/staff/cases/{case.id}?saved=<script>&lang=en").text.split("<main")[1]


def test_a_new_case_stays_new_and_a_closed_one_closed_when_the_reporter_writes(
    staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_receipts(monkeypatch)
    for status in ("new", "closed"):
        case = seed_case(initialised_settings, receipt_code=True, status=status)
        assert case.receipt_code is not None
        reporter_writes(initialised_settings, case.id, case.receipt_code, "Hello?")
        assert load_report(initialised_settings, case.id).status == status


def test_overdue_cases_are_listed_and_counted(staff_client: StaffClient, initialised_settings: Settings) -> None:
    adviser = staff_client("adviser")
    today = dt.date.today()
    unacknowledged = seed_case(
        initialised_settings, readers=[adviser.staff_account], received_on=today - dt.timedelta(8)
    )
    just_in_time = seed_case(initialised_settings, readers=[adviser.staff_account], received_on=today - dt.timedelta(7))
    closed_late = seed_case(
        initialised_settings, readers=[adviser.staff_account], received_on=today - dt.timedelta(200), closed_on=today
    )

    overdue = CASE_LINK.findall(adviser.get("/staff/?attention=overdue").text)
    assert overdue == [str(unacknowledged.id)]
    assert counts(adviser)["overdue"] == 1
    page = adviser.get("/staff/?lang=en").text
    assert re.search(rf'<tr class=" overdue">\s*<td><a href="/staff/cases/{unacknowledged.id}"', page)
    assert str(just_in_time.id) in page
    assert str(closed_late.id) in page

    reply = post_form(adviser, f"/staff/cases/{unacknowledged.id}/notes", {"body": "Called the employer."})
    assert reply.status_code == 303
    assert CASE_LINK.findall(adviser.get("/staff/?attention=overdue").text) == [str(unacknowledged.id)], (
        "a note is no acknowledgement to the reporter"
    )


def test_the_incident_day_is_checked(staff_client: StaffClient, initialised_settings: Settings) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account], staff_codes={"agg_applicable": ["yes"]})
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    refused = post_form(adviser, f"/staff/cases/{case.id}/incident?lang=en", {"incident_on": tomorrow})
    assert refused.status_code == 400
    assert 'href="#incident-on"' in refused.text, "the error summary links to the field"
    assert post_form(adviser, f"/staff/cases/{case.id}/incident", {"incident_on": "2026-02-10"}).status_code == 303
    assert load_report(initialised_settings, case.id).incident_on == dt.date(2026, 2, 10)
    page = adviser.get(f"/staff/cases/{case.id}?lang=en").text
    assert "AGG claim deadline" in page


def page_counts(page: str) -> dict[str, int] | None:
    """The attention bar's counts on a page, None when it has none."""
    header = page.split("<main", maxsplit=1)[0]
    if "attention-bar" not in header:
        assert "?attention=" not in header
        return None
    return {attention: int(count) for attention, count in NAV_COUNT.findall(header)}


NAV_COUNT = re.compile(r'href="/staff/\?attention=([a-z_]+)">[^<]*<span class="count[^"]*">(\d+)</span>')


def test_every_staff_page_shows_the_counts_of_case_workers_and_no_one_else(
    app: Litestar, staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One place adds the counts to every page of the staff layout: for advisers and coordinators over the
    cases they hold a key for; a statistician's or an administrator's pages carry no count about cases."""
    use_cheap_receipts(monkeypatch)
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    colleague = staff_client("adviser")
    statistician = staff_client("statistician")
    admin = staff_client("admin")
    case = seed_case(
        initialised_settings, readers=[adviser.staff_account], receipt_code=True, status="waiting_for_reporter"
    )
    assert case.receipt_code is not None
    reporter_writes(initialised_settings, case.id, case.receipt_code, "Any news?")
    seed_case(initialised_settings, readers=[adviser.staff_account], received_on=dt.date.today() - dt.timedelta(9))
    some_id = str(colleague.staff_account.id)

    def layout_pages(with_cases: bool, managing: bool, coordinating: bool) -> dict[str, str]:
        """Route template -> a page of it this member may open (the case page last: opening reads it)."""
        pages = {"/staff/me": "/staff/me"}
        if managing:
            pages |= {
                "/staff/accounts": "/staff/accounts",
                "/staff/accounts/{staff_id}/disable": f"/staff/accounts/{some_id}/disable",
                "/staff/accounts/{staff_id}/reset-two-factor": f"/staff/accounts/{some_id}/reset-two-factor",
            }
        if coordinating:
            pages |= {
                "/staff/audit": "/staff/audit",
                "/staff/stats": "/staff/stats",
                "/staff/cases/{report_id}/access/{staff_id}/revoke": (
                    f"/staff/cases/{case.id}/access/{adviser.staff_account.id}/revoke"
                ),
            }
        if with_cases:
            pages |= {
                "/staff": "/staff/",
                "/staff/digest": "/staff/digest",
                "/staff/intake": "/staff/intake",
                "/staff/cases/{report_id}/close": f"/staff/cases/{case.id}/close?reason=resolved",
                "/staff/cases/{report_id}": f"/staff/cases/{case.id}",
            }
        return pages

    central_office = str(run_db(initialised_settings, central_office_id))
    offices = {"/staff/offices": "/staff/offices", "/staff/offices/{office_id}": f"/staff/offices/{central_office}"}
    members = {
        "coordinator": (coordinator, layout_pages(with_cases=True, managing=True, coordinating=True)),
        "adviser": (adviser, layout_pages(with_cases=True, managing=False, coordinating=False)),
        "statistician": (statistician, {"/staff/stats": "/staff/stats", "/staff/me": "/staff/me"}),
        "admin": (admin, layout_pages(with_cases=False, managing=True, coordinating=False) | offices),
    }
    covered = set().union(*(pages for _member, pages in members.values()))
    assert covered == staff_layout_routes(app), "a staff page without a row here"

    for role, (member, pages) in members.items():
        for template, path in pages.items():
            response = member.get(path + ("&" if "?" in path else "?") + "lang=en")
            assert response.status_code == 200, (role, path)
            found = page_counts(response.text)
            if role in ("statistician", "admin"):
                assert found is None, (role, path)
                continue
            opened = template == "/staff/cases/{report_id}"
            expected = {"unread": 0 if opened else 1, "new": 1, "reply_received": 1, "overdue": 1}
            assert found == expected, (role, path)

    # A colleague without the case's key counts nothing of it, on every page they can open.
    for template, path in layout_pages(with_cases=True, managing=False, coordinating=False).items():
        if "{report_id}" in template:
            assert colleague.get(path).status_code == 403
            continue
        assert page_counts(colleague.get(path).text) == {"unread": 0, "new": 0, "reply_received": 0, "overdue": 0}


def test_postgresql_sessions_run_without_jit(initialised_settings: Settings) -> None:
    """JIT compilation cost more than the navigation counts every staff page runs (see ``db.engine``)."""
    if initialised_settings.is_sqlite:
        pytest.skip("PostgreSQL only")

    async def jit(db: AsyncSession) -> str:
        return str((await db.execute(text("SHOW jit"))).scalar_one())

    assert run_db(initialised_settings, jit) == "off"
