"""Bounded retries of transient database errors, for steps that are safe to repeat.

SQLite answers "database is locked" when a writer waited longer than the busy timeout; PostgreSQL may
drop a connection or abort a transaction as a deadlock or serialization victim. Each of these left
nothing behind (the transaction was rolled back), so a step that runs in its own transaction can simply
run again. Anything else is raised at once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

T = TypeVar("T")

ATTEMPTS = 4
FIRST_DELAY_SECONDS = 0.05
# SQLSTATEs of a transaction PostgreSQL aborted on its own: serialization failure, deadlock.
_RETRYABLE_SQLSTATES = ("40001", "40P01")


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` says "try again" rather than "this is wrong"."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return sqlstate in _RETRYABLE_SQLSTATES


async def with_retries(step: Callable[[], Awaitable[T]], *, attempts: int = ATTEMPTS) -> T:
    """Run ``step`` (its own transaction) again after a transient error, with jittered backoff."""
    delay = FIRST_DELAY_SECONDS
    for attempt in range(1, attempts + 1):
        try:
            return await step()
        except DBAPIError as error:
            if attempt == attempts or not is_transient(error):
                raise
        await asyncio.sleep(delay * (1 + random.random()))  # noqa: S311 - jitter, not a secret
        delay *= 2
    raise AssertionError("unreachable")
