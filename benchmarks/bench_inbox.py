"""Does the inbox stay fast with 100,000 cases, and what does opening a case cost?

Run: python benchmarks/bench_inbox.py [--cases 100000] [--database-url postgresql+asyncpg://...]

Bulk-inserts plain metadata rows (status, dates, language, assignee, reporter and adviser codes, a
categorisation for most) for the inbox, which never decrypts anything, plus a few fully sealed cases
for the case page. Then times, through the whole application in-process (guard, session, query,
template), the first inbox page, a filtered page, a page deep in the list (keyset cursor), the
status-sorted page, a local coordinator's page (cases spread over three offices) and an adviser's page,
each next to a bare SQL query of the same page in the same run; and opening a sealed case (decrypt +
audit + render) next to a bare ``opening.open_case``. Prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from litestar.testing import TestClient
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.app import create_app
from reporting.auth import accounts, sessions
from reporting.casework import inbox
from reporting.casework.walk_in import CASE_LANGUAGES
from reporting.cli.instance import initialise
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import passwords, report_keys
from reporting.db.engine import create_engine, session_scope
from reporting.db.models import CaseCode, Categorisation, Report, StaffAccount, WrappedKey
from reporting.offices.config import OfficeSpec
from reporting.offices.store import load_offices, office_ids_by_slug
from reporting.taxonomy import AREAS, STAFF_GROUNDS
from reporting.vault import opening, sealing, values
from reporting.vault.period_keys import PeriodKeys

CHEAP_ARGON2 = passwords.Argon2Params(time_cost=1, memory_kib=passwords.MIN_MEMORY_KIB, parallelism=1)
PASSWORD = "benchmark password 1"
ADVISERS = 20
SEALED_CASES = 20
BATCH = 5_000
REPEATS = 60
BASE_URL = "http://bench.local"
"""The instance's public URL, so the allowed-hosts check admits the test client."""
LOCAL_OFFICES = 3
T = TypeVar("T")
STATUS_WEIGHTS = {"new": 5, "reply_received": 1, "in_progress": 10, "waiting_for_reporter": 4, "closed": 80}
BARE_PAGE = """
SELECT report.id, report.received_on, report.last_activity_on, report.status, report.language, report.source,
       staff_account.display_name, categorisation.report_id IS NOT NULL
FROM report
LEFT JOIN staff_account ON staff_account.id = report.assignee_id
LEFT JOIN categorisation ON categorisation.report_id = report.id
WHERE report.shredded_on IS NULL {where}
ORDER BY report.received_on DESC, report.id DESC
LIMIT 51
"""


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(label: str, samples: list[float], baseline: list[float] | None = None) -> str:
    p50, p95 = percentiles(samples)
    line = f"{label:<44} p50 {p50 * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"
    if baseline:
        bare50, bare95 = percentiles(baseline)
        line += f"   | bare SQL p50 {bare50 * 1000:6.2f} ms   p95 {bare95 * 1000:6.2f} ms"
    return line


async def in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with session_scope(settings) as db:
        return await work(db)


def plain_case_rows(
    rng: random.Random, count: int, adviser_ids: list[uuid.UUID], office_ids: list[uuid.UUID]
) -> dict[type, list[dict[str, Any]]]:
    """Rows of ``count`` metadata-only cases, by table: what the inbox reads, with no sealed content."""
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    first_day = dt.date.today() - dt.timedelta(days=10 * 365)
    rows: dict[type, list[dict[str, Any]]] = {Report: [], CaseCode: [], Categorisation: [], WrappedKey: []}
    for _ in range(count):
        report_id = uuid.uuid4()
        received_on = first_day + dt.timedelta(days=rng.randrange(10 * 365))
        status = rng.choices(statuses, weights)[0]
        assignee = rng.choice(adviser_ids) if status != "new" else None
        rows[Report].append(
            {
                "id": report_id,
                "received_on": received_on,
                "last_activity_on": received_on,
                "language": rng.choice(CASE_LANGUAGES),
                "source": rng.choice(("online", "online", "walk_in")),
                "status": status,
                "closed_on": received_on if status == "closed" else None,
                "assignee_id": assignee,
                "office_id": rng.choice(office_ids),
                "consent_statistics": True,
                "wants_counselling": False,
            }
        )
        origins = ["reporter", "staff"] if status != "new" else ["reporter"]
        codes = [("grounds", ground) for ground in rng.sample(STAFF_GROUNDS.codes(), rng.choice((1, 1, 2, 3)))]
        codes.append(("areas", rng.choice(AREAS.codes())))
        rows[CaseCode] += [
            {"report_id": report_id, "origin": origin, "dimension": dimension, "code": code}
            for origin in origins
            for dimension, code in codes
        ]
        if status != "new":
            rows[Categorisation].append(
                {"report_id": report_id, "intersectional": False, "categorised_on": received_on}
            )
        if assignee is not None:
            rows[WrappedKey].append(
                {
                    "report_id": report_id,
                    "key_purpose": report_keys.CASE_KEY,
                    "recipient": f"staff:{assignee}",
                    "staff_id": assignee,
                    "wrapped_data_key": bytes(1200),
                }
            )
    return rows


