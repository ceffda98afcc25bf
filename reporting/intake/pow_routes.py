"""Challenges for the ALTCHA widget (fetched by the page's own script; same origin only)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.access.rules import PUBLIC
from reporting.config.secrets import InstanceSecrets
from reporting.intake import pow as proof_of_work
from reporting.web.throttle import client_limit, within_limits

CHALLENGE_LIMIT = 60
CHALLENGE_WINDOW_SECONDS = 10 * 60


class ProofOfWorkController(Controller):
    """Challenges for the ALTCHA widget (fetched by the page's own script; same origin only)."""

    path = "/altcha"
    include_in_schema = False

    @get("/challenge", opt=PUBLIC, media_type=MediaType.JSON)
    async def challenge(
        self,
        request: Request[Any, Any, State],
        db_engine: NamedDependency[AsyncEngine],
        secrets: NamedDependency[InstanceSecrets],
    ) -> Response[dict[str, Any]]:
        limits = [client_limit(request, "altcha:challenge", CHALLENGE_LIMIT)]
        if not await within_limits(db_engine, limits, window_seconds=CHALLENGE_WINDOW_SECONDS):
            return Response({"error": "too many requests"}, status_code=HTTP_429_TOO_MANY_REQUESTS)
        return Response(proof_of_work.new_challenge(secrets))
