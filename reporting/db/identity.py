"""Which instance a database belongs to: the fingerprint of the secrets it was filled with (see
:class:`reporting.db.models.InstanceIdentity`), recorded at init and compared from then on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import InstanceIdentity

SHOWN_FINGERPRINT_LENGTH = 16


class ForeignInstanceError(RuntimeError):
    """The database belongs to another instance than the configured secrets: no receipt would open."""


def short_fingerprint(fingerprint: str) -> str:
    """Enough of a fingerprint for an operator to tell two instances apart."""
    return fingerprint[:SHOWN_FINGERPRINT_LENGTH]


async def recorded_fingerprint(session: AsyncSession) -> str | None:
    return (await session.execute(select(InstanceIdentity.fingerprint))).scalar_one_or_none()


async def bind_to_instance(session: AsyncSession, fingerprint: str) -> bool:
    """Record ``fingerprint`` unless the database has one; return whether it was recorded.

    Raises :class:`ForeignInstanceError` when the database already names a different instance.
    """
    recorded = await recorded_fingerprint(session)
    if recorded is None:
        session.add(InstanceIdentity(fingerprint=fingerprint))
        return True
    if recorded != fingerprint:
        raise ForeignInstanceError(
            f"the database belongs to instance {short_fingerprint(recorded)}, but the secrets file in the data "
            f"directory to instance {short_fingerprint(fingerprint)}: receipts would not open with this pair"
        )
    return False