async def add_account(
    db: AsyncSession, settings: Settings, role: str, name: str, office_ids: list[uuid.UUID] | None = None
) -> StaffAccount:
    """An account of ``office_ids`` (default: the central office, whose coordinators see every case)."""
    return await accounts.add_staff(
        db,
        settings=settings,
        email=f"{name}@bench.example",
        display_name=name,
        role=role,
        password=PASSWORD,
        argon2=CHEAP_ARGON2,
        office_ids=office_ids or (),
    )


async def seal_cases(db: AsyncSession, settings: Settings, coordinator: StaffAccount) -> list[uuid.UUID]:
    """A few complete cases: narrative, contact, an attachment and three messages each."""
    private_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, PASSWORD)
    ids = []
    for _ in range(SEALED_CASES):
        report, _code = await sealing.create_report(
            db,
            settings=settings,
            secrets=load_instance_secrets(settings),
            content=values.ReportContent(narrative="x" * 2000, contact="y" * 200, answers={"area": "housing"}),
            metadata=values.ReportMetadata(
                received_on=dt.date.today(),
                language="de",
                source="online",
                consent_statistics=True,
                reporter_codes={"grounds": ["religion"], "areas": ["housing"]},
            ),
            attachments=[values.FileUpload("letter.pdf", "application/pdf", b"%PDF" + bytes(50_000))],
            issue_receipt=False,
        )
        mailbox_key = await opening.data_key_for_staff(
            db,
            PeriodKeys.of(settings),
            report.id,
            report_keys.MAILBOX_KEY,
            staff_id=coordinator.id,
            private_key=private_key,
        )
        for sequence in range(3):
            await sealing.add_message(
                db, report, mailbox_key=mailbox_key, author="reporter", body=f"message {sequence}"
            )
        ids.append(report.id)
    return ids


@dataclass(frozen=True)
class Seeded:
    """What the timings need of the seeded instance."""

    coordinator: StaffAccount
    local_coordinator: StaffAccount
    local_office: uuid.UUID
    adviser: StaffAccount
    sealed: list[uuid.UUID]


async def seed(settings: Settings, count: int) -> Seeded:
    """Accounts, ``count`` metadata-only cases and a few sealed ones."""
    rng = random.Random(20250101)

    async def offices(db: AsyncSession) -> list[uuid.UUID]:
        specs = [OfficeSpec(slug=f"office-{number}", name=f"Office {number}") for number in range(LOCAL_OFFICES)]
        await load_offices(db, specs)
        return await office_ids_by_slug(db, [spec.slug for spec in specs])

    office_ids = await in_session(settings, offices)

    async def staff(db: AsyncSession) -> tuple[StaffAccount, StaffAccount, list[StaffAccount]]:
        coordinator = await add_account(db, settings, "coordinator", "coordinator")
        local = await add_account(db, settings, "coordinator", "local-coordinator", office_ids[:1])
        return (
            coordinator,
            local,
            [await add_account(db, settings, "adviser", f"adviser{number}") for number in range(ADVISERS)],
        )

    coordinator, local_coordinator, advisers = await in_session(settings, staff)
    engine = create_engine(settings)
    try:
        for start in range(0, count, BATCH):
            rows = plain_case_rows(rng, min(BATCH, count - start), [adviser.id for adviser in advisers], office_ids)
            async with engine.begin() as connection:
                for model, values in rows.items():
                    if values:
                        await connection.execute(insert(model), values)
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    sealed_ids = await in_session(settings, lambda db: seal_cases(db, settings, coordinator))
    return Seeded(
        coordinator=coordinator,
        local_coordinator=local_coordinator,
        local_office=office_ids[0],
        adviser=advisers[0],
        sealed=sealed_ids,
    )


