"""Passing access on: re-wrapping a report's data keys for a colleague, never re-encrypting content.

Only someone who can already open a wrapped key can pass it on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.crypto import report_keys
from reporting.db.models import StaffAccount, WrappedKey
from reporting.vault import period_keys
from reporting.vault.key_trust import certified_recipient
from reporting.vault.opening import own_wrapped_key, unwrap
from reporting.vault.period_keys import PeriodKeys
from reporting.vault.sealing import wrapped_key
from reporting.vault.values import RECOVERY_RECIPIENT, Recipient


async def rewrapped(
    session: AsyncSession, keys: PeriodKeys, own: WrappedKey, private_key: bytes, recipient: Recipient
) -> WrappedKey:
    """The data key ``own`` protects, wrapped for ``recipient`` (``private_key`` must open ``own``), under
    the newest key of the case's period (the case is held until the transaction ends)."""
    period = await period_keys.period_for_rewrap(session, own)
    return wrapped_key(
        keys, period, own.report_id, own.key_purpose, data_key=unwrap(keys, own, private_key), recipient=recipient
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
        session.add(await rewrapped(session, PeriodKeys.of(settings), own, granter_private_key, recipient))
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
        session.add(await rewrapped(session, PeriodKeys.of(settings), row, recovery_private_key, recipient))
        added += 1
    await session.flush()
    return added
