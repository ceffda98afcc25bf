"""Offices in the vault's terms: which office owns a new case, whose keys it is wrapped for, and which
cases a staff member may know exist.

A new report goes to the office serving the region the reporter chose; "prefer not to say", "somewhere
else", a region no office serves, or an office without a certified coordinator send it to the central
office. Only the owning office's certified coordinators (and the recovery key) receive its keys; every
key is certified before it is wrapped (``key_trust``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.crypto import report_keys
from reporting.db.models import Office, OfficeRegion, Report, StaffAccount, StaffOffice, WrappedKey
from reporting.vault.key_trust import UncertifiedKeyError, certified_recipient
from reporting.vault.values import Recipient

COORDINATOR = "coordinator"


class NoCentralOfficeError(RuntimeError):
    """The instance has no central office: nobody would receive reports no local office takes."""

    def __init__(self) -> None:
        super().__init__("no central office: load the offices file (`reporting offices load`) or run `reporting init`")


async def central_office_id(session: AsyncSession) -> uuid.UUID:
    office_id = (await session.execute(select(Office.id).where(Office.is_central.is_(True)).limit(1))).scalar()
    if office_id is None:
        raise NoCentralOfficeError
    return office_id


async def serving_office_id(session: AsyncSession, region: str | None) -> uuid.UUID | None:
    """The office that serves ``region`` (a ``taxonomy.REGIONS`` code), or ``None``."""
    if not region:
        return None
    return (await session.execute(select(OfficeRegion.office_id).where(OfficeRegion.region == region))).scalar()


async def office_coordinators(session: AsyncSession, settings: Settings, office_id: uuid.UUID) -> list[Recipient]:
    """The office's active coordinators whose key certificate verifies (a forged row is left out, logged)."""
    accounts = (
        await session.execute(
            select(StaffAccount)
            .join(StaffOffice, StaffOffice.staff_id == StaffAccount.id)
            .where(
                StaffOffice.office_id == office_id,
                StaffAccount.role == COORDINATOR,
                StaffAccount.is_active.is_(True),
            )
            .order_by(StaffAccount.id)
        )
    ).scalars()
    recipients = []
    for account in accounts:
        try:
            recipients.append(certified_recipient(settings, account))
        except UncertifiedKeyError:
            continue
    return recipients


async def route_new_report(
    session: AsyncSession, settings: Settings, *, region: str | None = None, office_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, list[Recipient]]:
    """The owning office of a new case and its certified coordinators.

    ``office_id`` (a walk-in's office) wins over ``region``; without a certified coordinator there, the
    central office takes the case, so a report never waits where nobody can open it.
    """
    chosen = office_id or await serving_office_id(session, region)
    if chosen is not None:
        coordinators = await office_coordinators(session, settings, chosen)
        if coordinators:
            return chosen, coordinators
    central = await central_office_id(session)
    return central, await office_coordinators(session, settings, central)


async def staff_office_ids(session: AsyncSession, staff_id: uuid.UUID) -> set[uuid.UUID]:
    return set((await session.execute(select(StaffOffice.office_id).where(StaffOffice.staff_id == staff_id))).scalars())


async def home_office_id(session: AsyncSession, staff_id: uuid.UUID) -> uuid.UUID:
    """The office a member's walk-in cases belong to: their local office (the first by name when they
    belong to several), else the central office."""
    local = (
        await session.execute(
            select(Office.id)
            .join(StaffOffice, StaffOffice.office_id == Office.id)
            .where(StaffOffice.staff_id == staff_id)
            .order_by(Office.is_central, Office.name)
            .limit(1)
        )
    ).scalar()
    return local or await central_office_id(session)


def holds_case_key(staff_id: uuid.UUID) -> ColumnElement[bool]:
    """The case is one this member holds a key of. The keys a member holds are a small set, read once per
    query by the ``staff_id`` index; an EXISTS per listed row would probe every other case's keys when
    the attention counts run over all cases (bench_inbox.py: 405 ms against 100,000 cases)."""
    keyed = select(WrappedKey.report_id).where(
        WrappedKey.staff_id == staff_id, WrappedKey.key_purpose == report_keys.CASE_KEY
    )
    return Report.id.in_(keyed)


async def is_diocesan(session: AsyncSession, staff_id: uuid.UUID) -> bool:
    """A member of the central office (a coordinator there sees every office's cases)."""
    found = await session.execute(
        select(StaffOffice.office_id)
        .join(Office, Office.id == StaffOffice.office_id)
        .where(StaffOffice.staff_id == staff_id, Office.is_central.is_(True))
        .limit(1)
    )
    return found.scalar() is not None


async def case_visibility(session: AsyncSession, staff_id: uuid.UUID, role: str) -> ColumnElement[bool] | None:
    """Which cases a member may know exist (listed, counted, named in the audit log); ``None``: every case.

    Advisers: the cases they hold a key of (assigned or granted). Coordinators: also every case of their
    offices; a coordinator of the central office: every case. The offices are read here, once per page,
    so the condition is a plain ``IN`` on an indexed column and one key probe per listed row.
    """
    if role != COORDINATOR:
        return holds_case_key(staff_id)
    if await is_diocesan(session, staff_id):
        return None
    return or_(Report.office_id.in_(await staff_office_ids(session, staff_id)), holds_case_key(staff_id))


async def may_know_case(session: AsyncSession, report_id: uuid.UUID, staff_id: uuid.UUID, role: str) -> bool:
    """Whether the case exists for this member: listed for them, or owned by one of their offices (then a
    missing key answers 403 and is audited). Anything else answers 404, as for no case at all."""
    listed = await case_visibility(session, staff_id, role)
    if listed is None:
        return True
    own_offices = Report.office_id.in_(await staff_office_ids(session, staff_id))
    found = await session.execute(select(Report.id).where(and_(Report.id == report_id, or_(listed, own_offices))))
    return found.scalar() is not None


async def set_memberships(session: AsyncSession, staff_id: uuid.UUID, office_ids: Sequence[uuid.UUID]) -> None:
    """The member belongs to exactly ``office_ids`` (at least one)."""
    if not office_ids:
        raise ValueError("a staff member belongs to at least one office")
    await session.execute(delete(StaffOffice).where(StaffOffice.staff_id == staff_id))
    session.add_all(StaffOffice(staff_id=staff_id, office_id=office_id) for office_id in dict.fromkeys(office_ids))
    await session.flush()