async def session_cookie(settings: Settings, account: StaffAccount) -> str:
    async def start(db: AsyncSession) -> str:
        private_key = passwords.unwrap_private_key(account.wrapped_private_key, PASSWORD)
        return await sessions.start_session(db, account, private_key, stage="active")

    return await in_session(settings, start)


def timed(action: Callable[[int], object], repeats: int = REPEATS) -> list[float]:
    """Seconds per call of ``action(attempt)``, after one warm-up call (template compile, pool)."""
    action(0)
    samples = []
    for attempt in range(1, repeats + 1):
        started = time.perf_counter()
        action(attempt)
        samples.append(time.perf_counter() - started)
    return samples


def bare_sql_timer(settings: Settings, statement: str, parameters: dict[str, Any]) -> list[float]:
    """The page's SELECT alone, on a connection of its own (no app, no template)."""

    async def run() -> list[float]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                samples = []
                for attempt in range(REPEATS + 1):
                    started = time.perf_counter()
                    (await connection.execute(text(statement), parameters)).all()
                    if attempt:
                        samples.append(time.perf_counter() - started)
                return samples
        finally:
            await engine.dispose()

    return asyncio.run(run())


def counts_timer(settings: Settings, staff: StaffAccount) -> list[float]:
    """``inbox.attention_counts`` alone, the query behind every staff page's navigation counts."""

    async def run() -> list[float]:
        engine = create_engine(settings)
        try:
            async with async_sessionmaker(engine)() as db:
                samples = []
                for attempt in range(REPEATS + 1):
                    started = time.perf_counter()
                    await inbox.attention_counts(
                        db, staff_id=staff.id, role=staff.role, answer_due_months=settings.answer_due_months
                    )
                    if attempt:
                        samples.append(time.perf_counter() - started)
                return samples
        finally:
            await engine.dispose()

    return asyncio.run(run())


def bare_case_open_timer(settings: Settings, coordinator: StaffAccount, sealed_ids: list[uuid.UUID]) -> list[float]:
    """``opening.open_case`` alone: load the row, unwrap the keys, decrypt every field."""

    async def run() -> list[float]:
        private_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, PASSWORD)
        engine = create_engine(settings)
        samples = []
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as db:
                for attempt in range(REPEATS + 1):
                    started = time.perf_counter()
                    report = await db.get(Report, sealed_ids[attempt % len(sealed_ids)])
                    assert report is not None
                    await opening.open_case(
                        db, PeriodKeys.of(settings), report, staff_id=coordinator.id, private_key=private_key
                    )
                    if attempt:
                        samples.append(time.perf_counter() - started)
                    db.expunge_all()
        finally:
            await engine.dispose()
        return samples

    return asyncio.run(run())


def sql_uuid(settings: Settings, value: uuid.UUID) -> str | uuid.UUID:
    """A UUID as a bare-SQL parameter: SQLite stores it as 32 hex digits, PostgreSQL as ``uuid``."""
    return value.hex if settings.is_sqlite else value


