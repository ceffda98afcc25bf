"""Offices: a new report is wrapped for exactly the certified coordinators of the office serving its region
(and the recovery key), other offices neither list nor open it (404), a transfer moves the keys and ends
the sending office's access unless kept, and the central office's coordinators see every office's cases.
Real SQLite and PostgreSQL, real HTTP through the app, real sealing."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.casework.retention import apply_retention
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import report_keys
from reporting.db.models import Office, Report, StaffAccount, WrappedKey
from reporting.offices.store import office_ids_by_slug
from reporting.vault import opening, values
from reporting.vault.offices import set_memberships
from reporting.vault.period_keys import PeriodKeys
from tests.casework.case_helpers import actions, audit_events, load_report, seed_case, use_cheap_receipts
from tests.casework.conftest import DbRun, MakeStaff, StaffClient, StaffTestClient, post_form
from tests.conftest import run_db, settings_for
from tests.intake.conftest import full_report_form
from tests.intake.conftest import post_form as post_public_form
from tests.intake.conftest import receipt_code as receipt_code_of

EXAMPLE_OFFICES = Path(__file__).resolve().parents[2] / "offices.example.toml"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """An instance with the shipped example offices (as ``make serve`` starts it)."""
    return settings_for(tmp_path, database_url, offices_file=str(EXAMPLE_OFFICES))


def office_id(settings: Settings, slug: str) -> uuid.UUID:
    async def find(db: AsyncSession) -> uuid.UUID:
        return (await office_ids_by_slug(db, [slug]))[0]

    return run_db(settings, find)


def join(settings: Settings, account: StaffAccount, *slugs: str) -> None:
    """Make ``account`` a member of exactly the offices ``slugs``."""

    async def change(db: AsyncSession) -> None:
        await set_memberships(db, account.id, await office_ids_by_slug(db, list(slugs)))

    run_db(settings, change)


def member(staff_client: StaffClient, role: str, *slugs: str, settings: Settings) -> StaffTestClient:
    client = staff_client(role)
    join(settings, client.staff_account, *slugs)
    return client


def staff_recipients(settings: Settings, report_id: uuid.UUID) -> dict[str, set[str]]:
    """key purpose -> recipients of the report's wrapped-key rows."""

    async def load(db: AsyncSession) -> dict[str, set[str]]:
        rows = await db.execute(
            select(WrappedKey.key_purpose, WrappedKey.recipient).where(WrappedKey.report_id == report_id)
        )
        found: dict[str, set[str]] = {}
        for purpose, recipient in rows:
            found.setdefault(purpose, set()).add(recipient)
        return found

    return run_db(settings, load)


def test_a_report_from_a_region_is_wrapped_for_exactly_that_offices_certified_coordinators(
    staff_client: StaffClient, initialised_settings: Settings, db_run: DbRun
) -> None:
    settings = initialised_settings
    kleve_first = member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    kleve_second = member(staff_client, "coordinator", "beispiel-kleve", "beispiel-oldenburg", settings=settings)
    member(staff_client, "adviser", "beispiel-kleve", settings=settings)
    member(staff_client, "coordinator", "beispiel-recklinghausen", settings=settings)
    member(staff_client, "coordinator", "zentrale", settings=settings)
    forged = member(staff_client, "coordinator", "beispiel-kleve", settings=settings).staff_account

    async def forge(db: AsyncSession) -> None:
        row = await db.get(StaffAccount, forged.id)
        assert row is not None
        row.key_certificate = b"forged"

    db_run(forge)

    case = seed_case(settings, reporter_codes={"regions": ["kleve"]})

    kleve = {
        values.staff_recipient(kleve_first.staff_account.id),
        values.staff_recipient(kleve_second.staff_account.id),
    }
    expected = {values.RECOVERY_RECIPIENT, *kleve}
    assert staff_recipients(settings, case.id) == {report_keys.CASE_KEY: expected, report_keys.MAILBOX_KEY: expected}
    assert load_report(settings, case.id).office_id == office_id(settings, "beispiel-kleve")


