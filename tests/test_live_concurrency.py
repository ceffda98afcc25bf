"""The real service under concurrent reporters, a killed worker, stalled bodies and a flood of receipt
derivations: nothing acknowledged is lost, no 500, and slow clients do not starve the others.

Every test drives ``reporting serve`` as a separate process over loopback, bounded in time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import Stage
from reporting.auth import sessions
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.vault.opening import (
    MAX_CONCURRENT_DERIVATIONS,
    MAX_QUEUED_DERIVATIONS,
    find_report_by_receipt,
    mailbox_key_for_reporter,
)
from reporting.vault.period_keys import PeriodKeys
from tests.casework.conftest import DEFAULT_PASSWORD, create_staff
from tests.conftest import run_db
from tests.live_reporter import reporter_address, send_report, shown_receipt
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.slow

CONCURRENT_REPORTERS = MAX_CONCURRENT_DERIVATIONS + MAX_QUEUED_DERIVATIONS
"""As many reporters at once as one worker admits (18 on 2 cores, more than the 16 that broke SQLite): all
of them must get a receipt however the kernel spreads them over the workers; beyond it a worker answers 503."""
MEBIBYTE = 1024 * 1024
TRUST_LOOPBACK: dict[str, str] = {"REPORTING_TRUSTED_PROXIES": "127.0.0.1/32"}


@pytest.fixture
def sqlite_only(initialised_settings: Settings) -> Settings:
    if not initialised_settings.is_sqlite:
        pytest.skip("the SQLite write lock is what this test is about")
    return initialised_settings


@pytest.fixture
def two_workers(sqlite_only: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(sqlite_only, tmp_path / "server.log", workers=2, **TRUST_LOOPBACK) as server:
        yield server


async def _reporters(base_url: str, count: int, first_address: int = 0) -> list[httpx.Response | BaseException]:
    """``count`` reporters at once, each with its own connection and address."""

    async def one(number: int) -> httpx.Response:
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            return await send_report(client, reporter_address(first_address + number))

    return await asyncio.gather(*(one(number) for number in range(count)), return_exceptions=True)


def _unopened_receipts(settings: Settings, codes: list[str]) -> list[str]:
    """The codes whose report cannot be found or whose mailbox key does not unwrap."""
    secrets = load_instance_secrets(settings)

    async def check(session: AsyncSession) -> list[str]:
        failed = []
        for code in codes:
            found = await find_report_by_receipt(session, secrets, code)
            if found is None:
                failed.append(code)
                continue
            await mailbox_key_for_reporter(session, PeriodKeys.of(settings), *found)
        return failed

    return run_db(settings, check)


def test_concurrent_reporters_on_two_sqlite_workers_all_get_a_receipt_that_opens(
    two_workers: LiveServer, sqlite_only: Settings
) -> None:
    answers = asyncio.run(_reporters(two_workers.base_url, CONCURRENT_REPORTERS))
    statuses = [answer.status_code if isinstance(answer, httpx.Response) else repr(answer) for answer in answers]
    assert statuses == [200] * CONCURRENT_REPORTERS
    codes = [shown_receipt(answer) for answer in answers if isinstance(answer, httpx.Response)]
    assert None not in codes
    assert _unopened_receipts(sqlite_only, [code for code in codes if code]) == []
    assert "database is locked" not in two_workers.log_path.read_text(errors="replace")


def _worker_pids(supervisor_pid: int) -> list[int]:
    """The supervisor's worker processes (started by multiprocessing's spawn; not its resource tracker)."""
    children = Path(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _server_pid(log_path: Path) -> int:
    """The ``reporting serve`` process listening for ``log_path``'s server (the process group leader)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if (
            b"serve" in command
            and str(log_path.parent).encode() in environment
            and os.getpgid(int(entry.name)) == int(entry.name)
        ):
            return int(entry.name)
    raise AssertionError("no server process found")


