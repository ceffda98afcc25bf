"""Invitations: a coordinator or admin invites a colleague with a one-time link valid for seven days.

Only a hash of the link's token is stored, so the database cannot be used to accept an invitation.
The invitee chooses name and password; the account's key pair is made then, under that password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.roles import Role
from reporting.auth.accounts import AccountError, add_staff, find_account, normalise_email
from reporting.config.settings import Settings
from reporting.crypto import passwords
from reporting.db.models import Office, StaffAccount, StaffInvitation, utc_now
from reporting.i18n import N_

INVITATION_LIFETIME = dt.timedelta(days=7)
TOKEN_BYTES = 32


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_invitation(
    db: AsyncSession, *, email: str, role: Role, invited_by: uuid.UUID, office_ids: Sequence[uuid.UUID] = ()
) -> str:
    """Store a new invitation (replacing an open one for the same address) for an account in ``office_ids``
    (none: the central office); return the token, shown once."""
    normalised = normalise_email(email)
    if normalised is None:
        raise AccountError(N_("This is not a valid e-mail address."))
    if await find_account(db, normalised) is not None:
        raise AccountError(N_("An account with this e-mail address exists already."))
    await db.execute(
        delete(StaffInvitation).where(StaffInvitation.email == normalised, StaffInvitation.used_at.is_(None))
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.add(
        StaffInvitation(
            token_hash=_token_hash(token),
            email=normalised,
            role=role.value,
            invited_by=invited_by,
            office_ids=",".join(str(office_id) for office_id in office_ids),
            expires_at=utc_now() + INVITATION_LIFETIME,
        )
    )
    await db.flush()
    return token


async def open_invitation(db: AsyncSession, token: str) -> StaffInvitation | None:
    """The unused, unexpired invitation of ``token``, or ``None``."""
    if not token or len(token) > 200:
        return None
    invitation = await db.get(StaffInvitation, _token_hash(token))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utc_now():
        return None
    return invitation


async def accept_invitation(
    db: AsyncSession,
    token: str,
    *,
    settings: Settings,
    display_name: str,
    password: str,
    argon2: passwords.Argon2Params = passwords.DEFAULT_ARGON2,
) -> StaffAccount | None:
    """Create the invited account; ``None`` when the link is unknown, used or expired.

    The invitation is marked used with a conditional update, so two concurrent submissions cannot both
    create an account.
    """
    invitation = await open_invitation(db, token)
    if invitation is None:
        return None
    claimed = await db.execute(
        update(StaffInvitation)
        .where(StaffInvitation.token_hash == invitation.token_hash, StaffInvitation.used_at.is_(None))
        .values(used_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    return await add_staff(
        db,
        settings=settings,
        email=invitation.email,
        display_name=display_name,
        role=invitation.role,
        password=password,
        argon2=argon2,
        office_ids=await _existing_offices(db, invitation.office_ids),
    )


async def _existing_offices(db: AsyncSession, stored: str) -> list[uuid.UUID]:
    """The invitation's offices that still exist (an office deleted meanwhile is left out)."""
    wanted = [uuid.UUID(raw) for raw in stored.split(",") if raw]
    if not wanted:
        return []
    found = set((await db.execute(select(Office.id).where(Office.id.in_(wanted)))).scalars())
    return [office_id for office_id in wanted if office_id in found]


async def open_invitations(db: AsyncSession) -> list[StaffInvitation]:
    """Invitations not yet used or expired, for the staff page."""
    return list(
        (
            await db.execute(
                select(StaffInvitation)
                .where(StaffInvitation.used_at.is_(None), StaffInvitation.expires_at > utc_now())
                .order_by(StaffInvitation.expires_at)
            )
        )
        .scalars()
        .all()
    )


async def withdraw_invitation(db: AsyncSession, email: str) -> None:
    await db.execute(delete(StaffInvitation).where(StaffInvitation.email == email, StaffInvitation.used_at.is_(None)))
