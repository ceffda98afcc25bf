"""Abuse resistance without tracking: ALTCHA proof of work (required when sent, verified, never
replayable, also not through another worker), the honeypot, and rate limits per pseudonymous client."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterator

import altcha
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.app import create_app, housekeeping_jobs
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.engine import create_engine, session_scope
from reporting.db.models import ThrottleCounter, UsedToken
from reporting.intake import pow as proof_of_work
from reporting.web.address_keys import ClientAddress
from reporting.web.housekeeping import run_jobs
from reporting.web.throttle import register_hit
from tests.conftest import BASE_URL
from tests.intake.conftest import (
    assert_report_values_kept,
    form_state,
    full_report_form,
    post_form,
    receipt_code,
    report_count,
    run,
)


def _solve(challenge: dict[str, object]) -> str:
    """What the widget does in the browser: find the counter, send challenge and solution back."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed, timeout=30)
    assert solution is not None
    return altcha.Payload(parsed, solution).to_base64()


def _fresh_payload(client: TestClient[Litestar]) -> str:
    response = client.get("/altcha/challenge")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return _solve(response.json())


@pytest.fixture
def second_worker(initialised_settings: Settings) -> Iterator[TestClient[Litestar]]:
    """Another application instance on the same database and secrets, as another worker process is."""
    with TestClient(app=create_app(initialised_settings), base_url=BASE_URL) as other:
        yield other


def test_challenge_is_signed_and_expires(client: TestClient[Litestar]) -> None:
    challenge = client.get("/altcha/challenge").json()
    parameters = challenge["parameters"]
    assert parameters["algorithm"] == "PBKDF2/SHA-256"
    assert challenge["signature"]
    assert parameters["keySignature"]
    assert parameters["expiresAt"] > dt.datetime.now(dt.UTC).timestamp()
    assert client.get("/altcha/challenge").json()["parameters"]["nonce"] != parameters["nonce"]


def test_solved_pow_is_accepted_once_also_across_workers(
    client: TestClient[Litestar], second_worker: TestClient[Litestar], initialised_settings: Settings
) -> None:
    payload = _fresh_payload(client)
    form = full_report_form(altcha=payload)
    accepted = post_form(client, "/report?lang=en", form)
    assert accepted.status_code == 200
    receipt_code(accepted)

    replayed = post_form(client, "/report?lang=en", form)
    assert replayed.status_code == 400
    assert "The automatic check did not succeed" in replayed.text
    assert_report_values_kept(replayed.text, form)

    elsewhere = post_form(second_worker, "/report?lang=en", form)
    assert elsewhere.status_code == 400
    assert run(report_count(initialised_settings)) == 1


def _tampered(payload: str) -> str:
    data = json.loads(base64.b64decode(payload))
    data["solution"]["derivedKey"] = "00" * 32
    return base64.b64encode(json.dumps(data).encode()).decode()


def _expired_payload(settings: Settings) -> str:
    secrets = load_instance_secrets(settings)
    challenge = altcha.create_challenge(
        proof_of_work.ALGORITHM,
        10,
        counter=5,
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5),
        hmac_secret=secrets.derive("altcha"),
        hmac_key_secret=secrets.derive("altcha/derived-key"),
    )
    return _solve(challenge.to_dict())


def _foreign_payload() -> str:
    challenge = altcha.create_challenge(
        proof_of_work.ALGORITHM, 10, counter=5, hmac_secret=b"another installation", hmac_key_secret=b"x"
    )
    return _solve(challenge.to_dict())


@pytest.mark.parametrize("kind", ["tampered", "expired", "foreign", "garbage", "huge"])
def test_invalid_pow_is_refused_and_the_form_comes_back(
    client: TestClient[Litestar], initialised_settings: Settings, kind: str
) -> None:
    payloads: dict[str, Callable[[], str]] = {
        "tampered": lambda: _tampered(_fresh_payload(client)),
        "expired": lambda: _expired_payload(initialised_settings),
        "foreign": _foreign_payload,
        "garbage": lambda: "not-base64-at-all%%%",
        "huge": lambda: "A" * 10_000,
    }
    payload = payloads[kind]()
    form = full_report_form(altcha=payload)
    response = post_form(client, "/report?lang=en", form)
    assert response.status_code == 400
    assert "The automatic check did not succeed" in response.text
    assert_report_values_kept(response.text, form)
    assert run(report_count(initialised_settings)) == 0