def test_a_worker_killed_during_submissions_loses_no_shown_receipt(
    two_workers: LiveServer, sqlite_only: Settings
) -> None:
    workers = _worker_pids(_server_pid(two_workers.log_path))
    assert len(workers) == 2

    async def scenario() -> list[httpx.Response | BaseException]:
        submissions = asyncio.ensure_future(_reporters(two_workers.base_url, CONCURRENT_REPORTERS))
        await asyncio.sleep(1.0)  # requests are in flight on both workers
        os.kill(workers[0], signal.SIGKILL)
        return await submissions

    answers = asyncio.run(scenario())
    responses = [answer for answer in answers if isinstance(answer, httpx.Response)]
    # The survivor may refuse what it cannot take at once (503, "nothing was stored"), never show a receipt
    # it did not keep.
    assert all(response.status_code in (200, 503) for response in responses), [r.status_code for r in responses]
    assert not [response for response in responses if response.status_code == 503 and shown_receipt(response)]
    codes = [code for code in map(shown_receipt, responses) if code]
    assert codes, "no submission survived at all"
    assert _unopened_receipts(sqlite_only, codes) == []
    # The supervisor replaces the worker; the service keeps accepting reports.
    later = asyncio.run(_reporters(two_workers.base_url, 2, first_address=1000))
    assert [shown_receipt(answer) is not None for answer in later if isinstance(answer, httpx.Response)] == [True] * 2


def _stall(base_url: str, path: str, cookie: str, csrf: str) -> socket.socket:
    """A request whose head arrives and whose body never does."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=5)
    connection.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Cookie: {sessions.STAFF_SESSION_COOKIE}={cookie}; csrftoken={csrf}\r\n"
            f"X-CSRFToken: {csrf}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 1000\r\n\r\ncode=1"
        ).encode()
    )
    return connection


def test_stalled_bodies_of_a_totp_stage_session_do_not_starve_other_requests(
    initialised_settings: Settings, tmp_path: Path
) -> None:
    account, _password, _secret = create_staff(initialised_settings, "adviser")

    async def totp_stage(session: AsyncSession) -> str:
        from reporting.crypto import passwords

        private_key = passwords.unwrap_private_key(account.wrapped_private_key, DEFAULT_PASSWORD)
        return await sessions.start_session(session, account, private_key, stage=Stage.TOTP)

    cookie = run_db(initialised_settings, totp_stage)
    with live_server(initialised_settings, tmp_path / "server.log") as server:
        csrf = httpx.get(f"{server.base_url}/staff/login").cookies["csrftoken"]
        stalled = [_stall(server.base_url, "/staff/login/two-factor", cookie, csrf) for _ in range(30)]
        try:
            time.sleep(1.0)  # let every stalled request reach as far as it can
            for path in ("/healthz", "/mailbox", "/healthz"):
                started = time.monotonic()
                response = httpx.get(f"{server.base_url}{path}", timeout=10)
                assert response.status_code == 200, path
                assert time.monotonic() - started < 2.0, path
        finally:
            for connection in stalled:
                connection.close()


def _peak_memory_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def test_a_flood_of_receipt_derivations_gets_503_pages_not_memory(sqlite_only: Settings, tmp_path: Path) -> None:
    flood = 60
    with live_server(sqlite_only, tmp_path / "server.log", 1, **TRUST_LOOPBACK) as server:
        pid = _server_pid(server.log_path)
        before = _peak_memory_bytes(pid)

        async def open_mailboxes() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
                await client.get("/mailbox")
                token = client.cookies["csrftoken"]

                async def one(number: int) -> httpx.Response:
                    return await client.post(
                        "/mailbox",
                        data={"code": "1234 5678 9012 3456 7890", "_csrf_token": token},
                        headers={"X-Forwarded-For": reporter_address(number)},
                    )

                return list(await asyncio.gather(*(one(number) for number in range(flood))))

        answers = asyncio.run(open_mailboxes())
        growth = _peak_memory_bytes(pid) - before
    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) <= {400, 503}, statuses  # an unknown code, or refused
    refused = [answer for answer in answers if answer.status_code == 503]
    assert refused, "the flood was never refused"
    assert all("Vorübergehend nicht erreichbar" in answer.text for answer in refused)
    assert all(answer.headers["retry-after"] for answer in refused)
    # Each running derivation holds 64 MiB; a few more for the rest of the process.
    assert growth < (MAX_CONCURRENT_DERIVATIONS + 1) * 64 * MEBIBYTE, growth / MEBIBYTE