@pytest.mark.parametrize("region", ["not_stated", "outside_diocese", None, "oldenburg"])
def test_unrouted_regions_and_offices_without_a_coordinator_go_to_the_central_office(
    staff_client: StaffClient, initialised_settings: Settings, region: str | None
) -> None:
    """ "Prefer not to say", "somewhere else", no answer, and Oldenburg (its office has no coordinator)."""
    settings = initialised_settings
    central = member(staff_client, "coordinator", "zentrale", settings=settings)
    member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    case = seed_case(settings, reporter_codes={"regions": [region]} if region else {})

    expected = {values.RECOVERY_RECIPIENT, values.staff_recipient(central.staff_account.id)}
    assert staff_recipients(settings, case.id)[report_keys.CASE_KEY] == expected
    assert load_report(settings, case.id).office_id == office_id(settings, "zentrale")


def test_another_offices_case_does_not_exist_for_its_staff(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    """404 on the case URL, nothing in the inbox, the digest, the counts or the audit log."""
    settings = initialised_settings
    kleve = member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    other_coordinator = member(staff_client, "coordinator", "beispiel-recklinghausen", settings=settings)
    other_adviser = member(staff_client, "adviser", "beispiel-recklinghausen", settings=settings)
    own_adviser = member(staff_client, "adviser", "beispiel-kleve", settings=settings)
    case = seed_case(settings, reporter_codes={"regions": ["kleve"]}).id
    assert kleve.get(f"/staff/cases/{case}").status_code == 200
    reference = case.hex[:8].upper()

    for client in (other_coordinator, other_adviser):
        assert client.get(f"/staff/cases/{case}").status_code == 404
        assert client.get(f"/staff/cases/{case}/export").status_code == 404
        assert post_form(client, f"/staff/cases/{case}/notes", {"body": "x"}).status_code == 404
        for page in ("/staff/", "/staff/digest", "/staff/?attention=new"):
            assert reference not in client.get(page).text
    assert reference not in other_coordinator.get("/staff/audit").text
    assert reference in kleve.get("/staff/audit").text
    assert "case.denied" not in actions(settings, case)
    # Their own office's case without a key: refused and audited, as before offices.
    assert own_adviser.get(f"/staff/cases/{case}").status_code == 403
    assert "case.denied" in actions(settings, case)


def test_the_central_office_coordinator_sees_every_offices_cases_but_opens_only_with_a_key(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    settings = initialised_settings
    member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    member(staff_client, "coordinator", "beispiel-recklinghausen", settings=settings)
    diocesan = member(staff_client, "coordinator", "zentrale", settings=settings)
    kleve_case = seed_case(settings, reporter_codes={"regions": ["kleve"]}).id
    borken_case = seed_case(settings, reporter_codes={"regions": ["borken"]}).id

    inbox = diocesan.get("/staff/?lang=de").text
    assert kleve_case.hex[:8].upper() in inbox
    assert borken_case.hex[:8].upper() in inbox
    assert "<td>Beispielstelle Kleve (Beispiel)</td>" in inbox, "the diocesan view names each case's office"
    assert "<td>Beispielstelle Recklinghausen (Beispiel)</td>" in inbox
    assert diocesan.get(f"/staff/cases/{kleve_case}").status_code == 403


def test_transfer_moves_the_keys_and_ends_the_sending_offices_access(
    staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_receipts(monkeypatch)
    settings = initialised_settings
    kleve = member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    kleve_adviser = member(staff_client, "adviser", "beispiel-kleve", settings=settings)
    receiving = member(staff_client, "coordinator", "beispiel-recklinghausen", settings=settings)
    case = seed_case(
        settings, reporter_codes={"regions": ["kleve"]}, receipt_code=True, readers=[kleve_adviser.staff_account]
    )
    target = office_id(settings, "beispiel-recklinghausen")
    assert receiving.get(f"/staff/cases/{case.id}").status_code == 404
    assert 'action="/staff/cases/' + str(case.id) + '/transfer"' in kleve.get(f"/staff/cases/{case.id}").text

    response = post_form(kleve, f"/staff/cases/{case.id}/transfer", {"office_id": str(target)})

    assert (response.status_code, response.headers["location"]) == (303, "/staff/")
    receiver = values.staff_recipient(receiving.staff_account.id)
    assert staff_recipients(settings, case.id) == {
        report_keys.CASE_KEY: {values.RECOVERY_RECIPIENT, receiver},
        report_keys.MAILBOX_KEY: {values.RECOVERY_RECIPIENT, receiver, values.REPORTER_RECIPIENT},
    }
    assert load_report(settings, case.id).office_id == target
    assert kleve.get(f"/staff/cases/{case.id}").status_code == 404
    assert kleve_adviser.get(f"/staff/cases/{case.id}").status_code == 404
    assert receiving.get(f"/staff/cases/{case.id}").status_code == 200
    [(actor, _action, detail)] = [event for event in audit_events(settings, case.id) if event[1] == "case.transfer"]
    assert (actor, detail) == (values.staff_recipient(kleve.staff_account.id), f"office:{target};kept=no")
    assert "kleve" not in detail

    # The reporter's mailbox keeps working: a reply from the receiving office reaches the receipt holder.
    assert (
        post_form(receiving, f"/staff/cases/{case.id}/messages", {"body": "Wir sind jetzt zuständig."}).status_code
        == 303
    )

    async def read_as_reporter(db: AsyncSession) -> list[str]:
        assert case.receipt_code is not None
        found = await opening.find_report_by_receipt(db, load_instance_secrets(settings), case.receipt_code)
        assert found is not None
        report, receipt = found
        mailbox_key = await opening.mailbox_key_for_reporter(db, PeriodKeys.of(settings), report, receipt)
        return [message.body for message in await opening.open_messages(db, report.id, mailbox_key)]

    assert run_db(settings, read_as_reporter) == ["Wir sind jetzt zuständig."]


def test_transfer_keeps_the_sending_offices_access_when_asked(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    settings = initialised_settings
    kleve = member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    receiving = member(staff_client, "coordinator", "beispiel-recklinghausen", settings=settings)
    case = seed_case(settings, reporter_codes={"regions": ["kleve"]}).id
    target = office_id(settings, "beispiel-recklinghausen")

    response = post_form(kleve, f"/staff/cases/{case}/transfer", {"office_id": str(target), "keep_access": "yes"})

    assert response.headers["location"] == f"/staff/cases/{case}?saved=transfer#transfer"
    assert kleve.get(f"/staff/cases/{case}").status_code == 200
    assert receiving.get(f"/staff/cases/{case}").status_code == 200
    assert ("case.transfer", f"office:{target};kept=yes") in [(a, d) for _, a, d in audit_events(settings, case)]


def test_transfer_is_refused_to_an_office_without_a_certified_coordinator_and_to_advisers(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    settings = initialised_settings
    kleve = member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    adviser = member(staff_client, "adviser", "beispiel-kleve", settings=settings)
    case = seed_case(settings, reporter_codes={"regions": ["kleve"]}, readers=[adviser.staff_account]).id
    oldenburg = office_id(settings, "beispiel-oldenburg")

    assert post_form(kleve, f"/staff/cases/{case}/transfer", {"office_id": str(oldenburg)}).status_code == 400
    assert post_form(adviser, f"/staff/cases/{case}/transfer", {"office_id": str(oldenburg)}).status_code == 403
    assert load_report(settings, case).office_id == office_id(settings, "beispiel-kleve")


def test_assignment_and_grants_stay_inside_the_cases_office(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    settings = initialised_settings
    kleve = member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    outsider = member(staff_client, "adviser", "beispiel-recklinghausen", settings=settings).staff_account
    case = seed_case(settings, reporter_codes={"regions": ["kleve"]}).id

    assert outsider.display_name not in kleve.get(f"/staff/cases/{case}").text.split('id="transfer"')[0]
    assert post_form(kleve, f"/staff/cases/{case}/access", {"staff_id": str(outsider.id)}).status_code == 400
    assert post_form(kleve, f"/staff/cases/{case}/assignment", {"assignee": str(outsider.id)}).status_code == 400
    assert values.staff_recipient(outsider.id) not in staff_recipients(settings, case)[report_keys.CASE_KEY]


def test_a_walk_in_case_belongs_to_the_recording_advisers_office(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    settings = initialised_settings
    kleve_coordinator = member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    adviser = member(staff_client, "adviser", "beispiel-kleve", settings=settings)
    form = adviser.get("/staff/intake").text
    token = form.split('name="form_token" value="', 1)[1].split('"', 1)[0]

    response = post_form(
        adviser,
        "/staff/intake",
        {
            "narrative": "Am Schalter abgewiesen.",
            "source": "walk_in",
            "language": "de",
            "received_on": "2026-11-02",
            "form_token": token,
        },
    )

    assert response.status_code == 201, response.text

    async def latest(db: AsyncSession) -> Report:
        return (await db.execute(select(Report))).scalar_one()

    report = run_db(settings, latest)
    assert report.office_id == office_id(settings, "beispiel-kleve")
    expected = {
        values.RECOVERY_RECIPIENT,
        values.staff_recipient(adviser.staff_account.id),
        values.staff_recipient(kleve_coordinator.staff_account.id),
    }
    assert staff_recipients(settings, report.id)[report_keys.CASE_KEY] == expected


def test_a_fresh_instance_has_the_example_offices_and_routes_a_public_report_by_them(
    app: Litestar,
    client: TestClient[Litestar],
    make_staff: MakeStaff,
    initialised_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``init`` with the shipped example file, a coordinator of the Kleve example office, and a report sent
    through the public form naming the Kleve district."""
    use_cheap_receipts(monkeypatch)
    settings = initialised_settings

    async def offices(db: AsyncSession) -> dict[str, bool]:
        return {office.slug: office.is_central for office in (await db.execute(select(Office))).scalars()}

    assert run_db(settings, offices) == {
        "zentrale": True,
        "beispiel-kleve": False,
        "beispiel-recklinghausen": False,
        "beispiel-oldenburg": False,
    }
    coordinator, _, _ = make_staff("coordinator")
    join(settings, coordinator, "beispiel-kleve")

    sent = post_public_form(client, "/report?lang=de", full_report_form(region="kleve"))
    assert sent.status_code == 200, sent.text
    receipt_code_of(sent)

    async def only(db: AsyncSession) -> Report:
        return (await db.execute(select(Report))).scalar_one()

    report = run_db(settings, only)
    assert report.office_id == office_id(settings, "beispiel-kleve")
    assert staff_recipients(settings, report.id)[report_keys.CASE_KEY] == {
        values.RECOVERY_RECIPIENT,
        values.staff_recipient(coordinator.id),
    }


def test_a_shredded_case_keeps_no_office(staff_client: StaffClient, initialised_settings: Settings) -> None:
    settings = initialised_settings
    member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    case = seed_case(settings, reporter_codes={"regions": ["kleve"]}, closed_on=dt.date(2020, 1, 10)).id

    async def apply(db: AsyncSession) -> int:
        return (
            await apply_retention(db, PeriodKeys.of(settings), retention_years=3, today=dt.date(2026, 6, 1))
        ).shredded

    assert run_db(settings, apply) == 1
    assert load_report(settings, case).office_id is None


def test_a_member_of_several_offices_chooses_the_walk_in_cases_office_among_their_own(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    settings = initialised_settings
    member(staff_client, "coordinator", "beispiel-recklinghausen", settings=settings)
    member(staff_client, "coordinator", "beispiel-kleve", settings=settings)
    adviser = member(staff_client, "adviser", "beispiel-kleve", "beispiel-recklinghausen", settings=settings)
    reck, oldenburg = office_id(settings, "beispiel-recklinghausen"), office_id(settings, "beispiel-oldenburg")

    def record(chosen: uuid.UUID) -> uuid.UUID:
        form = adviser.get("/staff/intake").text
        assert f'<option value="{reck}"' in form
        token = form.split('name="form_token" value="', 1)[1].split('"', 1)[0]
        fields = {"narrative": "Am Telefon berichtet.", "source": "phone", "language": "de"}
        fields |= {"received_on": "2026-11-02", "form_token": token, "office_id": str(chosen)}
        response = post_form(adviser, "/staff/intake", fields)
        assert response.status_code == 201, response.text
        return uuid.UUID(response.text.split("/staff/cases/", 1)[1][:36])

    assert load_report(settings, record(reck)).office_id == reck
    # An office the adviser does not belong to is not theirs to choose: their home office (Kleve) instead.
    assert load_report(settings, record(oldenburg)).office_id == office_id(settings, "beispiel-kleve")
