"""Housekeeping off the request path: each worker deletes expired rows now and then, on its own schedule.

Expired rate-limit counters, spent tokens and sessions are ignored when read, so deleting them is only
about not keeping what is no longer needed; doing it inside requests made every reporter wait for (and on
SQLite, contend with) the deletes. Every worker runs the same loop with a random offset: the deletes are
idempotent, so two workers doing it at once is harmless, and nothing is kept in process memory.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

from litestar import Litestar

from reporting.db.retry import with_retries

logger = logging.getLogger("reporting.housekeeping")

HousekeepingJob = Callable[[], Awaitable[None]]
DEFAULT_INTERVAL_SECONDS = 300.0


async def run_jobs(jobs: Sequence[HousekeepingJob]) -> None:
    """Run every job once; a failing job is logged (by name only) and does not stop the others."""
    for job in jobs:
        try:
            await with_retries(job)
        except Exception:
            logger.exception("housekeeping job %s failed", getattr(job, "__name__", "job"))


async def _loop(jobs: Sequence[HousekeepingJob], interval_seconds: float) -> None:
    while True:
        # Jitter spreads the workers' runs out instead of having them start deleting together.
        await asyncio.sleep(interval_seconds * random.uniform(0.5, 1.5))  # noqa: S311 - scheduling, not a secret
        await run_jobs(jobs)


def housekeeping_lifespan(
    jobs: Sequence[HousekeepingJob], interval_seconds: float = DEFAULT_INTERVAL_SECONDS
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A Litestar lifespan that runs ``jobs`` about every ``interval_seconds`` while the worker serves."""

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        task = asyncio.create_task(_loop(jobs, interval_seconds), name="housekeeping")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    return lifespan
