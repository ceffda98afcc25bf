"""Writes that race on one case: replies get distinct numbers and a double-clicked categorisation is
saved once, without a server error, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.config.settings import Settings
from reporting.crypto import envelope
from reporting.db.engine import create_engine
from reporting.db.models import Message, Report
from reporting.vault.sealing import add_message
from tests.casework.case_helpers import seed_case, staff_codes
from tests.casework.conftest import create_staff, start_active_session
from tests.conftest import run_db
from tests.live_server import live_server

REPLIES = 6


def test_concurrent_replies_to_one_case_get_distinct_sequence_numbers(initialised_settings: Settings) -> None:
    case = seed_case(initialised_settings).id
    mailbox_key = envelope.new_data_key()  # sealing needs a key, not the case's own

    async def reply_all() -> None:
        engine = create_engine(initialised_settings)
        sessions = async_sessionmaker(engine, expire_on_commit=False)

        async def reply(number: int) -> None:
            async with sessions() as db, db.begin():
                report = await db.get(Report, case)
                assert report is not None
                await add_message(db, report, mailbox_key=mailbox_key, author="staff", body=f"reply {number}")

        try:
            await asyncio.gather(*(reply(number) for number in range(REPLIES)))
        finally:
            await engine.dispose()

    asyncio.run(reply_all())

    async def sequences(db: AsyncSession) -> list[int]:
        return list((await db.execute(select(Message.sequence).where(Message.report_id == case))).scalars())

    assert sorted(run_db(initialised_settings, sequences)) == list(range(1, REPLIES + 1))


def test_a_double_clicked_categorisation_is_saved_without_a_server_error(
    initialised_settings: Settings, tmp_path: Path
) -> None:
    adviser, _password, _secret = create_staff(initialised_settings, "adviser")
    case = seed_case(initialised_settings, readers=[adviser]).id
    cookie = start_active_session(initialised_settings, adviser)
    with live_server(initialised_settings, tmp_path / "server.log") as server:

        async def double_click() -> list[int]:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
                client.cookies.set("staff_session", cookie, path="/staff")
                page = await client.get(f"/staff/cases/{case}")
                assert page.status_code == 200
                form = {
                    "grounds": ["racism_ethnic_origin", "religion"],
                    "areas": ["housing"],
                    "_csrf_token": client.cookies["csrftoken"],
                }
                url = f"/staff/cases/{case}/categorisation"
                answers = await asyncio.gather(*(client.post(url, data=form) for _ in range(4)))
                return [answer.status_code for answer in answers]

        assert asyncio.run(double_click()) == [303] * 4
    assert staff_codes(initialised_settings, case) == {
        "grounds": ["racism_ethnic_origin", "religion"],
        "areas": ["housing"],
    }
