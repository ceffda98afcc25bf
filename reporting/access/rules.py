"""Every route states who may call it in its ``opt``, or nobody may.

Rules, read from a handler's (merged) ``opt``:

- ``{"public": True}`` (``PUBLIC``): anyone, no session needed (reporter pages, login, static files).
- ``{"roles": ("adviser", "coordinator")}`` (or ``allow(Role.ADVISER, Role.COORDINATOR)``): a fully
  logged-in staff member (stage ``active``) of one of these roles.
- ``{"roles": (...), "stage": "totp"}`` (``TOTP_STAGE`` for all roles): also a session whose password
  was accepted but whose TOTP code is still missing (the code and enrolment pages, logout).
- anything else, including no rule at all: denied to everyone, so a route someone forgot to mark
  cannot leak.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reporting.access.identity import Stage
from reporting.access.roles import ROLES, Role, parse_role

PUBLIC: dict[str, Any] = {"public": True}
TOTP_STAGE: dict[str, Any] = {"roles": ROLES, "stage": Stage.TOTP.value}


def allow(*roles: Role) -> dict[str, Any]:
    """The ``opt`` of a route open to fully logged-in staff of ``roles``."""
    if not roles or not all(isinstance(role, Role) for role in roles):
        raise ValueError("allow() needs at least one Role")
    return {"roles": tuple(roles)}


@dataclass(frozen=True)
class AccessRule:
    """Who may call a route, as the guard (and the route×role test) reads it from ``opt``."""

    public: bool = False
    roles: frozenset[Role] = frozenset()
    totp_stage_allowed: bool = False


def access_rule(opt: Mapping[str, Any]) -> AccessRule:
    """Read the rule; a malformed rule (unknown role, a string instead of a tuple …) denies everyone."""
    if opt.get("public") is True:
        return AccessRule(public=True)
    raw_roles = opt.get("roles")
    stage = opt.get("stage", Stage.ACTIVE.value)
    if not isinstance(raw_roles, tuple | list) or not raw_roles or stage not in set(Stage):
        return AccessRule()
    roles = [parse_role(role) if isinstance(role, str) else None for role in raw_roles]
    if any(role is None for role in roles):
        return AccessRule()
    return AccessRule(roles=frozenset(role for role in roles if role), totp_stage_allowed=stage == Stage.TOTP)
