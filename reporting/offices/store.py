"""Offices in the database: loading the offices file, the administrator's edits, memberships."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import Office, OfficeRegion, StaffOffice
from reporting.offices.config import OfficesFileError, OfficeSpec


@dataclass(frozen=True)
class OfficeRow:
    """One office as the administrator's list shows it."""

    id: uuid.UUID
    slug: str
    name: str
    is_central: bool
    regions: tuple[str, ...]
    address: str
    phone: str
    opening_hours: str
    languages: str
    step_free: bool
    members: int


def _apply(office: Office, spec: OfficeSpec) -> None:
    office.slug, office.name = spec.slug, spec.name
    office.address, office.phone, office.opening_hours = spec.address, spec.phone, spec.hours
    office.languages, office.step_free = spec.languages, spec.step_free


async def _set_regions(session: AsyncSession, office_id: uuid.UUID, regions: Sequence[str]) -> None:
    """The office serves exactly ``regions``; a region another office served moves to this one."""
    await session.execute(delete(OfficeRegion).where(OfficeRegion.office_id == office_id))
    if regions:
        await session.execute(delete(OfficeRegion).where(OfficeRegion.region.in_(regions)))
    session.add_all(OfficeRegion(region=region, office_id=office_id) for region in regions)
    await session.flush()


def is_placeholder(office: Office) -> bool:
    """The central office an upgrade created (no contact yet): the offices file may fill it in."""
    return office.is_central and not office.address and not office.phone


async def load_offices(session: AsyncSession, specs: Sequence[OfficeSpec], *, only_new: bool = False) -> list[str]:
    """Create or update the offices of the file (matched by slug; the file's central office updates the
    current central office, so its members stay diocesan); offices not in the file are left as they are.
    With ``only_new`` (``init``, ``db upgrade``, every start) an office that exists is left alone, so the
    administrator's edits stay, except a central office still without contact. Return what changed."""
    changes: list[str] = []
    for spec in specs:
        office = (await session.execute(select(Office).where(Office.slug == spec.slug))).scalar_one_or_none()
        if only_new and office is not None and not is_placeholder(office):
            continue
        if spec.central:
            central = (await session.execute(select(Office).where(Office.is_central.is_(True)))).scalars().first()
            if office is not None and central is not None and office.id != central.id:
                raise OfficesFileError(
                    f"office {spec.slug!r} exists but the central office is {central.slug!r}: name it so in the file"
                )
            office = office or central
            if only_new and office is not None and not is_placeholder(office):
                continue
        if office is None:
            office = Office(id=uuid.uuid4(), is_central=spec.central)
            session.add(office)
            changes.append(f"added office {spec.slug}")
        elif await _as_spec(session, office) != replace(spec, regions=tuple(sorted(spec.regions))):
            changes.append(f"updated office {spec.slug}")
        else:
            continue
        _apply(office, spec)
        await session.flush()
        await _set_regions(session, office.id, spec.regions)
    return changes


async def _as_spec(session: AsyncSession, office: Office) -> OfficeSpec:
    regions = (
        await session.execute(
            select(OfficeRegion.region).where(OfficeRegion.office_id == office.id).order_by(OfficeRegion.region)
        )
    ).scalars()
    return OfficeSpec(
        slug=office.slug,
        name=office.name,
        central=office.is_central,
        regions=tuple(regions),
        address=office.address,
        phone=office.phone,
        hours=office.opening_hours,
        languages=office.languages,
        step_free=office.step_free,
    )


async def list_offices(session: AsyncSession) -> list[OfficeRow]:
    regions: dict[uuid.UUID, list[str]] = {}
    for region, office_id in await session.execute(select(OfficeRegion.region, OfficeRegion.office_id)):
        regions.setdefault(office_id, []).append(region)
    members = dict(
        (await session.execute(select(StaffOffice.office_id, func.count()).group_by(StaffOffice.office_id))).all()
    )
    offices = (await session.execute(select(Office).order_by(Office.is_central.desc(), Office.name))).scalars()
    return [
        OfficeRow(
            id=office.id,
            slug=office.slug,
            name=office.name,
            is_central=office.is_central,
            regions=tuple(sorted(regions.get(office.id, []))),
            address=office.address,
            phone=office.phone,
            opening_hours=office.opening_hours,
            languages=office.languages,
            step_free=office.step_free,
            members=members.get(office.id, 0),
        )
        for office in offices
    ]


async def save_office(session: AsyncSession, office_id: uuid.UUID | None, spec: OfficeSpec) -> Office:
    """Create (``office_id`` ``None``) or change an office from the administrator's form. The slug must be
    free; which office is central is the offices file's business, never changed here."""
    clash = (await session.execute(select(Office.id).where(Office.slug == spec.slug, Office.id != office_id))).scalar()
    if clash is not None:
        raise OfficesFileError("slug")
    office = await session.get(Office, office_id) if office_id else Office(id=uuid.uuid4(), is_central=False)
    if office is None:
        raise LookupError(office_id)
    if office_id is None:
        session.add(office)
    _apply(office, spec)
    await session.flush()
    await _set_regions(session, office.id, spec.regions)
    return office


async def office_ids_by_slug(session: AsyncSession, slugs: Sequence[str]) -> list[uuid.UUID]:
    """The ids of the offices named by ``slugs``; :class:`OfficesFileError` for an unknown one."""
    found = dict((await session.execute(select(Office.slug, Office.id).where(Office.slug.in_(slugs)))).all())
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise OfficesFileError(f"no office {missing[0]!r}")
    return [found[slug] for slug in slugs]
