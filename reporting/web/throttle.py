"""Rate limits and replay guards shared by every worker process through the database.

Both commit on their own connection, independent of the request's transaction: a request that is
refused (and so rolled back) must still count, and a spent token must stay spent.
Clients (and the e-mail addresses and accounts of staff-login limits) are identified by
:class:`~reporting.web.address_keys.ClientAddress`: an HMAC under a key per scope and window that exists only
in memory, so no row can be turned back into an address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import time
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS
from sqlalchemy import delete, select
from sqlalchemy import insert as sql_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.config.settings import Settings
from reporting.db.models import ThrottleCounter, UsedToken, utc_now
from reporting.db.retry import with_retries
from reporting.web.address_keys import ClientAddress
from reporting.web.app_state import app_settings

FIFTEEN_MINUTES = 15 * 60


def client_address(request: Request[Any, Any, State], settings: Settings) -> str:
    """The peer address, or the right-most untrusted ``X-Forwarded-For`` entry behind a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    if not settings.trusted_proxies or not _is_trusted(peer, settings.trusted_proxies):
        return peer
    for hop in reversed([part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]):
        if hop and not _is_trusted(hop, settings.trusted_proxies):
            return hop
    return peer


def _is_trusted(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network) for network in networks)


def client_key(request: Request[Any, Any, State]) -> ClientAddress:
    """The requesting client, written to counters only as its pseudonym per scope and window."""
    return ClientAddress(client_address(request, app_settings(request)))


def _insert_for(engine: AsyncEngine) -> Any:
    return postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert


async def register_hit(
    engine: AsyncEngine,
    scope: str,
    key: str | ClientAddress,
    *,
    limit: int,
    window_seconds: int,
    now: float | None = None,
) -> bool:
    """Count one attempt; return whether the attempts of the last ``window_seconds`` are within ``limit``.

    Counters are kept per fixed window, and the previous window's count is weighted by how much of it
    still lies within the last ``window_seconds`` (a sliding-window estimate): with fixed windows alone a
    client could make twice the limit across a window boundary.
    """
    moment = time.time() if now is None else now
    window_start = int(moment) // window_seconds * window_seconds
    if isinstance(key, ClientAddress):
        current_key = key.key_for(scope, window_seconds, window_start)
        previous_key = key.key_for(scope, window_seconds, window_start - window_seconds)
    else:
        current_key = previous_key = key
    # A counter is still read as "the previous window" during the whole next window.
    expires_at = dt.datetime.fromtimestamp(window_start + 2 * window_seconds, dt.UTC)
    insert = _insert_for(engine)
    statement = (
        insert(ThrottleCounter)
        .values(scope=scope, client_key=current_key, window_start=window_start, hits=1, expires_at=expires_at)
        .on_conflict_do_update(
            index_elements=["scope", "client_key", "window_start"],
            set_={"hits": ThrottleCounter.hits + 1},
        )
        .returning(ThrottleCounter.hits)
    )
    previous = select(ThrottleCounter.hits).where(
        ThrottleCounter.scope == scope,
        ThrottleCounter.client_key == previous_key,
        ThrottleCounter.window_start == window_start - window_seconds,
    )

    async def count() -> tuple[int, int]:
        async with engine.begin() as connection:
            hits = int((await connection.execute(statement)).scalar_one())
            previous_hits = int((await connection.execute(previous)).scalar_one_or_none() or 0)
            return hits, previous_hits

    hits, previous_hits = await with_retries(count)
    still_counting = 1 - (moment - window_start) / window_seconds
    return hits + previous_hits * still_counting <= limit


async def spend_once(engine: AsyncEngine, scope: str, token: str | bytes, *, valid_for_seconds: int) -> bool:
    """Record a one-time token; return ``False`` when it was already spent (a replay)."""
    raw = token.encode() if isinstance(token, str) else token
    token_hash = hashlib.sha256(raw).hexdigest()
    expires_at = utc_now() + dt.timedelta(seconds=valid_for_seconds)

    async def record() -> None:
        async with engine.begin() as connection:
            await connection.execute(
                sql_insert(UsedToken).values(scope=scope, token_hash=token_hash, expires_at=expires_at)
            )

    try:
        await with_retries(record)
    except IntegrityError:
        return False
    return True


async def purge_expired(engine: AsyncEngine) -> None:
    """Delete expired counters and tokens (housekeeping; expired rows are ignored anyway)."""
    now = utc_now()
    async with engine.begin() as connection:
        await connection.execute(delete(ThrottleCounter).where(ThrottleCounter.expires_at < now))
        await connection.execute(delete(UsedToken).where(UsedToken.expires_at < now))


def pseudonym(purpose: str, value: str) -> ClientAddress:
    """An e-mail address tried at login or an account, counted like a client address: written only as its
    HMAC under the in-memory key of one scope and window, so nothing on disk links a counter to a person."""
    return ClientAddress(f"{purpose}\x00{value}")


Limit = tuple[str, str | ClientAddress, int]
"""``(scope, key, limit)``: at most ``limit`` attempts of ``key`` in ``scope`` per window."""


async def within_limits(engine: AsyncEngine, limits: list[Limit], *, window_seconds: int = FIFTEEN_MINUTES) -> bool:
    """Count one attempt against every limit; return whether all of them still hold.

    For pages that answer an exceeded limit themselves (the reporter's form keeps what was typed).
    """
    within = [
        await register_hit(engine, scope, key, limit=limit, window_seconds=window_seconds)
        for scope, key, limit in limits
    ]
    return all(within)


async def enforce_limits(engine: AsyncEngine, limits: list[Limit], *, window_seconds: int = FIFTEEN_MINUTES) -> None:
    """Count one attempt against every limit; answer 429 when any is exceeded."""
    if not await within_limits(engine, limits, window_seconds=window_seconds):
        raise HTTPException(status_code=HTTP_429_TOO_MANY_REQUESTS)


def client_limit(request: Request[Any, Any, State], scope: str, limit: int) -> Limit:
    """A limit per client (the pseudonym of its address in this scope and window)."""
    return scope, client_key(request), limit