def test_without_javascript_the_form_works_under_a_stricter_limit(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    for _report in range(3):
        assert post_form(client, "/report?lang=en", full_report_form()).status_code == 200
    form = full_report_form()
    blocked = post_form(client, "/report?lang=en", form)
    assert blocked.status_code == 429
    assert "Too many reports were sent from your connection" in blocked.text
    assert_report_values_kept(blocked.text, form)
    assert run(report_count(initialised_settings)) == 3
    # With proof of work the client still gets through: that path has its own, larger allowance.
    assert post_form(client, "/report?lang=en", full_report_form(altcha=_fresh_payload(client))).status_code == 200


async def _use_up(settings: Settings, scope: str, times: int, window_seconds: int) -> None:
    engine: AsyncEngine = create_engine(settings)
    try:
        key = _test_client_key()
        for _hit in range(times):
            await register_hit(engine, scope, key, limit=times, window_seconds=window_seconds)
    finally:
        await engine.dispose()


def _test_client_key() -> ClientAddress:
    # Litestar's TestClient connects as "testclient", and the app runs in this process (same address keys).
    return ClientAddress("testclient")


def test_pow_path_limit_and_overall_attempt_limit(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    run(_use_up(initialised_settings, "intake:report", 10, 3600))
    form = full_report_form(altcha=_fresh_payload(client))
    blocked = post_form(client, "/report?lang=en", form)
    assert blocked.status_code == 429
    assert_report_values_kept(blocked.text, form)

    run(_use_up(initialised_settings, "intake:attempt", 30, 3600))
    blocked = post_form(client, "/report?lang=en", form)
    assert blocked.status_code == 429
    assert "Too many reports were sent from your connection" in blocked.text
    assert_report_values_kept(blocked.text, form)
    assert run(report_count(initialised_settings)) == 0


def test_challenge_endpoint_is_rate_limited(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    run(_use_up(initialised_settings, "altcha:challenge", 60, 600))
    assert client.get("/altcha/challenge").status_code == 429


async def _spent_token_expiries(settings: Settings) -> list[dt.datetime]:
    async with session_scope(settings) as session:
        return list((await session.execute(select(UsedToken.expires_at))).scalars())


def test_spent_tokens_never_record_the_time_of_day(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    """Proof of work and form ids are kept until a midnight: their rows show the day, like the report."""
    form_page = client.get("/?lang=en")
    submission_id = form_state(form_page.text).hidden["submission_id"][0]
    form = full_report_form(altcha=_fresh_payload(client), submission_id=submission_id)
    assert post_form(client, "/report?lang=en", form).status_code == 200
    expiries = run(_spent_token_expiries(initialised_settings))
    assert len(expiries) == 2
    for expiry in expiries:
        midnight = expiry.replace(hour=0, minute=0, second=0, microsecond=0)
        assert expiry - midnight < dt.timedelta(seconds=2), expiry


async def _expired_rows(settings: Settings) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    async with session_scope(settings) as session:
        session.add(UsedToken(scope="altcha", token_hash="0" * 64, expires_at=past))
        session.add(ThrottleCounter(scope="intake:report", client_key="k", window_start=0, hits=1, expires_at=past))


async def _leftover_rows(settings: Settings) -> int:
    async with session_scope(settings) as session:
        tokens = (await session.execute(select(UsedToken).where(UsedToken.token_hash == "0" * 64))).all()
        counters = (await session.execute(select(ThrottleCounter).where(ThrottleCounter.client_key == "k"))).all()
    return len(tokens) + len(counters)


def test_expired_counters_and_tokens_are_removed_by_housekeeping_not_by_reports(
    client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    run(_expired_rows(initialised_settings))
    assert run(_leftover_rows(initialised_settings)) == 2
    post_form(client, "/report?lang=en", full_report_form())
    assert run(_leftover_rows(initialised_settings)) == 2  # off the request path

    async def housekeeping() -> None:
        engine = create_engine(initialised_settings)
        try:
            await run_jobs(housekeeping_jobs(engine, initialised_settings))
        finally:
            await engine.dispose()

    run(housekeeping())
    assert run(_leftover_rows(initialised_settings)) == 0
