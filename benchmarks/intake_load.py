"""Intake under load: the real service against a floor app, same workers, same client, same time.

Run: ``python benchmarks/intake_load.py [--seconds 20] [--connections 8]``; PostgreSQL too when
``REPORTING_BENCH_POSTGRES_URL`` (or ``REPORTING_TEST_POSTGRES_URL``) names a server where a scratch
database may be created. For each database it starts ``reporting serve --workers 2`` on a fresh instance
and then ``benchmarks/intake_floor.py`` (bare Litestar, 2 workers: Argon2id, HPKE seal, one INSERT), and
drives each for the same time with the same loopback client: N connections, each request a complete
no-JavaScript submission (form page, then the multipart POST with CSRF token and one-time id; each
simulated reporter has its own address through a trusted proxy header, so rate limits count people).
Prints submissions/s, p50/p99 of a submission and the ratio real/floor; then the form page alone
(``GET /``) against the floor's bare page render. Loopback only; every process is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from tests.live_reporter import reporter_address, send_report, shown_receipt
from tests.live_server import free_port, server_environment

START_TIMEOUT_SECONDS = 120
WARM_UP_SECONDS = 2.0


@dataclass
class Figures:
    completed: int
    failed: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")

    def line(self, label: str) -> str:
        return (
            f"  {label:<10} {self.per_second:8.1f}/s   p50 {self.percentile(0.5) * 1000:7.1f} ms   "
            f"p99 {self.percentile(0.99) * 1000:7.1f} ms   ({self.completed} done, {self.failed} failed)"
        )


@contextmanager
def _serving(command: list[str], environment: dict[str, str], port: int, log: Path) -> Iterator[str]:
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, env=environment, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{base_url}/", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.3)
            else:
                raise RuntimeError("server did not start in time")
            yield base_url
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


async def _drive(
    base_url: str, connections: int, seconds: float, request: Callable[[httpx.AsyncClient, int], Awaitable[bool]]
) -> Figures:
    """``connections`` clients send ``request`` back to back; what completes within the window counts."""
    numbers = itertools.count()
    latencies: list[float] = []
    failed = 0
    loop = asyncio.get_running_loop()
    start = loop.time() + WARM_UP_SECONDS
    end = start + seconds

    async def client_loop() -> None:
        nonlocal failed
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
            while loop.time() < end:
                began = loop.time()
                try:
                    ok = await request(client, next(numbers))
                except httpx.HTTPError:
                    ok = False
                finished = loop.time()
                if start <= finished <= end:
                    if ok:
                        latencies.append(finished - began)
                    else:
                        failed += 1

    await asyncio.gather(*(client_loop() for _ in range(connections)))
    return Figures(len(latencies), failed, seconds, latencies)


async def _submission(client: httpx.AsyncClient, number: int) -> bool:
    response = await send_report(client, reporter_address(number))
    return response.status_code == 200 and shown_receipt(response) is not None


async def _form_page(client: httpx.AsyncClient, _number: int) -> bool:
    return (await client.get("/")).status_code == 200


def _measure(base_url: str, arguments: argparse.Namespace) -> tuple[Figures, Figures]:
    submissions = asyncio.run(_drive(base_url, arguments.connections, arguments.seconds, _submission))
    pages = asyncio.run(_drive(base_url, arguments.connections, arguments.seconds / 2, _form_page))
    return submissions, pages


def _postgres_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    import asyncpg

    plain = "postgresql://" + admin_url.split("://", 1)[1]
    name = f"reporting_bench_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(plain)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = plain.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    return url, lambda: asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _run_database(label: str, database_url: str | None, arguments: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="intake-load-") as scratch:
        root = Path(scratch)
        environ = {"REPORTING_DATA_DIR": str(root / "var"), "REPORTING_KEYS_DIR": str(root / "keys")}
        if database_url:
            environ["REPORTING_DATABASE_URL"] = database_url
        settings = Settings.from_env(environ)
        initialise(settings)
        environment = server_environment(
            settings, REPORTING_TRUSTED_PROXIES="127.0.0.1/32", REPORTING_LOG_LEVEL="WARNING"
        )
        port = free_port()
        real_command = [sys.executable, "-m", "reporting", "serve", "--port", str(port), "--workers", "2"]
        with _serving(real_command, environment, port, root / "real.log") as base_url:
            real, real_page = _measure(base_url, arguments)
        port = free_port()
        floor_command = [sys.executable, str(Path(__file__).with_name("intake_floor.py")), str(port)]
        search_path = [str(Path(__file__).parent), str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
        floor_environment = {**environment, "PYTHONPATH": os.pathsep.join(filter(None, search_path))}
        with _serving(floor_command, floor_environment, port, root / "floor.log") as base_url:
            floor, floor_page = _measure(base_url, arguments)
    print(f"{label}: submissions ({arguments.connections} connections, {arguments.seconds:.0f} s each)")
    print(real.line("real"))
    print(floor.line("floor"))
    print(f"  ratio real/floor: {real.per_second / floor.per_second:.2f}")
    print(f"{label}: form page GET /")
    print(real_page.line("real"))
    print(floor_page.line("floor"))
    print(f"  ratio real/floor: {real_page.per_second / floor_page.per_second:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    arguments = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if arguments.only != "postgresql":
        _run_database("SQLite", None, arguments)
    admin_url = os.environ.get("REPORTING_BENCH_POSTGRES_URL") or os.environ.get("REPORTING_TEST_POSTGRES_URL")
    if admin_url and arguments.only != "sqlite":
        database_url, drop = _postgres_database(admin_url)
        try:
            _run_database("PostgreSQL", database_url, arguments)
        finally:
            drop()


if __name__ == "__main__":
    main()
