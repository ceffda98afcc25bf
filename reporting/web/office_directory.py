"""The public list of offices (help nearby), held in each worker's memory and re-read from the database
at most every :data:`REFRESH_SECONDS`, so public pages render it without a query of their own.

Looking at it records nothing: the region a page asks for comes from what the page already knows (the
form just sent, the mailbox's own case), never from a query parameter, cookie or log line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.db.models import Office, OfficeRegion
from reporting.i18n import current_language
from reporting.taxonomy import REGIONS

REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class PublicOffice:
    """What the public sees of an office."""

    name: str
    address: str
    phone: str
    opening_hours: str
    languages: str
    step_free: bool
    is_central: bool
    regions: tuple[str, ...]


@dataclass
class OfficeDirectory:
    """This worker's copy of the public office list."""

    offices: tuple[PublicOffice, ...] = ()
    loaded_at: float = field(default=-REFRESH_SECONDS)

    def expire(self) -> None:
        """Re-read before the next page (after an administrator changed an office in this worker)."""
        self.loaded_at = -REFRESH_SECONDS

    def is_stale(self) -> bool:
        return time.monotonic() - self.loaded_at >= REFRESH_SECONDS

    async def refresh(self, engine: AsyncEngine) -> None:
        async with AsyncSession(engine) as session:
            regions: dict[Any, list[str]] = {}
            for region, office_id in await session.execute(select(OfficeRegion.region, OfficeRegion.office_id)):
                regions.setdefault(office_id, []).append(region)
            rows = (await session.execute(select(Office).order_by(Office.is_central.desc(), Office.name))).scalars()
            self.offices = tuple(
                PublicOffice(
                    name=office.name,
                    address=office.address,
                    phone=office.phone,
                    opening_hours=office.opening_hours,
                    languages=office.languages,
                    step_free=office.step_free,
                    is_central=office.is_central,
                    regions=tuple(sorted(regions.get(office.id, []))),
                )
                for office in rows
                # An office without an address or phone number has nothing to offer the public yet.
                if office.address or office.phone
            )
        self.loaded_at = time.monotonic()

    def for_region(self, region: str | None) -> list[PublicOffice]:
        """The offices serving ``region``; for a region no listed office serves, the central office; without
        a region, every office."""
        if not region:
            return list(self.offices)
        serving = [office for office in self.offices if region in office.regions]
        return serving or [office for office in self.offices if office.is_central]


def office_directory(connection: ASGIConnection[Any, Any, Any, Any]) -> OfficeDirectory:
    directory: OfficeDirectory = connection.app.state.office_directory
    return directory


def help_offices(connection: ASGIConnection[Any, Any, Any, Any], region: str | None = None) -> list[PublicOffice]:
    """Template helper: the offices to show on a public page (see :meth:`OfficeDirectory.for_region`)."""
    return office_directory(connection).for_region(region)


def region_label(code: str) -> str:
    """Template helper: a region's public name (towns and districts) in the page's language."""
    return REGIONS.get(code).label(current_language().code) if code in REGIONS else code


def directory_refresh_hook(engine: AsyncEngine) -> Any:
    """A ``before_request`` hook that re-reads a stale directory (one small query per worker and period)."""

    async def refresh_if_stale(request: ASGIConnection[Any, Any, Any, Any]) -> None:
        directory = office_directory(request)
        if directory.is_stale():
            await directory.refresh(engine)

    return refresh_if_stale
