"""Staff roles and what each one may see; the single vocabulary the guards and the route×role test use."""

from __future__ import annotations

import enum

from reporting.i18n import N_


class Role(enum.StrEnum):
    """A staff member has exactly one role."""

    ADVISER = "adviser"
    """Works the cases assigned or granted to them."""
    COORDINATOR = "coordinator"
    """Sees all cases, assigns them, grants access, manages staff, reads the audit log."""
    STATISTICIAN = "statistician"
    """Aggregated statistics only, never case content."""
    ADMIN = "admin"
    """Accounts and settings; no case content unless a case is granted."""


ROLES: tuple[Role, ...] = tuple(Role)
"""Every role; its members are plain strings too (``"adviser"``, ``"coordinator"`` …)."""
CASE_ROLES: tuple[Role, ...] = (Role.ADVISER, Role.COORDINATOR)
ROLE_LABELS: dict[str, str] = {
    Role.ADVISER: N_("Adviser"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.STATISTICIAN: N_("Statistician"),
    Role.ADMIN: N_("Administrator"),
}
"""English names of the roles (message ids), keyed by role value."""
STAFF_MANAGER_ROLES: tuple[Role, ...] = (Role.COORDINATOR, Role.ADMIN)
INVITABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    # An admin cannot create a coordinator, who would see every case: only a coordinator can.
    Role.COORDINATOR: ROLES,
    Role.ADMIN: (Role.ADVISER, Role.STATISTICIAN, Role.ADMIN),
}

_HOME_PATHS = {
    Role.ADVISER: "/staff/",
    Role.COORDINATOR: "/staff/",
    Role.STATISTICIAN: "/staff/stats",
    Role.ADMIN: "/staff/accounts",
}


def home_path(role: str) -> str:
    """Where a staff member lands after login: the first page their role may open."""
    return _HOME_PATHS[Role(role)]


def parse_role(value: str) -> Role | None:
    """The role named ``value``, or ``None`` for anything else (form input, old rows)."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        return None