def page_queries(settings: Settings, cases: int) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    """(label, URL, the same page's bare WHERE clause or None, its parameters) for the coordinator."""

    async def middle(db: AsyncSession) -> tuple[dt.date, uuid.UUID]:
        statement = (
            select(Report.received_on, Report.id)
            .order_by(Report.received_on.desc(), Report.id.desc())
            .offset(cases // 2)
            .limit(1)
        )
        day, report_id = (await db.execute(statement)).one()
        return day, report_id

    day, report_id = asyncio.run(in_session(settings, middle))
    return [
        # The default order fills its page group by group: reply received, overdue, new, the rest.
        ("inbox, first page, attention order", "/staff/", None, {}),
        ("inbox, first page, newest first", "/staff/?sort=newest", "", {}),
        (
            "inbox, status=new & ground=religion",
            "/staff/?status=new&ground=religion",
            "AND report.status = 'new' AND EXISTS (SELECT 1 FROM case_code WHERE case_code.report_id = report.id "
            "AND origin IN ('staff', 'reporter') AND dimension = 'grounds' AND code = 'religion')",
            {},
        ),
        (
            f"inbox, page {cases // 2 // 50:,} (keyset cursor)",
            f"/staff/?sort=newest&after={day.isoformat()}~{report_id.hex}",
            "AND report.received_on <= :day AND (report.received_on < :day OR "
            "(report.received_on = :day AND report.id < :id))",
            {"day": day, "id": sql_uuid(settings, report_id)},
        ),
        # The app fills a status-sorted page status by status, newest first; here the first status fills it.
        ("inbox, sorted by status", "/staff/?sort=status", "AND report.status = 'new'", {}),
        # Every staff page carries the attention counts: the account page is little else.
        ("account page (navigation counts)", "/staff/me", None, {}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: a SQLite file in a temporary directory)"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        environment = {
            "REPORTING_DATA_DIR": f"{directory}/var",
            "REPORTING_KEYS_DIR": f"{directory}/keys",
            "REPORTING_PUBLIC_URL": BASE_URL,
        }
        if arguments.database_url:
            environment["REPORTING_DATABASE_URL"] = arguments.database_url
        settings = Settings.from_env(environment)
        initialise(settings)
        started = time.perf_counter()
        seeded = asyncio.run(seed(settings, arguments.cases))
        backend = "SQLite" if settings.is_sqlite else "PostgreSQL"
        print(f"{backend}: seeded {arguments.cases:,} cases in {time.perf_counter() - started:.1f} s")
        cookies = {
            role: asyncio.run(session_cookie(settings, account))
            for role, account in (
                ("coordinator", seeded.coordinator),
                ("local", seeded.local_coordinator),
                ("adviser", seeded.adviser),
            )
        }
        sealed_ids = seeded.sealed
        held = "report.id IN (SELECT report_id FROM wrapped_key WHERE staff_id = :staff AND key_purpose = 'case')"
        adviser_where = f"AND {held}"
        with TestClient(app=create_app(settings), base_url=BASE_URL) as client:

            def get(url: str, _attempt: int = 0) -> None:
                response = client.get(url)
                assert response.status_code == 200, (response.status_code, response.text[:3000])

            print(f"Through the whole app (TestClient, in-process), {REPEATS} requests each:")
            client.cookies.set(sessions.STAFF_SESSION_COOKIE, cookies["coordinator"], path="/staff")
            for label, url, where, parameters in page_queries(settings, arguments.cases):
                bare = None if where is None else bare_sql_timer(settings, BARE_PAGE.format(where=where), parameters)
                print(row(label, timed(functools.partial(get, url)), bare))
            case_open = timed(lambda attempt: get(f"/staff/cases/{sealed_ids[attempt % len(sealed_ids)]}"))
            client.cookies.set(sessions.STAFF_SESSION_COOKIE, cookies["local"], path="/staff")
            local_bare = bare_sql_timer(
                settings,
                BARE_PAGE.format(where=f"AND (report.office_id IN (:office) OR {held})"),
                {
                    "office": sql_uuid(settings, seeded.local_office),
                    "staff": sql_uuid(settings, seeded.local_coordinator.id),
                },
            )
            label = f"inbox, first page (coordinator of 1 of {LOCAL_OFFICES} offices)"
            print(row(label, timed(lambda _attempt: get("/staff/")), local_bare))
            client.cookies.set(sessions.STAFF_SESSION_COOKIE, cookies["adviser"], path="/staff")
            adviser_bare = bare_sql_timer(
                settings,
                BARE_PAGE.format(where=adviser_where),
                {"staff": sql_uuid(settings, seeded.adviser.id)},
            )
            print(row("inbox, first page (adviser: own cases)", timed(lambda _attempt: get("/staff/")), adviser_bare))
        print(row("navigation counts alone (coordinator)", counts_timer(settings, seeded.coordinator)))
        print(row("navigation counts alone (adviser)", counts_timer(settings, seeded.adviser)))
        print(row("case page: decrypt + audit + render", case_open))
        print(
            row(
                "  bare opening.open_case (load + decrypt)",
                bare_case_open_timer(settings, seeded.coordinator, sealed_ids),
            )
        )


if __name__ == "__main__":
    main()
