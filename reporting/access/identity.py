"""Who is acting: the staff member a request's session belongs to, and how the audit log names them."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field

from reporting.access.roles import Role

CURRENT_STAFF_STATE_KEY = "current_staff"
"""Where the access guard leaves the request's :class:`StaffIdentity` (or None) in the request state."""


class Stage(enum.StrEnum):
    TOTP = "totp"
    ACTIVE = "active"


@dataclass(frozen=True)
class StaffIdentity:
    """The staff member of this request's session. ``private_key`` opens their wrapped case keys."""

    staff_id: uuid.UUID
    email: str
    display_name: str
    role: Role
    stage: Stage
    private_key: bytes = field(repr=False)
    totp_enrolled: bool = True
    session_id_hash: str = field(default="", repr=False)

    @property
    def actor(self) -> str:
        """How this person is named in the audit log (the account id: stable when the e-mail changes)."""
        return staff_actor(self.staff_id)


def staff_actor(staff_id: uuid.UUID) -> str:
    """The audit-log actor of a staff member."""
    return f"staff:{staff_id}"
