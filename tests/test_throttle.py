"""Rate limits and replay guards live in the database, so separate processes (here: separate engines
with their own connection pools) share them."""

from __future__ import annotations

import time

from reporting.config.settings import Settings
from reporting.db.engine import create_engine
from reporting.web.address_keys import ClientAddress
from reporting.web.throttle import purge_expired, register_hit, spend_once


async def test_limit_is_shared_between_engines(initialised_settings: Settings) -> None:
    first, second = create_engine(initialised_settings), create_engine(initialised_settings)
    try:
        outcomes = [
            await register_hit(engine, "form", "client-a", limit=3, window_seconds=3600)
            for engine in (first, second, first, second)
        ]
        assert outcomes == [True, True, True, False]
        assert await register_hit(second, "form", "client-b", limit=3, window_seconds=3600)
        assert await register_hit(second, "mailbox", "client-a", limit=3, window_seconds=3600)
    finally:
        await first.dispose()
        await second.dispose()


async def test_token_can_be_spent_once_across_engines(initialised_settings: Settings) -> None:
    first, second = create_engine(initialised_settings), create_engine(initialised_settings)
    try:
        assert await spend_once(first, "altcha", "challenge-1", valid_for_seconds=600)
        assert not await spend_once(second, "altcha", "challenge-1", valid_for_seconds=600)
        assert await spend_once(second, "totp", "challenge-1", valid_for_seconds=600)
        await purge_expired(first)
        assert not await spend_once(first, "altcha", "challenge-1", valid_for_seconds=600)
    finally:
        await first.dispose()
        await second.dispose()


def test_client_key_differs_per_scope_and_window_and_is_not_the_address() -> None:
    client = ClientAddress("203.0.113.7")
    key = client.key_for("mailbox", 3600, 7200)
    assert "203.0.113.7" not in key
    assert len(key) == 64
    assert key == ClientAddress("203.0.113.7").key_for("mailbox", 3600, 7200)
    assert key != client.key_for("intake:report", 3600, 7200)  # scopes cannot be linked
    assert key != client.key_for("mailbox", 3600, 10800)  # nor windows
    assert key != ClientAddress("203.0.113.8").key_for("mailbox", 3600, 7200)


async def test_a_client_address_slides_across_the_window_whose_key_changed(initialised_settings: Settings) -> None:
    """The previous window's counter is found under the previous window's key."""
    engine = create_engine(initialised_settings)
    window, client = 600, ClientAddress("203.0.113.9")
    boundary = (int(time.time()) // window + 1) * window
    try:
        for _hit in range(5):
            assert await register_hit(engine, "test:slide", client, limit=5, window_seconds=window, now=boundary - 10)
        assert not await register_hit(engine, "test:slide", client, limit=5, window_seconds=window, now=boundary + 5)
    finally:
        await engine.dispose()


async def test_limit_holds_across_a_window_boundary(initialised_settings: Settings) -> None:
    """Attempts just before a window ends still count just after it: no doubling at the boundary."""
    engine = create_engine(initialised_settings)
    window = 600
    boundary = (int(time.time()) // window + 1) * window
    try:
        before = [
            await register_hit(engine, "test:boundary", "client", limit=5, window_seconds=window, now=boundary - 10)
            for _ in range(5)
        ]
        assert before == [True] * 5
        assert not await register_hit(
            engine, "test:boundary", "client", limit=5, window_seconds=window, now=boundary + 5
        )
        # Once most of the old window has slid out of the last ten minutes, attempts are allowed again.
        assert await register_hit(
            engine, "test:boundary", "client", limit=5, window_seconds=window, now=boundary + window - 60
        )
    finally:
        await engine.dispose()
