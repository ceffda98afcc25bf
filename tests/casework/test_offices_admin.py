"""Offices in the staff area: the administrator lists, creates and edits offices (regions and public contact)
and the public help block follows; invitations pick offices; a local coordinator sees and changes only the
colleagues of their own offices, a central-office coordinator everyone."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.audit.words import describe_detail
from reporting.auth import invitations
from reporting.config.settings import Settings
from reporting.db.models import Office, OfficeRegion, StaffAccount
from reporting.i18n import reset_language, set_language
from reporting.offices.store import office_ids_by_slug
from reporting.vault.offices import set_memberships, staff_office_ids
from tests.casework.case_helpers import audit_events
from tests.casework.conftest import StaffClient, StaffTestClient, post_form
from tests.casework.test_accounts import PASSWORD, _cheap_add_staff
from tests.conftest import run_db, settings_for

EXAMPLE_OFFICES = Path(__file__).resolve().parents[2] / "offices.example.toml"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return settings_for(tmp_path, database_url, offices_file=str(EXAMPLE_OFFICES))


def ids(settings: Settings, *slugs: str) -> list[uuid.UUID]:
    async def find(db: AsyncSession) -> list[uuid.UUID]:
        return await office_ids_by_slug(db, list(slugs))

    return run_db(settings, find)


def member(staff_client: StaffClient, role: str, settings: Settings, *slugs: str) -> StaffTestClient:
    client = staff_client(role)

    async def join(db: AsyncSession) -> None:
        await set_memberships(db, client.staff_account.id, await office_ids_by_slug(db, list(slugs)))

    run_db(settings, join)
    return client


def offices_of(settings: Settings, account: StaffAccount) -> set[uuid.UUID]:
    async def find(db: AsyncSession) -> set[uuid.UUID]:
        return await staff_office_ids(db, account.id)

    return run_db(settings, find)


def test_the_administrator_creates_and_edits_an_office_and_the_public_page_follows(
    staff_client: StaffClient, client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    admin = staff_client("admin")
    listing = admin.get("/staff/offices?lang=de")
    assert listing.status_code == 200
    assert "Beispielstelle Kleve (Beispiel)" in listing.text

    new = {
        "name": "Beispielstelle Wesel",
        "slug": "beispiel-wesel",
        "address": "Am Beispiel 5, 00000 Beispielstadt",
        "phone": "0000 000 050",
        "hours": "Mi 9–12",
        "languages": "Deutsch, Polski",
        "step_free": "yes",
        "regions": ["wesel"],
    }
    created = post_form(admin, "/staff/offices", new)
    assert (created.status_code, created.headers["location"]) == (303, "/staff/offices?saved=office")

    async def wesel(db: AsyncSession) -> tuple[Office, list[str], list[str]]:
        office = (await db.execute(select(Office).where(Office.slug == "beispiel-wesel"))).scalar_one()
        own = list((await db.execute(select(OfficeRegion.region).where(OfficeRegion.office_id == office.id))).scalars())
        kleve = (await db.execute(select(Office.id).where(Office.slug == "beispiel-kleve"))).scalar_one()
        kleve_regions = (await db.execute(select(OfficeRegion.region).where(OfficeRegion.office_id == kleve))).scalars()
        return office, own, list(kleve_regions)

    office, own, kleve_regions = run_db(initialised_settings, wesel)
    assert (office.step_free, own, kleve_regions) == (True, ["wesel"], ["kleve"]), "Wesel moved from Kleve"
    landing = client.get("/?lang=de").text
    assert "Beispielstelle Wesel" in landing
    assert 'href="tel:0000000050"' in landing

    edited = post_form(admin, f"/staff/offices/{office.id}", {**new, "phone": "0000 000 051", "regions": []})
    assert edited.status_code == 303
    assert 'href="tel:0000000051"' in client.get("/?lang=de").text
    assert [action for _, action, _ in audit_events(initialised_settings) if action == "office.saved"] == [
        "office.saved",
        "office.saved",
    ]


def test_the_office_form_refuses_a_taken_short_name_and_an_empty_name(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    admin = staff_client("admin")
    taken = post_form(admin, "/staff/offices?lang=de", {"name": "X", "slug": "beispiel-kleve"})
    assert taken.status_code == 400
    assert "Eine andere Beratungsstelle hat diesen Kurznamen." in taken.text
    empty = post_form(admin, "/staff/offices?lang=de", {"name": "", "slug": "Bad Slug"})
    assert empty.status_code == 400
    assert "Geben Sie den Namen der Beratungsstelle ein." in empty.text
    assert "Verwenden Sie nur Kleinbuchstaben, Ziffern und Bindestriche." in empty.text
    assert post_form(admin, f"/staff/offices/{uuid.uuid4()}", {"name": "X", "slug": "x"}).status_code == 404


def test_an_invitation_picks_the_offices_of_the_new_account(
    client: TestClient[Litestar],
    staff_client: StaffClient,
    initialised_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(invitations, "add_staff", _cheap_add_staff)
    admin = staff_client("admin")
    kleve, oldenburg = ids(initialised_settings, "beispiel-kleve", "beispiel-oldenburg")
    page = post_form(
        admin,
        "/staff/accounts/invite?lang=en",
        {"email": "neu@caritas.example", "role": "adviser", "office_id": [str(kleve), str(oldenburg)]},
    )
    match = re.search(r"/staff/invite/([A-Za-z0-9_-]{40,})", page.text)
    assert match is not None
    form = {"display_name": "Neu", "password": PASSWORD, "password_repeat": PASSWORD}
    assert post_form(client, f"/staff/invite/{match.group(1)}", form).status_code == 303

    async def account(db: AsyncSession) -> StaffAccount:
        return (await db.execute(select(StaffAccount).where(StaffAccount.email == "neu@caritas.example"))).scalar_one()

    assert offices_of(initialised_settings, run_db(initialised_settings, account)) == {kleve, oldenburg}


def test_a_local_coordinator_manages_only_the_colleagues_of_their_offices(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    settings = initialised_settings
    local = member(staff_client, "coordinator", settings, "beispiel-kleve")
    colleague = member(staff_client, "adviser", settings, "beispiel-kleve", "beispiel-oldenburg").staff_account
    stranger = member(staff_client, "adviser", settings, "beispiel-recklinghausen").staff_account
    diocesan = member(staff_client, "coordinator", settings, "zentrale")
    kleve, reck, oldenburg = ids(settings, "beispiel-kleve", "beispiel-recklinghausen", "beispiel-oldenburg")

    page = local.get("/staff/accounts").text
    assert colleague.email in page
    assert stranger.email not in page
    assert 'value="' + str(reck) + '"' not in page, "only their own offices to pick"
    assert stranger.email in diocesan.get("/staff/accounts").text

    assert post_form(local, f"/staff/accounts/{stranger.id}/disable").status_code == 404
    assert post_form(local, f"/staff/accounts/{stranger.id}/offices", {"office_id": str(kleve)}).status_code == 404
    # Giving an office the coordinator does not belong to is refused.
    refused = post_form(local, f"/staff/accounts/{colleague.id}/offices", {"office_id": [str(kleve), str(reck)]})
    assert refused.status_code == 400
    assert post_form(local, f"/staff/accounts/{colleague.id}/offices", {"office_id": []}).status_code == 400
    # The local coordinator's form covers Kleve only: the Oldenburg membership stays as it was.
    assert post_form(local, f"/staff/accounts/{colleague.id}/offices", {"office_id": str(kleve)}).status_code == 303
    assert offices_of(settings, colleague) == {kleve, oldenburg}
    moved = post_form(diocesan, f"/staff/accounts/{colleague.id}/offices", {"office_id": str(reck)})
    assert moved.status_code == 303
    assert offices_of(settings, colleague) == {reck}
    events = [(action, detail) for _, action, detail in audit_events(settings) if action == "account.offices"]
    assert events[-1] == ("account.offices", f"staff:{colleague.id};offices=1")


def test_the_audit_log_names_the_receiving_office_and_the_offices_change_in_words(
    initialised_settings: Settings,
) -> None:
    names = {f"office:{ids(initialised_settings, 'beispiel-kleve')[0]}": "Beispielstelle Kleve (Beispiel)"}
    token = set_language("de")
    try:
        transfer = describe_detail("case.transfer", f"{next(iter(names))};kept=no", names)
        offices = describe_detail("account.offices", "staff:x;offices=2", {"staff:x": "Anna"})
    finally:
        reset_language(token)
    assert transfer == "Beispielstelle Kleve (Beispiel); Die abgebende Stelle behält den Zugang: nein"
    assert offices == "Anna; Beratungsstellen: 2"
