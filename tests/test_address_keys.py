"""A seized server gives away no client address: nothing on disk reproduces a rate-limit counter's key,
while the workers of one ``serve --workers N`` still count every client together. The staff-login limits
(per client and per e-mail address tried) are covered the same way: no counter names an e-mail address
that a seized disk could test."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

import reporting.db.models  # noqa: F401  (registers every table on the metadata)
from reporting.cli.instance import initialise
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.base import Base
from reporting.db.models import ThrottleCounter
from reporting.intake.pow_routes import CHALLENGE_LIMIT, CHALLENGE_WINDOW_SECONDS
from reporting.web.throttle import FIFTEEN_MINUTES
from tests.conftest import run_db
from tests.intake.conftest import post_form
from tests.live_server import live_server

ADDRESS = "127.0.0.1"  # the live server sees the test's loopback connections
EMAIL = "coordinator@caritas.example"
LOGIN_ATTEMPTS = 3
HEX_RUN = re.compile(rb"[0-9a-fA-F]{32,}")


async def _counters(session: AsyncSession) -> list[tuple[str, str, int]]:
    rows = await session.execute(
        select(ThrottleCounter.scope, ThrottleCounter.client_key, ThrottleCounter.window_start)
    )
    return [(scope, key, window_start) for scope, key, window_start in rows]


async def _database_values(session: AsyncSession) -> list[bytes]:
    """Every string and byte value stored in any table: whatever a database writer or a dump holds."""
    values: list[bytes] = []
    for table in Base.metadata.sorted_tables:
        for row in await session.execute(text(f'SELECT * FROM "{table.name}"')):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    values.append(bytes(value))
                elif isinstance(value, str):
                    values.append(value.encode())
    return values


def _key_material_on_disk(settings: Settings) -> set[bytes]:
    """Every candidate key: the instance secrets and their derivations, every file's hex runs and raw
    32-byte windows in the data and keys directories, and every value in the database."""
    secrets = load_instance_secrets(settings)
    candidates = {secrets.signing_key, secrets.receipt_salt, secrets.csrf_secret.encode()}
    candidates |= {
        secrets.derive(purpose)
        for purpose in (
            "client-address",
            "throttle",
            "throttle/client",
            "throttle/login-email",
            "throttle/code-account",
            "throttle/password-account",
        )
    }
    for directory in (settings.data_dir, settings.keys_dir):
        for path in directory.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                candidates |= {bytes.fromhex(run.decode()[: len(run) // 2 * 2]) for run in HEX_RUN.findall(content)}
                candidates |= {content[start : start + 32] for start in range(0, max(len(content) - 31, 1), 16)}
    candidates |= set(run_db(settings, _database_values))
    return candidates


def _derivations(material: bytes, scope: str, window_start: int, window_seconds: int) -> set[str]:
    """The counter keys ``material`` would give for what the test sent (the address, the e-mail address),
    under every derivation the service used."""
    return {
        key
        for value in (ADDRESS, EMAIL, f"login-email\x00{EMAIL}")
        for key in _derivations_of(value.encode(), material, scope, window_start, window_seconds)
    }


def _derivations_of(address: bytes, material: bytes, scope: str, window_start: int, window_seconds: int) -> set[str]:
    day = dt.datetime.fromtimestamp(window_start, dt.UTC).date()
    daily = hmac.new(material, f"client-address/{day.isoformat()}".encode(), hashlib.sha256).digest()
    window_label = f"reporting/v1 address window\x00{scope}\x00{window_seconds}\x00{window_start}".encode()
    per_window = hmac.new(material, window_label, hashlib.sha256).digest()
    return {
        hmac.new(material, address, hashlib.sha256).hexdigest(),
        hmac.new(daily, address, hashlib.sha256).hexdigest(),
        hmac.new(per_window, address, hashlib.sha256).hexdigest(),
        hashlib.sha256(material + address).hexdigest(),
    }


def _window_seconds(scope: str) -> int:
    return FIFTEEN_MINUTES if scope.startswith("staff-") else CHALLENGE_WINDOW_SECONDS


@pytest.mark.slow
def test_no_key_on_disk_reproduces_a_counter_and_workers_share_limits(settings: Settings, tmp_path: Path) -> None:
    initialise(settings)
    with live_server(settings, tmp_path / "serve.log", workers=2) as server:
        statuses = []
        for _request in range(CHALLENGE_LIMIT + 2):
            # A new connection every time, so the kernel hands the requests to both workers.
            with httpx.Client(base_url=server.base_url, timeout=30) as browser:
                statuses.append(browser.get("/altcha/challenge").status_code)
        with httpx.Client(base_url=server.base_url, timeout=30) as browser:
            logins = [
                post_form(browser, "/staff/login", {"email": EMAIL, "password": "not the password"}).status_code
                for _attempt in range(LOGIN_ATTEMPTS)
            ]
        counters = run_db(settings, _counters)
        material = _key_material_on_disk(settings)

    # Both workers wrote the same pseudonym (one counter per scope and window): the limit holds across them.
    assert statuses.count(429) >= 1
    assert statuses[: CHALLENGE_LIMIT - 1].count(200) == CHALLENGE_LIMIT - 1
    assert len({(scope, window) for scope, _key, window in counters}) == len(counters)
    assert logins == [200] * LOGIN_ATTEMPTS
    assert {"staff-login-client", "staff-login-email"} <= {scope for scope, _key, _window in counters}

    stored = {key for _scope, key, _window in counters}
    reproduced = {
        key
        for candidate in material
        for scope, _key, window_start in counters
        for key in _derivations(candidate, scope, window_start, _window_seconds(scope))
    } & stored
    assert not reproduced
