"""Office memberships for tests that build staff rows by hand (``add_staff`` joins the central office
itself): a coordinator receives new reports only as a member of the office they are routed to."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import StaffAccount, StaffOffice
from reporting.vault.offices import central_office_id


async def add_to_central_office(session: AsyncSession, *accounts: StaffAccount) -> None:
    """Add the accounts and make them members of the central office (flushed)."""
    session.add_all(accounts)
    await session.flush()
    central = await central_office_id(session)
    session.add_all(StaffOffice(staff_id=account.id, office_id=central) for account in accounts)
    await session.flush()
