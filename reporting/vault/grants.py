"""Passing access on: re-wrapping a report's data keys for a colleague, never re-encrypting content.

Only someone who can already open a wrapped key can pass it on (``report_keys.rewrap_data_key``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.crypto import report_keys
from reporting.db.models import StaffAccount, WrappedKey
from reporting.vault.opening import own_wrapped_key
from reporting.vault.values import RECOVERY_RECIPIENT, Recipient


def rewrapped(own: WrappedKey, private_key: bytes, recipient: Recipient) -> WrappedKey:
    """The data key ``own`` protects, wrapped for ``recipient`` (``private_key`` must open ``own``)."""
    return WrappedKey(
        report_id=own.report_id,
        key_purpose=own.key_purpose,
        recipient=recipient.recipient,
        staff_id=recipient.staff_id,
        wrapped_data_key=report_keys.rewrap_data_key(
            own.wrapped_data_key, private_key, recipient.public_key, own.report_id, own.key_purpose
        ),
    )


async def grant_access(
    session: AsyncSession,
    report_id: uuid.UUID,
    *,
    granter_id: uuid.UUID,
    granter_private_key: bytes,
    grantee: StaffAccount,
) -> bool:
    """Re-wrap the report's keys for a colleague; nothing is re-encrypted. Return whether anything changed."""
    changed = False
    recipient = Recipient.for_staff(grantee.id, grantee.public_key)
    for purpose in (report_keys.CASE_KEY, report_keys.MAILBOX_KEY):
        if await session.get(WrappedKey, (report_id, purpose, recipient.recipient)) is not None:
            continue
        own = await own_wrapped_key(session, report_id, purpose, granter_id)
        session.add(rewrapped(own, granter_private_key, recipient))
        changed = True
    await session.flush()
    return changed


async def revoke_access(session: AsyncSession, report_id: uuid.UUID, staff_id: uuid.UUID) -> None:
    await session.execute(delete(WrappedKey).where(WrappedKey.report_id == report_id, WrappedKey.staff_id == staff_id))


async def share_with_coordinators(session: AsyncSession, *, staff_id: uuid.UUID, private_key: bytes) -> int:
    """Wrap every report this staff member can open for each active coordinator who cannot yet.

    Run when a coordinator logs in: a coordinator added after reports arrived then gains access to them
    without anyone handling the recovery key. Return the number of keys wrapped.
    """
    coordinators = (
        (
            await session.execute(
                select(StaffAccount).where(StaffAccount.role == "coordinator", StaffAccount.is_active.is_(True))
            )
        )
        .scalars()
        .all()
    )
    own_keys = (await session.execute(select(WrappedKey).where(WrappedKey.staff_id == staff_id))).scalars().all()
    holders = select(WrappedKey.report_id, WrappedKey.key_purpose, WrappedKey.staff_id).where(
        WrappedKey.staff_id.is_not(None)
    )
    existing = {(report_id, purpose, holder) for report_id, purpose, holder in await session.execute(holders)}
    added = 0
    for own in own_keys:
        for coordinator in coordinators:
            if (own.report_id, own.key_purpose, coordinator.id) not in existing:
                session.add(rewrapped(own, private_key, Recipient.for_staff(coordinator.id, coordinator.public_key)))
                added += 1
    await session.flush()
    return added


async def recover_access_with_recovery_key(
    session: AsyncSession, *, recovery_private_key: bytes, grantee: StaffAccount
) -> int:
    """Offline recovery: wrap every open report's keys for ``grantee`` with the organisation's recovery key."""
    rows = (await session.execute(select(WrappedKey).where(WrappedKey.recipient == RECOVERY_RECIPIENT))).scalars().all()
    recipient = Recipient.for_staff(grantee.id, grantee.public_key)
    added = 0
    for row in rows:
        if await session.get(WrappedKey, (row.report_id, row.key_purpose, recipient.recipient)) is not None:
            continue
        session.add(rewrapped(row, recovery_private_key, recipient))
        added += 1
    await session.flush()
    return added
