"""Small HTTP helpers shared by the staff pages: form reading, redirects, rate limits."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.instance import InstanceSecrets
from reporting.web.throttle import client_key, register_hit

MAX_FIELD_LENGTH = 2000
FIFTEEN_MINUTES = 15 * 60


async def read_form(request: Request[Any, Any, State], *names: str) -> dict[str, str]:
    """The named text fields of a posted form ('' when missing); over-long values are cut, never echoed."""
    form = await request.form()
    values: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        values[name] = value[:MAX_FIELD_LENGTH] if isinstance(value, str) else ""
    return values


def see_other(path: str) -> Redirect:
    """Post-redirect-get (303), so a reload never re-submits a form."""
    return Redirect(path, status_code=303)


def pseudonym(request: Request[Any, Any, State], purpose: str, value: str) -> str:
    """A keyed hash of ``value`` for rate-limit rows, so they name no e-mail address or account."""
    secrets: InstanceSecrets = request.app.state.secrets
    return hmac.new(secrets.derive(f"throttle/{purpose}"), value.encode(), hashlib.sha256).hexdigest()


async def enforce_limits(
    engine: AsyncEngine, limits: list[tuple[str, str, int]], *, window_seconds: int = FIFTEEN_MINUTES
) -> None:
    """Count one attempt against every ``(scope, key, limit)``; answer 429 when any is exceeded."""
    within = [
        await register_hit(engine, scope, key, limit=limit, window_seconds=window_seconds)
        for scope, key, limit in limits
    ]
    if not all(within):
        raise HTTPException(status_code=HTTP_429_TOO_MANY_REQUESTS)


def client_limit(request: Request[Any, Any, State], scope: str, limit: int) -> tuple[str, str, int]:
    """A limit per client (the day's pseudonym of its address)."""
    return scope, client_key(request), limit
