"""Passing access on: re-wrapping a report's data keys for a colleague, never re-encrypting content.

Only someone who can already open a wrapped key can pass it on (``report_keys.rewrap_data_key``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.crypto import report_keys
from reporting.db.models import StaffAccount, WrappedKey
from reporting.vault.key_trust import certified_recipient
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
    settings: Settings,
    granter_id: uuid.UUID,
    granter_private_key: bytes,
    grantee: StaffAccount,
) -> bool:
    """Re-wrap the report's keys for a colleague; nothing is re-encrypted. Return whether anything changed.

    :class:`UncertifiedKeyError` if the colleague's key certificate does not verify.
    """
    changed = False
    recipient = certified_recipient(settings, grantee)
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


async def recover_access_with_recovery_key(
    session: AsyncSession,
    *,
    settings: Settings,
    recovery_private_key: bytes,
    grantee: StaffAccount,
    keys: Iterable[tuple[uuid.UUID, str]],
) -> int:
    """Offline recovery: wrap exactly the ``(report, key purpose)`` pairs given (the member's former
    access) for ``grantee`` with the organisation's recovery key; return how many were wrapped."""
    recipient = certified_recipient(settings, grantee)
    added = 0
    for report_id, key_purpose in keys:
        row = await session.get(WrappedKey, (report_id, key_purpose, RECOVERY_RECIPIENT))
        if row is None or await session.get(WrappedKey, (report_id, key_purpose, recipient.recipient)) is not None:
            continue
        session.add(rewrapped(row, recovery_private_key, recipient))
        added += 1
    await session.flush()
    return added
