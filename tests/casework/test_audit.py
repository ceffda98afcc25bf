"""The audit log: a hash chain that `reporting audit verify` checks, naming every edited, inserted or
deleted event; appends from concurrent transactions never fork it; coordinators browse it."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import uuid
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import Executable

from reporting.audit import chain as audit
from reporting.cli import cli
from reporting.config.settings import Settings
from reporting.db.engine import create_engine
from reporting.db.models import AuditEvent, StaffAccount
from tests.casework.conftest import post_form
from tests.conftest import run_db

MakeStaff = Callable[..., tuple[StaffAccount, str, str | None]]
CASE = uuid.UUID("00000000-0000-4000-8000-000000000001")


def _env(settings: Settings) -> dict[str, str]:
    return {
        "REPORTING_DATA_DIR": str(settings.data_dir),
        "REPORTING_KEYS_DIR": str(settings.keys_dir),
        "REPORTING_DATABASE_URL": settings.database_url,
    }


def _record_events(settings: Settings, count: int) -> list[int]:
    async def add(db: AsyncSession) -> list[int]:
        ids = []
        for index in range(count):
            event = await audit.record(
                db, actor=f"staff:{uuid.uuid4()}", action="case.open", report_id=CASE, detail=f"n={index}"
            )
            ids.append(event.id)
        return ids

    return run_db(settings, add)


def _verify(settings: Settings) -> list[str]:
    async def check(db: AsyncSession) -> list[str]:
        return await audit.verify(db)

    return run_db(settings, check)


def _execute(settings: Settings, statement: Executable) -> None:
    async def run(db: AsyncSession) -> None:
        await db.execute(statement)

    run_db(settings, run)


def test_events_chain_and_an_untouched_log_verifies(initialised_settings: Settings) -> None:
    ids = _record_events(initialised_settings, 5)
    assert _verify(initialised_settings) == []

    async def load(db: AsyncSession) -> list[AuditEvent]:
        return list((await db.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars())

    events = run_db(initialised_settings, load)
    assert [event.id for event in events] == ids
    assert events[0].previous_hash == audit.GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.event_hash
    result = CliRunner().invoke(cli, ["audit", "verify"], env=_env(initialised_settings))
    assert result.exit_code == 0, result.output
    assert f"intact. Newest event: {ids[-1]}:{events[-1].event_hash}" in result.output


def test_verify_on_an_empty_log(initialised_settings: Settings) -> None:
    result = CliRunner().invoke(cli, ["audit", "verify"], env=_env(initialised_settings))
    assert result.exit_code == 0
    assert "empty" in result.output


def test_an_edited_event_is_named(initialised_settings: Settings) -> None:
    ids = _record_events(initialised_settings, 5)
    _execute(initialised_settings, update(AuditEvent).where(AuditEvent.id == ids[2]).values(actor="staff:someone-else"))
    assert _verify(initialised_settings) == [f"event {ids[2]}: {audit.EDITED}"]
    result = CliRunner().invoke(cli, ["audit", "verify"], env=_env(initialised_settings))
    assert result.exit_code == 1
    assert f"event {ids[2]}: edited" in result.output
    assert "tampered" in result.output


@pytest.mark.parametrize(
    ("column", "forged"),
    [
        pytest.param("occurred_at", dt.datetime(2020, 1, 1, 12, 0, tzinfo=dt.UTC), id="occurred_at"),
        pytest.param("actor", "staff:someone-else", id="actor"),
        pytest.param("action", "case.close", id="action"),
        pytest.param("report_id", None, id="report_id"),
        pytest.param("detail", "n=forged", id="detail"),
    ],
)
def test_each_hashed_field_edited_alone_is_named(initialised_settings: Settings, column: str, forged: object) -> None:
    """Backdating an event, or changing what was done, by whom, to which case, breaks exactly that event."""
    ids = _record_events(initialised_settings, 3)
    _execute(initialised_settings, update(AuditEvent).where(AuditEvent.id == ids[1]).values({column: forged}))

    async def stored(db: AsyncSession) -> object:
        return (await db.execute(select(getattr(AuditEvent, column)).where(AuditEvent.id == ids[1]))).scalar_one()

    assert run_db(initialised_settings, stored) == forged, "the edit reached the database"
    assert _verify(initialised_settings) == [f"event {ids[1]}: {audit.EDITED}"]
    result = CliRunner().invoke(cli, ["audit", "verify"], env=_env(initialised_settings))
    assert result.exit_code == 1
    assert f"event {ids[1]}: edited" in result.output


def test_a_deleted_event_is_named_by_the_one_after_it(initialised_settings: Settings) -> None:
    ids = _record_events(initialised_settings, 5)
    _execute(initialised_settings, delete(AuditEvent).where(AuditEvent.id == ids[1]))
    assert _verify(initialised_settings) == [f"event {ids[2]}: {audit.BROKEN_LINK}"]
    result = CliRunner().invoke(cli, ["audit", "verify"], env=_env(initialised_settings))
    assert result.exit_code == 1
    assert f"event {ids[2]}:" in result.output


def test_an_inserted_event_is_named(initialised_settings: Settings) -> None:
    ids = _record_events(initialised_settings, 3)
    _execute(initialised_settings, delete(AuditEvent).where(AuditEvent.id == ids[1]))

    async def forge(db: AsyncSession) -> None:
        first = await db.get(AuditEvent, ids[0])
        assert first is not None
        await db.execute(
            insert(AuditEvent).values(
                id=ids[1],
                occurred_at=first.occurred_at,
                actor="staff:forger",
                action="case.open",
                report_id=CASE,
                detail="",
                previous_hash=first.event_hash,
                event_hash="f" * 64,
            )
        )

    run_db(initialised_settings, forge)
    problems = _verify(initialised_settings)
    assert f"event {ids[1]}: {audit.EDITED}" in problems
    assert f"event {ids[2]}: {audit.BROKEN_LINK}" in problems


def test_a_rewritten_chain_is_caught_by_a_noted_hash(initialised_settings: Settings) -> None:
    """Someone with database access edits an event and recomputes every later hash: the chain is
    consistent again, but the hash noted earlier no longer matches."""
    ids = _record_events(initialised_settings, 4)
    first_run = CliRunner().invoke(cli, ["audit", "verify"], env=_env(initialised_settings))
    noted = first_run.output.strip().rsplit(" ", 1)[-1]
    assert noted.startswith(f"{ids[-1]}:")

    async def rewrite(db: AsyncSession) -> None:
        events = list((await db.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars())
        events[1].detail = "rewritten"
        previous = events[0].event_hash
        for event in events[1:]:
            event.previous_hash = previous
            event.event_hash = audit.event_digest(event)
            previous = event.event_hash

    run_db(initialised_settings, rewrite)
    assert _verify(initialised_settings) == []
    result = CliRunner().invoke(cli, ["audit", "verify", "--expect", noted], env=_env(initialised_settings))
    assert result.exit_code == 1
    assert f"event {ids[-1]}: missing or changed" in result.output
    bad = CliRunner().invoke(cli, ["audit", "verify", "--expect", "12:abc"], env=_env(initialised_settings))
    assert bad.exit_code == 2


def test_concurrent_transactions_never_fork_the_chain(initialised_settings: Settings) -> None:
    async def run() -> None:
        engine = create_engine(initialised_settings)
        sessions = async_sessionmaker(engine, expire_on_commit=False)

        async def one_request(index: int) -> None:
            async with sessions() as db, db.begin():
                await audit.record(db, actor="system", action="test.concurrent", detail=str(index))
                await asyncio.sleep(0.01)

        try:
            await asyncio.gather(*(one_request(index) for index in range(12)))
        finally:
            await engine.dispose()

    asyncio.run(run())
    assert _verify(initialised_settings) == []

    async def count(db: AsyncSession) -> int:
        return len((await db.execute(select(AuditEvent.id))).all())

    assert run_db(initialised_settings, count) == 12


def test_a_rolled_back_action_leaves_no_event(initialised_settings: Settings) -> None:
    async def run() -> None:
        engine = create_engine(initialised_settings)
        try:
            async with async_sessionmaker(engine)() as db:
                await db.begin()
                await audit.record(db, actor="system", action="test.rolled_back")
                await db.rollback()
        finally:
            await engine.dispose()

    asyncio.run(run())
    _record_events(initialised_settings, 1)
    assert _verify(initialised_settings) == []


def test_coordinators_browse_the_log_with_names_filters_and_pages(
    staff_client: Callable[..., TestClient[Litestar]], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    coordinator_account, password, _ = make_staff("coordinator")
    coordinator = staff_client("coordinator", account=coordinator_account, password=password)
    adviser = staff_client("adviser")
    coordinator_actor = f"staff:{coordinator_account.id}"

    async def add(db: AsyncSession) -> None:
        for index in range(60):
            await audit.record(db, actor=coordinator_actor, action="case.open", report_id=CASE, detail=str(index))
        await audit.record(db, actor="unknown", action="login.failed", detail="password")

    run_db(initialised_settings, add)
    first = coordinator.get("/staff/audit?lang=en")
    assert first.status_code == 200
    assert "61 events" in first.text
    assert "Page 1 of 2" in first.text
    assert "Failed login" in first.text, "events in words"
    assert "wrong password" in first.text
    assert "login.failed" not in first.text
    assert "Test coordinator" in first.text, "actors are shown by name"
    assert coordinator.get("/staff/audit?page=2&lang=en").text.count("Opened the case") == 11
    only_case = coordinator.get(f"/staff/audit?case={CASE}&lang=en")
    assert "60 events" in only_case.text
    by_reference = coordinator.get(f"/staff/audit?case={CASE.hex[:8].upper()}&lang=en")
    assert "60 events" in by_reference.text, "the inbox's short reference finds the case"
    assert f">{CASE.hex[:8].upper()}</a>" in by_reference.text
    assert "1 event" in coordinator.get("/staff/audit?what=logins&lang=en").text
    assert "Fehlgeschlagene Anmeldung" in coordinator.get("/staff/audit?lang=de").text
    by_person = coordinator.get(f"/staff/audit?staff={coordinator_account.id}&lang=en")
    assert "60 events" in by_person.text
    assert coordinator.get("/staff/audit?page=999&case=nonsense").status_code == 200
    assert coordinator.get("/staff/audit?lang=de").text.count("Protokoll") >= 1

    assert adviser.get("/staff/audit").status_code == 403
    assert staff_client("admin").get("/staff/audit").status_code == 403
    assert staff_client("statistician").get("/staff/audit").status_code == 403


def test_the_log_has_no_post_route(app: Litestar, staff_client: Callable[..., TestClient[Litestar]]) -> None:
    coordinator = staff_client("coordinator")
    assert post_form(coordinator, "/staff/audit").status_code == 405
